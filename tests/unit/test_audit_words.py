"""The audit trail in the users' words: every record type the services write has a label, and
stored values (identifiers, ISO dates, True/False, references) read as words."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

import trainer_app.services
from trainer_app.domain.audit import (
    RECORD_TYPE_LABELS,
    AuditAction,
    AuditEntry,
    FieldChange,
    RecordType,
    describe_changes,
    record_type_label,
    value_label,
)

SERVICES = Path(trainer_app.services.__file__).parent
WRITERS = {"write_audit", "add_audited"}


def written_record_types() -> list[tuple[str, str]]:
    """``(file:line, what is passed)`` for each record type the services give the trail: the
    ``entity_type`` of each CRUD service and the argument of every write_audit/add_audited."""
    found = []
    for path in sorted(SERVICES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "entity_type" for t in node.targets
            ):
                found.append((where, ast.unparse(node.value)))
            elif isinstance(node, ast.Call) and ast.unparse(node.func) in WRITERS:
                # (session, actor, action or row, entity_type, …) for both
                found.append((where, ast.unparse(node.args[3])))
    return found


def test_every_record_type_the_services_write_has_a_label() -> None:
    assert set(RECORD_TYPE_LABELS) == set(RecordType)
    written = written_record_types()
    assert len(written) > 15  # the scan sees the services' writes
    strays = [
        (where, passed)
        for where, passed in written
        if not passed.startswith("RecordType.")
        and passed != "self.entity_type"  # a service's own, a RecordType member
        and not (where.startswith("base.py") and passed == "entity_type")  # add_audited's
    ]
    assert not strays, "record types written without a label"
    used = {RecordType[p.removeprefix("RecordType.")] for _, p in written if "RecordType." in p}
    assert used == set(RecordType)  # and no label for a type nothing writes


def test_record_types_read_in_one_style() -> None:
    labels = [t.label for t in RecordType]
    assert "Course run" in labels and "Certificate" in labels and "Planned session" in labels
    for label in labels:  # capitalised like a sentence: "Course run", not "Course Run"
        assert label[0].isupper() and label[1:] == label[1:].lower(), label
    assert record_type_label("course_run") == "Course run"
    assert record_type_label("retired_kind") == "Retired kind"  # an older trail still reads


@pytest.mark.parametrize(
    ("record_type", "field", "stored", "shown"),
    [
        ("course_run", "status", "planned", "Planned"),
        ("plan_version", "status", "superseded", "Superseded"),
        ("enrolment", "status", "waitlisted", "Waitlist"),
        ("attendance", "attendance", "late 5 min", "Late 5 min"),
        ("assessment", "practical", "fail", "Fail"),
        ("completion", "source", "imported", "Imported history"),
        ("course", "practical_required", "True", "Yes"),
        ("course_run", "consecutive_days", "False", "No"),
        ("completion", "completed_on", "2026-10-02", "2 Oct 2026"),
        ("plan_version", "dates", "2026-09-14..2026-12-18", "14 Sep – 18 Dec 2026"),
        (
            "hub",
            "closures",
            "2026-12-24..2027-01-01 Christmas shutdown; 2027-04-03..2027-04-06",
            "24 Dec 2026 – 1 Jan 2027 (Christmas shutdown)\n3–6 Apr 2027",
        ),
        ("trainee", "trainee_type", "msc_student", "MSc student"),
        ("trainee", "email", None, "—"),
        ("trainee", "email", "", "—"),
        ("course_run", "status", "retired_status", "retired_status"),  # unknown: as stored
        ("completion", "completed_on", "not a date", "not a date"),
        ("trainee", "name", "True", "True"),  # text is never taken for a yes/no
    ],
)
def test_values_read_as_words(record_type: str, field: str, stored: str | None, shown: str) -> None:
    assert value_label(field, stored, record_type) == shown


def test_references_read_as_the_records_are_named_today() -> None:
    names = {
        "hub": {"LON": "LON London Gene Therapy Innovation Hub"},
        "course": {"GOWN": "GOWN Gowning", "ASEP": "ASEP Aseptic processing"},
        "trainer": {"T5": "Dr Amara Okafor", "Dr Amara Okafor": "Dr Amara Okafor"},
    }
    entry = AuditEntry(
        1,
        datetime(2026, 10, 2, 9, tzinfo=UTC),
        "local",
        AuditAction.UPDATE,
        "trainer",
        5,
        "Dr Amara Okafor",
        (
            FieldChange("hub_id", "BRI", "LON"),
            FieldChange("qualifications", "GOWN", "ASEP, GOWN"),
            FieldChange("trainer_id", None, "T5"),
            FieldChange("notes", None, None),  # recorded empty: nothing to say
        ),
    )
    changes = describe_changes(entry, names)
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("Hub", "BRI", "LON London Gene Therapy Innovation Hub"),  # BRI is gone: as stored
        ("Qualified to teach", "GOWN Gowning", "ASEP Aseptic processing\nGOWN Gowning"),
        ("Trainer", "—", "Dr Amara Okafor"),
    ]
    assert entry.changes[0] == FieldChange("hub_id", "BRI", "LON")  # the entry is untouched
    assert len(entry.changes) == 4
