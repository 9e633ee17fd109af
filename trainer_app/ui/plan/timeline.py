"""The week view of the timeline (Gantt): one week, rows by trainer, facility, hub or cohort,
sessions as blocks that can be dragged, nudged from the keyboard, locked and moved elsewhere.

Only the shown week is laid out (a few hundred blocks at most even for a 1500-session term), and
painting is clipped to what is exposed. The term view (term.py) shows every week at once.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from math import ceil

from PySide6.QtCore import QPoint, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from trainer_app.domain import dates
from trainer_app.ui import icons
from trainer_app.ui.palette import ACCENT, error_colour
from trainer_app.ui.plan.gantt import GanttView, SessionKey
from trainer_app.ui.plan.layout import (
    Block,
    WeekLayout,
    layout_week,
    short_codes,
    week_label,
)

__all__ = ["Drop", "SessionKey", "TimelineView"]

MIN_PERIOD_WIDTH, MAX_PERIOD_WIDTH = 18, 180
FIT_PERIOD_WIDTH = (24, 40)  # fitting a week keeps periods this wide (see ``fit_minimum``)
TEXT_LEFT, TEXT_RIGHT = 3, 2  # a block's text from its edges
ROW_MODES_MOVING_ROWS = ("trainer", "facility")  # a drop on another row changes who/where

# Alt+arrow moves the selected session: (days, periods).
NUDGES: dict[int, tuple[int, int]] = {
    Qt.Key.Key_Left.value: (-1, 0),
    Qt.Key.Key_Right.value: (1, 0),
    Qt.Key.Key_Up.value: (0, -1),
    Qt.Key.Key_Down.value: (0, 1),
}


@dataclass(frozen=True)
class Drop:
    """Where a dragged session would land."""

    key: SessionKey
    day: int
    period: int
    row_key: str | None  # the new trainer or facility; None keeps the session's own


class TimelineView(GanttView):
    move_requested = Signal(object)  # Drop
    lock_requested = Signal(object)  # SessionKey
    where_requested = Signal(object)  # SessionKey
    week_changed = Signal(str)  # the week's label
    refused = Signal(str)  # why a session was not dropped where it was let go

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Week timeline")
        self.period_width = 44
        self.week = 0
        self.layout_ = WeekLayout((), (), (), ())
        self._short: dict[str, str] = {}
        self._press: tuple[QPoint, Block, int] | None = None
        self.drop: Drop | None = None
        self._lock_icon = icons.icon("lock")

    # ----- what is shown ---------------------------------------------------------------------
    def _plan_changed(self, new_calendar: bool) -> None:
        scenario = self.scenario
        self._short = short_codes(o.id for o in scenario.offerings) if scenario else {}
        if new_calendar:
            self.week = self._first_busy_week()
        self.week = max(0, min(self.week, len(self.days.weeks) - 1))

    def _first_busy_week(self) -> int:
        if not self.plan or not self.plan.assignments:
            return 0
        first = min(a.day for a in self.plan.assignments)
        return self.days.week_of[self.days.position[first]]

    def set_week(self, week: int) -> None:
        if self.days.weeks:
            self.week = max(0, min(week, len(self.days.weeks) - 1))
        self._relayout()

    def next_week(self) -> None:
        self.set_week(self.week + 1)

    def previous_week(self) -> None:
        self.set_week(self.week - 1)

    def this_week(self, today: date | None = None) -> None:
        if self.scenario is not None:
            self.set_week(self.days.week_showing(today or date.today()))

    def zoom(self, factor: float) -> None:
        width = round(self.period_width * factor)
        self.period_width = max(MIN_PERIOD_WIDTH, min(MAX_PERIOD_WIDTH, width))
        self.fitting = False
        self._update_scrollbars()
        self.viewport().update()

    def fit(self) -> None:
        """Size the periods so that the week fills the width (no narrower than
        ``FIT_PERIOD_WIDTH``, so blocks stay readable; the rest scrolls), and keep doing so."""
        self.fitting = True
        self._relayout()

    def _fit(self) -> bool:
        columns = max(1, len(self.shown) * self.periods_per_day)
        width = max(self.fit_minimum(), min(MAX_PERIOD_WIDTH, self.body_width // columns))
        changed, self.period_width = width != self.period_width, width
        return changed

    def fit_minimum(self) -> int:
        """The narrowest period that lets every run's block show at least its short code
        (``GOWN…01``), within ``FIT_PERIOD_WIDTH``: the rest of the week scrolls."""
        low, high = FIT_PERIOD_WIDTH
        if self.scenario is None:
            return low
        metrics = self.block_metrics()
        margins = TEXT_LEFT + TEXT_RIGHT + 2
        needed = max(
            (
                ceil((metrics.horizontalAdvance(self._short[o.id]) + margins) / o.session_length)
                for o in self.scenario.offerings
            ),
            default=low,
        )
        return max(low, min(high, needed))

    @property
    def day_width(self) -> int:
        return self.period_width * self.periods_per_day

    @property
    def label(self) -> str:
        if self.scenario is None or not self.days.weeks:
            return "No plan"
        return week_label(self.days, self.week)

    def show_session(self, key: SessionKey) -> None:
        """Go to the week of a session, select it and bring it into view."""
        if self.plan is None or self.scenario is None:
            return
        for assignment in self.plan.assignments:
            if assignment.key == key:
                position = self.days.position.get(assignment.day)
                if position is not None:
                    self.set_week(self.days.week_of[position])
                break
        self.select(key)
        block = next((b for b in self.layout_.blocks if b.assignment.key == key), None)
        if block is not None:
            self.scroll_to(self.block_rect(block))

    def _relayout(self) -> None:
        positions = self.days.weeks[self.week] if self.days.weeks else ()
        if self.scenario is None:
            self.layout_ = WeekLayout((), (), (), ())
        else:
            self.layout_ = layout_week(
                self.scenario, self.plan, self.mode, self.days, self.week, self._names
            )
        self._rows_laid_out(self.layout_.rows, positions)
        self.week_changed.emit(self.label)

    # ----- geometry (content coordinates unless said otherwise) ------------------------------
    def _x(self, column: int, period: int) -> int:
        return column * self.day_width + period * self.period_width

    def block_rect(self, block: Block) -> QRect:
        top = self.row_tops[block.row] + block.lane * self.lane_height
        x = self._x(block.column, block.period)
        return QRect(x + 1, top + 3, block.length * self.period_width - 2, self.lane_height - 6)

    def rect_of(self, key: SessionKey, row_key: str | None = None) -> QRect | None:
        """Where a session is drawn on the viewport this week (in ``row_key``'s row if it shows
        in several)."""
        for block in self.layout_.blocks:
            if block.assignment.key == key and (
                row_key is None or self.layout_.rows[block.row].key == row_key
            ):
                return self.to_view(self.block_rect(block))
        return None

    def slot_point(self, row_key: str, day: int, period: int) -> QPoint:
        """The centre of a (row, day, period) cell on the viewport."""
        row = next(i for i, r in enumerate(self.layout_.rows) if r.key == row_key)
        column = self.layout_.columns.index(day)
        x = self._x(column, period) + self.period_width // 2
        return self.to_view(QRect(x, self.row_tops[row] + self.lane_height // 2, 1, 1)).topLeft()

    def block_at(self, point: QPoint) -> Block | None:
        """The block at viewport ``point``."""
        if not self.in_body(point):
            return None
        content = self.to_content(point)
        for block in self.layout_.blocks:
            if self.block_rect(block).contains(content):
                return block
        return None

    def _slot_at(self, point: QPoint) -> tuple[int, int] | None:
        """(row, period slot counted from the first day) under viewport ``point``."""
        content = self.to_content(point)
        row = self.row_at(content.y())
        if row is None or not self.layout_.columns:
            return None
        return row, content.x() // self.period_width

    # ----- painting --------------------------------------------------------------------------
    def _paint_grid(self, painter: QPainter, visible: QRect) -> None:
        palette = self.palette()
        faint = QColor(palette.mid().color())
        faint.setAlpha(90)
        bottom = self.row_tops[-1]
        for column in range(len(self.shown)):
            for period in range(self.periods_per_day):
                x = self._x(column, period)
                painter.setPen(QPen(palette.mid().color() if period == 0 else faint, 1))
                painter.drawLine(x, 0, x, bottom)

    def _paint_items(self, painter: QPainter, visible: QRect) -> None:
        for block in self.layout_.blocks:
            rect = self.block_rect(block)
            if rect.intersects(visible):
                self._paint_block(painter, block, rect)
        self._paint_drop(painter)

    def _paint_header(self, painter: QPainter) -> None:
        assert self.scenario is not None
        palette = self.palette()
        metrics = self.fontMetrics()
        line = metrics.height() + 8
        calendar, ppd = self.scenario.calendar, self.periods_per_day
        for column, day in enumerate(self.layout_.dates):
            x = self._x(column, 0)
            holiday = self.holidays.get(self.shown[column])
            if holiday:
                self.paint_holiday_header(painter, column, 0, self.header_height)
            painter.setPen(palette.windowText().color())
            text = metrics.elidedText(
                dates.weekday_day(day, year=False), Qt.TextElideMode.ElideRight, self.day_width - 4
            )
            painter.drawText(QRect(x, 0, self.day_width, line), Qt.AlignmentFlag.AlignCenter, text)
            painter.setPen(palette.placeholderText().color())
            if holiday:
                name = metrics.elidedText(
                    holiday.split(": ", 1)[-1], Qt.TextElideMode.ElideRight, self.day_width - 4
                )
                painter.drawText(
                    QRect(x, line, self.day_width, line), Qt.AlignmentFlag.AlignCenter, name
                )
            else:
                for period in range(ppd):
                    label = (
                        calendar.period_labels[period]
                        if calendar.period_labels
                        else str(period + 1)
                    )
                    if metrics.horizontalAdvance(label) > self.period_width - 2:
                        label = label.split(":")[0]  # "09" when "09:00" does not fit
                    label = metrics.elidedText(
                        label, Qt.TextElideMode.ElideRight, self.period_width - 2
                    )
                    painter.drawText(
                        QRect(self._x(column, period), line, self.period_width, line),
                        Qt.AlignmentFlag.AlignCenter,
                        label,
                    )
            painter.setPen(QPen(palette.mid().color(), 1))
            painter.drawLine(x, 0, x, self.header_height)

    def _paint_block(self, painter: QPainter, block: Block, rect: QRect) -> None:
        key = block.assignment.key
        colour = self.block_colour(key[0])
        dragging = self.drop is not None and self.drop.key == key
        context = self.scenario is not None and self.scenario.offering_by_id[key[0]].published
        if dragging:
            colour.setAlpha(90)
        painter.setBrush(colour.lighter(135) if context else colour)
        if key in self._violations:
            pen = QPen(error_colour(), 2.5)
        elif key == self.selected:
            pen = QPen(ACCENT.darker(130), 2.5)
        else:
            pen = QPen(colour.darker(150), 1)
        if context:
            pen.setStyle(Qt.PenStyle.DashLine)  # published with another plan: context only
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(rect), 4, 4)
        text_rect = rect.adjusted(TEXT_LEFT, 0, -TEXT_RIGHT, 0)
        if key in self._locked:
            size = min(14, rect.height() - 4)
            self._lock_icon.paint(
                painter, QRect(rect.right() - size - 3, rect.top() + 2, size, size)
            )
            text_rect.setRight(rect.right() - size - 5)
        painter.setPen(QColor("#111111"))
        painter.setFont(self.block_font())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignVCenter, self.fitting_text(block, text_rect.width())
        )
        painter.setFont(self.font())

    def _paint_drop(self, painter: QPainter) -> None:
        if self.drop is None or self._press is None:
            return
        block = self._press[1]
        row = block.row
        if self.drop.row_key is not None:
            row = next(
                (i for i, r in enumerate(self.layout_.rows) if r.key == self.drop.row_key), row
            )
        column = self.layout_.columns.index(self.drop.day)
        ghost = Block(block.assignment, row, 0, column, self.drop.period, block.length)
        painter.setBrush(self.block_colour(block.assignment.offering))
        painter.setPen(QPen(ACCENT, 2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(QRectF(self.block_rect(ghost)), 4, 4)

    def block_text(self, block: Block) -> str:
        """The run's code and which session this is: ``ASEP-2027-01 · 2/3``."""
        offering, session = block.assignment.key
        total = self.scenario.offering_by_id[offering].sessions if self.scenario else 0
        return f"{offering} · {session + 1}/{total}"

    def fitting_text(self, block: Block, width: int) -> str:
        """What a block of ``width`` pixels can say: the code and session, the code, a shorter
        code that still tells the run apart (``GOWN…01``), else the code's start."""
        code = block.assignment.offering
        metrics = self.block_metrics()
        for text in (self.block_text(block), code, self._short.get(code, code)):
            if metrics.horizontalAdvance(text) <= width:
                return text
        return metrics.elidedText(code, Qt.TextElideMode.ElideRight, max(0, width))

    # ----- tooltips --------------------------------------------------------------------------
    def item_tooltip(self, point: QPoint) -> str:
        block = self.block_at(point)
        return self.tooltip(block) if block is not None else ""

    def tooltip(self, block: Block) -> str:
        assert self.scenario is not None
        a, s = block.assignment, self.scenario
        offering = s.offering_by_id[a.offering]
        cal = s.calendar
        end = a.period + block.length
        until = cal.period_labels[end] if cal.period_labels and end < len(cal.period_labels) else ""
        when = cal.label(a.day, a.period) + (f"–{until}" if until else "")
        if not until and block.length > 1:
            when += f" ({block.length} periods)"
        cohorts = ", ".join(c.id for c in s.cohorts_of.get(a.offering, ())) or "none"
        trainer = self._names.get(a.trainer, a.trainer)
        lines = [
            f"<b>{html.escape(a.offering)}</b> · {html.escape(offering.course)}",
            f"Session {a.session + 1} of {offering.sessions}",
            html.escape(when),
            f"Facility: {html.escape(a.facility)}",
            f"Trainer: {html.escape(trainer)}",
            f"Cohorts: {html.escape(cohorts)} · {offering.attendees} attendees",
        ]
        if offering.published:
            lines.append("Published with another plan: shown so that this plan fits around it")
        elif a.key in self._locked:
            lines.append("Locked: re-planning keeps it here")
        if a.key in self._violations:
            lines.append(f"<span style='color:{error_colour().name()}'>Breaks a hard rule</span>")
        return "<br>".join(lines)

    # ----- mouse and keyboard ----------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = event.position().toPoint()
        block = self.block_at(point)
        self.select(block.assignment.key if block else None)
        if block is not None and event.button() == Qt.MouseButton.LeftButton:
            content = self.to_content(point)
            grab = (content.x() - self._x(block.column, block.period)) // self.period_width
            self._press = (point, block, grab)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        point = event.position().toPoint()
        start, block, grab = self._press
        if self.drop is None and (
            (point - start).manhattanLength() < QApplication.startDragDistance()
        ):
            return
        self.drop = self._drop_at(point, block, grab) or self.drop
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drop, press = self.drop, self._press
        if drop is not None and press is not None:
            point = event.position().toPoint()
            closed = self._closed_day_at(point)
            if closed:
                drop = None
                self.refused.emit(closed)
            else:
                drop = self._drop_at(point, press[1], press[2]) or drop
        self.drop, self._press = None, None
        self.viewport().update()
        if drop is not None and press is not None:
            a = press[1].assignment
            own = self.layout_.rows[press[1].row].key
            unmoved = (drop.day, drop.period) == (a.day, a.period) and drop.row_key in (None, own)
            if not unmoved:
                self.move_requested.emit(drop)

    def _closed_day_at(self, point: QPoint) -> str:
        """Why nothing can be planned on the day at viewport ``point`` (a bank holiday, outside
        the plan's dates); empty for a day of the plan."""
        column = self.to_content(point).x() // max(1, self.day_width)
        if (
            not (0 <= column < len(self.layout_.columns))
            or self.layout_.columns[column] is not None
        ):
            return ""
        reason = self.holidays.get(self.shown[column], "")
        return (
            f"Nothing can be planned on {dates.weekday_day(self.layout_.dates[column])}: {reason}"
        )

    def _drop_at(self, point: QPoint, block: Block, grab: int) -> Drop | None:
        """Where ``block`` would land with the mouse at viewport ``point``; None off the rows
        or on a day nothing can be planned on (a bank holiday: its shading says so)."""
        found = self._slot_at(point)
        if found is None:
            return None
        row, slot = found
        ppd, columns = self.periods_per_day, self.layout_.columns
        column = max(0, min(len(columns) - 1, slot // ppd if slot >= 0 else 0))
        day = columns[column]
        if day is None:
            return None
        period = max(0, min(ppd - block.length, slot - column * ppd - grab))
        row_key = self.layout_.rows[row].key if self.mode in ROW_MODES_MOVING_ROWS else None
        return Drop(block.assignment.key, day, period, row_key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_PageDown and not event.modifiers():
            self.next_week()
        elif key == Qt.Key.Key_PageUp and not event.modifiers():
            self.previous_week()
        elif key == Qt.Key.Key_Escape and self.drop is not None:
            self.drop, self._press = None, None
            self.viewport().update()
        elif key in NUDGES and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self._nudge(*NUDGES[key])
        elif key in (Qt.Key.Key_Right, Qt.Key.Key_Left):
            self._step_selection(1 if key == Qt.Key.Key_Right else -1)
        else:
            super().keyPressEvent(event)

    def _nudge(self, days: int, periods: int) -> None:
        """Keyboard move: the selected session a day (Alt+←/→) or a period (Alt+↑/↓) along;
        the page checks it like a drop."""
        block = next((b for b in self.layout_.blocks if b.assignment.key == self.selected), None)
        if block is not None:
            a = block.assignment
            self.move_requested.emit(Drop(a.key, a.day + days, a.period + periods, None))

    def _step_selection(self, step: int) -> None:
        ordered = sorted(
            self.layout_.blocks, key=lambda b: (b.row, b.column, b.period, b.assignment.key)
        )
        if not ordered:
            return
        keys = [b.assignment.key for b in ordered]
        at = keys.index(self.selected) if self.selected in keys else -step
        self.select(keys[(at + step) % len(keys)])
        block = ordered[(at + step) % len(keys)]
        self.scroll_to(self.block_rect(block))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        block = self.block_at(event.pos())
        if block is None:
            return
        key = block.assignment.key
        self.select(key)
        menu = QMenu(self)
        locked = key in self._locked
        lock = menu.addAction(
            icons.icon("unlock" if locked else "lock"), "Unlock" if locked else "Lock in place"
        )
        lock.setShortcut("Ctrl+L")
        where = menu.addAction(icons.icon("where"), "Where could this go?")
        where.setShortcut("Ctrl+G")
        chosen = menu.exec(event.globalPos())
        if chosen is lock:
            self.lock_requested.emit(key)
        elif chosen is where:
            self.where_requested.emit(key)
