"""Others' changes reach an open window: the change feed on both stores, and PostgreSQL's
notifications (delivered on commit, never on rollback; the listener reconnects and stops)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.persistence.uow import transaction
from trainer_app.services.base import now_utc, write_audit
from trainer_app.services.changes import ChangeListener
from trainer_app.services.context import ServiceContext

PASSWORD = builders.SHARED_PASSWORD


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest) -> Settings:
    name = "settings" if request.param == "sqlite" else "postgres_settings"
    settings: Settings = request.getfixturevalue(name)
    return settings


def _network(context: ServiceContext) -> tuple[int, int]:
    """An administrator, a Bristol coordinator (Amara Okafor) and a Bristol trainer."""
    admin, hub = builders.bristol_with_amara(context)
    return hub.id, builders.trainer(admin, hub.id, "Dr Tom Reid").id


_rename = builders.rename_trainer


def test_a_change_made_in_another_context_is_seen_with_who_made_it(
    store_settings: Settings,
) -> None:
    with ServiceContext.open(store_settings) as mine:
        _, trainer_id = _network(mine)
        mark = mine.changes.mark()
        assert not mine.changes.since(mark)  # nothing new: one tiny query, no entries read
        with ServiceContext.open(store_settings, create=False) as other:
            amara = other.signed_in(other.users.sign_in("amara", PASSWORD))
            _rename(amara, trainer_id, "Dr Thomas Reid")
        changes = mine.changes.since(mark)
        assert changes.mark > mark
        assert changes.count == 1  # the sign-in is not a change of data
        change = changes.touching(RecordType.TRAINER.value, trainer_id)
        assert change is not None and change.action is AuditAction.UPDATE
        assert changes.summary() == "1 change by Amara Okafor (coordinator, BRI)"
        assert not mine.changes.since(changes.mark)
        assert not changes.by_others("amara")


def test_a_change_made_by_another_process_on_sqlite_is_seen(settings: Settings) -> None:
    with ServiceContext.open(settings) as mine:
        _, trainer_id = _network(mine)
        mark = mine.changes.mark()
        script = textwrap.dedent(
            f"""
            from tests.integration.test_changes import _rename
            from trainer_app.config import Settings
            from trainer_app.services.context import ServiceContext
            settings = Settings.resolve(
                None,
                environ={{
                    "TRAINER_APP_DATA_DIR": {str(settings.data_dir)!r},
                    "TRAINER_APP_DATABASE_URL": {settings.database_url!r},
                }},
            )
            with ServiceContext.open(settings, create=False) as other:
                amara = other.signed_in(other.users.sign_in("amara", "{PASSWORD}"))
                _rename(amara, {trainer_id}, "Dr Thomas Reid")
            """
        )
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
        changes = mine.changes.since(mark)
        assert changes.summary() == "1 change by Amara Okafor (coordinator, BRI)"
        assert mine.trainers.get(trainer_id).name == "Dr Thomas Reid"


class Heard:
    """What a listener called back, with the moments it did."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.event = threading.Event()

    def __call__(self) -> None:
        self.times.append(time.monotonic())
        self.event.set()

    def wait(self, seconds: float) -> bool:
        heard = self.event.wait(seconds)
        self.event.clear()
        return heard


@pytest.fixture
def listening(
    postgres_settings: Settings,
) -> Iterator[tuple[ServiceContext, Heard, ChangeListener]]:
    with ServiceContext.open(postgres_settings) as context:
        heard = Heard()
        listener = context.changes.listen(heard)
        assert listener is not None
        try:
            assert listener.wait_listening(5)
            yield context, heard, listener
        finally:
            listener.close()


def test_postgresql_notifies_a_listener_within_a_second_of_a_commit(
    listening: tuple[ServiceContext, Heard, ChangeListener],
) -> None:
    context, heard, _ = listening
    started = time.monotonic()
    builders.hub(context, "BRI", "Bristol")
    committed = time.monotonic()
    assert heard.wait(1.0), "no notification within a second of the commit"
    assert heard.times[-1] - committed < 1.0
    assert heard.times[-1] >= started


def _audit_then_fail(context: ServiceContext) -> None:
    """A transaction that wrote and sealed its audit entry, notified, and then failed as it
    was about to commit: rolled back."""

    def refuse(_: Session) -> None:
        raise RuntimeError("the commit failed")

    with transaction(context.store) as session:
        event.listen(session, "before_commit", refuse)
        write_audit(
            session, context.actor, AuditAction.CREATE, RecordType.HUB, 1, "BRI", [], at=now_utc()
        )


def test_postgresql_does_not_notify_a_change_rolled_back(
    listening: tuple[ServiceContext, Heard, ChangeListener],
) -> None:
    context, heard, _ = listening
    with pytest.raises(RuntimeError):
        _audit_then_fail(context)
    assert not heard.wait(1.0)
    assert context.changes.mark() == 0  # and nothing to see either


def test_the_listener_reconnects_when_the_server_drops_it_and_stops_cleanly(
    listening: tuple[ServiceContext, Heard, ChangeListener],
) -> None:
    context, heard, listener = listening
    url = make_url(context.store.url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query = 'LISTEN trainer_app_changes' AND datname = current_database()"
        ).fetchall()
    assert dropped == [(True,)]
    # Back within the retry delay; it calls back once, as changes may have been missed.
    assert heard.wait(10), "the listener did not come back"
    assert listener.connections == 2
    builders.hub(context, "BRI", "Bristol")
    assert heard.wait(1.0)
    listener.close()
    assert not listener.running
    assert not [t for t in threading.enumerate() if t.name == "trainer-app changes"]


def test_sqlite_has_no_listener(context: ServiceContext) -> None:
    """SQLite cannot tell: a window looks when it is activated or asked (F5)."""
    assert context.changes.listen(lambda: None) is None
