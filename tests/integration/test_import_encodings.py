"""CSV files saved in a legacy code page are read in the right one, said so in the preview, or
refused with how to save them as UTF-8; never converted into mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import builders
from tests.integration.test_import_trainees import write_csv
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import TraineeImport

pytestmark = pytest.mark.both_stores

POLISH = ["Łukasz Wiśniewski", "Zofia Żółć", "Agnieszka Ślęzak", "Jerzy Dąbrowski"]
RUSSIAN = ["Дмитрий Иванов", "Ольга Смирнова", "Сергей Кузнецов"]
WESTERN = ["Zoë Clarke", "Siobhán Ní Bhriain", "Björn Müller", "José García"]


@pytest.fixture
def ctx(context: ServiceContext) -> ServiceContext:
    builders.hub(context, "LON", "London")
    return context


@pytest.mark.parametrize(
    ("encoding", "names", "told"),
    [
        ("cp1250", POLISH, "Windows-1250 (Central European"),
        ("iso-8859-2", POLISH, "ISO-8859-2 (Latin-2"),
        ("cp1251", RUSSIAN, "Windows-1251 (Cyrillic)"),
        ("koi8-r", RUSSIAN, "KOI8-R (Cyrillic)"),
        ("mac_roman", WESTERN, "Mac Roman"),
        ("cp1252", WESTERN, "Windows-1252 (Western European"),
    ],
)
def test_legacy_code_pages_are_read_as_written_and_named(
    ctx: ServiceContext, tmp_path: Path, encoding: str, names: list[str], told: str
) -> None:
    path = write_csv(
        tmp_path / "people.csv", [["name", "hub"], *([n, "LON"] for n in names)], encoding=encoding
    )
    preview = TraineeImport(ctx).preview(path)
    assert preview.problems == ()
    assert f"people.csv is not UTF-8: it was read as {told}" in preview.notes[0]
    TraineeImport(ctx).apply(preview)
    assert sorted(t.name for t in ctx.trainees.list()) == sorted(names)


def test_a_file_two_code_pages_read_differently_is_refused_with_both_readings(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "es.csv", [["name", "hub"], ["José Muñoz", "LON"]], encoding="cp1252"
    )
    with pytest.raises(DomainError) as refused:
        TraineeImport(ctx).preview(path)
    message = str(refused.value)
    assert message.startswith(
        "es.csv is not UTF-8, and its encoding cannot be told for sure: line 2 reads 'Muñoz' as "
        "Windows-1252 (Western European; Excel's plain CSV on a UK PC) but 'Muńoz' as "
        "Windows-1250"
    )
    assert '"CSV UTF-8 (Comma delimited)"' in message
    assert ctx.trainees.count() == 0
