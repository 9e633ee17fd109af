"""Trainees on SQLite and on PostgreSQL alike: added many at once, and listed by name.

Rows with and without an e-mail are written in the same batch (sent as NULL, not left out):
else every change from one to the other started a new statement, one round trip to a server
each, about 1 800 for a file of 10 000. The list's name order is read from an index on name
and id (migration 0009): PostgreSQL sorted all 50 000 rows on every opening before
(benchmarks/postgres.py)."""

from __future__ import annotations

import pytest

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.people import TraineeFields
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores


def test_trainees_added_at_once_keep_their_own_email_in_order(settings: Settings) -> None:
    with ServiceContext.open(settings) as context:
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


def test_the_trainee_list_is_in_the_same_name_order_on_both_stores(
    settings: Settings,
) -> None:
    names = ["Zoë Clarke", "Zoe Clarke", "zoe clarke", "Åsa Lind", "Amara Eze", "李伟", "Amara Eze"]
    with ServiceContext.open(settings) as context:
        hub = builders.hub(context)
        ids = context.trainees.bulk_create(
            [
                TraineeFields(reference=f"TR-{n:06d}", name=name, hub_id=hub.id)
                for n, name in enumerate(names, start=1)
            ]
        )
        shown = context.trainees.query_ids()
        assert shown == [ids[i] for i in (4, 6, 1, 0, 2, 3, 5)]
        assert context.trainees.query_ids(descending=True)[:2] == [ids[5], ids[3]]
