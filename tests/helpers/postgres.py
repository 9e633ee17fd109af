"""A real PostgreSQL server for the tests, started on loopback in a temporary folder.

``initdb`` and ``pg_ctl`` from the Debian ``postgresql`` package (``scripts/check`` installs
it). PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user the
package creates. Each test gets a database of its own on the one server.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path


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

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

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


def start(folder: Path) -> Server:
    """Start a server in ``folder``; raises ``NoServer`` saying why it could not."""
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
    options = (
        f"-p {server.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
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
