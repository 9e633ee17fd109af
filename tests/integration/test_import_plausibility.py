"""Implausible or deceptive rows are refused by the imports, each named by row, column and
why, and nothing is written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.helpers import builders
from tests.integration.test_enrolment import World, complete_gown, world
from tests.integration.test_import_trainees import HEADER, write_csv
from trainer_app.domain.errors import ValidationError
from trainer_app.domain.records import CompletionFields
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import ImportRefused, TraineeImport
from trainer_app.services.imports_training import CompletionImport

pytestmark = pytest.mark.both_stores

__all__ = ["world"]


def test_deceptive_trainee_rows_are_refused_by_row_and_column(
    context: ServiceContext, tmp_path: Path
) -> None:
    builders.hub(context, "LON", "London")
    path = write_csv(
        tmp_path / "people.csv",
        [
            HEADER,
            ["", "\u200b\u200b", "LON", "", "", "", "", ""],
            ["", "Ali\u202eecnyB", "LON", "", "", "", "", ""],
            ["", "B" + "\u0301" * 100, "LON", "", "", "", "", ""],
            ["", "Ann Lee", "LON", "", "", "", "ann\x00@example.org", ""],
            ["", "محمد عبد الله", "LON", "", "", "", "", ""],
        ],
    )
    importer = TraineeImport(context)
    preview = importer.preview(path)
    assert [str(p) for p in preview.problems] == [
        "row 2, column name: Trainee name has no visible characters (only blank, zero-width "
        "or joining ones)",
        "row 3, column name: Trainee name contains a text-direction control (U+202E "
        "RIGHT-TO-LEFT OVERRIDE, at character 4), which makes it display differently from "
        "what it is; type it again without it",
        "row 4, column name: Trainee name stacks 100 accents or marks on one letter; at most 4 "
        "are accepted (real names in any script need fewer)",
        "row 5, column email: The e-mail address contains an invisible control character "
        "(U+0000, at character 4); type it again without it",
    ]
    with pytest.raises(ImportRefused):
        importer.apply(path)
    assert context.trainees.count() == 0


def history(path: Path, *rows: str) -> Path:
    path.write_text("trainee,course,completed_on,version,notes\n" + "\n".join(rows) + "\n")
    return path


def test_implausible_completions_are_refused_and_nothing_is_written(
    world: World, tmp_path: Path
) -> None:
    complete_gown(world, world.people[0], date(2026, 6, 1))
    held = world.ctx.training.completions_of(world.people[0])
    path = history(
        tmp_path / "history.csv",
        "TR-000002,GOWN,0001-01-01,,",
        "TR-000002,GOWN,2026-01-05,99.0,",
        "TR-000002,GOWN,2026-01-06," + "9" * 60 + ",",
        f"TR-000001,GOWN,2026-06-01,{held[0].course_version},again",
        "TR-000003,GOWN,2026-01-05,,Log\x00book",
        "TR-000004,GOWN,2026-01-05,,fine",
        "TR-000004,GOWN,2026-01-05,1.0,fine",
    )
    importer = CompletionImport(world.ctx)
    preview = importer.preview(path)
    assert [str(p) for p in preview.problems] == [
        "row 2, column completed_on: A completion dated 0001-01-01 is before 1950; check the "
        "year (a blank or damaged date cell often reads as 1899 or 1900)",
        "row 3, column version: Version 99.0 is newer than the course's current version "
        "(1.0); write the version completed, or blank for the current one",
        f"row 4, column version: Version '{'9' * 60}' must look like 1, 2.1 or 3.0.2",
        "row 5, column completed_on: this completion (version 1.0 on 2026-06-01) is already "
        "recorded for the trainee; remove the row",
        "row 6, column notes: Notes contains an invisible control character (U+0000, at "
        "character 4); type it again without it",
        "row 8, column completed_on: the same completion (TR-000004, GOWN on 2026-01-05) is "
        "also on row 7; keep one",
    ]
    with pytest.raises(ImportRefused):
        importer.apply(path)
    assert [world.ctx.training.completions_of(p) for p in world.people[:4]] == [held, [], [], []]


def test_the_record_dialogs_service_refuses_a_version_newer_than_the_courses(
    world: World,
) -> None:
    """Recording one completion by hand (the Records page) obeys the same rule as the import."""
    fields = CompletionFields(
        trainee_id=world.people[0],
        course_id=world.gown.id,
        completed_on=date(2026, 3, 2),
        course_version="99.0",
    )
    with pytest.raises(ValidationError, match=r"Version 99.0 is newer than the course's current"):
        world.ctx.training.add_completion(fields)
    assert world.ctx.training.completions_of(world.people[0]) == []
