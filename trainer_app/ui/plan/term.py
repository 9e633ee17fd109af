"""The term view of the timeline: every week of the plan across, a bar for each run in each row
and week, labelled with the run's code (beside the bar when the bar is too short for it; lanes
keep labels apart). Double-click or Enter opens that week in the week view."""

from __future__ import annotations

import html
from collections.abc import Sequence
from math import ceil

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QWidget

from trainer_app.domain import dates
from trainer_app.scheduling.scenario import Assignment
from trainer_app.ui.palette import ACCENT, error_colour
from trainer_app.ui.plan.gantt import GanttView
from trainer_app.ui.plan.layout import Stretch, TermLayout, layout_term, length_of, rows_for

MIN_DAY_WIDTH, MAX_DAY_WIDTH = 8, 80
FIT_DAY_WIDTH = 12  # fitting the term never goes narrower (the rest scrolls)
LABEL_GAP = 4


class TermView(GanttView):
    open_requested = Signal(object)  # SessionKey: show it in its week

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Term timeline")
        self.day_px = 20
        self.layout_ = TermLayout((), ())

    # ----- what is shown ---------------------------------------------------------------------
    def _relayout(self) -> None:
        if self.scenario is None:
            self.layout_ = TermLayout((), ())
        else:
            self.measure_labels(rows_for(self.scenario, self.mode, self._names))
            if self.fitting:
                self._fit()
            self.layout_ = layout_term(
                self.scenario, self.plan, self.mode, self.days, self.reach, self._names
            )
        self._rows_laid_out(self.layout_.rows, range(len(self.days.dates)))

    @property
    def day_width(self) -> int:
        return self.day_px

    def zoom(self, factor: float) -> None:
        self.day_px = max(MIN_DAY_WIDTH, min(MAX_DAY_WIDTH, round(self.day_px * factor)))
        self.fitting = False
        self._relayout()

    def fit(self) -> None:
        """Size the days so that the whole term fills the width (no narrower than
        ``FIT_DAY_WIDTH``), and keep doing so."""
        self.fitting = True
        self._relayout()

    def _fit(self) -> bool:
        count = max(1, len(self.days.dates))
        width = max(FIT_DAY_WIDTH, min(MAX_DAY_WIDTH, self.body_width // count))
        changed, self.day_px = width != self.day_px, width
        return changed

    def reach(self, code: str, days: int) -> int:
        """Days taken by a bar of ``days`` days labelled ``code``: the bar, and the label
        beside it when it does not fit inside."""
        if self.label_inside(code, days * self.day_px):
            return days
        text = self.fontMetrics().horizontalAdvance(code) + 2 * LABEL_GAP
        return days + ceil(text / self.day_px)

    def label_inside(self, code: str, width: int) -> bool:
        return self.fontMetrics().horizontalAdvance(code) + 2 * LABEL_GAP + 2 <= width

    def stretch_of(self, key: tuple[str, int]) -> Stretch | None:
        """The bar holding session ``key`` (its first row, if it shows in several)."""
        return next((s for s in self.layout_.stretches if key in {a.key for a in s.sessions}), None)

    def show_session(self, key: tuple[str, int]) -> None:
        """Select the bar holding session ``key`` and bring it into view."""
        stretch = self.stretch_of(key)
        self.select(stretch.key if stretch else None)
        if stretch is not None:
            self.scroll_to(self.bar_rect(stretch))

    # ----- geometry --------------------------------------------------------------------------
    def bar_rect(self, stretch: Stretch) -> QRect:
        """The bar in content coordinates."""
        top = self.row_tops[stretch.row] + stretch.lane * self.lane_height
        x = self.day_x(stretch.first)
        width = (stretch.last - stretch.first + 1) * self.day_px
        return QRect(x + 1, top + 3, width - 2, self.lane_height - 6)

    def rect_of(self, key: tuple[str, int]) -> QRect | None:
        """Where the bar holding session ``key`` is on the viewport."""
        stretch = self.stretch_of(key)
        return self.to_view(self.bar_rect(stretch)) if stretch else None

    def stretch_at(self, point: QPoint) -> Stretch | None:
        """The bar (or its label) at viewport ``point``."""
        if not self.in_body(point):
            return None
        content = self.to_content(point)
        for stretch in self.layout_.stretches:
            rect = self.bar_rect(stretch)
            days = self.reach(stretch.offering, stretch.last - stretch.first + 1)
            rect.setRight(rect.left() + days * self.day_px - 2)
            if rect.contains(content):
                return stretch
        return None

    # ----- painting --------------------------------------------------------------------------
    def _paint_grid(self, painter: QPainter, visible: QRect) -> None:
        palette = self.palette()
        faint = QColor(palette.mid().color())
        faint.setAlpha(60)
        bottom = self.row_tops[-1]
        week_of = self.days.week_of
        for position in range(len(self.days.dates)):
            x = self.day_x(position)
            if x < visible.left() - self.day_px or x > visible.right():
                continue
            starts_week = position == 0 or week_of[position] != week_of[position - 1]
            painter.setPen(QPen(palette.mid().color() if starts_week else faint, 1))
            painter.drawLine(x, 0, x, bottom)

    def _paint_items(self, painter: QPainter, visible: QRect) -> None:
        metrics = self.fontMetrics()
        for stretch in self.layout_.stretches:
            rect = self.bar_rect(stretch)
            reach = rect.adjusted(0, 0, metrics.horizontalAdvance(stretch.offering) + 20, 0)
            if not reach.intersects(visible):
                continue
            self._paint_stretch(painter, stretch, rect)

    def _paint_stretch(self, painter: QPainter, stretch: Stretch, rect: QRect) -> None:
        assert self.scenario is not None
        colour = self.block_colour(stretch.offering)
        offering = self.scenario.offering_by_id[stretch.offering]
        keys = {a.key for a in stretch.sessions}
        if offering.published:
            colour = colour.lighter(135)
        # The span in a pale tint, the days with a session in full colour.
        pale = QColor(colour)
        pale.setAlpha(90)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pale)
        painter.drawRoundedRect(QRectF(rect), 3, 3)
        painter.setBrush(colour)
        for day in {self.days.position[a.day] for a in stretch.sessions}:
            left = self.day_x(day) + 1
            painter.drawRoundedRect(QRectF(left, rect.top(), self.day_px - 2, rect.height()), 3, 3)
        if keys & set(self._violations):
            pen = QPen(error_colour(), 2.5)
        elif self.selected in keys:
            pen = QPen(ACCENT.darker(130), 2.5)
        else:
            pen = QPen(colour.darker(150), 1)
        if offering.published:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect), 3, 3)
        if self.label_inside(stretch.offering, rect.width()):
            painter.setPen(QColor("#111111"))
            text_rect = rect.adjusted(LABEL_GAP, 0, -LABEL_GAP, 0)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, stretch.offering)
        else:
            painter.setPen(self.palette().text().color())
            width = self.fontMetrics().horizontalAdvance(stretch.offering) + LABEL_GAP
            text_rect = QRect(rect.right() + LABEL_GAP, rect.top(), width, rect.height())
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, stretch.offering)

    def _paint_header(self, painter: QPainter) -> None:
        palette = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height() + 8
        for positions in self.days.weeks:
            x = self.day_x(positions[0])
            width = len(positions) * self.day_px
            first = self.days.dates[positions[0]]
            number = first.isocalendar().week
            painter.setPen(palette.windowText().color())
            for text in (f"Week {number} · {dates.day_month(first)}", dates.day_month(first)):
                if metrics.horizontalAdvance(text) <= width - 6:
                    break
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 6)
            painter.drawText(QRect(x + 3, 0, width - 6, line), Qt.AlignmentFlag.AlignVCenter, text)
            painter.setPen(QPen(palette.mid().color(), 1))
            painter.drawLine(x, 0, x, self.header_height)
        for position, day in enumerate(self.days.dates):
            if position in self.holidays:
                self.paint_holiday_header(painter, position, line, self.header_height - line)
            letter = dates.WEEKDAYS[day.weekday()][0]
            if self.day_px >= metrics.horizontalAdvance("W") + 2:
                painter.setPen(palette.placeholderText().color())
                painter.drawText(
                    QRect(self.day_x(position), line, self.day_px, line),
                    Qt.AlignmentFlag.AlignCenter,
                    letter,
                )

    # ----- tooltips --------------------------------------------------------------------------
    def item_tooltip(self, point: QPoint) -> str:
        stretch = self.stretch_at(point)
        return self.tooltip(stretch) if stretch is not None else ""

    def tooltip(self, stretch: Stretch) -> str:
        assert self.scenario is not None
        s = self.scenario
        offering = s.offering_by_id[stretch.offering]
        cohorts = ", ".join(c.id for c in s.cohorts_of.get(stretch.offering, ())) or "none"
        lines = [
            f"<b>{html.escape(stretch.offering)}</b> · {html.escape(offering.course)}",
            f"Cohorts: {html.escape(cohorts)} · {offering.attendees} attendees",
        ]
        lines += [html.escape(self._session_line(a)) for a in stretch.sessions]
        if offering.published:
            lines.append("Published with another plan: shown so that this plan fits around it")
        if {a.key for a in stretch.sessions} & set(self._violations):
            lines.append(f"<span style='color:{error_colour().name()}'>Breaks a hard rule</span>")
        lines.append("<i>Double-click or Enter: open this week</i>")
        return "<br>".join(lines)

    def _session_line(self, a: Assignment) -> str:
        assert self.scenario is not None
        calendar = self.scenario.calendar
        offering = self.scenario.offering_by_id[a.offering]
        end = a.period + length_of(self.scenario, a)
        labels = calendar.period_labels
        until = f"–{labels[end]}" if labels and end < len(labels) else ""
        trainer = self._names.get(a.trainer, a.trainer)
        return (
            f"Session {a.session + 1}/{offering.sessions}: {calendar.label(a.day, a.period)}"
            f"{until}, {a.facility}, {trainer}"
        )

    # ----- mouse and keyboard ----------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        stretch = self.stretch_at(event.position().toPoint())
        self.select(stretch.key if stretch else None)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        event.accept()  # the press selected; nothing is dragged in the term view

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        stretch = self.stretch_at(event.position().toPoint())
        if stretch is not None:
            self.select(stretch.key)
            self.open_requested.emit(stretch.key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected is not None:
            self.open_requested.emit(self.selected)
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Left) and not event.modifiers():
            self._step_selection(1 if key == Qt.Key.Key_Right else -1)
        else:
            super().keyPressEvent(event)

    def _step_selection(self, step: int) -> None:
        ordered: Sequence[Stretch] = sorted(
            self.layout_.stretches, key=lambda s: (s.row, s.first, s.lane, s.offering)
        )
        if not ordered:
            return
        keys = [s.key for s in ordered]
        at = keys.index(self.selected) if self.selected in keys else -step
        chosen = ordered[(at + step) % len(ordered)]
        self.select(chosen.key)
        self.scroll_to(self.bar_rect(chosen))
