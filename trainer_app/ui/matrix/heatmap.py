"""The compliance heatmap: trainees × courses, each cell a colour, a symbol and a figure.

The model is virtual: it keeps the service's `Matrix` and answers for the cells on screen only,
so 5 000 × 30 opens as fast as 50 × 10.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionHeader,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.records import MatrixStatus, Standing
from trainer_app.services.matrix import Matrix, MatrixCourse, MatrixPerson
from trainer_app.ui.matrix import standing as look

AnyIndex = QModelIndex | QPersistentModelIndex
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1  # MatrixStatus value, or None for a blank cell
REQUIRED_ROLE = Qt.ItemDataRole.UserRole + 2  # does the trainee's role require the course?
NOT_REQUIRED = "Not required for their role; shown lighter"
EMPTY = Matrix((), ())
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def person_words(person: MatrixPerson) -> str:
    parts = [person.reference, person.hub, person.role or "no role", person.organisation]
    return f"{person.name} · " + " · ".join(p for p in parts if p)


class HeatmapModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._matrix = EMPTY

    @property
    def matrix(self) -> Matrix:
        return self._matrix

    def set_matrix(self, matrix: Matrix) -> None:
        self.beginResetModel()
        self._matrix = matrix
        self.endResetModel()

    def person_at(self, row: int) -> MatrixPerson:
        return self._matrix.people[row]

    def course_at(self, column: int) -> MatrixCourse:
        return self._matrix.courses[column]

    def row_of(self, trainee_id: int) -> int | None:
        return next((r for r, p in enumerate(self._matrix.people) if p.id == trainee_id), None)

    def cell(self, row: int, column: int) -> Standing | None:
        return self._matrix.cells.get((row, column))

    def required(self, row: int, column: int) -> bool:
        return (row, column) in self._matrix.required

    def describe(self, row: int, column: int) -> str:
        """The cell in words: ``李伟 · GOWN (Gowning) v4.0 — Expiring soon: expires …``."""
        person, course = self.person_at(row), self.course_at(column)
        cell = self.cell(row, column)
        subject = f"{person.name} · {course.code} ({course.title}) v{course.version}"
        if cell is None:
            return f"{subject} — not required for their role, nothing on record"
        text = f"{subject} — {look.in_words(cell, self._matrix.today, course.version)}"
        return text if self.required(row, column) else f"{text}\n{NOT_REQUIRED}"

    # ----- Qt's model interface --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._matrix.people)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._matrix.courses)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        cell = self._matrix.cells.get((row, column))
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if cell is None else look.short_text(cell, self._matrix.today)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.describe(row, column)
        if role == STATUS_ROLE:  # the value: Qt turns a str enum into plain text
            return None if cell is None else cell.status.value
        if role == REQUIRED_ROLE:
            return (row, column) in self._matrix.required
        if cell is None:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return look.fill(cell.status, (row, column) in self._matrix.required)
        if role == Qt.ItemDataRole.ForegroundRole:
            required = (row, column) in self._matrix.required
            return look.ink(look.fill(cell.status, required))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        count = len(self._matrix.courses) if horizontal else len(self._matrix.people)
        if not 0 <= section < count:
            return None
        if horizontal:
            course = self._matrix.courses[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return course.code
            if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                return f"{course.code} · {course.title} · current version v{course.version}"
            return None
        person = self._matrix.people[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{person.name} · {person.reference}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return person_words(person)
        return None


class HeatmapDelegate(QStyledItemDelegate):
    """A tile per cell: its colour, the symbol from the icon font and the figure beside it;
    missing training is outlined, the current cell framed in the accent colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        rect: QRect = option.rect
        state = option.state
        palette: QPalette = option.palette
        model = index.model()
        assert isinstance(model, HeatmapModel)
        cell = model.cell(index.row(), index.column())
        painter.save()
        tile = rect.adjusted(1, 1, -1, -1)
        if cell is not None:
            status = cell.status
            required = model.required(index.row(), index.column())
            background = look.fill(status, required)
            painter.fillRect(tile, background)
            if status is MatrixStatus.MISSING:
                pen = QPen(look.OUTLINE if required else look.OUTLINE.lighter(130))
                pen.setStyle(Qt.PenStyle.SolidLine if required else Qt.PenStyle.DotLine)
                painter.setPen(pen)
                painter.drawRect(tile.adjusted(0, 0, -1, -1))
            text = look.short_text(cell, model.matrix.today)
            self._symbol_and_figure(painter, tile, status, text, background)
        if state & QStyle.StateFlag.State_Selected or state & QStyle.StateFlag.State_HasFocus:
            pen = QPen(palette.color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()

    def _symbol_and_figure(
        self, painter: QPainter, tile: QRect, status: MatrixStatus, text: str, background: QColor
    ) -> None:
        colour = look.ink(background)
        size = max(10, min(tile.height() - 6, 16))
        ratio = painter.device().devicePixelRatioF()
        symbol = look.symbol_pixmap(status, colour, size, ratio)
        figure = text.partition(" ")[2]
        metrics = painter.fontMetrics()
        gap = 3 if figure else 0
        width = size + gap + metrics.horizontalAdvance(figure)
        left = tile.left() + max(2, (tile.width() - width) // 2)
        painter.drawPixmap(left, tile.top() + (tile.height() - size) // 2, symbol)
        if figure:
            painter.setPen(colour)
            area = QRect(
                left + size + gap, tile.top(), tile.right() - left - size - gap, tile.height()
            )
            painter.drawText(
                area, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, figure
            )

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        return QSize(72, 24)


class PersonHeader(QHeaderView):
    """Row headers: the name on the left, the reference on the right in a quieter colour;
    the current row's name in bold."""

    WIDTH = 270

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setDefaultSectionSize(24)
        self.setFixedWidth(self.WIDTH)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)
        self.setAccessibleName("Trainees")

    def paintSection(self, painter: QPainter, rect: QRect, logical: int) -> None:
        model = self.model()
        if not isinstance(model, HeatmapModel) or not 0 <= logical < model.rowCount():
            super().paintSection(painter, rect, logical)
            return
        person = model.person_at(logical)
        painter.save()
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = logical
        self.style().drawControl(QStyle.ControlElement.CE_HeaderSection, option, painter, self)
        current = self.selectionModel().currentIndex() if self.selectionModel() else None
        font = painter.font()
        if current is not None and current.isValid() and current.row() == logical:
            font.setBold(True)
        painter.setFont(font)
        text = rect.adjusted(8, 0, -8, 0)
        metrics = painter.fontMetrics()
        reference_width = metrics.horizontalAdvance(person.reference)
        palette = self.palette()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        align = Qt.AlignmentFlag.AlignVCenter
        painter.drawText(text, align | Qt.AlignmentFlag.AlignRight, person.reference)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        room = max(0, text.width() - reference_width - 10)
        name = metrics.elidedText(person.name, Qt.TextElideMode.ElideRight, room)
        painter.drawText(text, align | Qt.AlignmentFlag.AlignLeft, name)
        painter.restore()


class HeatmapView(QTableView):
    """Enter or a double-click on a cell or a row header asks for that trainee's record."""

    open_requested = Signal(int)  # row

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Training matrix")
        self.setVerticalHeader(PersonHeader(self))
        self.setItemDelegate(HeatmapDelegate(self))
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the matrix; arrow keys move in it
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        columns.setDefaultSectionSize(78)
        columns.setHighlightSections(True)
        columns.setAccessibleName("Courses")
        self.activated.connect(lambda index: self.open_requested.emit(index.row()))
        self.verticalHeader().sectionDoubleClicked.connect(self.open_requested.emit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter opens the record even on a blank cell or where the style would not activate.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class _Chip(QLabel):
    def __init__(self, status: MatrixStatus | None) -> None:
        super().__init__()
        self.status = status


class MatrixLegend(QWidget):
    """The colours, symbols and how many required cells are in each status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Legend")
        # A narrow window clips the legend rather than growing wider than the screen.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 2, 0, 2)
        rows.setSpacing(2)
        row = QHBoxLayout()
        row.setSpacing(12)
        rows.addLayout(row)
        self.counts: dict[MatrixStatus, QLabel] = {}
        for status in look.LEGEND_ORDER:
            swatch = QLabel()
            swatch.setPixmap(self._swatch(status, required=True))
            swatch.setToolTip(look.MEANINGS[status])
            label = QLabel(status.label)
            label.setAccessibleName(f"Legend {status.label}")
            label.setToolTip(look.MEANINGS[status])
            self.counts[status] = label
            row.addLayout(self._pair(swatch, label))
        lighter = QLabel()
        lighter.setPixmap(self._swatch(MatrixStatus.VALID, required=False))
        note = QLabel("Held, not required")
        note.setAccessibleName("Legend not required")
        note.setToolTip(NOT_REQUIRED)
        row.addLayout(self._pair(lighter, note))
        row.addStretch()
        self.summary = QLabel()
        self.summary.setAccessibleName("Compliance summary")
        rows.addWidget(self.summary)

    @staticmethod
    def _pair(swatch: QLabel, label: QLabel) -> QHBoxLayout:
        pair = QHBoxLayout()
        pair.setSpacing(4)
        pair.addWidget(swatch)
        pair.addWidget(label)
        return pair

    def _swatch(self, status: MatrixStatus, *, required: bool) -> QPixmap:
        ratio = self.devicePixelRatioF()
        size = 18
        pixmap = QPixmap(round(size * ratio), round(size * ratio))
        pixmap.setDevicePixelRatio(ratio)
        background = look.fill(status, required)
        pixmap.fill(background)
        painter = QPainter(pixmap)
        if status is MatrixStatus.MISSING:
            painter.setPen(look.OUTLINE)
            painter.drawRect(0, 0, size - 1, size - 1)
        painter.drawPixmap(3, 3, look.symbol_pixmap(status, look.ink(background), 12, ratio))
        painter.end()
        return pixmap

    def show_counts(self, matrix: Matrix) -> None:
        counts = matrix.counts()
        for status, label in self.counts.items():
            label.setText(f"{status.label} {counts.get(status, 0):,}")
        required = len(matrix.required)
        compliant = sum(n for s, n in counts.items() if s.compliant)
        share = f" ({100 * compliant / required:.0f} %)" if required else ""
        if required:
            text = f"Compliant: {compliant:,} of {required:,} required{share}"
            self.summary.setText(f"{text} · as of {dates.day(matrix.today)}")
        else:
            self.summary.setText("No required training for these trainees" if matrix.people else "")
