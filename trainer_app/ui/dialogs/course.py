"""Add/edit a course of the catalogue, including its prerequisites and learning outcomes."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QLineEdit, QPlainTextEdit, QSpinBox

from trainer_app.domain.courses import (
    MAX_SESSIONS,
    MAX_VALIDITY_MONTHS,
    Course,
    CourseCategory,
    CourseFields,
)
from trainer_app.domain.network import MAX_CAPACITY, FacilityKind
from trainer_app.domain.trainers import PERIODS_PER_DAY
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import CheckList, EnumCombo, LimitSpinBox
from trainer_app.ui.dialogs.form import RecordDialog
from trainer_app.ui.records import COURSE


def _spin(maximum: int, value: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, maximum)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


class CourseDialog(RecordDialog):
    kind = COURSE

    def build(self) -> None:
        self.code = self.add_field("code", "Code", QLineEdit())
        self.code.setPlaceholderText("e.g. ASEP")
        self.title_edit = self.add_field("title", "Title", QLineEdit())
        self.version = self.add_field("version", "Version", QLineEdit("1.0"))
        self.category = self.add_field("category", "Category", EnumCombo(CourseCategory))
        self.facility_kind = self.add_field("facility_kind", "Needs", EnumCombo(FacilityKind))
        self.facility_kind.set_value(FacilityKind.CLASSROOM)
        self.sessions = self.add_field("sessions", "Sessions", _spin(MAX_SESSIONS * 10, 1))
        self.session_length = self.add_field(
            "session_length", "Periods per session", _spin(PERIODS_PER_DAY * 4, 1)
        )
        self.capacity = self.add_field(
            "capacity", "Capacity", _spin(MAX_CAPACITY * 10, 12, " people")
        )
        self.validity = self.add_field(
            "validity_months", "Valid for (months)", LimitSpinBox(MAX_VALIDITY_MONTHS)
        )
        self.validity.setSpecialValueText("Never expires")
        self.cpd = self.add_field("cpd_hours", "CPD hours", QDoubleSpinBox())
        self.cpd.setRange(0, 10000)
        self.cpd.setDecimals(1)
        self.min_attendance = self.add_field(
            "min_attendance", "Completion: attendance", _spin(1000, 90, " % at least")
        )
        self.pass_mark = self.add_field("pass_mark", "Completion: theory", LimitSpinBox(100))
        self.pass_mark.setSpecialValueText("No theory test")
        self.pass_mark.setSuffix(" % to pass")
        self.practical = self.add_field(
            "practical_required", "Completion: practical", QCheckBox("Practical assessment passed")
        )
        own_id = self.record.id if self.record is not None else None
        self.prerequisites = self.add_field(
            "prerequisites",
            "Prerequisites",
            CheckList(choices.courses(self.context, excluding=own_id), "Find a course"),
        )
        self.description = self.add_field("description", "Description", QPlainTextEdit())
        self.description.setFixedHeight(70)
        self.outcomes = self.add_field("learning_outcomes", "Learning outcomes", QPlainTextEdit())
        self.outcomes.setPlaceholderText("One outcome per line")
        self.outcomes.setFixedHeight(90)

    def load(self, record: Course) -> None:
        self.code.setText(record.code)
        self.title_edit.setText(record.title)
        self.version.setText(record.version)
        self.category.set_value(record.category)
        self.facility_kind.set_value(record.facility_kind)
        self.sessions.setValue(record.sessions)
        self.session_length.setValue(record.session_length)
        self.capacity.setValue(record.capacity)
        self.validity.set_value(record.validity_months)
        self.cpd.setValue(float(record.cpd_hours))
        self.min_attendance.setValue(record.min_attendance)
        self.pass_mark.set_value(record.pass_mark)
        self.practical.setChecked(record.practical_required)
        self.prerequisites.set_value(record.prerequisites)
        self.description.setPlainText(record.description)
        self.outcomes.setPlainText("\n".join(record.learning_outcomes))

    def current_fields(self) -> CourseFields:
        return CourseFields(
            code=self.code.text(),
            title=self.title_edit.text(),
            version=self.version.text(),
            category=self.category.value(),
            facility_kind=self.facility_kind.value(),
            sessions=self.sessions.value(),
            session_length=self.session_length.value(),
            capacity=self.capacity.value(),
            validity_months=self.validity.value_or_none(),
            cpd_hours=Decimal(str(round(self.cpd.value(), 1))),
            min_attendance=self.min_attendance.value(),
            pass_mark=self.pass_mark.value_or_none(),
            practical_required=self.practical.isChecked(),
            prerequisites=self.prerequisites.value(),
            description=self.description.toPlainText(),
            learning_outcomes=tuple(self.outcomes.toPlainText().splitlines()),
        )
