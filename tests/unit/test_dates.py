"""One date style everywhere: ``4 Jan 2027``, whatever the desktop's language."""

from __future__ import annotations

import locale
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from trainer_app.domain import dates

ROOT = Path(__file__).resolve().parents[2] / "trainer_app"


def test_a_day_is_written_without_a_leading_zero_and_with_the_year() -> None:
    assert dates.day(date(2027, 1, 4)) == "4 Jan 2027"
    assert dates.day(date(2026, 10, 2)) == "2 Oct 2026"
    assert dates.day_or_none(None) == "—"
    assert dates.weekday_day(date(2027, 1, 4)) == "Mon 4 Jan 2027"
    assert dates.weekday_day(date(2027, 1, 4), year=False) == "Mon 4 Jan"


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (date(2027, 1, 12), date(2027, 1, 12), "12 Jan 2027"),
        (date(2027, 1, 12), date(2027, 1, 14), "12–14 Jan 2027"),
        (date(2027, 1, 29), date(2027, 2, 2), "29 Jan – 2 Feb 2027"),
        (date(2026, 12, 30), date(2027, 1, 3), "30 Dec 2026 – 3 Jan 2027"),
        (None, None, ""),
    ],
)
def test_a_span_says_each_part_once(first: date | None, last: date | None, text: str) -> None:
    assert dates.span(first, last) == text


def test_moments_are_stated_in_utc_when_asked() -> None:
    london_summer = timezone(timedelta(hours=1))
    moment = datetime(2026, 7, 1, 9, 5, 7, tzinfo=london_summer)
    assert dates.moment(moment) == "1 Jul 2026 09:05"
    assert dates.utc_moment(moment, seconds=True) == "1 Jul 2026 08:05:07 UTC"
    assert dates.utc_moment(datetime(2026, 7, 1, 8, 5, tzinfo=UTC)) == "1 Jul 2026 08:05 UTC"


def test_the_desktop_language_does_not_change_the_month_names() -> None:
    for name in ("fr_FR.UTF-8", "de_DE.UTF-8", "C.UTF-8"):
        try:
            previous = locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            assert dates.day(date(2027, 1, 4)) == "4 Jan 2027"
        finally:
            locale.setlocale(locale.LC_TIME, previous)


def test_no_module_formats_dates_its_own_way() -> None:
    """Month and weekday names from ``%b``/``%a`` follow the process locale, and ``%d`` pads
    days with a zero ("02 Oct 2026"); every date shown to a person goes through
    trainer_app.domain.dates. (ISO dates for machines, ``%Y-%m-%d``, are allowed.)"""
    own_way = re.compile(r"\{[^{}]*:[^{}]*%[aAbBe][^{}]*\}|%d %b|strftime\([^)]*%[aAbBe]")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.py")
        if path.name != "dates.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if own_way.search(line)
    ]
    assert offenders == []
