"""The ``trainer-app`` command: the GUI launcher and headless commands over the same services.

Errors print one plain sentence on stderr and exit non-zero; nothing is half-written. Commands
that work on a store use the file given with ``--database`` (which must exist), or else your own
database, the one the window opens (created on first use, as the window does).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import getpass
import io
import os
import signal
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from trainer_app import __version__
from trainer_app.config import Settings, database_location
from trainer_app.domain import dates
from trainer_app.domain.certificates import Certificate
from trainer_app.domain.errors import DomainError, StoreRefused
from trainer_app.files import sync_folder
from trainer_app.scheduling.scenario import (
    MAX_FILE_BYTES,
    dump_json,
    load_json,
    plan_from_dict,
    plan_to_dict,
    scenario_from_dict,
)
from trainer_app.services.context import ServiceContext
from trainer_app.services.importers import IMPORTERS, write_template

if TYPE_CHECKING:
    from trainer_app.services.planning_run import ProgressReport, SolveOptions

T = TypeVar("T")

EXIT_OK, EXIT_FAILED = 0, 1
MAX_TIME_LIMIT = 86_400  # seconds: `plan --time-limit`
MAX_WORKERS = 256  # `plan --workers`
EXIT_READER_GONE = 128 + 13  # what a shell reports for a Unix tool stopped by SIGPIPE
DATABASE_HELP = (
    "the SQLite database file, or a database URL such as "
    "postgresql+psycopg://trainer_app@db.hub.example/trainer_app (default: "
    "TRAINER_APP_DATABASE_URL if set, else your own database in the user data folder, the "
    "one the window opens)"
)


USER_HELP = (
    "who you are (a user account of the store; the password is read from TRAINER_APP_PASSWORD "
    "or asked for). Needed once the store has user accounts"
)
PASSWORD_VARIABLE = "TRAINER_APP_PASSWORD"


def _add_database(
    parser: argparse.ArgumentParser, *, help: str = DATABASE_HELP, writes: bool = False
) -> None:
    """``--database``; and for a command that changes the store, ``--user``."""
    parser.add_argument(
        "--database",
        type=database_location,
        metavar="PATH|URL",
        default=argparse.SUPPRESS,
        help=help,
    )
    if writes:
        parser.add_argument("--user", metavar="NAME", default=None, help=USER_HELP)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trainer-app",
        description="Plan, run and evidence GMP training at the UK's cell and gene therapy hubs.",
    )
    parser.add_argument("--version", action="version", version=f"trainer-app {__version__}")
    _add_database(parser)
    parser.add_argument(
        "--demo", action="store_true", help="open the window on a freshly built demo database"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="open the window (the default)")
    _add_database(gui)
    gui.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open on a freshly built demo database",
    )

    demo = commands.add_parser("demo", help="create a realistic demo database")
    demo.add_argument(
        "--database",
        type=Path,
        metavar="PATH",
        required=True,
        help="the SQLite file to write; it must not exist yet",
    )
    demo.add_argument("--seed", type=int, default=2027, help="random seed (default 2027)")
    demo.add_argument("--trainees", type=int, default=300, help="number of trainees (300)")

    plan = commands.add_parser(
        "plan",
        help="plan a scenario file, or the store's runs into a draft (progress on stderr)",
        description="Plan SCENARIO (trainer-app/scenario@1) and write the best plan found to -o; "
        "or, with --database, --from and --to, plan the store's draft and planned runs in those "
        "dates (as the Plan page does) and save the plan as a draft. Exit 0 when every session "
        "is placed with no hard violation, 1 otherwise.",
    )
    plan.add_argument("scenario", type=Path, metavar="SCENARIO.json", nargs="?")
    plan.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PLAN.json",
        help="where to write the plan (required with a scenario file; optional with a store)",
    )
    _add_database(plan, help="the store to plan from (with --from and --to)", writes=True)
    plan.add_argument("--from", dest="start", type=_date, metavar="DATE", help="first day")
    plan.add_argument("--to", dest="end", type=_date, metavar="DATE", help="last day")
    plan.add_argument(
        "--hub", action="append", metavar="CODE", help="only this hub's runs (repeatable)"
    )
    plan.add_argument("--name", default="", help="the draft's name (default: the term and time)")
    plan.add_argument(
        "--time-limit",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds to search (default 30); Ctrl+C stops early",
    )
    plan.add_argument(
        "--workers", type=int, default=0, metavar="N", help="solver threads (default: every core)"
    )
    plan.add_argument("--seed", type=int, default=0, metavar="N", help="random seed")

    check = commands.add_parser(
        "check",
        help="check a plan against its scenario",
        description="Print the cost breakdown and hard violations as JSON. Exit 0 when there "
        "is no hard violation, 1 otherwise.",
    )
    check.add_argument("scenario", type=Path, metavar="SCENARIO.json")
    check.add_argument("plan", type=Path, metavar="PLAN.json")

    commands.add_parser(
        "rules",
        help="the planner's hard rules and cost terms",
        description="List every hard rule (the names `check` reports) and every cost term (the "
        "names a scenario's weights use), with what each means and its default weight.",
    )

    scenario = commands.add_parser("scenario", help="scenario files from the store")
    scenario_commands = scenario.add_subparsers(
        dest="scenario_command", metavar="ACTION", required=True
    )
    export = scenario_commands.add_parser(
        "export", help="write the scenario for a date range (working days only)"
    )
    _add_database(export)
    export.add_argument("--from", dest="start", type=_date, required=True, metavar="DATE")
    export.add_argument("--to", dest="end", type=_date, required=True, metavar="DATE")
    export.add_argument(
        "--hub",
        action="append",
        default=[],
        metavar="CODE",
        help="only this hub's runs and facilities (repeatable)",
    )
    export.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")

    _add_export_commands(commands)
    _add_certificate_commands(commands)
    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser(
        "verify",
        help="check every entry's seal; exit 0 only when the trail is intact",
        description="Recompute the keyed hash that links each audit entry to the one before. "
        "Names the first entry changed, removed, added or reordered since it was recorded; "
        "exit 0 only when every link holds.",
    )
    _add_database(verify)
    backup = commands.add_parser(
        "backup",
        help="an online copy of the database with its checksum (FILE.sha256)",
        description="Copy the database while it may be in use (SQLite's backup API), check the "
        "copy page by page and write its SHA-256 beside it; nothing appears under FILE unless "
        "all of that succeeded.",
    )
    _add_database(backup, writes=True)
    backup.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    restore = commands.add_parser(
        "restore",
        help="put a backup in place of the database (the current one is kept aside)",
        description="Check FILE whole first (SQLite, trainer-app, a schema this version knows, "
        "every page and table, its checksum if FILE.sha256 is beside it, the audit trail's "
        "seals); only then copy the current database aside and put the backup in its place.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    _add_database(restore, writes=True)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    init = db_commands.add_parser(
        "init",
        help="start a new, empty database (owner-only) in a new or empty file",
        description="Create a new database at PATH: the file must not exist, or be empty "
        "(0 bytes, or an SQLite file with no tables). Anything else is refused unchanged.",
    )
    init.add_argument("--database", type=Path, metavar="PATH", required=True)
    upgrade = db_commands.add_parser("upgrade", help="upgrade the schema (a backup is kept)")
    _add_database(upgrade)
    check = db_commands.add_parser("check", help="check integrity; exit 1 on any problem")
    _add_database(check)
    _add_db_copy(db_commands)
    _add_import_commands(commands)
    _add_user_commands(commands)
    return parser


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        try:
            status = _run(args)
        except DomainError as error:
            print(f"trainer-app: {error}", file=sys.stderr)
            status = EXIT_FAILED
        sys.stdout.flush()  # a reader that went away shows here, not as Python exits
        return status
    except BrokenPipeError:
        _discard_output()
        return EXIT_READER_GONE


def _run(args: argparse.Namespace) -> int:
    settings = Settings.resolve(getattr(args, "database", None))
    if args.command == "demo":
        return _demo(settings, args.database, seed=args.seed, trainees=args.trainees)
    if args.command == "db" and args.db_command == "copy":
        return _db_copy(settings, args)
    if args.command == "db":
        return {"init": _db_init, "upgrade": _db_upgrade, "check": _db_check}[args.db_command](
            settings
        )
    if args.command == "plan":
        return _plan(settings, args)
    if args.command == "check":
        return _check(args.scenario, args.plan)
    if args.command == "rules":
        return _rules()
    if args.command == "scenario":
        return _export_scenario(settings, args)
    if args.command == "import":
        return _import(settings, args)
    if args.command == "export":
        return _export(settings, args)
    if args.command == "certificate":
        return _certificate(settings, args)
    if args.command == "audit":
        return _audit_verify(settings)
    if args.command == "backup":
        return _backup(settings, args)
    if args.command == "restore":
        return _restore(settings, args)
    if args.command == "user":
        return _user(settings, args)
    return _gui(settings, demo=args.demo, argv=sys.argv[:1])


def _discard_output() -> None:
    """Whoever read our output stopped reading (``trainer-app certificate list | head``): stop
    quietly, as Unix tools do, and let Python flush what is left into nothing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test's capture): nothing will complain


def _store(settings: Settings, args: argparse.Namespace, *, writes: bool = True) -> ServiceContext:
    """The store a command works on: the file given with ``--database``, which must exist (a
    mistyped path is refused rather than created), or else your own database, created on first
    use as the window does. A command that changes the store (one with ``--user``) acts for
    the person signed in with it."""
    context = ServiceContext.open(settings, create=getattr(args, "database", None) is None)
    if not (writes and hasattr(args, "user")):
        return context
    try:
        return _signed_in(context, args.user)
    except BaseException:
        context.close()
        raise


def _signed_in(context: ServiceContext, username: str | None) -> ServiceContext:
    """The services acting for ``username``, once their password is right. A store nobody has
    set up yet (no user accounts) is worked on as the installation's local user."""
    if not context.users.has_accounts():
        if username is not None:
            raise DomainError(
                "This store has no user accounts yet, so --user cannot be checked. Create the "
                "administrator first (trainer-app user add NAME --role administrator …, or "
                "open the window)"
            )
        return context
    if username is None:
        raise DomainError(
            "This command changes the store, which has user accounts: say who you are with "
            f"--user NAME (the password is read from {PASSWORD_VARIABLE} or asked for). "
            "Nothing was changed"
        )
    password = _password(f"Password for {username}: ")
    return context.signed_in(context.users.sign_in(username, password))


def _password(prompt: str, variable: str = PASSWORD_VARIABLE) -> str:
    """A password from the environment, or typed at a terminal (never echoed)."""
    given = os.environ.get(variable)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise DomainError(
            f"No password: set {variable}, or run the command at a terminal to be asked"
        )
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt):
        raise DomainError("No password was given; nothing was changed") from None


def _demo(settings: Settings, path: Path, *, seed: int, trainees: int) -> int:
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file for the demo database")
    from trainer_app.services.demo import build_demo

    with ServiceContext.creating(settings) as context:  # a half-built demo never shows
        summary = build_demo(context, seed=seed, trainees=trainees)
    print(f"Demo database written to {path}: {summary}")
    return EXIT_OK


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fresh_demo_database(settings: Settings) -> Settings:
    """Rebuild the demo database in the user data folder and return settings that point at it."""
    from trainer_app.services.demo import build_demo

    target = settings.demo_database
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_database_files(target)
    demo_settings = settings.with_database(target)
    with ServiceContext.creating(demo_settings) as context:
        build_demo(context)
    return demo_settings


def _gui(settings: Settings, *, demo: bool, argv: list[str]) -> int:
    from trainer_app.ui.app import run_gui, tell_cannot_open

    try:
        if demo:
            settings = fresh_demo_database(settings)
        context = ServiceContext.open(settings)
    except DomainError as error:  # said in a window, then on stderr as every refusal is
        tell_cannot_open(str(error), argv)
        raise
    try:
        return run_gui(context, argv, demo=demo)
    finally:
        context.close()


def _read(path: Path, what: str) -> Any:
    """A scenario or plan file's JSON: a regular file only (a named pipe or a device may block
    or never end), at most MAX_FILE_BYTES read whatever size the file claims."""
    try:
        # no waiting for a writer if the path is a named pipe: it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise DomainError(f"Cannot read {what} {path}: {error.strerror}") from error
    try:
        kind = _not_a_file(os.fstat(fd).st_mode)
        if kind:
            raise DomainError(f"Cannot read {what} {path}: it is {kind}, not a regular file")
        content = b""
        while len(content) <= MAX_FILE_BYTES and (more := os.read(fd, 1_048_576)):
            content += more
    except OSError as error:
        raise DomainError(f"Cannot read {what} {path}: {error.strerror}") from error
    finally:
        os.close(fd)
    if len(content) > MAX_FILE_BYTES:
        raise DomainError(
            f"{what.capitalize()} {path} is larger than {MAX_FILE_BYTES // 1_048_576} MB, "
            "the most a scenario or plan may be"
        )
    return load_json(content, f"{what.capitalize()} {path}")


def _not_a_file(mode: int) -> str:
    """What a path is when it is not a regular file ("" when it is one)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _write_atomically(path: Path, text: str) -> None:
    """Write the whole file or nothing, and only ever over a regular file.

    A device (``/dev/full``), a named pipe or a folder at ``path`` is refused and left as it is.
    The content is written and flushed to disk in the same folder, then renamed over ``path``:
    a failed write (a full disk) or a killed process leaves the old file, or none, and no
    temporary file behind (on Linux it has no name until it is whole)."""
    target = _target(path)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        _write_unnamed(target.parent, temporary, text.encode("utf-8"))
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise DomainError(f"Cannot write {path}: {error.strerror}; nothing was written") from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)


def _target(path: Path) -> Path:
    """The file that writing ``path`` replaces (through a symbolic link, the file it names);
    refused when it exists and is not a regular file, or when its folder does not exist."""
    target = Path(os.path.realpath(path))
    try:
        kind = _not_a_file(os.stat(target).st_mode)
    except FileNotFoundError:
        kind = ""
    except OSError as error:
        raise DomainError(f"Cannot write {path}: {error.strerror}; nothing was written") from error
    if kind:
        raise DomainError(
            f"Cannot write {path}: it is {kind}, not a regular file; nothing was written"
        )
    if not target.parent.is_dir():
        raise DomainError(
            f"Cannot write {path}: there is no folder {path.parent}; nothing was written"
        )
    return target


def _write_unnamed(folder: Path, temporary: Path, content: bytes) -> None:
    """Write ``content`` to disk as ``temporary``. Where the system allows (Linux), the file has
    no name until it is whole and on disk, so a process killed while writing leaves nothing."""
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o666)
    except AttributeError:  # not Linux
        fd = -1
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            raise
        fd = -1  # a file system without unnamed files
    if fd >= 0:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(fd)
            if _give_name(fd, temporary):
                return
    with open(temporary, "xb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())


def _give_name(fd: int, path: Path) -> bool:
    """Link the unnamed file open as ``fd`` to ``path``: through /proc as open(2) suggests, else
    with linkat's AT_EMPTY_PATH (some containers refuse the first). False when neither works."""
    try:
        os.link(f"/proc/self/fd/{fd}", path)
        return True
    except OSError:
        pass
    import ctypes

    at_fdcwd, at_empty_path = -100, 0x1000
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.linkat(fd, b"", at_fdcwd, os.fsencode(path), at_empty_path)) == 0
    except (OSError, AttributeError):
        return False


def _plan(settings: Settings, args: argparse.Namespace) -> int:
    """Plan a scenario file, or the store's runs into a draft: the planning service solves,
    the independent checker judges, and the plan is written or saved with the checker's cost,
    status and hard violations."""
    from trainer_app.services.planning_run import SolveOptions

    from_store = args.start is not None or args.end is not None
    if from_store == (args.scenario is not None):
        either = (
            "a scenario file (trainer-app plan SCENARIO.json -o PLAN.json) or a store and dates "
            "(trainer-app plan --database PATH --from DATE --to DATE)"
        )
        raise DomainError(f"Give {either}, not both" if from_store else f"Give {either}")
    if not 0 < args.time_limit <= MAX_TIME_LIMIT:  # also NaN and inf, which float() reads
        raise DomainError(
            f"--time-limit must be more than 0 and at most {MAX_TIME_LIMIT:,} seconds (a day)"
        )
    if not 0 <= args.workers <= MAX_WORKERS:
        raise DomainError(f"--workers must be from 0 (every core) to {MAX_WORKERS}")
    if not 0 <= args.seed < 2**31:
        raise DomainError(f"--seed must be from 0 to {2**31 - 1:,}")
    options = SolveOptions(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    if from_store:
        return _plan_store(settings, args, options)
    if args.output is None:
        raise DomainError("Say where to write the plan: -o PLAN.json")
    if args.hub or args.name:
        raise DomainError("--hub and --name are for planning a store (--database, --from, --to)")
    return _plan_file(args, options)


def _solving(run: Callable[[Callable[[ProgressReport], None], Callable[[], bool]], T]) -> T:
    """Run ``run(progress, should_stop)`` with progress lines on stderr; Ctrl+C stops the search
    early and keeps the best plan found."""
    stop = threading.Event()

    def progress(p: ProgressReport) -> None:
        cost = "—" if p.cost is None else f"{p.cost:g}"
        bound = "—" if p.bound is None else f"{p.bound:g}"
        _tell(
            f"{p.elapsed:7.1f} s  cost {cost:>8}  bound {bound:>8}  placed "
            f"{p.placed_sessions}/{p.total_sessions}  {p.message}"
        )

    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        return run(progress, stop.is_set)
    finally:
        signal.signal(signal.SIGINT, previous)


def _plan_file(args: argparse.Namespace, options: SolveOptions) -> int:
    from trainer_app.services.planning_run import solve_and_check
    from trainer_app.services.planning_verdict import cost_words, left_out_lines

    scenario = scenario_from_dict(_read(args.scenario, "scenario"))
    _target(args.output)  # refused now rather than after the search
    checked = _solving(
        lambda progress, stop: solve_and_check(
            scenario, options, on_progress=progress, should_stop=stop
        )
    )
    plan = checked.plan
    _write_atomically(args.output, dump_json(plan_to_dict(plan)))
    for line in left_out_lines(plan):
        _tell(line)
    _tell(
        f"{plan.status}: {cost_words(plan)}, {len(plan.hard_violations)} hard violation(s); "
        f"plan written to {args.output}"
    )
    return EXIT_OK if checked.valid else EXIT_FAILED


def _plan_store(settings: Settings, args: argparse.Namespace, options: SolveOptions) -> int:
    """The Plan page's Plan, headless: the store's runs in the dates, saved as a draft."""
    from trainer_app.services.planning import PlanScope
    from trainer_app.services.planning_verdict import cost_words, left_out_lines

    if args.start is None or args.end is None:
        raise DomainError("Planning a store needs both --from DATE and --to DATE")
    if args.output is not None:
        _target(args.output)
    with _store(settings, args) as context:
        hub_ids = tuple(_hub_ids(context, args.hub)) if args.hub else None
        scope = PlanScope(start=args.start, end=args.end, hub_ids=hub_ids, name=args.name)
        made = _solving(
            lambda progress, stop: context.planning.make_plan(
                scope, options, on_progress=progress, should_stop=stop
            )
        )
    plan = made.checked.plan
    if args.output is not None:
        _write_atomically(args.output, dump_json(plan_to_dict(plan)))
    for line in left_out_lines(plan):
        _tell(line)
    where = (
        f"saved as draft '{made.name}'"
        if made.version is not None
        else f"not saved: {made.not_saved}"
    )
    _tell(
        f"{plan.status}: {cost_words(plan)}, {len(plan.hard_violations)} hard violation(s); {where}"
    )
    if made.version is None:
        return EXIT_FAILED
    return EXIT_OK if made.checked.valid else EXIT_FAILED


def _tell(line: str) -> None:
    """A progress or summary line on stderr. Where stderr cannot be written (a full disk),
    the plan is still made and written: the exit status says how it went."""
    with contextlib.suppress(OSError):
        print(line, file=sys.stderr)


def _rules() -> int:
    from trainer_app.scheduling.rules import COST_TERMS, HARD_RULES

    width = max(len(name) for name in [*HARD_RULES, *COST_TERMS]) + 2
    lines = ["Hard rules (a plan that breaks one is not valid):"]
    lines += [f"  {rule:<{width}}{entry.words}" for rule, entry in HARD_RULES.items()]
    lines += ["", "Cost terms (a plan pays the weight for each unit; 0 = off by default):"]
    lines += [
        f"  {term:<{width}}weight {cost.default_weight:g}, per {cost.unit}"
        for term, cost in COST_TERMS.items()
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _check(scenario_path: Path, plan_path: Path) -> int:
    from trainer_app.services.planning_verdict import checker_report

    scenario = scenario_from_dict(_read(scenario_path, "scenario"))
    plan = plan_from_dict(_read(plan_path, "plan"))
    verdict = checker_report(scenario, plan)
    try:
        sys.stdout.write(dump_json(verdict))
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader went away: main stops quietly
    except OSError as error:
        _discard_output()  # what is left in the buffer would fail again as Python exits
        raise DomainError(
            f"Cannot write the verdict to standard output: {error.strerror}"
        ) from error
    return EXIT_OK if verdict["valid"] else EXIT_FAILED


def _export_scenario(settings: Settings, args: argparse.Namespace) -> int:
    if args.end < args.start:
        raise DomainError(f"--to ({args.end}) is before --from ({args.start})")
    _target(args.output)  # refused now rather than after reading the store
    with _store(settings, args) as context:
        hubs = {hub.code: hub.id for hub in context.hubs.list()}
        unknown = [code for code in args.hub if code.upper() not in hubs]
        if unknown:
            raise DomainError(
                f"Unknown hub {', '.join(unknown)}; the hubs are {', '.join(sorted(hubs))}"
            )
        hub_ids = [hubs[code.upper()] for code in args.hub] or None
        document = context.planning.export_scenario(args.start, args.end, hub_ids=hub_ids)
    _write_atomically(args.output, dump_json(document))
    print(
        f"Scenario with {len(document['offerings'])} runs over {len(document['calendar']['days'])} "
        f"working days written to {args.output}"
    )
    return EXIT_OK


def _db_init(settings: Settings) -> int:
    with ServiceContext.open(settings, new=True) as context:
        print(
            f"New database written to {context.database_name} (schema "
            f"{context.schema_revision}; readable by you only)"
        )
    return EXIT_OK


def _db_upgrade(settings: Settings) -> int:
    with ServiceContext.open(settings, create=False, upgrade=True) as context:
        name, now = context.database_name, context.schema_revision
        found = context.store.found_revision
        if found is None:
            print(f"Created the tables of {name} (schema {now})")
        elif found != now:
            kept = context.upgrade_backup
            where = f"; the previous version is kept in {kept}" if kept else ""
            print(f"Upgraded {name} from schema {found} to {now}{where}")
        else:
            print(f"{name} is up to date (schema {now})")
    return EXIT_OK


def _db_check(settings: Settings) -> int:
    try:
        context = ServiceContext.open(settings, create=False, upgrade=False, thorough=True)
    except StoreRefused as refusal:  # damaged, empty, foreign: each finding, then what to do
        name = settings.database_url.removeprefix("sqlite:///")
        print(f"{name}: {len(refusal.problems)} problem(s) found", file=sys.stderr)
        for problem in refusal.problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"Nothing was changed. {refusal.advice or refusal}", file=sys.stderr)
        return EXIT_FAILED
    with context:
        problems = context.check()
        name, revision = context.database_name, context.schema_revision
    if problems:
        print(f"{name}: {len(problems)} problem(s) found", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{name}: OK (schema {revision}; pages, foreign keys, audit guards and rules checked)")
    return EXIT_OK


def _audit_verify(settings: Settings) -> int:
    with ServiceContext.open(settings, create=False, upgrade=False) as context:
        verdict = context.audit.verify()
        name = context.database_name
    print(f"{name}: {verdict.summary()}", file=sys.stdout if verdict.intact else sys.stderr)
    return EXIT_OK if verdict.intact else EXIT_FAILED


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    base = ServiceContext.open(settings, create=False, upgrade=False)
    try:
        context = _signed_in(base, args.user)
    except BaseException:
        base.close()
        raise
    with context:
        done = context.backups.backup(args.output)
    print(done.summary())
    return EXIT_OK


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    from trainer_app.services.backup import restore

    with ServiceContext.open(settings, create=False, upgrade=False) as base:
        actor = _signed_in(base, args.user).actor
    restored = restore(settings, args.file, actor)
    print(restored.summary())
    return EXIT_OK


# ----- db copy --from URL --to URL --------------------------------------------------------------


def _add_db_copy(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    copy = db_commands.add_parser(
        "copy",
        help="copy the whole store into a new database (an SQLite file or PostgreSQL)",
        description="Copy every table of the store FROM into TO, a new SQLite file or an empty "
        "PostgreSQL database (postgresql+psycopg://USER@HOST/NAME; the password from PGPASSWORD "
        "or ~/.pgpass rather than in the URL). The copy keeps every row and id, the store id "
        "and the audit trail with its seals; each table is checked against the source and the "
        "copy's trail verified before anything is committed, else nothing is written. The copy "
        "is recorded in its own trail under --user; FROM is left unchanged.",
    )
    copy.add_argument(
        "--from", dest="source", required=True, metavar="URL", help="the store: a path or a URL"
    )
    copy.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="a new file, or an empty database"
    )
    copy.add_argument("--user", metavar="NAME", default=None, help=USER_HELP)


def _db_copy(settings: Settings, args: argparse.Namespace) -> int:
    from trainer_app.services import store_copy

    on_source = store_copy.prepare(settings, args.source, args.target)
    with ServiceContext.open(on_source, create=False, upgrade=False) as base:
        actor = _signed_in(base, args.user).actor  # the source's accounts say who may copy
    progress = _CopyProgress()
    try:
        copied = store_copy.copy_store(settings, args.source, args.target, actor, progress=progress)
    except KeyboardInterrupt:
        print(
            "trainer-app: the copy was cancelled; nothing was written to "
            f"{store_copy.shown(args.target)}",
            file=sys.stderr,
        )
        return 128 + signal.SIGINT
    for line in copied.lines():
        print(line)
    return EXIT_OK


class _CopyProgress:
    """Rows copied so far, on stderr at most once a second (a small store shows nothing)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, table: str, done: int, total: int) -> None:
        if time.monotonic() - self.last >= 1:
            self.last = time.monotonic()
            print(f"Copying {table}: {done:,} of {total:,} rows", file=sys.stderr, flush=True)


# ----- import KIND FILE / import template KIND --------------------------------------------------


def _add_import_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``import KIND FILE`` for each kind in ``IMPORTERS`` (a new importer registered there
    gets its command here), and ``import template KIND``."""
    importing = commands.add_parser(
        "import",
        help="import data from a CSV or XLSX file (all or nothing)",
        description="Check every row of FILE, then import them all or nothing. Each problem "
        "is printed on stderr with its row and column. Exit 0 when imported (with --dry-run: "
        "when ready to import), 1 otherwise.",
    )
    kinds = importing.add_subparsers(dest="import_kind", metavar="KIND", required=True)
    for kind, importer in IMPORTERS.items():
        command = kinds.add_parser(kind, help=importer.description)
        command.add_argument("file", type=Path, metavar="FILE", help="a .csv or .xlsx file")
        _add_database(command, writes=True)
        command.add_argument(
            "--dry-run", action="store_true", help="check the file and write nothing"
        )
    template = kinds.add_parser("template", help="write a file to fill in (.csv or .xlsx)")
    template.add_argument("kind", choices=sorted(IMPORTERS), metavar="KIND")
    template.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")


def _import(settings: Settings, args: argparse.Namespace) -> int:
    if args.import_kind == "template":
        write_template(args.kind, args.output)
        print(f"Template for {args.kind} written to {args.output}")
        return EXIT_OK
    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        with _store(settings, args, writes=not args.dry_run) as context:
            importer = IMPORTERS[args.import_kind](context)
            preview = importer.preview(args.file, should_stop=stop.is_set)
            if preview.problems:
                for problem in preview.problems:
                    print(problem, file=sys.stderr)
                print(f"trainer-app: {args.file.name}: {preview.summary()}", file=sys.stderr)
                return EXIT_FAILED
            for note in preview.notes:
                print(note)
            if args.dry_run:
                print(preview.summary())
                return EXIT_OK
            result = importer.apply(preview, should_stop=stop.is_set)
    finally:
        signal.signal(signal.SIGINT, previous)
    print(result.summary())
    return EXIT_OK


# ----- export record REF / export group --------------------------------------------------------

RECORD_FORMATS = ("pdf", "csv", "xlsx")


def _add_export_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    exporting = commands.add_parser("export", help="training records for audits")
    kinds = exporting.add_subparsers(dest="export_kind", metavar="WHAT", required=True)
    record = kinds.add_parser(
        "record",
        help="one trainee's complete training record (PDF, CSV or XLSX)",
        description="Write the training record of the trainee with reference REF: every "
        "course with its version, dates, attendance, results, assessors, completion and "
        "expiry, and the current matrix status.",
    )
    record.add_argument("reference", metavar="REF", help="the trainee's reference, e.g. TR-000042")
    record.add_argument(
        "--format", choices=RECORD_FORMATS, help="default: from the output file's extension"
    )
    record.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _add_database(record, writes=True)
    group = kinds.add_parser("group", help="the records of a cohort or hub as one XLSX workbook")
    which = group.add_mutually_exclusive_group(required=True)
    which.add_argument("--cohort", metavar="NAME", help="a cohort's name")
    which.add_argument("--hub", metavar="CODE", help="a hub's code")
    group.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.xlsx")
    _add_database(group, writes=True)
    _add_schedule_exports(kinds)
    _add_report_exports(kinds)


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from trainer_app.exports.record import (
        write_group_xlsx,
        write_record_csv,
        write_record_pdf,
        write_record_xlsx,
    )

    output: Path = args.output
    with _store(settings, args) as context:
        if args.export_kind in SCHEDULE_EXPORTS:
            return _export_schedule(context, args)
        if args.export_kind in REPORT_EXPORTS:
            return _export_report(context, args)
        if args.export_kind == "record":
            kind = args.format or output.suffix.lower().lstrip(".")
            if kind not in RECORD_FORMATS:
                raise DomainError(
                    f"{output.name}: say --format pdf, csv or xlsx (or name the file .pdf, "
                    ".csv or .xlsx)"
                )
            record = context.matrix.training_record(
                context.matrix.trainee_by_reference(args.reference)
            )
            writer = {"pdf": write_record_pdf, "csv": write_record_csv, "xlsx": write_record_xlsx}
            what = f"Training record of {record.name} ({record.reference})"
            context.exports.write(what, output, lambda: writer[kind](record, output))
            print(f"Training record of {record.name} ({record.reference}) written to {output}")
            return EXIT_OK
        title, ids = context.matrix.group(cohort=args.cohort, hub=args.hub)
        if not ids:
            raise DomainError(f"{title} has no trainees; nothing was written")
        records = context.matrix.training_records(ids)
        context.exports.write(
            f"Training records of {len(records)} trainees ({title})",
            output,
            lambda: write_group_xlsx(records, output, title),
        )
        print(f"Training records of {len(records)} trainees ({title}) written to {output}")
        return EXIT_OK


# ----- export ical / timetable / attendance ---------------------------------------------------

SCHEDULE_EXPORTS = ("ical", "timetable", "attendance")


def _add_schedule_exports(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ical = kinds.add_parser(
        "ical",
        help="a trainer's, room's or cohort's published sessions as a calendar file (.ics)",
        description="Write one calendar event per published session (Europe/London time). "
        "Importing a newer file into Outlook, Google or Apple Calendar updates the events "
        "already there; sessions of a cancelled run come as cancelled events.",
    )
    _add_whose(ical, cohort=True)
    ical.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.ics")
    timetable = kinds.add_parser(
        "timetable",
        help="a trainer's or room's published timetable as a printable A4 PDF",
        description="Write the published sessions of a trainer or a facility, a week to a "
        "section: day, time, course, run, room or trainer, and cohorts.",
    )
    _add_whose(timetable, cohort=False)
    timetable.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    attendance = kinds.add_parser(
        "attendance",
        help="the attendance sheet of one session of a run (A4 PDF to sign)",
        description="Write the sheet for one session: the run, course, date, time, room and "
        "trainer, everyone enrolled (name and reference) with time in, time out and signature, "
        "and the trainer's sign-off. Without --session: the next session from today, else the "
        "run's last.",
    )
    attendance.add_argument("run", metavar="RUN_CODE", help="the run's code, e.g. ASEP-2026-01")
    attendance.add_argument(
        "--session", type=int, metavar="N", help="which session of the run (1 is the first)"
    )
    attendance.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    for parser in (ical, timetable, attendance):
        _add_database(parser, writes=True)  # an export is audited under who made it


def _add_whose(parser: argparse.ArgumentParser, *, cohort: bool) -> None:
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--trainer", metavar="ID", help="a trainer's name (or id)")
    which.add_argument("--facility", metavar="ID", help="a facility's code or name (or id)")
    if cohort:
        which.add_argument("--cohort", metavar="ID", help="a cohort's name (or id)")
    parser.add_argument("--from", dest="start", type=_date, metavar="DATE", help="first day")
    parser.add_argument("--to", dest="end", type=_date, metavar="DATE", help="last day")


def _export_schedule(context: ServiceContext, args: argparse.Namespace) -> int:
    """A calendar file, a timetable or an attendance sheet, written whole and audited."""
    from trainer_app.domain.schedules import ScheduleOf
    from trainer_app.exports.attendance_pdf import write_attendance_pdf
    from trainer_app.exports.ical import write_ical
    from trainer_app.exports.timetable_pdf import write_timetable_pdf

    output: Path = args.output
    _target(output)  # refused now rather than after reading the store
    if args.export_kind == "attendance":
        if args.session is not None and args.session < 1:
            raise DomainError("--session counts from 1 (the run's first session)")
        sheet = context.schedules.attendance_sheet(args.run, args.session)
        what = f"Attendance sheet of {sheet.session.run_code} {sheet.session.number.lower()}"
        when = f"{dates.day(sheet.session.held_on)} {sheet.session.clock}"
        details = [("records", str(len(sheet.trainees))), ("session", when)]
        _write_export(context, what, output, lambda: write_attendance_pdf(sheet, output), details)
        print(f"{what} ({len(sheet.trainees)} enrolled) written to {output}")
        return EXIT_OK
    of = next(kind for kind in ScheduleOf if getattr(args, kind.value, None) is not None)
    calendar = args.export_kind == "ical"
    schedule = context.schedules.schedule(
        of, getattr(args, of.value), first=args.start, last=args.end, for_calendar=calendar
    )
    held = [s for s in schedule.sessions if calendar or not s.cancelled]
    if not held:
        dated = f" from {schedule.span}" if args.start or args.end else ""
        raise DomainError(
            f"{schedule.name} has no published sessions{dated}; nothing was written "
            "(sessions appear here once a plan holding them is published)"
        )
    kind = "Calendar" if calendar else "Timetable"
    what = f"{kind} of {of.value} {schedule.name}"
    limits = " to ".join(d.isoformat() if d else "…" for d in (args.start, args.end))
    details = [
        ("records", str(len(held))),
        (
            "filters",
            f"{of.value} {schedule.name}" + (f", {limits}" if args.start or args.end else ""),
        ),
    ]
    writer = write_ical if calendar else write_timetable_pdf
    _write_export(context, what, output, lambda: writer(schedule, output), details)
    print(f"{what}: {len(held)} session{'s' if len(held) != 1 else ''} written to {output}")
    return EXIT_OK


def _write_export(
    context: ServiceContext,
    what: str,
    output: Path,
    writer: Callable[[], None],
    details: list[tuple[str, str]],
) -> None:
    try:
        context.exports.write(what, output.absolute(), writer, details=details)
    except OSError as error:
        raise DomainError(
            f"Cannot write {output}: {error.strerror or error}; nothing was written"
        ) from error


# ----- export audit / export compliance -------------------------------------------------------

REPORT_EXPORTS = ("audit", "compliance")
AUDIT_FORMATS = ("csv", "xlsx", "pdf")
COMPLIANCE_FORMATS = ("xlsx", "pdf")


def _add_report_exports(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = kinds.add_parser(
        "audit",
        help="the audit trail (CSV, XLSX or PDF), filtered by dates, user and record",
        description="Write the audit trail's entries, in the order recorded, as the Audit page "
        "shows them (when, who, action, record, each field old → new, reason), under a heading "
        "with the store, the filters, the seals' verdict and the number of entries. Dates are UTC "
        "days, both included. The export itself is recorded in the trail.",
    )
    audit.add_argument("--from", dest="start", type=_date, metavar="DATE", help="first day (UTC)")
    audit.add_argument("--to", dest="end", type=_date, metavar="DATE", help="last day (UTC)")
    audit.add_argument("--by", metavar="NAME", help="only entries by this user (the trail's Who)")
    audit.add_argument(
        "--record", metavar="TYPE", help="only entries about this record type, e.g. trainee"
    )
    audit.add_argument("--id", type=int, metavar="N", help="with --record: only this record")
    audit.add_argument(
        "--format", choices=AUDIT_FORMATS, help="default: from the output file's extension"
    )
    audit.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _add_database(audit, writes=True)  # the export is recorded in the trail
    compliance = kinds.add_parser(
        "compliance",
        help="a hub's compliance report: XLSX matrix and summary, or PDF summary per role",
        description="The training matrix of the hub's people whose role requires training "
        "(valid, expiring soon, expired, retrain, enrolled, missing), with the share compliant "
        "per role and per course and each gap with what is due by when.",
    )
    compliance.add_argument("--hub", required=True, metavar="CODE", help="a hub's code")
    compliance.add_argument("--role", metavar="ROLE", help="only this role (its name)")
    compliance.add_argument(
        "--format", choices=COMPLIANCE_FORMATS, help="default: from the output file's extension"
    )
    compliance.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    _add_database(compliance, writes=True)


def _report_format(args: argparse.Namespace, formats: Sequence[str]) -> str:
    output: Path = args.output
    kind: str = args.format or output.suffix.lower().lstrip(".")
    if kind not in formats:
        named = " or ".join(formats)
        raise DomainError(
            f"{output.name}: say --format {named} (or name the file "
            f"{' or '.join('.' + f for f in formats)}); nothing was written"
        )
    return kind


def _export_report(context: ServiceContext, args: argparse.Namespace) -> int:
    from trainer_app.domain.reports import AuditSelection, record_type_of
    from trainer_app.exports import audit, compliance

    output: Path = args.output
    if args.export_kind == "compliance":
        kind = _report_format(args, COMPLIANCE_FORMATS)
        report = context.matrix.compliance(args.hub, args.role)
        writer = (
            compliance.write_compliance_pdf if kind == "pdf" else compliance.write_compliance_xlsx
        )
        what = f"{report.title} ({len(report.people)} people)"
        scope = f"hub {args.hub.strip().upper()}" + (f", role {report.role}" if report.role else "")
        details = [("records", str(len(report.people))), ("format", kind), ("filters", scope)]
        _write_export(context, what, output, lambda: writer(report, output), details)
        print(f"{what} written to {output}")
        return EXIT_OK
    kind = _report_format(args, AUDIT_FORMATS)
    selection = AuditSelection(
        start=args.start,
        end=args.end,
        actor=args.by,
        record_type=record_type_of(args.record).value if args.record else None,
        entity_id=args.id,
    )
    heading = context.audit.export_heading(selection, context.actor.username)
    writers = {
        "csv": audit.write_audit_csv,
        "xlsx": audit.write_audit_xlsx,
        "pdf": audit.write_audit_pdf,
    }
    what = f"Audit trail, {heading.count} entries ({selection.describe()})"

    def write() -> None:
        writers[kind](heading, context.audit.export_lines(heading), output)

    details = [("records", str(heading.count)), ("format", kind), ("filters", selection.describe())]
    _write_export(context, what, output, write, details)
    print(f"{what} written to {output}")
    return EXIT_OK


# ----- certificate issue / verify / revoke / keys ---------------------------------------------


def _add_certificate_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    certificate = commands.add_parser("certificate", help="issue, verify and revoke certificates")
    actions = certificate.add_subparsers(
        dest="certificate_command", metavar="ACTION", required=True
    )
    issue = actions.add_parser(
        "issue",
        help="issue certificates for recorded completions (one PDF each, and one to print)",
        description="Issue and write signed certificate PDFs. Certificates an interrupted "
        "batch issued without writing their files are written too.",
    )
    which = issue.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--all-eligible",
        action="store_true",
        help="every completion earned on a run here, still valid, without one",
    )
    which.add_argument("--run", metavar="CODE", help="the completions of one course run")
    which.add_argument("--trainee", metavar="REF", help="the completions of one trainee")
    which.add_argument(
        "--missing-files",
        action="store_true",
        help="only write the files an interrupted batch left unwritten",
    )
    issue.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    issue.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default: every core)"
    )
    _add_database(issue, writes=True)
    verify = actions.add_parser(
        "verify",
        help="check a certificate PDF or a scanned code: valid, altered, tampered, revoked or "
        "unknown key",
        description="Exit 0 only for a valid certificate. A PDF must be the file as issued: "
        "its PDF signature intact over the whole file, by a known key, its embedded code "
        "genuine and its page showing what the code states. Against a database (--database, "
        "else your own) revocation is checked too. With --key, or where there is no database, "
        "only the signatures are: against the keys given, else this installation's keys.",
    )
    verify.add_argument("file", type=Path, nargs="?", metavar="FILE.pdf")
    verify.add_argument("--payload", metavar="TEXT", help="the text of a scanned QR code")
    verify.add_argument(
        "--key",
        type=Path,
        action="append",
        default=[],
        metavar="PUBLIC.pem",
        help="an issuer's public key (repeatable); used instead of a database",
    )
    _add_database(verify)
    listing = actions.add_parser(
        "list", help="the register: issued certificates, newest first, with their status"
    )
    listing.add_argument("search", nargs="?", default="", help="number, name or reference")
    listing.add_argument("--status", choices=("valid", "revoked"), help="only these")
    _add_database(listing)
    reprint = actions.add_parser("reprint", help="an identical copy of an issued certificate")
    reprint.add_argument("number", metavar="NUMBER")
    reprint.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    _add_database(reprint)
    revoke = actions.add_parser("revoke", help="withdraw a certificate, with the reason")
    revoke.add_argument("number", metavar="NUMBER")
    revoke.add_argument("--reason", required=True)
    _add_database(revoke, writes=True)
    reissue = actions.add_parser(
        "reissue", help="revoke a certificate and issue a new number for the same completion"
    )
    reissue.add_argument("number", metavar="NUMBER")
    reissue.add_argument("--reason", required=True)
    reissue.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    _add_database(reissue, writes=True)
    public = actions.add_parser("public-key", help="write this installation's public key")
    public.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pem")
    public.add_argument(
        "--x509",
        action="store_true",
        help="the X.509 certificate that signs the PDF files instead (to trust in a PDF reader)",
    )
    _add_database(public)
    init = actions.add_parser(
        "init-key", help="create this installation's signing key (first set-up only)"
    )
    _add_database(init, writes=True)
    rotate = actions.add_parser(
        "rotate-key",
        help="retire the signing key and make a new one (older certificates still verify)",
    )
    _add_database(rotate, writes=True)


def _certificate(settings: Settings, args: argparse.Namespace) -> int:
    if args.certificate_command == "verify":
        return _verify_certificate(settings, args)
    with _store(settings, args) as context:
        service = context.certificates
        if args.certificate_command == "list":
            revoked = None if args.status is None else args.status == "revoked"
            return _list_certificates(service.register(args.search, revoked=revoked))
        if args.certificate_command == "reprint":
            service.write_certificate(args.number.upper(), args.output)
            print(f"Certificate {args.number.upper()} written to {args.output} (identical copy)")
            return EXIT_OK
        if args.certificate_command == "revoke":
            revoked = service.revoke(args.number, args.reason)
            print(f"Certificate {revoked.number} revoked: {revoked.revoke_reason}")
            return EXIT_OK
        if args.certificate_command == "reissue":
            new, _content = service.reissue(args.number.upper(), args.reason)
            service.write_certificate(new.number, args.output)
            print(f"Certificate {new.number} replaces {new.replaces}; written to {args.output}")
            return EXIT_OK
        if args.certificate_command == "public-key":
            fingerprint, pem = service.public_key_pem()
            if args.x509:
                pem = service.signer_certificate_pem()
            args.output.write_bytes(pem)
            what = "Signing certificate" if args.x509 else "Public key"
            print(f"{what} {fingerprint} written to {args.output}")
            return EXIT_OK
        if args.certificate_command == "init-key":
            ready = service.init_key()
            print(f"{ready.news}.")
            return EXIT_OK
        if args.certificate_command == "rotate-key":
            retired, ready = service.rotate_key()
            print(
                f"Key {retired} retired: certificates it signed still verify (its public key "
                f"is kept in {ready.folder / 'retired'}). {ready.news}."
            )
            return EXIT_OK
        return _issue_certificates(context, args)


def _issue_certificates(context: ServiceContext, args: argparse.Namespace) -> int:
    service = context.certificates
    if args.run:
        run = next((r for r in context.runs.list() if r.code == args.run.upper()), None)
        if run is None:
            raise DomainError(f"There is no course run {args.run.upper()}")
        completions = service.eligible(run_id=run.id)
    elif args.trainee:
        trainee = context.matrix.trainee_by_reference(args.trainee)
        completions = service.eligible(trainee_id=trainee)
    elif args.missing_files:
        completions = []
    else:
        completions = service.eligible()
    outcome = service.issue_batch(completions, args.output, workers=args.workers)
    if outcome.leftovers_removed:
        print(f"Removed {outcome.leftovers_removed} unfinished file(s) of an interrupted batch")
    if outcome.key is None:
        print("No completion is waiting for a certificate; nothing was written")
        return EXIT_OK
    if outcome.key.created:
        print(f"{outcome.key.news}.")
    if outcome.resumed:
        print(
            f"Wrote the missing files of {outcome.resumed} certificate"
            f"{'s' if outcome.resumed != 1 else ''} issued by an interrupted batch"
        )
    count = outcome.issued
    combined = f", and {outcome.combined.name} to print" if outcome.combined else ""
    print(
        f"Issued {count} certificate{'s' if count != 1 else ''} in {args.output} "
        f"(one PDF each{combined})"
    )
    return EXIT_OK


def _list_certificates(shown: list[Certificate]) -> int:
    for c in shown:
        expires = dates.day(c.expires_on) if c.expires_on else "no expiry"
        print(
            f"{c.number}  {dates.day(c.issued_at.date()):>11}  {expires:>11}  {c.trainee_name} "
            f"({c.trainee_reference}) · {c.course_code} {c.course_version} · {c.status}"
        )
    print(f"{len(shown)} certificate{'s' if len(shown) != 1 else ''}")
    return EXIT_OK


def _verify_certificate(settings: Settings, args: argparse.Namespace) -> int:
    from trainer_app.certificates import keys
    from trainer_app.certificates.verify import FileVerdict, check_file
    from trainer_app.domain.certificates import Verdict

    if not args.payload and args.file is None:
        raise DomainError("Give a certificate PDF or --payload with the scanned code")

    def offline(known: list[Any]) -> FileVerdict:
        if args.payload:
            verdict, facts = keys.check(args.payload, known)
            return FileVerdict(verdict, facts, args.payload)
        return check_file(args.file, known)

    unchecked = ""  # why revocation was not checked, when it was not
    if args.key:
        found = offline([keys.load_public(path) for path in args.key])
        unchecked = (
            "Genuine: signed by the key given. Revocation is checked only against a database."
        )
    elif getattr(args, "database", None) is not None or not _missing(settings):
        with ServiceContext.open(settings, create=False) as context:
            service = context.certificates
            if args.payload:
                verdict, facts = service.verify(args.payload)
                found = FileVerdict(verdict, facts, args.payload)
            else:
                found = service.verify_file(args.file)
    else:
        known = keys.installation_keys(settings.key_folder)
        if not known:
            raise DomainError(
                f"There is no database at {_missing(settings)} and this installation has no "
                "signing key to check against: give the database with --database, or the "
                "issuer's public key with --key PUBLIC.pem"
            )
        found = offline(known)
        unchecked = (
            "Genuine: signed by this installation's key. Revocation was not checked: there is "
            f"no database at {_missing(settings)} (give it with --database to check that too)."
        )
    verdict, facts = found.verdict, found.facts
    if facts is None:
        print(f"{verdict.value}: not a trainer-app certificate")
    else:
        expiry = f"expires {dates.day(facts.expires_on)}" if facts.expires_on else "no expiry"
        print(
            f"{verdict.value}: {facts.number} · {facts.name} · {facts.course_code} "
            f"{facts.version} ({facts.course_title}) · completed {dates.day(facts.completed_on)} "
            f"· issued {dates.day(facts.issued_on)} · {expiry} · hub {facts.hub}"
        )
    if verdict is Verdict.VALID:
        print(unchecked or verdict.meaning)
    else:
        print(f"{found.reason} {verdict.meaning}".strip() if found.reason else verdict.meaning)
    return EXIT_OK if verdict is Verdict.VALID else EXIT_FAILED


def _missing(settings: Settings) -> Path | None:
    """The SQLite file of ``settings`` when it does not exist (None when it does, or when the
    store is not an SQLite file)."""
    prefix = "sqlite:///"
    if not settings.database_url.startswith(prefix):
        return None
    path = Path(settings.database_url.removeprefix(prefix))
    return None if path.exists() else path


# ----- user add / list / password / unlock / deactivate -----------------------------------------

NEW_PASSWORD_VARIABLE = "TRAINER_APP_NEW_PASSWORD"


def _add_user_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from trainer_app.domain.access import Role

    users = commands.add_parser(
        "user",
        help="user accounts: who may sign in, with which role",
        description="An administrator's commands (with --user). On a store with no accounts "
        "yet, 'user add' makes the first administrator.",
    )
    actions = users.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        help="add an account (its password from TRAINER_APP_NEW_PASSWORD, or asked twice)",
    )
    add.add_argument("username", metavar="NAME", help="the user name to sign in with")
    add.add_argument("--full-name", required=True, help="as shown on signatures and the trail")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--hub", action="append", default=[], metavar="CODE", help="a coordinator's hub (repeat)"
    )
    add.add_argument("--trainer", metavar="NAME", help="the trainer a trainer's account is for")
    _add_database(add, writes=True)
    listing = actions.add_parser("list", help="every account, its role and state")
    _add_database(listing)
    for name, words in (
        ("password", "set someone's password (from TRAINER_APP_NEW_PASSWORD, or asked twice)"),
        ("unlock", "unlock an account locked after wrong passwords"),
        ("deactivate", "stop an account signing in (its history stays)"),
    ):
        action = actions.add_parser(name, help=words)
        action.add_argument("username", metavar="NAME")
        _add_database(action, writes=True)


def _user(settings: Settings, args: argparse.Namespace) -> int:
    from trainer_app.domain.access import AccountFields, Role

    with _store(settings, args, writes=False) as base:
        if args.user_command == "list":
            return _list_users(base)
        first = args.user_command == "add" and not base.users.has_accounts()
        context = base if first else _signed_in(base, args.user)
        users = context.users
        if args.user_command == "add":
            fields = AccountFields(
                args.username,
                args.full_name,
                Role(args.role),
                frozenset(_hub_ids(context, args.hub)),
                _trainer_id(context, args.trainer),
            )
            password = _new_password(args.username)
            if first:
                users.create_first_administrator(fields, password)
                print(f"Administrator {fields.username} created: the store's first account")
            else:
                users.create(fields, password)
                print(f"Account {fields.username} ({fields.role.value}) created")
            return EXIT_OK
        account = users.by_username(args.username)
        if args.user_command == "password":
            users.set_password(account.id, _new_password(account.username))
            print(f"Password of {account.username} set")
        elif args.user_command == "unlock":
            users.unlock(account.id)
            print(f"Account {account.username} unlocked")
        else:
            fields = dataclasses.replace(account.fields, active=False)
            users.update(account.id, account.row_version, fields)
            print(f"Account {account.username} can no longer sign in")
        return EXIT_OK


def _list_users(context: ServiceContext) -> int:
    now = context.now()
    for account in context.users.list():
        scope = ", ".join(account.hub_codes) or account.trainer_name
        state = "locked" if account.locked(now) else ("active" if account.active else "inactive")
        print(f"{account.username}\t{account.full_name}\t{account.role.value}\t{scope}\t{state}")
    return EXIT_OK


def _new_password(username: str) -> str:
    given = os.environ.get(NEW_PASSWORD_VARIABLE)
    if given is not None:
        return given
    first = _password(f"New password for {username}: ", NEW_PASSWORD_VARIABLE)
    if _password("The same again: ", NEW_PASSWORD_VARIABLE) != first:
        raise DomainError("The two passwords differ; nothing was changed")
    return first


def _hub_ids(context: ServiceContext, codes: Sequence[str]) -> list[int]:
    by_code = {hub.code.casefold(): hub.id for hub in context.hubs.list()}
    unknown = [code for code in codes if code.casefold() not in by_code]
    if unknown:
        known = ", ".join(sorted(hub.code for hub in context.hubs.list()))
        raise DomainError(f"No hub {', '.join(unknown)}; the hubs are {known}")
    return [by_code[code.casefold()] for code in codes]


def _trainer_id(context: ServiceContext, name: str | None) -> int | None:
    if name is None:
        return None
    wanted = " ".join(name.split()).casefold()
    found = [t for t in context.trainers.list() if t.name.casefold() == wanted]
    if not found:
        raise DomainError(f"There is no trainer '{name}' (as the Trainers page names them)")
    return found[0].id
