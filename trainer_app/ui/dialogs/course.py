"""Add/edit a course of the catalogue, including its prerequisites and learning outcomes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
)

from trainer_app.domain.courses import (
    MAX_SESSIONS,
    MAX_VALIDITY_MONTHS,
    Course,
    CourseCategory,
    CourseFields,
)
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.network import MAX_CAPACITY, FacilityKind
from trainer_app.domain.records import (
    DEFAULT_GRACE_DAYS,
    MAX_GRACE_DAYS,
    ChangeTerms,
    parse_effective_on,
)
from trainer_app.domain.trainers import PERIODS_PER_DAY
from trainer_app.services.matrix import Impact
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import CheckList, EnumCombo, LimitSpinBox
from trainer_app.ui.dialogs.form import RecordDialog, add_form_field
from trainer_app.ui.dialogs.impact import ask_to_confirm, impact_text
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
        self.confirm_box: QMessageBox | None = None
        self._confirmed = False
        if self.record is not None:
            self._add_change_terms()
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

    def _add_change_terms(self) -> None:
        """When a new version takes effect and how long holders of the old one have to
        retrain, with who that is (editing only: a new course has no one trained on it)."""
        self.effective = QLineEdit(self.context.today().isoformat())
        self.effective.setPlaceholderText("YYYY-MM-DD")
        self.effective_message = add_form_field(
            self.form, "New version takes effect on", self.effective
        )
        self.grace = QSpinBox()
        self.grace.setRange(0, MAX_GRACE_DAYS)
        self.grace.setValue(DEFAULT_GRACE_DAYS)
        self.grace.setSuffix(" days to retrain")
        add_form_field(self.form, "Grace period", self.grace)
        self.impact = QLabel("")
        self.impact.setAccessibleName("Impact")
        self.impact.setWordWrap(True)
        self.impact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow("", self.impact)
        for signal in (
            self.version.textChanged,
            self.effective.textChanged,
            self.grace.valueChanged,
        ):
            signal.connect(self._update_impact)

    def terms(self) -> ChangeTerms:
        """The effective date and grace period typed; ``ValidationError`` if they are wrong."""
        return ChangeTerms(parse_effective_on(self.effective.text()), self.grace.value())

    def _work_out_impact(self) -> Impact | None:
        """Who the version typed would ask to retrain; None (the reason shown) when the terms
        are wrong. An unfinished version asks nobody yet."""
        assert self.record is not None
        try:
            terms = self.terms()
        except ValidationError as error:
            self.effective_message.setText("; ".join(error.for_field("effective_on")))
            self.effective_message.show()
            self.impact.setText("")
            return None
        self.effective_message.hide()
        try:
            return self.context.courses.impact_of_new_version(
                self.record.id, self.version.text(), terms.effective_on, terms.grace_days
            )
        except ValidationError:
            return Impact()
        except DomainError as error:
            self.impact.setText(str(error))
            return None

    def _update_impact(self) -> None:
        if self._loading:
            return
        impact = self._work_out_impact()
        if impact is not None:
            self.impact.setText(impact_text(impact) if impact.affected else "")

    def accept(self) -> None:
        """Save; when a new version asks anyone to retrain, say who first and ask."""
        if self.record is None or self._confirmed:
            super().accept()
            return
        impact = self._work_out_impact()
        if impact is None:
            return
        if not impact.affected:
            super().accept()
            return
        self.impact.setText(impact_text(impact))
        self.confirm_box = ask_to_confirm(self, "Save the new version", impact, self._confirm)

    def _confirm(self) -> None:
        self._confirmed = True
        try:
            self.accept()
        finally:
            self._confirmed = False

    def write(self, service: Any, fields: Any) -> Any:
        if self.record is None or fields.version.strip() == self.record.version:
            return super().write(service, fields)
        return service.update(self.record.id, self.record.row_version, fields, terms=self.terms())

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
