"""Short lists of plain records (runs, a roster, results): the model, the table, the tab."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.ui.columns import ColumnFitter, ColumnRole

T = TypeVar("T")
AnyIndex = QModelIndex | QPersistentModelIndex

# Problems that are not about one field, as the record dialogs show them.
BANNER_STYLE = (
    "QLabel { background: #FFF4E5; color: #5C3200; border: 1px solid #E69F00;"
    " border-radius: 4px; padding: 8px; }"
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 10
RECORD_ROLE = Qt.ItemDataRole.UserRole + 11

_ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_TEXT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: its title, the text of a record in it, and optionally a tooltip and the
    value to sort by (the text otherwise)."""

    title: str
    text: Callable[[T], str]
    tip: Callable[[T], str] | None = None
    sort: Callable[[T], Any] | None = None
    numeric: bool = False
    key: bool = False  # says what the row is (a code, a name): never cut
    optional: bool = False  # left out when the table is too narrow (the tooltips say it)


def muted_colour() -> QColor:
    """The colour of text that is there but not in play (withdrawn people, unpublished runs)."""
    return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)


class RowsModel(QAbstractTableModel, Generic[T]):
    """Rows of ``T``; ``muted(record)`` greys a row out (it stays selectable)."""

    def __init__(
        self, columns: Sequence[Column[T]], muted: Callable[[T], bool] | None = None
    ) -> None:
        super().__init__()
        self.columns = list(columns)
        self._muted = muted
        self._rows: list[T] = []

    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace(self, row: int, record: T) -> None:
        self._rows[row] = record
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def record(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole and self.columns[section].numeric:
            return int(_ALIGN_NUMBER)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tip(record) if column.tip else column.text(record)
        if role == SORT_ROLE:
            return column.sort(record) if column.sort else column.text(record).casefold()
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_ALIGN_NUMBER if column.numeric else _ALIGN_TEXT)
        muted = self._muted is not None and self._muted(record)
        if role == Qt.ItemDataRole.ForegroundRole and muted:
            return muted_colour()
        if role == Qt.ItemDataRole.FontRole and muted:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


def empty_label(text: str, name: str) -> QLabel:
    """An empty state: what is missing and what to do next, centred and quiet."""
    label = QLabel(text)
    label.setAccessibleName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
    return label


def column_fitter(view: QTableView, columns: Sequence[Column[Any]] = ()) -> ColumnFitter:
    """Fits ``view``'s columns (``columns``, or its `RowsModel`'s) by the window's one rule
    (trainer_app.ui.columns)."""
    if not columns:
        model = view.model()
        assert isinstance(model, RowsModel)
        columns = model.columns
    return ColumnFitter(view, [ColumnRole(c.numeric, c.key, c.optional) for c in columns])


class ListTab(QWidget):
    """Buttons above a table, or an empty state in its place."""

    selection_changed = Signal()

    def __init__(self, view: QTableView, empty: QLabel, buttons: list[QPushButton]) -> None:
        super().__init__()
        self.view, self.empty = view, empty
        self.columns = column_fitter(view)
        self.counts = QLabel()
        self.stack = QStackedWidget()
        self.stack.addWidget(view)
        self.stack.addWidget(empty)
        self.counts.setStyleSheet("color: palette(placeholder-text);")
        bar = QHBoxLayout()
        for button in buttons:
            bar.addWidget(button)
        bar.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.counts)
        view.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())

    def show_rows(self, empty_text: str) -> None:
        model = self.view.model()
        if model.rowCount():
            self.stack.setCurrentWidget(self.view)
            self.columns.fit()  # again when shown: a hidden tab has no width yet
        else:
            self.empty.setText(empty_text)
            self.stack.setCurrentWidget(self.empty)

    def selected_record(self) -> object:
        selection = self.view.selectionModel()
        index = selection.currentIndex()
        if not index.isValid() or not selection.isRowSelected(index.row()):
            return None
        return index.siblingAtColumn(0).data(RECORD_ROLE)

    def select_where(self, wanted: object) -> None:
        model = self.view.model()
        for row in range(model.rowCount()):
            if model.index(row, 0).data(RECORD_ROLE) == wanted:
                self.view.selectRow(row)
                return
