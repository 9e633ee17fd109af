"""The ``trainer-app`` command: the GUI launcher and headless commands over the same services.

Errors print one plain sentence on stderr and exit non-zero; nothing is half-written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from trainer_app import __version__
from trainer_app.config import Settings
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext

EXIT_OK, EXIT_FAILED = 0, 1


def _add_database(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    parser.add_argument(
        "--database",
        type=Path,
        metavar="PATH",
        required=required,
        default=argparse.SUPPRESS,
        help="SQLite database file (default: TRAINER_APP_DATABASE_URL, else the user data folder)",
    )


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
    _add_database(demo, required=True)
    demo.add_argument("--seed", type=int, default=2027, help="random seed (default 2027)")
    demo.add_argument("--trainees", type=int, default=300, help="number of trainees (300)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="upgrade the schema (a backup is kept)")
    _add_database(upgrade)
    check = db_commands.add_parser("check", help="check integrity; exit 1 on any problem")
    _add_database(check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    database: Path | None = getattr(args, "database", None)
    try:
        settings = Settings.resolve(database)
        if args.command == "demo":
            return _demo(settings, args.database, seed=args.seed, trainees=args.trainees)
        if args.command == "db":
            return _db_upgrade(settings) if args.db_command == "upgrade" else _db_check(settings)
        return _gui(settings, demo=args.demo, argv=sys.argv[:1])
    except DomainError as error:
        print(f"trainer-app: {error}", file=sys.stderr)
        return EXIT_FAILED


def _demo(settings: Settings, path: Path, *, seed: int, trainees: int) -> int:
    if path.exists():
        raise DomainError(f"{path} already exists; choose a new file for the demo database")
    from trainer_app.services.demo import build_demo

    try:
        with ServiceContext.open(settings) as context:
            summary = build_demo(context, seed=seed, trainees=trainees)
    except BaseException:
        _remove_database_files(path)  # a half-built demo is worse than none
        raise
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
    with ServiceContext.open(demo_settings) as context:
        build_demo(context)
    return demo_settings


def _gui(settings: Settings, *, demo: bool, argv: list[str]) -> int:
    if demo:
        settings = fresh_demo_database(settings)
    from trainer_app.ui.app import run_gui

    context = ServiceContext.open(settings)
    try:
        return run_gui(context, argv)
    finally:
        context.close()


def _db_upgrade(settings: Settings) -> int:
    with ServiceContext.open(settings, create=False, upgrade=True) as context:
        if context.upgrade_backup:
            print(
                f"Upgraded {context.database_name} to schema {context.schema_revision}; "
                f"the previous version is kept in {context.upgrade_backup}"
            )
        else:
            print(f"{context.database_name} is up to date (schema {context.schema_revision})")
    return EXIT_OK


def _db_check(settings: Settings) -> int:
    with ServiceContext.open(settings, create=False, upgrade=False) as context:
        problems = context.check()
        name, revision = context.database_name, context.schema_revision
    if problems:
        print(f"{name}: {len(problems)} problem(s) found", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{name}: OK (schema {revision}; pages, foreign keys, audit guards and rules checked)")
    return EXIT_OK
