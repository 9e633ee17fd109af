"""A lazy table over a services ``TableSource``: it holds ids only and fetches cells by page.

Filtering and sorting happen in SQL (``query_ids``); the model never walks every row in Python,
so 50 000 trainees open as fast as 50.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from trainer_app.domain import dates
from trainer_app.services.tables import Cell, ColumnInfo, TableSource

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1

# Given a column key and its raw cell value, the decoration to show (e.g. a colour chip).
Decorator = Callable[[str, Cell], Any]
AnyIndex = QModelIndex | QPersistentModelIndex

_ALIGN_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ALIGN_TEXT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


def display_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return dates.moment(value)
    if isinstance(value, date):
        return dates.day(value)
    if isinstance(value, float | Decimal):
        return f"{value:g}"
    return str(value)


class LazyTableModel(QAbstractTableModel):
    def __init__(self, source: TableSource, decorator: Decorator | None = None) -> None:
        super().__init__()
        self._source = source
        self._decorator = decorator
        self._columns: list[ColumnInfo] = list(source.columns)
        self._ids: list[int] = []
        self._cache: dict[int, tuple[Cell, ...]] = {}
        self._text = ""
        self._filters: dict[str, int] = {}
        self._sort_key: str | None = None
        self._descending = False
        self._loaded = False

    # ----- queries ---------------------------------------------------------------------------
    @property
    def columns(self) -> list[ColumnInfo]:
        return list(self._columns)

    @property
    def filter_text(self) -> str:
        return self._text

    def id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int | None:
        try:
            return self._ids.index(record_id)
        except ValueError:
            return None

    # ----- changing what is shown ------------------------------------------------------------
    def set_query(self, text: str = "", filters: Mapping[str, int] | None = None) -> None:
        self._text = text.strip()
        self._filters = dict(filters or {})
        self.refresh()

    def refresh(self) -> None:
        """Re-read ids and forget cached cells (the store may have changed)."""
        self.beginResetModel()
        self._ids = self._query()
        self._cache.clear()
        self._loaded = True
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self._sort_key = self._columns[column].key
        self._descending = order == Qt.SortOrder.DescendingOrder
        if not self._loaded:
            return
        self.layoutAboutToBeChanged.emit()
        before = [(index, self.id_at(index.row())) for index in self.persistentIndexList()]
        self._ids = self._query()
        self._cache.clear()
        rows = {record_id: row for row, record_id in enumerate(self._ids)} if before else {}
        for index, record_id in before:
            row = rows.get(record_id) if record_id is not None else None
            target = self.index(row, index.column()) if row is not None else QModelIndex()
            self.changePersistentIndex(index, target)
        self.layoutChanged.emit()

    def _query(self) -> list[int]:
        return self._source.query_ids(self._text, self._sort_key, self._descending, self._filters)

    # ----- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole and self._columns[section].numeric:
            return int(_ALIGN_NUMBER)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        column = self._columns[index.column()]
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_ALIGN_NUMBER if column.numeric else _ALIGN_TEXT)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.DecorationRole,
        ):
            return None
        cells = self._cells(index.row())
        value = cells[index.column()] if index.column() < len(cells) else None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decorator(column.key, value) if self._decorator else None
        return display_text(value)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def _cells(self, row: int) -> tuple[Cell, ...]:
        record_id = self._ids[row]
        if record_id not in self._cache:
            start = row - row % PAGE_SIZE
            page = self._ids[start : start + PAGE_SIZE]
            fetched = self._source.row_cells(page)
            for page_id in page:
                self._cache[page_id] = fetched.get(page_id, ())
        return self._cache[record_id]
