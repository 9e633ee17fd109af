"""Text that must fit a box on the certificate: the largest size that fits, in few lines.

A name is set on one line as large as the box allows down to a floor size; only then may it
take a second line (and shrink further, down to a minimum). Nothing is ever drawn larger than
its box: text that cannot fit even at the minimum is refused, never clipped or cut short.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from trainer_app.domain.errors import DomainError
from trainer_app.typesetting.text import paragraph

LEADING = 1.2  # line height as a multiple of the font size
STEP = 0.5  # sizes are tried in half points


class DoesNotFit(DomainError):
    """The text is too long for its place on the certificate, even at the smallest size."""


@dataclass(frozen=True)
class Fitted:
    """A paragraph laid out in ``width``: ``lines`` lines of ``size`` points, ``height`` tall."""

    flowable: Flowable
    size: float
    width: float
    height: float
    lines: int


@dataclass(frozen=True)
class Stage:
    """Sizes from ``largest`` down to ``smallest`` may take at most ``lines`` lines."""

    largest: float
    smallest: float
    lines: int


def fit(
    text: str,
    style: ParagraphStyle,
    width: float,
    height: float,
    stages: Sequence[Stage],
) -> Fitted:
    """The largest size of the first stage at which ``text`` fits ``width`` × ``height`` in
    that stage's lines; `DoesNotFit` if no stage fits, `DomainError` if a character cannot be
    printed."""
    for stage in stages:
        sizes = _sizes(stage)
        largest = _lay_out(text, style, sizes[0], width)
        if largest.lines <= stage.lines and largest.height <= height:
            return largest  # most text fits as large as it may be: one layout only
        # Sizes fit from some point downwards, so search for the first that does.
        low, high = 1, len(sizes)
        found: Fitted | None = None
        while low < high:
            middle = (low + high) // 2
            attempt = _lay_out(text, style, sizes[middle], width)
            if attempt.lines <= stage.lines and attempt.height <= height:
                found, high = attempt, middle
            else:
                low = middle + 1
        if found is not None:
            return found
    raise DoesNotFit(f"“{text}” is too long to print on a certificate; shorten it and try again.")


def _sizes(stage: Stage) -> list[float]:
    count = round((stage.largest - stage.smallest) / STEP)
    return [stage.largest - i * STEP for i in range(count + 1)]


def _lay_out(text: str, style: ParagraphStyle, size: float, width: float) -> Fitted:
    sized = ParagraphStyle(
        f"{style.name}-{size}", parent=style, fontSize=size, leading=size * LEADING
    )
    flowable = paragraph(text, sized)
    _, used = flowable.wrap(width, 10_000)
    return Fitted(
        flowable=flowable,
        size=size,
        width=width,
        height=used,
        lines=max(1, round(used / sized.leading)),
    )
