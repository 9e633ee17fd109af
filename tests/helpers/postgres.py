"""A real PostgreSQL server for the tests, started on loopback in a temporary folder.

``initdb`` and ``pg_ctl`` from the Debian ``postgresql`` package (``scripts/check`` installs
it). PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user the
package creates. Each test gets a database of its own on the one server.
"""

from __future__ import annotations

import glob
import os
import queue
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psycopg


class NoServer(RuntimeError):
    """Why no server could be started (the tests say it, and CI then fails)."""


@dataclass
class Server:
    folder: Path
    port: int
    bin: Path
    user: str | None  # run as this OS user (root cannot run PostgreSQL)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        """A fresh database, empty or a copy of the database ``template``; its SQLAlchemy URL.

        A copy is given a store id of its own (the audit chain remembers the last seal it saw
        per store id), as a store made by migrating would have."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        like = f' TEMPLATE "{template}"' if template else ""
        with self.connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"{like}')
        if template:
            with self.connect(name) as connection:
                connection.execute(
                    "UPDATE app_meta SET value = %s WHERE key = 'store_id'", (str(uuid.uuid4()),)
                )
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Remove a database made by ``new_database``, ending what is still connected to it."""
        name = url.rsplit("/", 1)[1]
        with self.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def connect(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        """A psycopg connection (autocommit) to ``database`` as the superuser."""
        import psycopg

        return psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "stop", "-m", "immediate")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise NoServer(f"{tool} failed: {(done.stderr or done.stdout).strip()[:500]}")


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise NoServer("PostgreSQL is not installed (no initdb): install the Debian package postgresql")


def _version(path: str) -> int:
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# What the tests need of a server: nothing they check has to survive a power cut. The
# benchmarks start one with none of these, as a real server runs (every commit on the disk).
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def start(folder: Path, settings: Sequence[str] = FAST) -> Server:
    """Start a server in ``folder`` with these ``name=value`` settings on top of PostgreSQL's
    defaults; raises ``NoServer`` saying why it could not."""
    binaries = _binaries()
    user = None
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError as error:
            raise NoServer("running as root and there is no postgres user to run it as") from error
        user = "postgres"
        shutil.chown(folder, user)
    server = Server(folder, _free_port(), binaries, user)
    server._run(
        "initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"
    )
    options = " ".join(
        [f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1"]
        + [f"-c {setting}" for setting in settings]
    )
    server._run(
        "pg_ctl",
        "-D",
        str(folder / "data"),
        "-o",
        options,
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    )
    return server


class Copies:
    """Copies of a template database made ahead of need, and dropped after use, on a thread of
    their own: a test takes one at once while the server makes the next (its copy costs about
    half a second of the server's time, which a second core spends beside the tests)."""

    def __init__(self, server: Server, template: str, ahead: int = 3) -> None:
        self.server = server
        self.template = template
        self._ready: queue.Queue[str] = queue.Queue(maxsize=ahead)
        self._drops: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="postgres copies", daemon=True)
        self._thread.start()

    def take(self) -> str:
        """A fresh copy's URL (made now if the thread has none ready or has failed)."""
        if self._failure is None:
            try:
                return self._ready.get(timeout=30)
            except queue.Empty:
                pass
        return self.server.new_database(template=self.template)

    def give_back(self, url: str) -> None:
        """The test is done with it: dropped when the thread next has time."""
        self._drops.put(url)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _work(self) -> None:
        made: str | None = None
        try:
            while not self._stop.is_set():
                try:
                    self.server.drop_database(self._drops.get_nowait())
                    continue
                except queue.Empty:
                    pass
                if made is None:
                    made = self.server.new_database(template=self.template)
                try:
                    self._ready.put(made, timeout=0.05)
                    made = None
                except queue.Full:
                    pass
        except BaseException as error:  # told through take(), which then copies itself
            self._failure = error
