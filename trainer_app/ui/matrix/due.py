"""The refresher list: required training expiring soon, expired or of an older version."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from trainer_app.domain import dates
from trainer_app.domain.records import Due, MatrixStatus, Standing
from trainer_app.ui.matrix import standing as look

AnyIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("Name", "Reference", "Hub", "Course", "Status", "Expires", "Version")
NAME, REFERENCE, HUB, COURSE, STATUS, EXPIRES, VERSION = range(len(HEADERS))
_WORST_FIRST = {status: n for n, status in enumerate(MatrixStatus)}
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def _soonest(due: Due) -> tuple[Any, ...]:
    return (due.expires_on or date.max, due.name.casefold())


_SORT_KEYS: dict[int, Callable[[Due], Any]] = {
    NAME: lambda d: (d.name.casefold(), d.reference),
    REFERENCE: lambda d: d.reference,
    HUB: lambda d: (d.hub, d.name.casefold()),
    COURSE: lambda d: (d.course_code, *_soonest(d)),
    STATUS: lambda d: (_WORST_FIRST[d.status], *_soonest(d)),
    EXPIRES: _soonest,
    VERSION: lambda d: (d.version, *_soonest(d)),
}


class DueModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Due] = []
        self._today = date.min
        self._sort = (EXPIRES, Qt.SortOrder.AscendingOrder)

    @property
    def rows(self) -> list[Due]:
        """In the order shown."""
        return list(self._rows)

    def due_at(self, row: int) -> Due:
        return self._rows[row]

    def set_rows(self, rows: Sequence[Due], today: date) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._today = today
        column, order = self._sort
        self._rows.sort(key=_SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        self.endResetModel()

    def standing(self, due: Due) -> Standing:
        return Standing(due.status, due.expires_on, due.version, due.due_on)

    # ----- Qt's model interface --------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        due, column = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(due, column)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == COURSE:
                return f"{due.course_code} · {due.course_title}"
            if column in (STATUS, EXPIRES, VERSION):
                return look.in_words(self.standing(due), self._today)
            return self._text(due, column)
        if column == STATUS and role == Qt.ItemDataRole.BackgroundRole:
            return look.fill(due.status)
        if column == STATUS and role == Qt.ItemDataRole.ForegroundRole:
            return look.ink(look.fill(due.status))
        return None

    def _text(self, due: Due, column: int) -> str:
        if column == NAME:
            return due.name
        if column == REFERENCE:
            return due.reference
        if column == HUB:
            return due.hub
        if column == COURSE:
            return f"{due.course_code} · {due.course_title}"
        if column == STATUS:
            text = f"{look.SYMBOLS[due.status]} {due.status.label}"
            left = look.days_left(self.standing(due), self._today)
            if due.status is MatrixStatus.EXPIRING and left is not None:
                text += f" ({left} d)"
            if due.status is MatrixStatus.DUE and due.due_on is not None:
                text += f" by {dates.day(due.due_on)}"
            return text
        if column == EXPIRES:
            return dates.day(due.expires_on) if due.expires_on else "—"
        return f"v{due.version}" if due.version else "—"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == VERSION:
            return "The version last completed"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column not in _SORT_KEYS:
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        held = [self._rows[index.row()] for index in before]
        self._rows.sort(key=_SORT_KEYS[column], reverse=order == Qt.SortOrder.DescendingOrder)
        position = {id(due): row for row, due in enumerate(self._rows)}
        after = [
            self.index(position[id(due)], index.column())
            for due, index in zip(held, before, strict=True)
        ]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
