"""Copying a whole store between SQLite and PostgreSQL (``trainer-app db copy``).

Run: .venv/bin/python benchmarks/store_copy.py [--trainees 50000] [--history] [--server URL]

The store: the demo (hubs, courses, runs, history) with trainees added to ``--trainees``
through the audited services; with ``--history`` each also gets two completions (as in
benchmarks/backup.py: about 150 000 rows of records and as many audit entries). Timed, each
once: SQLite → PostgreSQL, PostgreSQL → SQLite and SQLite → SQLite, every one with its
table-by-table comparison and the copy's trail verified (what a user waits for). The server is
``--server`` (an empty database's URL; a new database is made beside it for each copy), else
one started for the run in a temporary folder (tests/helpers/postgres.py, as the tests do).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers.postgres

from _common import demo_database, settings_for
from backup import add_history

from trainer_app.domain.access import LOCAL_ACTOR
from trainer_app.services.context import ServiceContext
from trainer_app.services.store_copy import copy_store


@contextmanager
def databases(given: str | None, folder: Path) -> Iterator[list[str]]:
    """An empty PostgreSQL database's URL (in a list: room for more)."""
    if given is not None:
        import psycopg

        base, _, _ = given.rpartition("/")
        names = [f"trainer_copy_{int(time.time())}"]
        with psycopg.connect(given.replace("+psycopg", ""), autocommit=True) as connection:
            for name in names:
                connection.execute(f'CREATE DATABASE "{name}"')
        yield [f"{base}/{name}" for name in names]
        return
    from tests.helpers import postgres

    server = postgres.start(folder)
    try:
        yield [server.new_database()]
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--history", action="store_true")
    parser.add_argument("--server", metavar="URL", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-copy-") as temporary:
        folder = Path(temporary)
        server_folder = Path(tempfile.mkdtemp(prefix="trainer-app-copy-server-"))
        started = time.perf_counter()
        path = demo_database(folder, args.trainees)
        settings = settings_for(path)
        if args.history:
            with ServiceContext.open(settings) as context:
                add_history(context)
        print(
            f"store: {args.trainees} trainees{' with history' if args.history else ''}, "
            f"{path.stat().st_size / 2**20:.1f} MiB, built in {time.perf_counter() - started:.0f} s"
        )
        built = _peak_mib()
        with databases(args.server, server_folder) as (there,):
            back = folder / "back.db"
            side = folder / "side.db"
            for name, source, target in (
                ("SQLite → PostgreSQL", str(path), there),
                ("PostgreSQL → SQLite", there, str(back)),
                ("SQLite → SQLite", str(path), str(side)),
            ):
                start = time.perf_counter()
                copied = copy_store(settings, source, target, LOCAL_ACTOR)
                seconds = time.perf_counter() - start
                rate = f"{copied.rows / seconds:,.0f}".replace(",", " ")
                print(
                    f"{name}: {copied.rows} rows in {len(copied.tables)} tables, {seconds:.1f} s "
                    f"({rate} rows/s)"
                )
        print(f"peak memory: {built:.0f} MiB after building the store, {_peak_mib():.0f} MiB after")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
