"""A small live chart of the best cost (and the solver's bound) over elapsed time."""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from trainer_app.ui.palette import ACCENT


class CostChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Cost over time")
        self.costs: list[tuple[float, float]] = []  # (elapsed s, best cost)
        self.bounds: list[tuple[float, float]] = []
        self.setMinimumSize(170, 90)

    def sizeHint(self) -> QSize:
        return QSize(320, 110)

    def clear(self) -> None:
        self.costs.clear()
        self.bounds.clear()
        self.update()

    def add(self, elapsed: float, cost: float | None, bound: float | None) -> None:
        if cost is not None and (not self.costs or self.costs[-1][1] != cost):
            self.costs.append((elapsed, cost))
        if bound is not None and (not self.bounds or self.bounds[-1][1] != bound):
            self.bounds.append((elapsed, bound))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        metrics = self.fontMetrics()
        area = QRectF(self.rect()).adjusted(metrics.horizontalAdvance("00000") + 8, 6, -8, -20)
        painter.setPen(QPen(palette.mid().color(), 1))
        painter.drawRect(area)
        if not self.costs:
            painter.setPen(palette.placeholderText().color())
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, "Cost appears here while planning")
            painter.end()
            return
        values = [c for _, c in self.costs] + [b for _, b in self.bounds]
        low, high = min(0.0, *values), max(values)
        high = high if high > low else low + 1
        end = max(t for t, _ in self.costs + self.bounds) or 1.0

        def point(t: float, v: float) -> QPointF:
            return QPointF(
                area.left() + area.width() * t / end,
                area.bottom() - area.height() * (v - low) / (high - low),
            )

        for series, pen in (
            (self.bounds, QPen(palette.placeholderText().color(), 1.2, Qt.PenStyle.DashLine)),
            (self.costs, QPen(ACCENT, 2)),
        ):
            if not series:
                continue
            path = QPainterPath(point(*series[0]))
            for (_, before), (t, v) in pairwise(series):
                path.lineTo(point(t, before))  # steps: the best stays until the next is found
                path.lineTo(point(t, v))
            path.lineTo(point(end, series[-1][1]))
            painter.setPen(pen)
            painter.drawPath(path)
        painter.setPen(palette.text().color())
        painter.drawText(
            QRectF(0, area.top() - 6, area.left() - 4, 16), Qt.AlignmentFlag.AlignRight, f"{high:g}"
        )
        painter.drawText(
            QRectF(0, area.bottom() - 10, area.left() - 4, 16),
            Qt.AlignmentFlag.AlignRight,
            f"{low:g}",
        )
        painter.drawText(
            QRectF(area.left(), area.bottom() + 2, area.width(), 16),
            Qt.AlignmentFlag.AlignRight,
            f"{end:.0f} s",
        )
        painter.end()
