"""The timeline (Gantt): one week, rows by trainer, facility, hub or cohort, sessions as blocks.

A painted widget rather than a QGraphicsScene: only the shown week is laid out (a few hundred
blocks at most even for a 1500-session term), and painting is clipped to what is exposed.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QMenu, QToolTip, QWidget

from trainer_app.domain import dates
from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.ui import icons
from trainer_app.ui.palette import ACCENT, error_colour
from trainer_app.ui.plan.layout import (
    Block,
    WeekLayout,
    layout_week,
    week_label,
    week_of,
    weeks,
)

SessionKey = tuple[str, int]
LABEL_WIDTH = 190  # room for a trainer's name and hub
MIN_PERIOD_WIDTH, MAX_PERIOD_WIDTH = 18, 180
UNKNOWN_COLOUR = QColor("#BBBBBB")
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


class TimelineView(QWidget):
    selection_changed = Signal(object)  # SessionKey | None
    move_requested = Signal(object)  # Drop
    lock_requested = Signal(object)  # SessionKey
    where_requested = Signal(object)  # SessionKey
    week_changed = Signal(str)  # the week's label

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Timeline")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.scenario: Scenario | None = None
        self.plan: Plan | None = None
        self.mode = "trainer"
        self.period_width = 44
        self.selected: SessionKey | None = None
        self._colours: Mapping[str, QColor] = {}
        self._violations: Collection[SessionKey] = frozenset()
        self._locked: Collection[SessionKey] = frozenset()
        self._weeks: list[tuple[int, ...]] = []
        self.week = 0
        self.layout_: WeekLayout = WeekLayout((), (), ())
        self._row_tops: list[int] = []
        self._press: tuple[QPoint, Block, int] | None = None
        self.drop: Drop | None = None
        self._lock_icon = icons.icon("lock")

    # ----- what is shown ---------------------------------------------------------------------
    def set_plan(
        self,
        scenario: Scenario | None,
        plan: Plan | None,
        *,
        colours: Mapping[str, QColor] | None = None,
        violations: Collection[SessionKey] = (),
        names: Mapping[str, str] | None = None,
    ) -> None:
        """Show ``plan``; ``colours`` maps offering ids to their course category's colour,
        ``names`` trainer ids to people's names."""
        changed_horizon = (
            scenario is None
            or self.scenario is None
            or (scenario.calendar != self.scenario.calendar)
        )
        self.scenario, self.plan = scenario, plan
        self._colours = colours if colours is not None else self._colours
        self._names = names if names is not None else getattr(self, "_names", {})
        self._violations = frozenset(violations)
        self._locked = frozenset(scenario.lock_by_session) if scenario else frozenset()
        self._weeks = weeks(scenario.calendar) if scenario else []
        if changed_horizon:
            self.week = self._first_busy_week()
        self.week = max(0, min(self.week, len(self._weeks) - 1))
        self._relayout()

    def _first_busy_week(self) -> int:
        if self.scenario is None or not self.plan or not self.plan.assignments:
            return 0
        first = min(a.day for a in self.plan.assignments)
        return self.scenario.calendar.week_of_day[first]

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._relayout()

    def set_week(self, week: int) -> None:
        if self._weeks:
            self.week = max(0, min(week, len(self._weeks) - 1))
        self._relayout()

    def next_week(self) -> None:
        self.set_week(self.week + 1)

    def previous_week(self) -> None:
        self.set_week(self.week - 1)

    def this_week(self, today: date | None = None) -> None:
        if self.scenario is not None:
            self.set_week(week_of(self.scenario.calendar, today or date.today()))

    def zoom(self, factor: float) -> None:
        width = round(self.period_width * factor)
        self.period_width = max(MIN_PERIOD_WIDTH, min(MAX_PERIOD_WIDTH, width))
        self._resize()
        self.update()

    def fit(self, available: int, minimum: int = 20) -> None:
        """Zoom so that a whole week fits ``available`` pixels, but no narrower than
        ``minimum`` per period (text stays readable; the rest scrolls)."""
        columns = max(1, len(self.layout_.days) * self.periods_per_day)
        self.period_width = max(
            minimum, min(MAX_PERIOD_WIDTH, (available - LABEL_WIDTH) // columns)
        )
        self._resize()
        self.update()

    @property
    def label(self) -> str:
        if self.scenario is None or not self._weeks:
            return "No plan"
        return week_label(self.scenario.calendar, self._weeks[self.week])

    def select(self, key: SessionKey | None) -> None:
        if key != self.selected:
            self.selected = key
            self.selection_changed.emit(key)
            self.update()

    def show_session(self, key: SessionKey) -> None:
        """Go to the week of a session and select it."""
        if self.plan is None or self.scenario is None:
            return
        for assignment in self.plan.assignments:
            if assignment.key == key:
                self.set_week(self.scenario.calendar.week_of_day[assignment.day])
                break
        self.select(key)

    def _relayout(self) -> None:
        days = self._weeks[self.week] if self._weeks else ()
        if self.scenario is None:
            self.layout_ = WeekLayout((), (), ())
        else:
            self.layout_ = layout_week(self.scenario, self.plan, self.mode, days, self._names)
        tops, y = [], self.header_height
        for row in self.layout_.rows:
            tops.append(y)
            y += row.lanes * self.lane_height
        self._row_tops = [*tops, y]
        self._resize()
        self.update()
        self.week_changed.emit(self.label)

    # ----- geometry --------------------------------------------------------------------------
    @property
    def lane_height(self) -> int:
        return self.fontMetrics().height() + 14

    @property
    def header_height(self) -> int:
        return 2 * (self.fontMetrics().height() + 8)

    @property
    def periods_per_day(self) -> int:
        return self.scenario.calendar.periods_per_day if self.scenario else 1

    def _resize(self) -> None:
        columns = len(self.layout_.days) * self.periods_per_day
        self.setMinimumSize(
            LABEL_WIDTH + max(1, columns) * self.period_width + 1, self._row_tops[-1] + 1
        )
        self.updateGeometry()

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def _x(self, column: int, period: int) -> int:
        return LABEL_WIDTH + (column * self.periods_per_day + period) * self.period_width

    def block_rect(self, block: Block) -> QRect:
        top = self._row_tops[block.row] + block.lane * self.lane_height
        x = self._x(block.column, block.period)
        return QRect(x + 1, top + 3, block.length * self.period_width - 2, self.lane_height - 6)

    def rect_of(self, key: SessionKey, row_key: str | None = None) -> QRect | None:
        """Where a session is drawn this week (in ``row_key``'s row if it shows in several)."""
        for block in self.layout_.blocks:
            if block.assignment.key == key and (
                row_key is None or self.layout_.rows[block.row].key == row_key
            ):
                return self.block_rect(block)
        return None

    def slot_point(self, row_key: str, day: int, period: int) -> QPoint:
        """The centre of a (row, day, period) cell, for tests and keyboard-free checks."""
        row = next(i for i, r in enumerate(self.layout_.rows) if r.key == row_key)
        column = self.layout_.days.index(day)
        x = self._x(column, period) + self.period_width // 2
        return QPoint(x, self._row_tops[row] + self.lane_height // 2)

    def block_at(self, point: QPoint) -> Block | None:
        for block in self.layout_.blocks:
            if self.block_rect(block).contains(point):
                return block
        return None

    def _slot_at(self, point: QPoint) -> tuple[int, int] | None:
        """(row, period slot counted from the first day) under ``point``."""
        rows = self._row_tops
        row = next((i for i in range(len(rows) - 1) if rows[i] <= point.y() < rows[i + 1]), None)
        if row is None or not self.layout_.days:
            return None
        slot = (point.x() - LABEL_WIDTH) // self.period_width
        return row, slot

    # ----- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        clip = event.rect()
        palette = self.palette()
        painter.fillRect(clip, palette.base())
        self._paint_rows(painter, clip)
        for block in self.layout_.blocks:
            rect = self.block_rect(block)
            if rect.intersects(clip):
                self._paint_block(painter, block, rect)
        self._paint_drop(painter)
        self._paint_header(painter)
        painter.end()

    def _paint_rows(self, painter: QPainter, clip: QRect) -> None:
        palette = self.palette()
        grid = QColor(palette.mid().color())
        grid.setAlpha(90)
        ppd, width = self.periods_per_day, self.width()
        for i, row in enumerate(self.layout_.rows):
            top, bottom = self._row_tops[i], self._row_tops[i + 1]
            if bottom < clip.top() or top > clip.bottom():
                continue
            if i % 2:
                painter.fillRect(0, top, width, bottom - top, palette.alternateBase())
            painter.setPen(palette.text().color())
            text = self.fontMetrics().elidedText(
                row.label, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 16
            )
            painter.drawText(
                QRect(8, top, LABEL_WIDTH - 12, self.lane_height),
                Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        bottom = self._row_tops[-1]
        for column in range(len(self.layout_.days)):
            for period in range(ppd):
                x = self._x(column, period)
                painter.setPen(QPen(palette.mid().color() if period == 0 else grid, 1))
                painter.drawLine(x, self.header_height, x, bottom)
        painter.setPen(QPen(palette.mid().color(), 1))
        painter.drawLine(LABEL_WIDTH, self.header_height, LABEL_WIDTH, bottom)

    def _paint_header(self, painter: QPainter) -> None:
        """The header stays at the top of what is visible while the rows scroll."""
        if self.scenario is None:
            return
        top = self.visibleRegion().boundingRect().top()
        palette = self.palette()
        line = self.fontMetrics().height() + 8
        painter.fillRect(0, top, self.width(), self.header_height, palette.window())
        calendar, ppd = self.scenario.calendar, self.periods_per_day
        day_width = ppd * self.period_width
        for column, day in enumerate(self.layout_.days):
            x = self._x(column, 0)
            painter.setPen(palette.windowText().color())
            text = dates.weekday_day(calendar.days[day], year=False)
            painter.drawText(QRect(x, top, day_width, line), Qt.AlignmentFlag.AlignCenter, text)
            for period in range(ppd):
                label = (
                    calendar.period_labels[period] if calendar.period_labels else str(period + 1)
                )
                if self.fontMetrics().horizontalAdvance(label) > self.period_width - 2:
                    label = label.split(":")[0]  # "09" when "09:00" does not fit
                label = self.fontMetrics().elidedText(
                    label, Qt.TextElideMode.ElideRight, self.period_width - 2
                )
                painter.setPen(palette.placeholderText().color())
                painter.drawText(
                    QRect(self._x(column, period), top + line, self.period_width, line),
                    Qt.AlignmentFlag.AlignCenter,
                    label,
                )
            painter.setPen(QPen(palette.mid().color(), 1))
            painter.drawLine(x, top, x, top + self.header_height)
        painter.drawLine(0, top + self.header_height, self.width(), top + self.header_height)
        title = {"trainer": "Trainers", "facility": "Facilities", "hub": "Hubs"}
        painter.setPen(palette.windowText().color())
        painter.drawText(
            QRect(8, top, LABEL_WIDTH - 8, self.header_height),
            Qt.AlignmentFlag.AlignVCenter,
            title.get(self.mode, "Cohorts"),
        )

    def _paint_block(self, painter: QPainter, block: Block, rect: QRect) -> None:
        key = block.assignment.key
        colour = QColor(self._colours.get(key[0], UNKNOWN_COLOUR))
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
        text_rect = rect.adjusted(5, 0, -4, 0)
        if key in self._locked:
            size = min(14, rect.height() - 4)
            self._lock_icon.paint(
                painter, QRect(rect.right() - size - 3, rect.top() + 2, size, size)
            )
            text_rect.setRight(rect.right() - size - 5)
        painter.setPen(QColor("#111111"))
        text = self.block_text(block)
        if self.fontMetrics().horizontalAdvance(text) > text_rect.width():
            text = self.short_text(block)  # "ASEP 2/3" says more than "ASEP-2027-…"
        text = self.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, max(0, text_rect.width())
        )
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_drop(self, painter: QPainter) -> None:
        if self.drop is None or self._press is None:
            return
        block = self._press[1]
        row = block.row
        if self.drop.row_key is not None:
            row = next(
                (i for i, r in enumerate(self.layout_.rows) if r.key == self.drop.row_key), row
            )
        ghost = Block(
            block.assignment,
            row,
            0,
            self.layout_.days.index(self.drop.day),
            self.drop.period,
            block.length,
        )
        rect = self.block_rect(ghost)
        painter.setBrush(QColor(self._colours.get(block.assignment.offering, UNKNOWN_COLOUR)))
        painter.setPen(QPen(ACCENT, 2, Qt.PenStyle.DashLine))
        painter.drawRoundedRect(QRectF(rect), 4, 4)

    def block_text(self, block: Block) -> str:
        offering, session = block.assignment.key
        total = self.scenario.offering_by_id[offering].sessions if self.scenario else 0
        return f"{offering} · {session + 1}/{total}"

    def short_text(self, block: Block) -> str:
        """The course code and session number, for blocks too narrow for the run's code."""
        offering, session = block.assignment.key
        run = self.scenario.offering_by_id.get(offering) if self.scenario else None
        if run is None:
            return f"{offering} {session + 1}"
        return f"{run.course} {session + 1}/{run.sessions}"

    # ----- tooltips --------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            block = self.block_at(event.pos())
            if block is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip(block), self)
            return True
        return super().event(event)

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
        lines = [
            f"<b>{html.escape(offering.course)}</b> · {html.escape(a.offering)}",
            f"Session {a.session + 1} of {offering.sessions}",
            html.escape(when),
            f"Facility: {html.escape(a.facility)}",
            f"Trainer: {html.escape(a.trainer)}",
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
            grab = (point.x() - self._x(block.column, block.period)) // self.period_width
            self._press = (point, block, grab)
        super().mousePressEvent(event)

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
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drop, press = self.drop, self._press
        if drop is not None and press is not None:
            point = event.position().toPoint()
            drop = self._drop_at(point, press[1], press[2]) or drop
        self.drop, self._press = None, None
        self.update()
        if drop is not None and press is not None:
            a = press[1].assignment
            own = self.layout_.rows[press[1].row].key
            unmoved = (drop.day, drop.period) == (a.day, a.period) and drop.row_key in (None, own)
            if not unmoved:
                self.move_requested.emit(drop)

    def _drop_at(self, point: QPoint, block: Block, grab: int) -> Drop | None:
        found = self._slot_at(point)
        if found is None:
            return None
        row, slot = found
        ppd, days = self.periods_per_day, self.layout_.days
        column = max(0, min(len(days) - 1, slot // ppd if slot >= 0 else 0))
        period = max(0, min(ppd - block.length, slot - column * ppd - grab))
        row_key = self.layout_.rows[row].key if self.mode in ROW_MODES_MOVING_ROWS else None
        return Drop(block.assignment.key, days[column], period, row_key)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_PageDown:
            self.next_week()
        elif key == Qt.Key.Key_PageUp:
            self.previous_week()
        elif key == Qt.Key.Key_Escape and self.drop is not None:
            self.drop, self._press = None, None
            self.update()
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

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
        else:
            super().wheelEvent(event)

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
