"""How dates and times are written, everywhere: the window, exports, certificates, the CLI.

One style, British and unambiguous on both sides of the Atlantic: ``4 Jan 2027``, with the
weekday where it helps (``Mon 4 Jan 2027``) and the time of day as ``14:05``. The month and
weekday names are spelled out here rather than taken from ``strftime``: Qt sets the process
locale from the environment, and ``%b`` would then print ``janv.`` on a French desktop.

Qt's own date editors show the same style through `QT_DAY` and `QT_WEEKDAY_DAY`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NONE = "—"

QT_DAY = "d MMM yyyy"  # QDateEdit display formats matching `day` and `weekday_day`
QT_WEEKDAY_DAY = "ddd d MMM yyyy"


def day(value: date) -> str:
    """``4 Jan 2027``."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def day_or_none(value: date | None, none: str = NONE) -> str:
    """``4 Jan 2027``, or ``none`` (a dash) when there is no date."""
    return none if value is None else day(value)


def day_month(value: date) -> str:
    """``4 Jan``: where the year is plain from the context (a week's header)."""
    return f"{value.day} {MONTHS[value.month - 1]}"


def weekday_day(value: date, *, year: bool = True) -> str:
    """``Mon 4 Jan 2027`` (``Mon 4 Jan`` without the year)."""
    text = f"{WEEKDAYS[value.weekday()]} {day_month(value)}"
    return f"{text} {value.year}" if year else text


def span(first: date | None, last: date | None) -> str:
    """``12–14 Jan 2027``, ``29 Jan – 2 Feb 2027``, ``30 Dec 2026 – 3 Jan 2027``, or one day;
    empty when there is no date at all."""
    if first is None or last is None:
        return day(first) if first else day(last) if last else ""
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day(last)}"
    if first.year == last.year:
        return f"{day_month(first)} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def time_of_day(value: datetime) -> str:
    """``14:05``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def moment(value: datetime, *, seconds: bool = False) -> str:
    """``4 Jan 2027 14:05`` (``14:05:09`` with ``seconds``), in the value's own zone."""
    text = f"{day(value.date())} {time_of_day(value)}"
    return f"{text}:{value.second:02d}" if seconds else text


def as_utc(value: datetime) -> datetime:
    """The instant in UTC without a zone (a naive value is taken to be UTC already)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0)


def utc_moment(value: datetime, *, seconds: bool = False) -> str:
    """``4 Jan 2027 14:05 UTC``: a stored instant as the audit trail states it."""
    return f"{moment(as_utc(value), seconds=seconds)} UTC"
