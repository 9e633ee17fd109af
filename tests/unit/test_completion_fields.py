"""A completion recorded by hand is checked before it can reach a record or a certificate."""

from __future__ import annotations

from datetime import date

import pytest

from trainer_app.domain.errors import ValidationError
from trainer_app.domain.records import CompletionFields

TODAY = date(2026, 12, 6)


def fields(**changes: object) -> CompletionFields:
    values: dict[str, object] = {
        "trainee_id": 1,
        "course_id": 1,
        "completed_on": date(2026, 3, 2),
    }
    values.update(changes)
    return CompletionFields(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["\u200b\u200b", "1.x", "99999", "1.2.3.4", "١.٢", "v2"])
def test_a_version_that_cannot_be_compared_is_refused(version: str) -> None:
    with pytest.raises(ValidationError) as refused:
        fields(course_version=version).validated(today=TODAY)
    assert [e.field for e in refused.value.errors] == ["course_version"]
    assert "must look like 1, 2.1 or 3.0.2" in str(refused.value)


@pytest.mark.parametrize(("typed", "kept"), [("", ""), (" 2.1 ", "2.1"), ("3.0.2", "3.0.2")])
def test_a_version_people_write_is_kept(typed: str, kept: str) -> None:
    assert fields(course_version=typed).validated(today=TODAY).course_version == kept
