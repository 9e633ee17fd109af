"""Field editors the record dialogs share. Each offers ``value()``/``set_value()`` and a
``changed`` signal, so a dialog can rebuild its fields dataclass as the user types."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.calendar import WEEKDAY_NAMES, Absence
from trainer_app.ui import icons

_UNSET_DATE = QDate(2000, 1, 1)


def change_signal(widget: QWidget) -> Any:
    """The signal that fires when the user changes ``widget``'s value."""
    if isinstance(widget, QLineEdit):
        return widget.textChanged
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        return widget.valueChanged
    if isinstance(widget, QDateEdit):
        return widget.dateChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    return widget.changed  # type: ignore[attr-defined]


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class EnumCombo(QComboBox):
    """Chooses a member of an enum whose members have a ``label``."""

    def __init__(self, members: Iterable[enum.Enum]) -> None:
        super().__init__()
        for member in members:
            self.addItem(member.label, member)  # type: ignore[attr-defined]

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, member: enum.Enum) -> None:
        self.setCurrentIndex(max(0, self.findData(member)))


class RecordCombo(QComboBox):
    """Chooses one record by id; ``none_text`` adds a first entry meaning 'none'."""

    def __init__(self, choices: Iterable[tuple[int, str]], none_text: str = "") -> None:
        super().__init__()
        if none_text:
            self.addItem(none_text, None)
        for record_id, text in choices:
            self.addItem(text, record_id)

    def value(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def set_value(self, record_id: int | None) -> None:
        self.setCurrentIndex(max(0, self.findData(record_id)))


class OptionalDateEdit(QDateEdit):
    """A date that may be left unset (shown as 'Not set')."""

    def __init__(self) -> None:
        super().__init__()
        self.setCalendarPopup(True)
        self.setDisplayFormat(dates.QT_DAY)
        self.setMinimumDate(_UNSET_DATE)
        self.setSpecialValueText("Not set")
        self.setDate(_UNSET_DATE)

    def value(self) -> date | None:
        return None if self.date() == _UNSET_DATE else from_qdate(self.date())

    def set_value(self, day: date | None) -> None:
        self.setDate(to_qdate(day) if day else _UNSET_DATE)


class LimitSpinBox(QSpinBox):
    """A whole number or 'No limit' (the value below the range)."""

    def __init__(self, maximum: int) -> None:
        super().__init__()
        self.setRange(0, maximum * 4)
        self.setSpecialValueText("No limit")

    def value_or_none(self) -> int | None:
        return self.value() or None

    def set_value(self, limit: int | None) -> None:
        self.setValue(limit or 0)


class WeekdayPicker(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._boxes: list[QCheckBox] = []
        for name in WEEKDAY_NAMES:
            box = QCheckBox(name)
            box.setAccessibleName(name)
            box.toggled.connect(self.changed)
            layout.addWidget(box)
            self._boxes.append(box)
        layout.addStretch()

    def value(self) -> frozenset[int]:
        return frozenset(day for day, box in enumerate(self._boxes) if box.isChecked())

    def set_value(self, days: Iterable[int]) -> None:
        chosen = set(days)
        for day, box in enumerate(self._boxes):
            box.setChecked(day in chosen)


class _AbsenceRow(QWidget):
    """One window of days off. ``on_change()`` takes no arguments: it is called on every
    keystroke in the reason and every change of a date (a signal's own arguments are dropped,
    not passed on)."""

    def __init__(
        self,
        absence: Absence,
        on_change: Callable[[], None],
        on_remove: Callable[[_AbsenceRow], None],
    ) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.start = QDateEdit(to_qdate(absence.start))
        self.end = QDateEdit(to_qdate(absence.end))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(dates.QT_DAY)
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _day: on_change())
        self.reason = QLineEdit(absence.reason)
        self.reason.setPlaceholderText("Reason, e.g. annual leave")
        self.reason.setAccessibleName("Reason")
        self.reason.textChanged.connect(lambda _text: on_change())
        remove = QToolButton()
        remove.setIcon(icons.icon("remove"))
        remove.setToolTip("Remove these dates")
        remove.setAccessibleName("Remove dates")
        remove.clicked.connect(lambda: on_remove(self))
        layout.addWidget(self.start)
        layout.addWidget(self.end)
        layout.addWidget(self.reason, 1)
        layout.addWidget(remove)

    def value(self) -> Absence:
        start, end = from_qdate(self.start.date()), from_qdate(self.end.date())
        return Absence(start, end, self.reason.text())


class AbsenceListEditor(QWidget):
    """Runs of days off (closures, leave): from, to, reason; rows can be added and removed."""

    changed = Signal()

    def __init__(self, add_text: str) -> None:
        super().__init__()
        self._rows: list[_AbsenceRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._list = QVBoxLayout()
        layout.addLayout(self._list)
        add = QPushButton(icons.icon("add"), add_text)
        add.setAccessibleName(add_text)
        add.clicked.connect(self._add_today)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addStretch()
        layout.addLayout(row)

    def value(self) -> tuple[Absence, ...]:
        return tuple(row.value() for row in self._rows)

    def set_value(self, absences: Iterable[Absence]) -> None:
        for row in list(self._rows):
            self._remove(row, notify=False)
        for absence in absences:
            self._add(absence)
        self.changed.emit()

    def _add_today(self) -> None:
        today = date.today()
        self._add(Absence(today, today))
        self._rows[-1].reason.setFocus()
        self.changed.emit()

    def _add(self, absence: Absence) -> None:
        row = _AbsenceRow(absence, self.changed.emit, self._remove)
        self._rows.append(row)
        self._list.addWidget(row)

    def _remove(self, row: _AbsenceRow, notify: bool = True) -> None:
        if row not in self._rows:  # a second click on its Remove before it was gone
            return
        self._rows.remove(row)
        self._list.removeWidget(row)
        row.hide()  # at once: deleteLater waits for the event loop, and its button stays live
        row.deleteLater()
        if notify:
            self.changed.emit()


class CheckList(QWidget):
    """A searchable list of records to tick (qualifications, prerequisites, cohorts)."""

    changed = Signal()

    def __init__(self, choices: Iterable[tuple[int, str]], search_text: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(search_text)
        self.search.setAccessibleName(search_text)
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.items = QListWidget()
        self.items.setMinimumHeight(120)
        for record_id, text in choices:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, record_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.items.addItem(item)
        self.items.itemChanged.connect(lambda _item: self.changed.emit())
        layout.addWidget(self.search)
        layout.addWidget(self.items)

    def _all(self) -> list[QListWidgetItem]:
        return [self.items.item(row) for row in range(self.items.count())]

    def value(self) -> frozenset[int]:
        return frozenset(
            int(item.data(Qt.ItemDataRole.UserRole))
            for item in self._all()
            if item.checkState() == Qt.CheckState.Checked
        )

    def set_value(self, ids: Iterable[int]) -> None:
        chosen = set(ids)
        for item in self._all():
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for item in self._all():
            item.setHidden(bool(needle) and needle not in item.text().casefold())
