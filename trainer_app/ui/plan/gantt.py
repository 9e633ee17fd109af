"""What the week and term views of the timeline share: rows with their labels on the left, days
across with a header on top, both of which stay put while the body scrolls under them, and
unavailable time (leave, closures, bank holidays) shaded with its reason on hover.

Everything is painted on the viewport: the body is drawn in *content* coordinates (origin at
the top left of the first row's first day) and moved by the scroll bars; the label column and
the header move along one axis only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QToolTip, QWidget

from trainer_app.domain.planning import Unavailable
from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.ui.plan.layout import Days, Row, Shade, holidays_shown, shading, shown_days

SessionKey = tuple[str, int]
MAX_LABEL_WIDTH, MIN_LABEL_WIDTH = 180, 90
UNKNOWN_COLOUR = QColor("#BBBBBB")
BLOCK_FONT_SCALE = 0.9
MODE_TITLES = {"trainer": "Trainers", "facility": "Facilities", "hub": "Hubs", "cohort": "Cohorts"}


class GanttView(QAbstractScrollArea):
    """Subclasses lay out their items in ``_relayout`` (setting ``rows`` and ``shown``), give
    ``day_width``, and paint their items and header."""

    selection_changed = Signal(object)  # SessionKey | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # Always there, so that fitting the days to the width cannot make it come and go.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scenario: Scenario | None = None
        self.plan: Plan | None = None
        self.mode = "trainer"
        self.selected: SessionKey | None = None
        self.days = Days((), ())
        self.shown: tuple[int, ...] = ()  # the positions (in ``days``) shown, left to right
        self.rows: tuple[Row, ...] = ()
        self.row_tops: list[int] = [0]
        self.shades: dict[tuple[int, int], Shade] = {}
        self.holidays: dict[int, str] = {}
        self.label_width = MAX_LABEL_WIDTH
        self.fitting = True  # follow the viewport's width until the user zooms
        self._column_of: dict[int, int] = {}
        self._colours: Mapping[str, QColor] = {}
        self._names: Mapping[str, str] = {}
        self._unavailable: Sequence[Unavailable] = ()
        self._violations: Collection[SessionKey] = frozenset()
        self._locked: Collection[SessionKey] = frozenset()

    # ----- what is shown ---------------------------------------------------------------------
    def set_plan(
        self,
        scenario: Scenario | None,
        plan: Plan | None,
        *,
        colours: Mapping[str, QColor] | None = None,
        violations: Collection[SessionKey] = (),
        names: Mapping[str, str] | None = None,
        unavailable: Sequence[Unavailable] | None = None,
    ) -> None:
        """Show ``plan``; ``colours`` maps offering ids to their course category's colour,
        ``names`` trainer ids to people's names, ``unavailable`` says why time is unavailable.
        Those left out stay as they were."""
        before = self.scenario.calendar if self.scenario else None
        new_calendar = scenario is None or scenario.calendar != before
        self.scenario, self.plan = scenario, plan
        self._colours = colours if colours is not None else self._colours
        self._names = names if names is not None else self._names
        self._unavailable = unavailable if unavailable is not None else self._unavailable
        self._violations = frozenset(violations)
        self._locked = frozenset(scenario.lock_by_session) if scenario else frozenset()
        self.days = shown_days(scenario.calendar) if scenario else Days((), ())
        self._plan_changed(new_calendar)
        self._relayout()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self._relayout()

    def select(self, key: SessionKey | None) -> None:
        if key != self.selected:
            self.selected = key
            self.selection_changed.emit(key)
            self.viewport().update()

    def _plan_changed(self, new_calendar: bool) -> None:
        """A new plan is shown (``new_calendar``: on other days than before)."""

    def _relayout(self) -> None:
        raise NotImplementedError

    def _rows_laid_out(self, rows: Sequence[Row], shown: Sequence[int]) -> None:
        """Subclasses call this from ``_relayout`` with their rows (lanes counted) and days."""
        self.rows, self.shown = tuple(rows), tuple(shown)
        self._column_of = {p: i for i, p in enumerate(self.shown)}
        tops, y = [], 0
        for row in self.rows:
            tops.append(y)
            y += row.lanes * self.lane_height
        self.row_tops = [*tops, y]
        self.measure_labels(self.rows)
        self.holidays = holidays_shown(self.days, self._unavailable)
        if self.scenario is None:
            self.shades = {}
        else:
            self.shades = shading(self.scenario, self.mode, self.rows, self.days, self._unavailable)
        if self.fitting:
            self._fit()
        self._update_scrollbars()
        self.viewport().update()

    def measure_labels(self, rows: Sequence[Row]) -> None:
        """Make the label column as wide as the longest row label, within limits."""
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(r.label) for r in rows), default=0)
        title = metrics.horizontalAdvance(MODE_TITLES.get(self.mode, ""))
        self.label_width = max(MIN_LABEL_WIDTH, min(MAX_LABEL_WIDTH, max(widest, title) + 20))

    # ----- geometry --------------------------------------------------------------------------
    @property
    def lane_height(self) -> int:
        return self.fontMetrics().height() + 14

    @property
    def header_height(self) -> int:
        return 2 * (self.fontMetrics().height() + 8)

    @property
    def day_width(self) -> int:
        raise NotImplementedError

    @property
    def periods_per_day(self) -> int:
        return self.scenario.calendar.periods_per_day if self.scenario else 1

    @property
    def content_width(self) -> int:
        return len(self.shown) * self.day_width

    @property
    def body_width(self) -> int:
        """The width the days get on screen."""
        return max(1, self.viewport().width() - self.label_width)

    def _fit(self) -> bool:
        """Size the days to the viewport's width (within readable limits); True if that
        changed their width."""
        return False

    def day_x(self, column: int) -> int:
        """The content x of the ``column``-th day shown."""
        return column * self.day_width

    def column_of(self, position: int) -> int | None:
        return self._column_of.get(position)

    def to_view(self, rect: QRect) -> QRect:
        """A body rectangle in content coordinates, where it is on the viewport."""
        return rect.translated(self._origin())

    def to_content(self, point: QPoint) -> QPoint:
        return point - self._origin()

    def _origin(self) -> QPoint:
        return QPoint(
            self.label_width - self.horizontalScrollBar().value(),
            self.header_height - self.verticalScrollBar().value(),
        )

    def row_at(self, y: int) -> int | None:
        """The row at content ``y``."""
        tops = self.row_tops
        return next((i for i in range(len(tops) - 1) if tops[i] <= y < tops[i + 1]), None)

    def in_body(self, point: QPoint) -> bool:
        return point.x() >= self.label_width and point.y() >= self.header_height

    def _update_scrollbars(self) -> None:
        width, height = self.body_width, self.viewport().height() - self.header_height
        bar = self.horizontalScrollBar()
        bar.setRange(0, max(0, self.content_width - width))
        bar.setPageStep(width)
        bar.setSingleStep(max(8, self.day_width // 2))
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, self.row_tops[-1] - height))
        bar.setPageStep(max(1, height))
        bar.setSingleStep(self.lane_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting and self._fit():
            self._relayout()
        else:
            self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()  # the header and labels stay; everything is repainted

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
        else:
            super().wheelEvent(event)

    def zoom(self, factor: float) -> None:
        raise NotImplementedError

    def scroll_to(self, rect: QRect) -> None:
        """Scroll so that the content ``rect`` is in view."""
        for bar, low, high, room in (
            (self.horizontalScrollBar(), rect.left(), rect.right(), self.body_width),
            (
                self.verticalScrollBar(),
                rect.top(),
                rect.bottom(),
                self.viewport().height() - self.header_height,
            ),
        ):
            if low < bar.value():
                bar.setValue(low)
            elif high > bar.value() + room:
                bar.setValue(min(low, high - room + 1))

    # ----- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        width, height = self.viewport().width(), self.viewport().height()
        painter.fillRect(event.rect(), palette.base())
        origin = self._origin()
        body = QRect(self.label_width, self.header_height, width, height)
        visible = body.translated(-origin)

        painter.save()
        painter.setClipRect(body)
        painter.translate(origin)
        self._paint_rows(painter, visible)
        self._paint_shades(painter, visible)
        self._paint_grid(painter, visible)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_items(painter, visible)
        painter.restore()

        painter.save()
        painter.setClipRect(QRect(0, self.header_height, self.label_width, height))
        painter.translate(0, origin.y())
        self._paint_labels(painter, visible)
        painter.restore()

        painter.fillRect(QRect(0, 0, width, self.header_height), palette.window())
        painter.save()
        painter.setClipRect(QRect(self.label_width, 0, width, self.header_height))
        painter.translate(origin.x(), 0)
        if self.scenario is not None:
            self._paint_header(painter)
        painter.restore()

        line = QPen(palette.mid().color(), 1)
        painter.setPen(line)
        painter.drawLine(0, self.header_height, width, self.header_height)
        painter.drawLine(self.label_width, 0, self.label_width, height)
        painter.setPen(palette.windowText().color())
        painter.drawText(
            QRect(8, 0, self.label_width - 12, self.header_height),
            Qt.AlignmentFlag.AlignVCenter,
            MODE_TITLES.get(self.mode, ""),
        )
        painter.end()

    def _paint_rows(self, painter: QPainter, visible: QRect) -> None:
        palette = self.palette()
        for i in range(len(self.rows)):
            top, bottom = self.row_tops[i], self.row_tops[i + 1]
            if i % 2 and bottom >= visible.top() and top <= visible.bottom():
                painter.fillRect(
                    visible.left(), top, visible.width(), bottom - top, palette.alternateBase()
                )

    def _paint_labels(self, painter: QPainter, visible: QRect) -> None:
        palette = self.palette()
        painter.setPen(palette.text().color())
        metrics = self.fontMetrics()
        for i, row in enumerate(self.rows):
            top, bottom = self.row_tops[i], self.row_tops[i + 1]
            if bottom < visible.top() or top > visible.bottom():
                continue
            if i % 2:
                painter.fillRect(0, top, self.label_width, bottom - top, palette.alternateBase())
            text = metrics.elidedText(row.label, Qt.TextElideMode.ElideRight, self.label_width - 16)
            # A tall row scrolled half out of sight keeps its name at the top of what shows.
            y = min(max(top, visible.top()), bottom - self.lane_height)
            painter.drawText(
                QRect(8, y, self.label_width - 12, self.lane_height),
                Qt.AlignmentFlag.AlignVCenter,
                text,
            )

    def shade_brushes(self) -> tuple[QColor, QBrush]:
        """The fill and hatching of unavailable time."""
        mid = QColor(self.palette().mid().color())
        fill = QColor(mid)
        fill.setAlpha(70)
        hatch = QColor(mid.darker(130))
        hatch.setAlpha(120)
        return fill, QBrush(hatch, Qt.BrushStyle.BDiagPattern)

    def _paint_shades(self, painter: QPainter, visible: QRect) -> None:
        fill, hatch = self.shade_brushes()
        ppd, width = self.periods_per_day, self.day_width
        for (row, position), shade in self.shades.items():
            column = self._column_of.get(position)
            if column is None:
                continue
            top, bottom = self.row_tops[row], self.row_tops[row + 1]
            x = self.day_x(column)
            if bottom < visible.top() or top > visible.bottom() or x > visible.right():
                continue
            if len(shade.periods) >= ppd:
                spans = [(x, width)]
            else:
                spans = [
                    (x + p * width // ppd, (p + 1) * width // ppd - p * width // ppd)
                    for p in sorted(shade.periods)
                ]
            for left, span in spans:
                painter.fillRect(left, top, span, bottom - top, fill)
                painter.fillRect(left, top, span, bottom - top, hatch)

    def _paint_grid(self, painter: QPainter, visible: QRect) -> None:
        painter.setPen(QPen(self.palette().mid().color(), 1))
        bottom = self.row_tops[-1]
        for column in range(len(self.shown)):
            x = self.day_x(column)
            painter.drawLine(x, 0, x, bottom)

    def _paint_items(self, painter: QPainter, visible: QRect) -> None:
        raise NotImplementedError

    def _paint_header(self, painter: QPainter) -> None:
        raise NotImplementedError

    def paint_holiday_header(self, painter: QPainter, column: int, top: int, height: int) -> None:
        fill, hatch = self.shade_brushes()
        x = self.day_x(column)
        painter.fillRect(x, top, self.day_width, height, fill)
        painter.fillRect(x, top, self.day_width, height, hatch)

    def block_font(self) -> QFont:
        """Blocks and bars say their run's code a little smaller than the rest."""
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * BLOCK_FONT_SCALE)
        return font

    def block_metrics(self) -> QFontMetrics:
        return QFontMetrics(self.block_font())

    def block_colour(self, offering: str) -> QColor:
        return QColor(self._colours.get(offering, UNKNOWN_COLOUR))

    # ----- tooltips --------------------------------------------------------------------------
    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, point: QPoint) -> str:
        """What hovering at viewport ``point`` tells: an item, the reason time is unavailable,
        a bank holiday in the header, or a row's whole name."""
        content = self.to_content(point)
        if point.y() < self.header_height:
            if point.x() < self.label_width:
                return ""
            column = content.x() // max(1, self.day_width)
            if 0 <= column < len(self.shown):
                return self.holidays.get(self.shown[column], "")
            return ""
        row = self.row_at(content.y())
        if row is None:
            return ""
        if point.x() < self.label_width:
            return self.rows[row].label
        item = self.item_tooltip(point)
        if item:
            return item
        return self.shade_tooltip(row, content.x())

    def shade_tooltip(self, row: int, x: int) -> str:
        column = x // max(1, self.day_width)
        if not 0 <= column < len(self.shown):
            return ""
        shade = self.shades.get((row, self.shown[column]))
        if shade is None:
            return ""
        ppd = self.periods_per_day
        period = (x - self.day_x(column)) * ppd // max(1, self.day_width)
        return "\n".join(shade.reasons) if period in shade.periods else ""

    def item_tooltip(self, point: QPoint) -> str:
        raise NotImplementedError
