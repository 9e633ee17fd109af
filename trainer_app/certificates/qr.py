"""The QR code of a certificate: ReportLab's QR encoder (the one behind ``QrCodeWidget``) at
error correction level M, drawn onto the canvas as vector squares.

Two things are done here rather than by ``QrCodeWidget``, for speed (a batch may hold a
thousand certificates) with the same symbol:

- the mask pattern is chosen with the four penalty rules of ISO/IEC 18004 computed on rows
  and columns held as integers and strings, instead of on lists of booleans (ReportLab's
  choice took two thirds of the encoding time);
- the dark modules are written as one filled path of whole-module rectangles in module units,
  instead of one shape object each: a tenth of the time, a compact page, and no hairline
  seams between modules when a viewer anti-aliases them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel, QRUtil
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 requires
_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")
_MASKS: dict[int, list[list[int]]] = {}  # by symbol size: computing them takes longer than a mask


@dataclass(frozen=True)
class QrSymbol:
    """The modules of one QR code, row by row from the top: ``"1"`` is dark."""

    rows: tuple[str, ...]

    @property
    def modules(self) -> int:
        return len(self.rows)


class _Encoder(QRCode):  # type: ignore[misc]
    def getBestMaskPattern(self) -> int:
        self.makeImpl(True, 0)
        count = self.moduleCount
        base = [_bits(row) for row in self.modules]
        masks = _mask_rows(count, self.dataPosIterator())
        penalties = [
            _penalty(
                [row ^ m0 ^ mk for row, m0, mk in zip(base, masks[0], masks[k], strict=True)], count
            )
            for k in range(8)
        ]
        return min(range(8), key=penalties.__getitem__)


def encode(text: str) -> QrSymbol:
    """The smallest QR version that holds ``text`` at level M, with the best mask pattern."""
    code = _Encoder(None, QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return QrSymbol(tuple("".join("1" if dark else "0" for dark in row) for row in code.modules))


def draw(canvas: Canvas, symbol: QrSymbol, x: float, y: float, size: float) -> float:
    """Draw ``symbol`` with its quiet zone in the square of side ``size`` whose lower left
    corner is (``x``, ``y``); returns the side of one module."""
    count = symbol.modules
    module = size / (count + 2 * QUIET_ZONE)
    operators = [
        f"{run.start()} {count - 1 - r} {run.end() - run.start()} 1 re"
        for r, row in enumerate(symbol.rows)
        for run in re.finditer("1+", row)
    ]
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)  # the quiet zone stays white on any paper
    canvas.setFillColorRGB(0, 0, 0)
    canvas.translate(x + QUIET_ZONE * module, y + QUIET_ZONE * module)
    canvas.scale(module, module)
    # ReportLab has no call for a path in its own units; the operators are PDF's own.
    canvas.addLiteral("\n".join([*operators, "f"]))
    canvas.restoreState()
    return module


def _bits(row: Sequence[bool | None]) -> int:
    return int("".join("1" if dark else "0" for dark in row), 2)


def _mask_rows(count: int, positions: Sequence[tuple[int, int]]) -> list[list[int]]:
    """For each of the 8 mask patterns, the rows (as integers, leftmost module the highest bit)
    of the data modules it inverts; the same for every symbol of a size."""
    if count in _MASKS:
        return _MASKS[count]
    masks = []
    for pattern in range(8):
        inverts = QRUtil.getMask(pattern)
        rows = [0] * count
        for col, row in positions:
            if inverts(row, col):
                rows[row] |= 1 << (count - 1 - col)
        masks.append(rows)
    _MASKS[count] = masks
    return masks


def _penalty(rows: list[int], count: int) -> int:
    """The ISO/IEC 18004 penalty of a masked symbol: runs of five or more, 2×2 blocks,
    finder-like patterns, and an unbalanced share of dark modules."""
    lines = [format(row, f"0{count}b") for row in rows]
    columns = ["".join(column) for column in zip(*lines, strict=True)]
    score = 0
    for line in (*lines, *columns):
        score += sum(len(run) - 2 for run in _RUN.findall(line))
        score += 40 * len(_FINDER_LIKE.findall(line))
    pairs = (1 << (count - 1)) - 1  # a module and its right-hand neighbour
    for upper, lower in itertools.pairwise(rows):
        dark = upper & lower & (upper >> 1) & (lower >> 1)
        light = ~(upper | lower | (upper >> 1) | (lower >> 1)) & pairs
        score += 3 * (dark.bit_count() + light.bit_count())
    dark_share = 100 * sum(row.bit_count() for row in rows) // (count * count)
    return score + 10 * (abs(dark_share - 50) // 5)
