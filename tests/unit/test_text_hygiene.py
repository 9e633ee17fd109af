"""Names and notes that would mislead a reader of a signed certificate are refused in the
domain, so the dialogs, the command line and the imports refuse them alike; real names in
every script pass."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from trainer_app.domain.errors import ValidationError
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.records import CompletionFields

REAL_NAMES = [
    "Siobhán Ní Bhriain",
    "محمد عبد الله الحسن",
    "דָּוִד בֶּן־גּוּרְיוֹן",
    "देवनागरी क्षत्रिय",
    "தமிழ்செல்வன் முருகன்",
    "李伟",
    "Nguyễn Thị Ngọc Ánh",
    unicodedata.normalize("NFD", "Nguyễn Thị Ngọc Ánh"),  # typed with combining marks
    "Łukasz Wiśniewski",
    "Ελένη Παπαδοπούλου",
    "Дмитрий Иванов",
    "ශ්‍රී ලංකා",  # Sinhala with a zero-width joiner inside
    "O'Brien-Smith Jr.",
]


def trainee(**changes: str) -> TraineeFields:
    values: dict[str, object] = {"reference": "TR-000001", "name": "Zoë Clarke", "hub_id": 1}
    values.update(changes)
    return TraineeFields(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_in_every_script_are_kept(name: str) -> None:
    assert trainee(name=name).validated().name == unicodedata.normalize("NFC", name)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("\u200b\u200b\u200b", "has no visible characters"),
        ("\u3164", "has no visible characters"),  # Hangul filler, drawn as nothing
        ("\u200d\u2060\ufeff", "has no visible characters"),
        (
            "Ali\u202eecnyB",
            "text-direction control (U+202E RIGHT-TO-LEFT OVERRIDE, at character 4)",
        ),
        ("Bob\u2067Smith\u2069", "text-direction control (U+2067"),
        ("B" + "\u0301" * 100, "stacks 100 accents or marks on one letter; at most 4"),
        ("Z̷̢̛̪͓̫algo", "stacks 6 accents or marks"),
        ("Ann\ue000", "private-use character (U+E000, at character 4)"),
        ("Ann\x07e", "invisible control character (U+0007, at character 4)"),
    ],
)
def test_deceptive_names_are_refused_with_the_reason(name: str, why: str) -> None:
    with pytest.raises(ValidationError) as refused:
        trainee(name=name).validated()
    assert [e.field for e in refused.value.errors] == ["name"]
    assert why in str(refused.value)


@pytest.mark.parametrize("email", ["ann\x00@example.org", "ann@exa\x1bmple.org"])
def test_control_characters_in_an_email_are_refused(email: str) -> None:
    with pytest.raises(ValidationError) as refused:
        trainee(email=email).validated()
    assert "The e-mail address contains an invisible control character" in str(refused.value)


def test_role_and_organisation_are_checked_too() -> None:
    with pytest.raises(ValidationError) as refused:
        trainee(role="QC\u202eanalyst", organisation="\u200b").validated()
    assert [e.field for e in refused.value.errors] == ["organisation", "role"]


def completion(**changes: object) -> CompletionFields:
    values: dict[str, object] = {"trainee_id": 1, "course_id": 1, "completed_on": date(2026, 3, 2)}
    values.update(changes)
    return CompletionFields(**values)  # type: ignore[arg-type]


def test_notes_keep_line_breaks_and_tabs_but_refuse_other_controls() -> None:
    kept = completion(notes="Log book p.4\r\n\tsigned by QA").validated(today=date(2026, 12, 6))
    assert kept.notes == "Log book p.4\n\tsigned by QA"
    with pytest.raises(ValidationError) as refused:
        completion(notes="Log\x00book").validated(today=date(2026, 12, 6))
    assert "Notes contains an invisible control character (U+0000, at character 4)" in str(
        refused.value
    )


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 30), date(1949, 12, 31)])
def test_a_completion_before_1950_is_refused(day: date) -> None:
    with pytest.raises(ValidationError) as refused:
        completion(completed_on=day).validated(today=date(2026, 12, 6))
    assert f"A completion dated {day.isoformat()} is before 1950" in str(refused.value)


@pytest.mark.parametrize("version", ["99.0", "2", "1.0.1"])
def test_a_version_newer_than_the_courses_is_refused(version: str) -> None:
    with pytest.raises(ValidationError) as refused:
        completion(course_version=version).validated(today=date(2026, 12, 6), current_version="1.0")
    assert f"Version {version} is newer than the course's current version (1.0)" in str(
        refused.value
    )


def test_the_current_and_older_versions_are_kept() -> None:
    for version in ("1.0", "1", "0.9"):
        kept = completion(course_version=version).validated(
            today=date(2026, 12, 6), current_version="1.0"
        )
        assert kept.course_version == version


def test_a_cohort_dated_in_year_207_is_refused() -> None:
    from trainer_app.domain.people import CohortFields

    with pytest.raises(ValidationError) as refused:
        CohortFields(name="MSc 2027", starts_on=date(207, 9, 1)).validated()
    assert "The cohort's start (0207-09-01) is not a plausible date" in str(refused.value)
    kept = CohortFields(name="MSc 2027", starts_on=date(2027, 9, 1)).validated()
    assert kept.starts_on == date(2027, 9, 1)
