"""Domain rules hold without a database: every bad input gets a specific message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from trainer_app.domain.calendar import Absence
from trainer_app.domain.courses import CourseFields, find_prerequisite_cycle, version_key
from trainer_app.domain.errors import ValidationError
from trainer_app.domain.network import FacilityFields, FacilityKind, HubFields
from trainer_app.domain.people import CohortFields, TraineeFields
from trainer_app.domain.text import search_key
from trainer_app.domain.trainers import TrainerFields


def messages(error: pytest.ExceptionInfo[ValidationError], field: str) -> list[str]:
    return error.value.for_field(field)


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_or_whitespace_names_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as error:
        TrainerFields(name=name, hub_id=1).validated()
    assert messages(error, "name") == ["Trainer name must not be empty"]


def test_a_300_character_name_is_refused_with_its_length() -> None:
    with pytest.raises(ValidationError) as error:
        TraineeFields(reference="TR-1", name="A" * 300, hub_id=1).validated()
    assert messages(error, "name") == ["Trainee name is 300 characters long; the limit is 120"]


def test_names_are_trimmed_and_inner_whitespace_collapsed() -> None:
    hub = HubFields(code=" lon ", name="  London   Hub ").validated()
    assert (hub.code, hub.name) == ("LON", "London Hub")


@pytest.mark.parametrize("capacity", [0, -3])
def test_capacity_must_be_positive(capacity: int) -> None:
    with pytest.raises(ValidationError) as error:
        FacilityFields(
            hub_id=1,
            code="LON-CR1",
            name="Suite",
            kind=FacilityKind.CLEANROOM_GRADE_B,
            capacity=capacity,
        ).validated()
    assert messages(error, "capacity") == [
        f"Capacity must be between 1 and 1000 people (got {capacity})"
    ]


def test_course_capacity_and_sessions_are_checked_together() -> None:
    with pytest.raises(ValidationError) as error:
        CourseFields(code="ASEP", title="Aseptic", capacity=0, sessions=0).validated()
    assert error.value.for_field("capacity") and error.value.for_field("sessions")
    assert str(error.value).startswith("Course ASEP: ")


def test_a_session_cannot_be_longer_than_a_day() -> None:
    with pytest.raises(ValidationError) as error:
        CourseFields(code="ASEP", title="Aseptic", session_length=5).validated()
    assert "within one day" in messages(error, "session_length")[0]


def test_availability_window_that_ends_before_it_starts() -> None:
    leave = Absence(date(2027, 2, 5), date(2027, 2, 3), "annual leave")
    with pytest.raises(ValidationError) as error:
        TrainerFields(name="Dr Amara Okafor", hub_id=1, leave=(leave,)).validated()
    assert messages(error, "leave") == ["Leave ends (3 Feb 2027) before it starts (5 Feb 2027)"]


def test_overlapping_closures_are_refused() -> None:
    closures = (
        Absence(date(2027, 2, 1), date(2027, 2, 14), "requalification"),
        Absence(date(2027, 2, 10), date(2027, 2, 20), "HVAC"),
    )
    with pytest.raises(ValidationError) as error:
        HubFields(code="LON", name="London", closures=closures).validated()
    assert "overlaps" in messages(error, "closures")[0]


def test_unknown_time_zone() -> None:
    with pytest.raises(ValidationError) as error:
        HubFields(code="LON", name="London", timezone="Europe/Londres").validated()
    assert messages(error, "timezone") == ["'Europe/Londres' is not a known time zone"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "must not be empty"),
        ("AS EP", "may hold only"),
        ("1ASEP", "may hold only"),
        ("ABCDEFGHIJKLM", "longer than 12"),
    ],
)
def test_course_codes(code: str, reason: str) -> None:
    with pytest.raises(ValidationError) as error:
        CourseFields(code=code, title="Aseptic").validated()
    assert reason in messages(error, "code")[0]


def test_trainer_limits_must_be_coherent() -> None:
    with pytest.raises(ValidationError) as error:
        TrainerFields(name="T", hub_id=1, max_periods_per_day=3, max_periods_per_week=2).validated()
    assert messages(error, "max_periods_per_week") == [
        "The weekly limit (2) is below the daily limit (3)"
    ]


def test_trainer_needs_a_working_day() -> None:
    with pytest.raises(ValidationError) as error:
        TrainerFields(name="T", hub_id=1, weekdays=frozenset()).validated()
    assert messages(error, "weekdays") == ["Choose at least one working day"]


def test_cohort_dates_in_order() -> None:
    with pytest.raises(ValidationError) as error:
        CohortFields(
            name="MSc 2027", starts_on=date(2027, 9, 1), ends_on=date(2027, 1, 1)
        ).validated()
    assert "ends (1 Jan 2027) before it starts (1 Sep 2027)" in messages(error, "ends_on")[0]


def test_bad_email_and_cpd_hours() -> None:
    with pytest.raises(ValidationError) as error:
        TraineeFields(reference="TR-1", name="Zoë", hub_id=1, email="zoe@").validated()
    assert messages(error, "email") == ["'zoe@' is not an e-mail address"]
    with pytest.raises(ValidationError) as error2:
        CourseFields(code="GOWN", title="Gowning", cpd_hours=Decimal("2.25")).validated()
    assert error2.value.for_field("cpd_hours")


def test_names_in_any_script_are_kept_as_written() -> None:
    for name in ("Zoë Clarke", "Siobhán Ní Bhriain", "Łukasz Wiśniewski", "李伟", "محمد الحسن"):
        assert TraineeFields(reference="TR-1", name=name, hub_id=1).validated().name == name


def test_search_key_ignores_case_and_accents() -> None:
    assert search_key("Łukasz WIŚNIEWSKI") == "lukasz wisniewski"
    assert search_key("Zoë", "Øyvind") == "zoe oyvind"
    assert search_key("李伟") == "李伟"


def test_prerequisite_cycle_is_found_with_its_path() -> None:
    graph = {1: {2}, 2: {3}, 3: {1}, 4: {1}}
    assert find_prerequisite_cycle(graph, 1) == [1, 2, 3, 1]
    assert find_prerequisite_cycle(graph, 4) is None
    assert find_prerequisite_cycle({5: {5}}, 5) == [5, 5]


def test_course_versions_compare_numerically() -> None:
    assert version_key("1.10") > version_key("1.9")
    with pytest.raises(ValidationError):
        CourseFields(code="GOWN", title="Gowning", version="v2").validated()


def test_audit_vocabulary_reads_as_words() -> None:
    from trainer_app.domain.audit import AuditAction, field_label, value_label

    assert field_label("max_periods_per_day") == "Max periods a day"
    assert field_label("organisation") == "Organisation"
    assert value_label("trainee_type", "msc_student") == "MSc student"
    assert value_label("kind", "cleanroom_grade_b") == "Grade A/B cleanroom suite"
    assert value_label("kind", "retired_kind") == "retired_kind"  # old values still show
    assert value_label("name", "Zoë") == "Zoë"
    assert AuditAction.UPDATE.label == "Changed"
