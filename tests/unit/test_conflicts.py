"""Two people's edits of one record: which fields each changed, and mine put on top."""

from __future__ import annotations

from datetime import UTC, datetime

from trainer_app.domain.conflicts import EditConflict, apply_mine, field_conflicts
from trainer_app.domain.trainers import TrainerFields


def test_fields_show_the_value_opened_theirs_and_mine_and_which_clash() -> None:
    now = {"name": "Dr Kofi A. Mensah", "notes": "Leads aseptic", "email": "", "hub": "LON"}
    since = [  # two saves by someone else, oldest first
        {"field": "notes", "old": "", "new": "Leads gowning"},
        {"field": "name", "old": "Dr Kofi Mensah", "new": "Dr Kofi A. Mensah"},
        {"field": "notes", "old": "Leads gowning", "new": "Leads aseptic"},
    ]
    # the name as opened (mine did not change it), notes and e-mail changed
    mine = {**now, "name": "Dr Kofi Mensah", "notes": "On leave", "email": "k@nhsbt.nhs.uk"}
    rows = {f.field: f for f in field_conflicts(now, since, mine)}

    assert set(rows) == {"name", "notes", "email"}  # the hub changed for nobody
    assert (rows["notes"].opened, rows["notes"].theirs, rows["notes"].mine) == (
        "",
        "Leads aseptic",
        "On leave",
    )
    assert rows["notes"].clash and not rows["name"].clash and not rows["email"].clash
    assert rows["name"].they_changed and not rows["name"].i_changed
    assert rows["email"].i_changed and not rows["email"].they_changed
    assert rows["email"].label == "E-mail"


def test_a_delete_shows_only_their_changes() -> None:
    rows = field_conflicts({"name": "B"}, [{"field": "name", "old": "A", "new": "B"}], None)
    assert [(f.field, f.they_changed, f.i_changed) for f in rows] == [("name", True, False)]


def test_mine_go_on_top_of_theirs_and_their_other_changes_stay() -> None:
    opened = TrainerFields(name="Dr Kofi Mensah", hub_id=1, notes="")
    theirs = TrainerFields(name="Dr Kofi A. Mensah", hub_id=1, notes="Leads aseptic")
    mine = TrainerFields(name="Dr Kofi Mensah", hub_id=1, notes="On leave", email="k@x.uk")
    merged = apply_mine(opened, mine, theirs)
    assert (merged.name, merged.notes, merged.email) == ("Dr Kofi A. Mensah", "On leave", "k@x.uk")


def test_the_sentence_names_who_and_when() -> None:
    conflict = EditConflict(
        "Trainer",
        "Dr Kofi Mensah",
        ("Ngozi Bello (ngozi)",),
        datetime(2026, 12, 7, 10, 42, tzinfo=UTC),
        (),
    )
    assert conflict.sentence().startswith(
        "Trainer Dr Kofi Mensah was changed by Ngozi Bello (ngozi) at 10:42 UTC on"
    )
    assert conflict.sentence().endswith("after you opened it")
