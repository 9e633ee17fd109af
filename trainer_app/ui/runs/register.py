"""The attendance register: people × sessions, filled from the keyboard, saved all at once.

Marks typed here are pending (shown as edited) until *Save register*, which hands them all to
``TrainingService.record_attendance`` in one go: the service decides, and refuses all or none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QFont, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.records import AttendanceFields, Mark
from trainer_app.services.base import plural
from trainer_app.services.enrolment import PERIOD_TIMES
from trainer_app.services.training import Progress, Register, RegisterSession
from trainer_app.ui import icons
from trainer_app.ui.palette import ACCENT, is_dark
from trainer_app.ui.record_table import adopt_model
from trainer_app.ui.runs.roster import NOT_PUBLISHED
from trainer_app.ui.runs.rows import empty_label, muted_colour

AnyIndex = QModelIndex | QPersistentModelIndex
Cell = tuple[Mark, int]  # the mark and, when late, the minutes
Key = tuple[int, int]  # (session id, trainee id)

DEFAULT_LATE_MINUTES = 10
CYCLE = ((Mark.PRESENT, 0), (Mark.LATE, DEFAULT_LATE_MINUTES), (Mark.ABSENT, 0))
NOBODY = "Nobody enrolled yet — Enrol trainees… or Enrol cohort… on the Roster tab"
KEYS_HINT = (
    "P present · A absent · L late (then type the minutes) · Space cycles · "
    "Del undoes an unsaved mark · Ctrl+S saves"
)
COMPLETED_COLOUR = QColor("#009E73")  # Okabe–Ito bluish green, as 'valid' everywhere

_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def not_held_colour() -> QColor:
    """The background of sessions not held yet: the window's grey, as disabled fields have."""
    return QApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window)


def mark_text(cell: Cell | None) -> str:
    if cell is None:
        return ""
    mark, minutes = cell
    if mark is Mark.LATE:
        return f"Late {minutes}′"
    return "✓ Present" if mark is Mark.PRESENT else "✗ Absent"


def session_heading(session: RegisterSession) -> str:
    """Two short lines, so that many sessions fit side by side: 'Tue 12 Jan' / '09:00'."""
    day = session.held_on
    time = PERIOD_TIMES[session.period] if session.period < len(PERIOD_TIMES) else ""
    return f"{dates.weekday_day(day, year=False)}\n{time}".rstrip()


class RegisterModel(QAbstractTableModel):
    """Rows are the people enrolled, columns the run's sessions and then their completion."""

    pending_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.register: Register | None = None
        self.today = date.min
        self.progress: dict[int, Progress] = {}  # by enrolment id
        self.pending: dict[Key, Cell] = {}

    # ----- contents --------------------------------------------------------------------------
    def load(
        self,
        register: Register,
        progress: list[Progress],
        today: date,
        pending: dict[Key, Cell] | None = None,
    ) -> None:
        """Show ``register``; ``pending`` edits (kept from before) stay where they still apply."""
        self.beginResetModel()
        self.register, self.today = register, today
        self.progress = {p.enrolment_id: p for p in progress}
        sessions = {s.id for s in register.sessions}
        people = {p.trainee_id for p in register.people}
        self.pending = {
            key: cell
            for key, cell in (pending or {}).items()
            if key[0] in sessions and key[1] in people and register.marks.get(key) != cell
        }
        self.endResetModel()
        self.pending_changed.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self.register, self.progress, self.pending = None, {}, {}
        self.endResetModel()
        self.pending_changed.emit()

    @property
    def sessions(self) -> tuple[RegisterSession, ...]:
        return self.register.sessions if self.register else ()

    @property
    def completion_column(self) -> int:
        return len(self.sessions)

    def session_at(self, column: int) -> RegisterSession | None:
        return self.sessions[column] if 0 <= column < len(self.sessions) else None

    def held(self, column: int) -> bool:
        session = self.session_at(column)
        return session is not None and session.held_on <= self.today

    def _key(self, row: int, column: int) -> Key | None:
        session = self.session_at(column)
        if self.register is None or session is None or not 0 <= row < len(self.register.people):
            return None
        return (session.id, self.register.people[row].trainee_id)

    def cell(self, row: int, column: int) -> Cell | None:
        """What the cell shows: the pending edit, else what is saved."""
        key = self._key(row, column)
        if key is None or self.register is None:
            return None
        return self.pending.get(key, self.register.marks.get(key))

    def is_pending(self, row: int, column: int) -> bool:
        return self._key(row, column) in self.pending

    # ----- editing ---------------------------------------------------------------------------
    def set_mark(self, row: int, column: int, cell: Cell | None) -> str:
        """Make ``cell`` the pending mark (None: drop the pending edit, back to what is saved).
        Returns why not, in words, when the cell cannot take a mark."""
        key = self._key(row, column)
        session = self.session_at(column)
        if key is None or session is None or self.register is None:
            return "The completion follows from attendance and results; it is not typed in"
        if not self.held(column):
            return (
                f"Session {session.index + 1} of {self.register.run_code} is on "
                f"{dates.day(session.held_on)}: attendance can be recorded from that day"
            )
        if cell is None or self.register.marks.get(key) == cell:
            self.pending.pop(key, None)
        else:
            self.pending[key] = cell
        index = self.index(row, column)
        self.dataChanged.emit(index, index)
        self.pending_changed.emit()
        return ""

    def cycle(self, row: int, column: int) -> str:
        """Present → late → absent → (blank, if nothing is saved) → present…"""
        current = self.cell(row, column)
        marks = [mark for mark, _ in CYCLE]
        if current is None:
            return self.set_mark(row, column, CYCLE[0])
        following = marks.index(current[0]) + 1
        if following < len(CYCLE):
            return self.set_mark(row, column, CYCLE[following])
        key = self._key(row, column)
        saved = self.register is not None and key in self.register.marks
        return self.set_mark(row, column, CYCLE[0] if saved else None)

    def pending_fields(self) -> list[AttendanceFields]:
        return [
            AttendanceFields(session_id=session, trainee_id=trainee, mark=mark, late_minutes=late)
            for (session, trainee), (mark, late) in sorted(self.pending.items())
        ]

    # ----- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.register is None:
            return 0
        return len(self.register.people)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self.register is None:
            return 0
        return len(self.register.sessions) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self.register is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self.register.people):
                return None
            person = self.register.people[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return person.name
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{person.name} ({person.reference})"
            return None
        if section == self.completion_column:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Completion"
            if role == Qt.ItemDataRole.ToolTipRole:
                return "Completed (with the date), or the first thing still missing"
            return None
        session = self.session_at(section)
        if session is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return session_heading(session)
        if role == Qt.ItemDataRole.ToolTipRole:
            total = len(self.register.sessions)
            when = f"Session {session.index + 1} of {total} · {session.label}"
            if not self.held(section):
                return f"{when} · not held yet"
            return when
        if role == Qt.ItemDataRole.ForegroundRole and not self.held(section):
            return muted_colour()
        if role == Qt.ItemDataRole.BackgroundRole and not self.held(section):
            return not_held_colour()
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.register is None:
            return None
        row, column = index.row(), index.column()
        if not 0 <= row < len(self.register.people) or not 0 <= column < self.columnCount():
            return None
        if column == self.completion_column:
            return self._completion_data(row, role)
        cell = self.cell(row, column)
        pending = self.is_pending(row, column)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return mark_text(cell) if role == Qt.ItemDataRole.DisplayRole else self._tip(index)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(index)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if pending:
                tint = QColor(ACCENT)
                tint.setAlpha(90 if is_dark() else 45)
                return tint
            if not self.held(column):
                return not_held_colour()
            return None
        if role == Qt.ItemDataRole.FontRole and pending:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and cell is not None and cell[0] is Mark.ABSENT:
            return muted_colour() if not pending else None
        return None

    def _tip(self, index: AnyIndex) -> str:
        assert self.register is not None
        person = self.register.people[index.row()]
        session = self.sessions[index.column()]
        if not self.held(index.column()):
            return (
                f"{person.name} · {session.label}: not held yet — attendance can be recorded "
                f"from {dates.day(session.held_on)}"
            )
        text = mark_text(self.cell(index.row(), index.column())) or "not recorded"
        if self.is_pending(index.row(), index.column()):
            text += " (not saved yet — Save register, Ctrl+S)"
        return f"{person.name} · {session.label}: {text}"

    def completion_text(self, row: int) -> str:
        assert self.register is not None
        person = self.register.people[row]
        progress = self.progress.get(person.enrolment_id)
        if progress is not None and progress.completion is not None:
            return f"✓ {dates.day(progress.completion.completed_on)}"
        if progress is not None and progress.shortfalls:
            return progress.shortfalls[0]
        return ""

    def _completion_data(self, row: int, role: int) -> Any:
        assert self.register is not None
        person = self.register.people[row]
        progress = self.progress.get(person.enrolment_id)
        done = progress is not None and progress.completion is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.completion_text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            if progress is None:
                return ""
            if progress.completion is not None:
                expires = progress.completion.expires_on
                until = f"; valid until {dates.day(expires)}" if expires else "; does not expire"
                return f"Completed on {dates.day(progress.completion.completed_on)}{until}"
            return "Still missing: " + "; ".join(progress.shortfalls)
        if role == Qt.ItemDataRole.ForegroundRole:
            return COMPLETED_COLOUR if done else muted_colour()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        # Sessions not held yet stay reachable from the keyboard (greyed, not disabled), so
        # that a key pressed there can say why it does nothing.
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags


# Keyed by int: QKeyEvent.key() is a plain int (Qt.Key is an IntEnum, so both match).
_MARK_KEYS: dict[int, Mark] = {Qt.Key.Key_P: Mark.PRESENT, Qt.Key.Key_A: Mark.ABSENT}
_DIGITS: dict[int, str] = {getattr(Qt.Key, f"Key_{n}"): str(n) for n in range(10)}
_OWN_KEYS: set[int] = {
    *_MARK_KEYS,
    *_DIGITS,
    Qt.Key.Key_L,
    Qt.Key.Key_Space,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
}


class RegisterView(QTableView):
    """The grid, with the register's keys; says through ``message`` why a key did nothing."""

    message = Signal(str)

    def __init__(self, model: RegisterModel) -> None:
        super().__init__()
        self.register_model = model
        self._digits = ""  # minutes typed after L, on the current cell
        self.setModel(model)
        adopt_model(self, model)
        self.setAccessibleName("Attendance register")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        line = self.fontMetrics().height()
        rows = self.verticalHeader()
        rows.setDefaultSectionSize(line + 12)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        columns = self.horizontalHeader()
        columns.setHighlightSections(True)
        columns.setStretchLastSection(True)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        columns.setMinimumHeight(2 * line + 14)

    def fit(self) -> None:
        """Session columns wide enough for 'Late 120′' and their heading; names fully shown."""
        model = self.register_model
        width = max(self.fontMetrics().horizontalAdvance(t) for t in ("✓ Present", "Late 240′"))
        for column in range(model.completion_column):
            self.setColumnWidth(column, width + 28)
        self.verticalHeader().resizeSections(QHeaderView.ResizeMode.ResizeToContents)

    def event(self, event: QEvent) -> bool:
        # The window's Delete (and any letter) shortcuts must not take the register's keys.
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if self._is_own(event):
                event.accept()
                return True
        return super().event(event)

    @staticmethod
    def _is_own(event: QKeyEvent) -> bool:
        modifiers = event.modifiers() & ~(
            Qt.KeyboardModifier.KeypadModifier | Qt.KeyboardModifier.ShiftModifier
        )
        return modifiers == Qt.KeyboardModifier.NoModifier and event.key() in _OWN_KEYS

    def currentChanged(self, current: AnyIndex, previous: AnyIndex) -> None:
        self._digits = ""
        super().currentChanged(current, previous)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        index = self.currentIndex()
        if not self._is_own(event) or not index.isValid():
            super().keyPressEvent(event)
            return
        row, column, key = index.row(), index.column(), event.key()
        model = self.register_model
        if key in _MARK_KEYS:
            if self._tell(model.set_mark(row, column, (_MARK_KEYS[key], 0))):
                self._move_down()
        elif key == Qt.Key.Key_L:
            if self._tell(model.set_mark(row, column, (Mark.LATE, DEFAULT_LATE_MINUTES))):
                self._digits = ""
                self.message.emit(
                    f"Late {DEFAULT_LATE_MINUTES}′ — type the minutes to change them, then "
                    "an arrow key"
                )
        elif key in _DIGITS:
            self._late_minutes(row, column, _DIGITS[key])
        elif key == Qt.Key.Key_Space:
            self._tell(model.cycle(row, column))
        else:  # Delete, Backspace
            self._tell(model.set_mark(row, column, None))
        event.accept()

    def _late_minutes(self, row: int, column: int, digit: str) -> None:
        cell = self.register_model.cell(row, column)
        if cell is None or cell[0] is not Mark.LATE:
            self.message.emit("Type minutes after L (late); P is present, A absent")
            return
        self._digits = (self._digits + digit)[-3:]
        minutes = int(self._digits)
        # 0 or more than the limit is for the rules to refuse on saving, in their words.
        if self._tell(self.register_model.set_mark(row, column, (Mark.LATE, minutes))):
            self.message.emit(f"Late {minutes}′ (not saved yet)")

    def _tell(self, refusal: str) -> bool:
        if refusal:
            self.message.emit(refusal)
        return not refusal

    def _move_down(self) -> None:
        index = self.currentIndex()
        below = index.siblingAtRow(index.row() + 1)
        if below.isValid():
            self.setCurrentIndex(below)


class RegisterTab(QWidget):
    """The grid with its Save button, how many marks wait to be saved, and the keys."""

    save_requested = Signal()
    sheet_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.model = RegisterModel()
        self.view = RegisterView(self.model)
        self.save_button = QPushButton(icons.icon("save"), "&Save register")
        self.save_button.setAccessibleName("Save register")
        self.save_button.setToolTip("Save every mark typed, all at once (Ctrl+S)")
        self.save_button.clicked.connect(self.save_requested)
        self.save_action = QAction("Save register", self)
        self.save_action.setShortcut(QKeySequence("Ctrl+S"))
        self.save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_action.triggered.connect(lambda _=False: self.save_requested.emit())
        self.addAction(self.save_action)
        self.sheet_button = QPushButton(icons.icon("print"), "Attendance s&heet…")
        self.sheet_button.setAccessibleName("Attendance sheet")
        self.sheet_button.setToolTip(
            "A sheet to print for the session selected (its column, else the next one): "
            "everyone enrolled, to sign in and out"
        )
        self.sheet_button.clicked.connect(self.sheet_requested)
        self.unsaved = QLabel()
        self.unsaved.setAccessibleName("Unsaved marks")
        hint = QLabel(KEYS_HINT)
        hint.setAccessibleName("Register keys")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        self.empty = empty_label(NOBODY, "Nobody on the register")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        bar = QHBoxLayout()
        bar.addWidget(self.save_button)
        bar.addWidget(self.unsaved)
        bar.addStretch()
        bar.addWidget(self.sheet_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(hint)
        self.model.pending_changed.connect(self._pending_changed)
        self._pending_changed()

    def show_register(
        self, register: Register, progress: list[Progress], today: date, pending: dict[Key, Cell]
    ) -> None:
        """Show ``register`` with the ``pending`` marks not saved yet (those still apply)."""
        before = self.model.register
        same_run = before is not None and before.run_id == register.run_id
        current = self.view.currentIndex() if same_run else QModelIndex()
        self.model.load(register, progress, today, pending)
        self.sheet_button.setEnabled(bool(register.sessions and register.people))
        if not register.people:
            self.empty.setText(
                NOBODY if register.sessions else "This run has no published sessions yet"
            )
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.view)
        self.view.fit()
        row = min(max(current.row(), 0), self.model.rowCount() - 1)
        column = current.column() if current.isValid() else self._first_open_column()
        self.view.setCurrentIndex(self.model.index(row, max(0, column)))

    def show_unpublished(self) -> None:
        self.model.clear()
        self.sheet_button.setEnabled(False)
        self.empty.setText(NOT_PUBLISHED)
        self.stack.setCurrentWidget(self.empty)

    def selected_session(self) -> RegisterSession | None:
        """The session of the column the cursor is in (None: the completion column, or none)."""
        current = self.view.currentIndex()
        return self.model.session_at(current.column()) if current.isValid() else None

    def _first_open_column(self) -> int:
        """The latest session held so far: usually the one being marked."""
        held = [c for c in range(self.model.completion_column) if self.model.held(c)]
        return held[-1] if held else 0

    def _pending_changed(self) -> None:
        count = len(self.model.pending)
        self.save_button.setEnabled(bool(count))
        self.unsaved.setText(f"{plural(count, 'mark')} not saved yet" if count else "")
