"""Enrol trainees… and Enrol cohort…: choose people, see at once who can go, who goes on the
waitlist and who cannot (the service's words), then enrol those who can."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.errors import DomainError
from trainer_app.domain.records import Enrolment
from trainer_app.services.base import plural
from trainer_app.services.context import ServiceContext
from trainer_app.services.enrolment import Verdict, describe_verdicts
from trainer_app.ui import icons
from trainer_app.ui.record_table import table_view
from trainer_app.ui.runs.rows import BANNER_STYLE
from trainer_app.ui.runs.runs_list import RunSummary
from trainer_app.ui.search import search_box
from trainer_app.ui.table_model import LazyTableModel

CHECK_DELAY_MS = 150
ID_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class VerdictList(QWidget):
    """The outcome of ``EnrolmentService.check``: a summary line and one line per person."""

    def __init__(self) -> None:
        super().__init__()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Check result")
        self.summary.setStyleSheet("font-weight: 600;")
        self.list = QListWidget()
        self.list.setAccessibleName("Who can go")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)

    def show_verdicts(self, verdicts: list[Verdict], nobody: str) -> None:
        # The service's words for who can go; the reasons of those who cannot are listed
        # below, each in full, rather than run together here.
        refused = sum(not v.ok for v in verdicts)
        text = describe_verdicts([v for v in verdicts if v.ok]) if verdicts else nobody
        if refused:
            text += f"; {refused} cannot:"
        self.summary.setText(text)
        self.list.clear()
        # Refusals first: they are what the coordinator has to read.
        ordered = sorted(verdicts, key=lambda v: (v.ok, v.waitlisted))
        for verdict in ordered:
            if not verdict.ok:
                icon, text = "refused", verdict.refusal
            elif verdict.waitlisted:
                icon, text = "waitlist", f"{verdict.name} — goes on the waitlist (the run is full)"
            else:
                icon, text = "can_go", f"{verdict.name} — can be enrolled"
            item = QListWidgetItem(icons.icon(icon), text)
            item.setData(ID_ROLE, verdict.trainee_id)
            item.setToolTip(text)
            self.list.addItem(item)

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class EnrolDialog(QDialog):
    """Shared by both ways to enrol: subclasses say who the candidates are."""

    nobody = "Nobody chosen yet"

    def __init__(self, context: ServiceContext, run: RunSummary, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.context = context
        self.run = run
        self.enrolled: list[Enrolment] = []
        self.verdicts: list[Verdict] = []
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Problem")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.outcome = VerdictList()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.ok_button.setIcon(icons.icon("enrol"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _finish_layout(self, chooser: QWidget, stretch: tuple[int, int] = (3, 2)) -> None:
        self.setAccessibleName(self.windowTitle())
        body = QSplitter(Qt.Orientation.Horizontal)
        body.setChildrenCollapsible(False)
        body.addWidget(chooser)
        body.addWidget(self.outcome)
        body.setStretchFactor(0, stretch[0])
        body.setStretchFactor(1, stretch[1])
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(body, 1)
        layout.addWidget(self.buttons)
        self.recheck()

    def candidates(self) -> list[int]:
        raise NotImplementedError

    def recheck(self) -> None:
        """Ask the service who of the candidates may go; OK enrols those."""
        ids = self.candidates()
        try:
            self.verdicts = self.context.enrolment.check(self.run.id, ids) if ids else []
        except DomainError as error:
            self.verdicts = []
            self._banner(str(error))
        self.outcome.show_verdicts(self.verdicts, self.nobody)
        going = [v for v in self.verdicts if v.ok]
        waiting = sum(v.waitlisted for v in going)
        text = f"Enrol {len(going)}" if going else "Enrol"
        if waiting:
            text += f" ({waiting} on the waitlist)"
        self.ok_button.setText(text)
        self.ok_button.setEnabled(bool(going))

    def _banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def accept(self) -> None:
        ids = [v.trainee_id for v in self.verdicts if v.ok]
        if not ids:
            return
        try:
            self.enrolled = self.context.enrolment.enrol_many(self.run.id, ids)
        except DomainError as error:  # something changed since the check: say it, check again
            self._banner(str(error))
            self.recheck()
            return
        super().accept()


class EnrolCohortDialog(EnrolDialog):
    nobody = "This cohort has no trainees yet"

    def __init__(self, context: ServiceContext, run: RunSummary, parent: QWidget | None) -> None:
        super().__init__(context, run, parent)
        self.setWindowTitle(f"Enrol a cohort on {run.code}")
        self.cohort = QComboBox()
        self.cohort.setAccessibleName("Cohort")
        for cohort in sorted(context.cohorts.list(), key=lambda c: c.name.casefold()):
            self.cohort.addItem(
                f"{cohort.name} · {plural(cohort.trainee_count, 'trainee')}", cohort.id
            )
        if not self.cohort.count():
            self.cohort.addItem("No cohorts yet — add one on Cohorts & trainees", None)
        self.cohort.currentIndexChanged.connect(lambda _i: self.recheck())
        chooser = QWidget()
        form = QFormLayout(chooser)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Cohort:", self.cohort)
        hint = QLabel(
            "Everyone in the cohort is checked against the run's places and the course's "
            "rules. Those who cannot go are listed with the reason; the others can be enrolled."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        form.addRow(hint)
        self._finish_layout(chooser, (2, 3))
        self.resize(920, 560)

    def select_cohort(self, cohort_id: int) -> None:
        self.cohort.setCurrentIndex(max(0, self.cohort.findData(cohort_id)))

    def candidates(self) -> list[int]:
        cohort_id = self.cohort.currentData()
        if cohort_id is None:
            return []
        return self.context.trainees.query_ids(filters={"cohort_id": int(cohort_id)})


class PickModel(LazyTableModel):
    """The trainees table (lazy: ids only until rows are shown) with a check box per row; the
    checked ids are kept in the order they were checked, across filter changes."""

    checked_changed = Signal()

    def __init__(self, context: ServiceContext) -> None:
        super().__init__(context.trainees)
        self.checked: dict[int, None] = {}

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole:
            if not index.isValid() or index.column() != 0:
                return None
            record_id = self.id_at(index.row())
            return Qt.CheckState.Checked if record_id in self.checked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        record_id = self.id_at(index.row())
        if record_id is None:
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.checked[record_id] = None
        else:
            self.checked.pop(record_id, None)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checked_changed.emit()
        return True

    def toggle(self, row: int) -> None:
        index = self.index(row, 0)
        checked = self.id_at(row) in self.checked
        self.setData(
            index,
            Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked,
            Qt.ItemDataRole.CheckStateRole,
        )


class EnrolTraineesDialog(EnrolDialog):
    """Search thousands of trainees (filtered in SQL), tick the ones to enrol."""

    nobody = "Tick the trainees to enrol; who can go shows here"

    def __init__(self, context: ServiceContext, run: RunSummary, parent: QWidget | None) -> None:
        super().__init__(context, run, parent)
        self.setWindowTitle(f"Enrol trainees on {run.code}")
        self.model = PickModel(context)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(CHECK_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self.recheck)
        self.model.checked_changed.connect(self._checked_changed)

        self.filter_box = search_box(
            "Search by name, reference, organisation, role…", "Search trainees"
        )
        self.filter_box.textChanged.connect(lambda _t: self._filter_timer.start())
        self.same_hub = QCheckBox("Only this run's hub")
        self.same_hub.setAccessibleName("Only this run's hub")
        self.same_hub.setEnabled(self._hub_id() is not None)
        self.same_hub.toggled.connect(lambda _on: self.apply_filter())
        self.view = table_view("Trainees to choose from", self.model)
        self.view.horizontalHeader().setHighlightSections(True)  # as it was
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(lambda index: self.model.toggle(index.row()))
        self.count = QLabel()
        self.count.setAccessibleName("Chosen")
        self.count.setWordWrap(True)

        chooser = QWidget()
        column = QVBoxLayout(chooser)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.filter_box, 1)
        row.addWidget(self.same_hub)
        column.addLayout(row)
        column.addWidget(self.view, 1)
        column.addWidget(self.count)
        self.apply_filter()
        self._finish_layout(chooser)
        self.view.setColumnWidth(0, 220)
        self.resize(1040, 560)
        self.filter_box.setFocus()

    def _hub_id(self) -> int | None:
        hubs = {h.code: h.id for h in self.context.hubs.list()}
        return hubs.get(self.run.hub)

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        hub_id = self._hub_id() if self.same_hub.isChecked() else None
        self.model.set_query(self.filter_box.text(), {"hub_id": hub_id} if hub_id else {})
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._show_count()

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() != 0:  # the check box itself toggles on its own
            self.model.toggle(index.row())

    def _checked_changed(self) -> None:
        self._show_count()
        self._check_timer.start()

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        self.count.setText(
            f"{plural(len(self.model.checked), 'trainee')} ticked · {shown:,} shown · "
            "Space or Enter ticks the current row"
        )

    def check_now(self) -> None:
        """Check the ticked trainees at once (tests, and OK pressed before the delay ran)."""
        self._check_timer.stop()
        self.recheck()

    def accept(self) -> None:
        if self._check_timer.isActive():
            self.check_now()
        super().accept()

    def candidates(self) -> list[int]:
        return list(self.model.checked)
