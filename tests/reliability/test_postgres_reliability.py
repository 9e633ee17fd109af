"""The shared store on a real PostgreSQL server under what a network of coordinators does to it
(issue 15): writers killed with SIGKILL mid-stream, several processes editing the same rows at
once, and the planner reading a store of the large benchmark size. Figures in
docs/reliability.md.

Each writer is a process of its own (tests.helpers.writers) going through the services as the
app does and saying what it was told was saved; the tests then check the store against that.
``TRAINER_APP_KILLS`` sets the number of kills (5 by default, as for the SQLite kill tests)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.helpers import builders, postgres
from tests.helpers.demo import DemoFiles
from trainer_app.config import Settings
from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.persistence.db import make_engine
from trainer_app.persistence.models import Base, CourseRunCohortRow, CourseRunRow
from trainer_app.services.context import ServiceContext

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal"),
]

ROOT = Path(__file__).parents[2]
KILLS = int(os.environ.get("TRAINER_APP_KILLS", "5"))
EDITS = 30  # edits of the same trainer by each of two processes


def writer(settings: Settings, *args: str) -> subprocess.Popen[str]:
    """A writer process on the store (``python -m tests.helpers.writers ARGS``)."""
    environ = {
        **os.environ,
        "TRAINER_APP_DATA_DIR": str(settings.data_dir),
        "TRAINER_APP_DATABASE_URL": settings.database_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.writers", *args],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def audited(context: ServiceContext, entity_type: str) -> list[tuple[int, str, str]]:
    """(entity id, action, changes as text) of each audit entry about ``entity_type``."""
    with context.store.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT entity_id, action, CAST(changes AS TEXT) FROM audit_entries "
                "WHERE entity_type = :type ORDER BY id"
            ),
            {"type": entity_type},
        )
        return [(int(entity_id), str(action), str(changes)) for entity_id, action, changes in found]


def test_a_writer_killed_on_postgresql_loses_nothing_it_reported_and_leaves_nothing_half_done(
    postgres_settings: Settings,
) -> None:
    with ServiceContext.open(postgres_settings) as context:
        hub = builders.hub(context)
    rng = random.Random(int(os.environ.get("TRAINER_APP_KILL_SEED", "2027")))
    created: set[str] = set()
    updated: set[str] = set()
    for round_ in range(KILLS):
        process = writer(postgres_settings, "stream", str(hub.id), f"K{round_}")
        assert process.stdout is not None
        wanted = rng.randint(5, 80)  # changes reported before the kill
        seen = 0
        for line in process.stdout:
            verb, reference = line.split()
            (created if verb == "created" else updated).add(reference)
            seen += 1
            if seen == wanted:
                break
        time.sleep(rng.uniform(0, 0.02))  # somewhere inside the next change
        process.send_signal(signal.SIGKILL)
        rest, errors = process.communicate(timeout=60)
        for line in rest.splitlines():  # reported before it died: saved too
            verb, reference = line.split()
            (created if verb == "created" else updated).add(reference)
        assert "Traceback" not in errors, errors
        assert seen == wanted, f"the writer stopped by itself: {errors}"
    with ServiceContext.open(postgres_settings, create=False) as context:
        trainees = {t.reference: t for t in context.trainees.list()}
        # Every change it was told was saved is there.
        assert created <= trainees.keys()
        for reference in updated:
            assert trainees[reference].email == f"{reference.lower()}@example.org", reference
        # Nothing half-done: each trainee there has its creation audited, each e-mail address
        # its update, and nothing audited is missing from the table.
        entries = audited(context, RecordType.TRAINEE)
        by_id = {t.id: t for t in trainees.values()}
        made = [entity for entity, action, _ in entries if action == AuditAction.CREATE]
        changed = [entity for entity, action, _ in entries if action == AuditAction.UPDATE]
        assert sorted(made) == sorted(by_id)
        assert sorted(changed) == sorted(t.id for t in by_id.values() if t.email)
        # At most the one change in flight at each kill is there unreported.
        assert len(trainees) - len(created) <= KILLS
        verdict = context.audit.verify()
        assert verdict.intact, verdict.summary()
        assert context.check() == []
    print(
        f"\n{KILLS} kills on PostgreSQL: {len(created)} creations and {len(updated)} updates "
        f"reported, {len(trainees)} trainees there, trail of {len(entries)} entries intact"
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def either_store(request: pytest.FixtureRequest) -> Settings:
    name = "settings" if request.param == "sqlite" else "postgres_settings"
    chosen: Settings = request.getfixturevalue(name)
    return chosen


def test_two_processes_editing_one_trainer_lose_no_update(either_store: Settings) -> None:
    with ServiceContext.open(either_store) as context:
        hub = builders.hub(context)
        contested = builders.trainer(context, hub.id, "Dr Amara Okafor")
        other = builders.trainer(context, hub.id, "Dr Kofi Mensah")
    # Two coordinators on the same trainer, a third on another at the same time (its audit
    # entries are sealed in the same trail, in between theirs).
    processes = {
        "London": writer(either_store, "edit", str(contested.id), "London", str(EDITS)),
        "Bristol": writer(either_store, "edit", str(contested.id), "Bristol", str(EDITS)),
        "Sheffield": writer(either_store, "edit", str(other.id), "Sheffield", str(EDITS)),
    }
    said = {}
    for who, process in processes.items():
        out, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors
        assert errors == "", errors
        said[who] = out.splitlines()
    shown = [line for lines in said.values() for line in lines if line.startswith("error")]
    assert shown == []  # a lock waited for or retried is never shown as a failure
    saved = [
        (notes, int(version))
        for who in ("London", "Bristol")
        for line in said[who]
        if line.startswith("saved")
        for notes, version in [line.removeprefix("saved ").rsplit(" ", 1)]
    ]
    stale = sum(line == "stale" for who in ("London", "Bristol") for line in said[who])
    assert len(saved) + stale == 2 * EDITS
    # No lost update: no two saves were made from the same version...
    versions = [version for _, version in saved]
    assert len(set(versions)) == len(versions)
    with ServiceContext.open(either_store, create=False) as context:
        final = context.trainers.get(contested.id)
        # ... the row is the last save, and every save is in the trail, in order.
        last_notes, last_version = max(saved, key=lambda s: s[1])
        assert (final.notes, final.row_version) == (last_notes, last_version)
        updates = [
            changes
            for entity, action, changes in audited(context, RecordType.TRAINER)
            if entity == contested.id and action == AuditAction.UPDATE
        ]
        assert len(updates) == len(saved)
        in_order = [notes for notes, _ in sorted(saved, key=lambda s: s[1])]
        assert all(f'"{notes}"' in entry for notes, entry in zip(in_order, updates, strict=True))
        assert context.trainers.get(other.id).notes == f"Sheffield {EDITS - 1}"
        verdict = context.audit.verify()
        assert verdict.intact, verdict.summary()
    print(
        f"\n2 x {EDITS} edits of one trainer ({either_store.database_url.split(':')[0]}): "
        f"{len(saved)} saved, {stale} refused "
        "as conflicts, none lost, no error shown"
    )


# ----- the planner reading a large store -----------------------------------------------------

COPIES_OF_THE_TERM = 36  # the demo's 41 runs and 36 copies of each: 1,517 runs to plan


def enlarge(files: DemoFiles) -> Settings:
    """The demo store with its term's runs copied until it is the planner benchmark's largest
    size (1,500 runs). Added in one transaction, row for row, without an audit entry each:
    what is measured here is the planner's reading of the store, not 1,500 edits."""
    settings = Settings.resolve(
        files.database, environ={"TRAINER_APP_DATA_DIR": str(files.data_dir)}
    )
    with ServiceContext.open(settings) as context, context.store.sessions.begin() as session:
        term = session.scalars(select(CourseRunRow).where(CourseRunRow.status == "draft"))
        for run in list(term):
            for n in range(1, COPIES_OF_THE_TERM + 1):
                session.add(
                    CourseRunRow(
                        code=f"{run.code[:19]}-c{n:02d}",
                        course_id=run.course_id,
                        hub_id=run.hub_id,
                        trainer_id=run.trainer_id,
                        attendees=run.attendees,
                        min_days=run.min_days,
                        consecutive_days=run.consecutive_days,
                        earliest=run.earliest,
                        latest=run.latest,
                        status=run.status,
                        notes=run.notes,
                        row_version=1,
                        cohort_links=[
                            CourseRunCohortRow(cohort_id=link.cohort_id)
                            for link in run.cohort_links
                        ],
                    )
                )
    return settings


def copy_to_postgresql(source: Settings, server: postgres.Server) -> Settings:
    """The same store on the server: every row of every table, as stored."""
    url = server.new_database()
    target = Settings.resolve(
        None,
        environ={"TRAINER_APP_DATA_DIR": str(source.data_dir), "TRAINER_APP_DATABASE_URL": url},
    )
    ServiceContext.open(target).close()  # the schema, by the migrations
    reading, writing = make_engine(source.database_url), make_engine(url)
    try:
        with reading.connect() as old, writing.begin() as new:
            new.exec_driver_sql("SET session_replication_role = replica")  # no triggers, no FKs
            for table in reversed(Base.metadata.sorted_tables):
                new.execute(table.delete())
            for table in Base.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in old.execute(table.select())]
                if rows:
                    new.execute(table.insert(), rows)
                if "id" in table.c:
                    new.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                    )
    finally:
        reading.dispose()
        writing.dispose()
    return target


def test_the_planner_builds_the_same_large_scenario_from_postgresql_as_from_sqlite(
    demo_files: DemoFiles, postgres_server: postgres.Server, tmp_path: Path
) -> None:
    sqlite = enlarge(demo_files.copy_to(tmp_path / "large"))
    server = copy_to_postgresql(sqlite, postgres_server)
    timings: dict[str, float] = {}
    scenarios = {}
    for name, settings in (("SQLite", sqlite), ("PostgreSQL", server)):
        with ServiceContext.open(settings, create=False) as context:
            runs = [r for r in context.runs.list() if r.status == "draft"]
            start = min(r.earliest for r in runs if r.earliest)
            end = max(r.latest for r in runs if r.latest)
            started = time.perf_counter()
            scenarios[name] = context.planning.build_scenario(start, end)
            timings[name] = time.perf_counter() - started
            assert context.audit.verify().intact
    assert len(scenarios["SQLite"].offerings) >= 1500
    assert scenarios["PostgreSQL"] == scenarios["SQLite"]
    print(
        f"\nscenario of {len(scenarios['SQLite'].offerings)} runs, "
        f"{scenarios['SQLite'].session_count()} sessions from {start} to {end}: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
    )
