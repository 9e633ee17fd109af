"""“Add run…”: one run of a catalogue course, for its cohorts, to be planned."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError
from trainer_app.domain.planning import CourseRunFields
from trainer_app.services.context import ServiceContext
from trainer_app.ui.palette import error_colour

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class AddRunDialog(QDialog):
    def __init__(
        self, context: ServiceContext, window: tuple[date, date], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.saved: Any = None
        self.setWindowTitle("Add run")
        self.setAccessibleName("Add run")
        self.courses = sorted(context.courses.list(), key=lambda c: c.code)
        self.course = QComboBox()
        for course in self.courses:
            self.course.addItem(course.label, course.id)
        self.code = QLineEdit()
        self.hub = QComboBox()
        self.hub.addItem("Any hub", None)
        for hub in context.hubs.list():
            self.hub.addItem(f"{hub.code} · {hub.name}", hub.id)
        self.trainer = QComboBox()
        self.trainer.addItem("Any qualified trainer (the planner chooses)", None)
        for trainer in sorted(context.trainers.list(), key=lambda t: t.name):
            self.trainer.addItem(trainer.name, trainer.id)
        self.attendees = QSpinBox()
        self.attendees.setRange(1, 500)
        self.attendees.setValue(6)
        self.cohorts = QListWidget()
        self.cohorts.setMaximumHeight(110)
        for cohort in sorted(context.cohorts.list(), key=lambda c: c.name):
            item = QListWidgetItem(cohort.name)
            item.setData(ID_ROLE, cohort.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.cohorts.addItem(item)
        self.min_days = QSpinBox()
        self.min_days.setRange(0, 30)
        self.min_days.setSpecialValueText("One day per session")
        self.consecutive = QCheckBox("Sessions on consecutive days")
        self.windowed = QCheckBox("Only between")
        self.earliest, self.latest = QDateEdit(_qdate(window[0])), QDateEdit(_qdate(window[1]))
        for edit in (self.earliest, self.latest):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(dates.QT_WEEKDAY_DAY)
            edit.setEnabled(False)
            self.windowed.toggled.connect(edit.setEnabled)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem")
        self.problem.setStyleSheet(f"color: {error_colour().name()};")
        self.problem.hide()

        form = QFormLayout()
        for label, widget in (
            ("Course", self.course),
            ("Run code", self.code),
            ("Hub", self.hub),
            ("Trainer", self.trainer),
            ("Attendees", self.attendees),
            ("Cohorts", self.cohorts),
            ("Days at least", self.min_days),
            ("", self.consecutive),
            ("Window", self.windowed),
            ("From", self.earliest),
            ("To", self.latest),
        ):
            widget.setAccessibleName(label or "Consecutive days")
            form.addRow(label, widget)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.course.currentIndexChanged.connect(lambda _i: self._suggest_code(window[0].year))
        self._suggest_code(window[0].year)
        self.resize(560, self.sizeHint().height())

    def _suggest_code(self, year: int) -> None:
        """The course code, the year and the next free number: ASEP-2027-03."""
        index = self.course.currentIndex()
        if index < 0:
            return
        stem = f"{self.courses[index].code}-{year}-"
        taken = len(self.context.runs.query_ids(stem))
        self.code.setText(f"{stem}{taken + 1:02d}")

    def fields(self) -> CourseRunFields:
        cohorts = (self.cohorts.item(i) for i in range(self.cohorts.count()))
        return CourseRunFields(
            code=self.code.text().strip(),
            course_id=int(self.course.currentData()),
            attendees=self.attendees.value(),
            hub_id=self.hub.currentData(),
            trainer_id=self.trainer.currentData(),
            cohort_ids=frozenset(
                int(item.data(ID_ROLE))
                for item in cohorts
                if item is not None and item.checkState() == Qt.CheckState.Checked
            ),
            min_days=self.min_days.value() or None,
            consecutive_days=self.consecutive.isChecked(),
            earliest=self.earliest.date().toPython() if self.windowed.isChecked() else None,  # type: ignore[arg-type]
            latest=self.latest.date().toPython() if self.windowed.isChecked() else None,  # type: ignore[arg-type]
        )

    def accept(self) -> None:
        if self.course.currentIndex() < 0:
            self._show("Add a course to the catalogue first (Courses page)")
            return
        try:
            self.saved = self.context.runs.create(self.fields())
        except DomainError as error:
            self._show(str(error))
            return
        super().accept()

    def _show(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
