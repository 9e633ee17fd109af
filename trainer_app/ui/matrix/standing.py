"""How a training standing looks and reads: a colour, a symbol and words, always together, so
nobody has to tell colours apart (Okabe–Ito hues, safe with the common colour deficiencies)."""

from __future__ import annotations

import functools
from datetime import date
from html import escape

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPixmap

from trainer_app.domain import dates
from trainer_app.domain.records import MatrixStatus, Standing
from trainer_app.ui import icons

SYMBOLS = {
    MatrixStatus.VALID: "✓",
    MatrixStatus.EXPIRING: "!",
    MatrixStatus.EXPIRED: "✗",
    MatrixStatus.RETRAIN: "↻",
    MatrixStatus.DUE: "⧗",
    MatrixStatus.ENROLLED: "→",
    MatrixStatus.MISSING: "–",
}

COLOURS = {
    MatrixStatus.VALID: QColor("#009E73"),  # bluish green
    MatrixStatus.EXPIRING: QColor("#E69F00"),  # orange
    MatrixStatus.EXPIRED: QColor("#D55E00"),  # vermillion
    MatrixStatus.RETRAIN: QColor("#CC79A7"),  # reddish purple
    MatrixStatus.DUE: QColor("#F0E442"),  # yellow: may still work, must comply by a date
    MatrixStatus.ENROLLED: QColor("#56B4E9"),  # sky blue
    MatrixStatus.MISSING: QColor("#E4E7EB"),  # light grey, drawn with an outline
}

# Best first, as people read a legend; the domain orders worst first.
LEGEND_ORDER = (
    MatrixStatus.VALID,
    MatrixStatus.EXPIRING,
    MatrixStatus.DUE,
    MatrixStatus.ENROLLED,
    MatrixStatus.RETRAIN,
    MatrixStatus.EXPIRED,
    MatrixStatus.MISSING,
)

MEANINGS = {
    MatrixStatus.VALID: "Valid: the current version completed, in date",
    MatrixStatus.EXPIRING: "Expiring soon: in date, expires within the days set above "
    "(the figure is the days left)",
    MatrixStatus.DUE: "Retrain due: a new requirement or version took effect; compliant until "
    "the date shown",
    MatrixStatus.ENROLLED: "Enrolled: no valid completion yet, booked on a coming run",
    MatrixStatus.RETRAIN: "Retrain (new version): completed an older version of the course "
    "(the figure is the version held)",
    MatrixStatus.EXPIRED: "Expired: the last completion is out of date",
    MatrixStatus.MISSING: "Missing: required by the role, never completed",
}

OUTLINE = QColor("#8A939E")
_DARK_INK = QColor("#111418")
_LIGHT_INK = QColor("#FFFFFF")


def days_left(standing: Standing, today: date) -> int | None:
    return None if standing.expires_on is None else (standing.expires_on - today).days


def short_text(standing: Standing, today: date) -> str:
    """What a matrix cell shows: the symbol, and for some statuses a figure that matters."""
    symbol = SYMBOLS[standing.status]
    if standing.status is MatrixStatus.EXPIRING:
        return f"{symbol} {days_left(standing, today)} d"
    if standing.status is MatrixStatus.RETRAIN and standing.version:
        return f"{symbol} v{standing.version}"
    if standing.status is MatrixStatus.DUE and standing.due_on is not None:
        return f"{symbol} {dates.day_month(standing.due_on)}"
    return symbol


def in_words(standing: Standing, today: date, current_version: str = "") -> str:
    """``Expiring soon: expires 10 Dec 2026 (in 17 days)``."""
    status, expires = standing.status, standing.expires_on
    if status is MatrixStatus.VALID:
        detail = f"expires {dates.day(expires)}" if expires else "does not expire"
    elif status is MatrixStatus.EXPIRING:
        left = days_left(standing, today)
        detail = f"expires {dates.day(expires) if expires else '—'} (in {_days(left or 0)})"
    elif status is MatrixStatus.EXPIRED:
        detail = f"not valid since {dates.day(expires)}" if expires else "no longer valid"
    elif status is MatrixStatus.RETRAIN:
        held = f"v{standing.version}" if standing.version else "an older version"
        now = f"; the course is now v{current_version}" if current_version else ""
        detail = f"completed {held}{now}"
    elif status is MatrixStatus.DUE:
        held = f"holds v{standing.version}; " if standing.version else ""
        detail = f"{held}by {dates.day(standing.due_on)}" if standing.due_on else held
        return f"Retrain due {detail}"
    elif status is MatrixStatus.ENROLLED:
        detail = "booked on a coming run"
        if standing.version:
            detail += f"; last completed v{standing.version}"
    else:
        detail = "never completed"
    return f"{status.label}: {detail}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _blend(colour: QColor, base: QColor, share: float) -> QColor:
    """``share`` of ``colour`` over ``base``."""
    return QColor(
        round(colour.red() * share + base.red() * (1 - share)),
        round(colour.green() * share + base.green() * (1 - share)),
        round(colour.blue() * share + base.blue() * (1 - share)),
    )


def _base() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base)


def fill(status: MatrixStatus, required: bool = True) -> QColor:
    """The cell's background; training held but not required by the role is lighter."""
    colour = COLOURS[status]
    base = _base()
    if status is MatrixStatus.MISSING and base.lightness() < 128:
        colour = _blend(QColor("#FFFFFF"), base, 0.16)  # a light grey reads as glare on dark
    return colour if required else _blend(colour, base, 0.38)


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def ink(background: QColor) -> QColor:
    """Near-black or white, whichever contrasts more with ``background``."""
    light = _luminance(background)
    on_dark = 1.05 / (light + 0.05)
    on_light = (light + 0.05) / (_luminance(_DARK_INK) + 0.05)
    return QColor(_DARK_INK) if on_light >= on_dark else QColor(_LIGHT_INK)


@functools.cache
def _symbol(status: MatrixStatus, colour: int, size: int, ratio: float) -> QPixmap:
    source = icons.icon(f"status_{status.value}").pixmap(QSize(size, size), ratio)
    tinted = QPixmap(source.size())
    tinted.setDevicePixelRatio(source.devicePixelRatio())
    tinted.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tinted)
    painter.drawPixmap(0, 0, source)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(tinted.rect(), QColor.fromRgba(colour))
    painter.end()
    return tinted


def symbol_pixmap(status: MatrixStatus, colour: QColor, size: int, ratio: float) -> QPixmap:
    """The status symbol drawn from the icon font (so it never depends on a system font)."""
    return _symbol(status, colour.rgba(), size, ratio)


def chip_html(status: MatrixStatus) -> str:
    """The status in words on its colour, for rich text."""
    background = COLOURS[status]
    return (
        f"<span style='background-color:{background.name()}; color:{ink(background).name()}'>"
        f"&nbsp;{escape(SYMBOLS[status])}&nbsp;{escape(status.label)}&nbsp;</span>"
    )
