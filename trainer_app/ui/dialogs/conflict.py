"""Someone else saved the record while you were editing it: compare, then choose.

Shown by a record dialog whose save was refused with ``StaleEdit.conflict``. One row per field
that either person changed: the value when you opened it, the value saved since, and yours; a
field you both changed to different values is highlighted, because applying yours replaces
theirs. Nothing is saved until you choose; the choice is the dialog's ``choice``.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.conflicts import EditConflict, FieldConflict

EMPTY = "(empty)"
NOT_MINE = "(you did not change it)"
CLASH_BACKGROUND = QColor("#FFF4E5")  # the banners' amber, pale: readable in light and dark


class Choice(Enum):
    BACK = "back"  # keep editing; nothing saved
    THEIRS = "theirs"  # show the saved version in the form, drop my changes
    MINE_ON_TOP = "mine"  # save my changes over the saved version, keeping their other changes


class ConflictDialog(QDialog):
    def __init__(self, conflict: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflict = conflict
        self.choice = Choice.BACK
        self.setWindowTitle("Changed by someone else")
        self.setAccessibleName("Changed by someone else")
        heading = QLabel(f"<b>{_escape(conflict.sentence())}.</b>")
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.RichText)
        heading.setAccessibleName("What happened")
        who = ", ".join(conflict.by) or "someone else"
        self.table = QTableWidget(len(conflict.fields), 4)
        self.table.setAccessibleName("Fields changed")
        self.table.setHorizontalHeaderLabels(
            ["Field", "When you opened it", "Saved since", "Yours"]
        )
        saved_since = self.table.horizontalHeaderItem(2)
        if saved_since is not None:
            saved_since.setToolTip(f"Saved by {who}")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a table to read, not to work in
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for row, field in enumerate(conflict.fields):
            self._fill(row, field)
        self.table.resizeRowsToContents()
        clashes = len(conflict.clashes)
        advice = QLabel(
            "<b>Apply mine on top</b> saves the fields you changed and keeps their other "
            "changes."
            + (
                f" You both changed {_fields(clashes)} (highlighted): yours will replace theirs."
                if clashes
                else " You did not change the same fields."
            )
            + " <b>Use their version</b> shows what they saved, without your changes, so you "
            "can edit it again."
        )
        advice.setWordWrap(True)
        advice.setAccessibleName("What each choice does")
        self.buttons = QDialogButtonBox()
        self.theirs = self._button("Use &their version", Choice.THEIRS)
        self.mine = self._button("&Apply mine on top", Choice.MINE_ON_TOP)
        self.back = self._button("&Back to editing", Choice.BACK)
        self.buttons.addButton(self.theirs, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.mine, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.back, QDialogButtonBox.ButtonRole.RejectRole)
        self.back.setDefault(True)  # Enter never overwrites anyone by accident
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(advice)
        layout.addWidget(self.buttons)
        self.resize(820, min(560, 220 + 36 * len(conflict.fields)))

    def _fill(self, row: int, field: FieldConflict) -> None:
        mine = (field.mine or EMPTY) if field.i_changed else NOT_MINE
        cells = [field.label, field.opened or EMPTY, field.theirs or EMPTY, mine]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if field.clash:
                item.setBackground(QBrush(CLASH_BACKGROUND))
                item.setForeground(QBrush(QColor("#5C3200")))
                if column == 0:
                    item.setText(f"{text} (both changed)")
            if (column == 2 and field.they_changed) or (column == 3 and field.i_changed):
                bold = QFont(item.font())
                bold.setBold(True)
                item.setFont(bold)
            if column == 3 and not field.i_changed:
                item.setForeground(QBrush(self.palette().placeholderText().color()))
            self.table.setItem(row, column, item)

    def _button(self, text: str, choice: Choice) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", ""))
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self._choose(choice))
        return button

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        if choice is Choice.BACK:
            self.reject()
        else:
            self.accept()


def _fields(count: int) -> str:
    return "one field" if count == 1 else f"{count} fields"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
