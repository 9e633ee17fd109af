"""Adding many trainees at once (imports, the demo): each trainee keeps what was given for
them, in order, on SQLite and on PostgreSQL, whichever rows have an e-mail and which not.

Rows with and without an e-mail are written in the same batch (sent as NULL, not left out):
else every change from one to the other started a new statement, one round trip to a server
each, about 1 800 for a file of 10 000 (benchmarks/postgres.py)."""

from __future__ import annotations

import pytest

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.people import TraineeFields
from trainer_app.services.context import ServiceContext


@pytest.fixture(params=["sqlite", "postgresql"])
def store_settings(request: pytest.FixtureRequest) -> Settings:
    name = "settings" if request.param == "sqlite" else "postgres_settings"
    settings: Settings = request.getfixturevalue(name)
    return settings


def test_trainees_added_at_once_keep_their_own_email_in_order(store_settings: Settings) -> None:
    with ServiceContext.open(store_settings) as context:
        hub = builders.hub(context)
        given = [
            TraineeFields(
                reference=f"TR-{n:06d}",
                name=f"Zoë Ní Bhriain {n}",
                hub_id=hub.id,
                email=f"trainee{n}@example.org" if n % 3 else "",
            )
            for n in range(1, 251)
        ]
        ids = context.trainees.bulk_create(given, reason="Import")
        stored = {t.id: t for t in context.trainees.list()}
        assert [(stored[i].reference, stored[i].email) for i in ids] == [
            (g.reference, g.email) for g in given
        ]
        assert context.audit.verify().intact
