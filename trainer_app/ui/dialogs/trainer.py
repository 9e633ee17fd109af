"""Add/edit a trainer: home hub, qualifications, working days, leave and teaching limits."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from trainer_app.domain.trainers import PERIODS_PER_DAY, Employment, Trainer, TrainerFields
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import (
    AbsenceListEditor,
    CheckList,
    EnumCombo,
    LimitSpinBox,
    RecordCombo,
    WeekdayPicker,
)
from trainer_app.ui.dialogs.form import RecordDialog
from trainer_app.ui.records import TRAINER


class TrainerDialog(RecordDialog):
    kind = TRAINER

    def build(self) -> None:
        self.name = self.add_field("name", "Name", QLineEdit())
        self.name.setPlaceholderText("As it should appear on certificates")
        self.hub = self.add_field("hub_id", "Home hub", RecordCombo(choices.hubs(self.context)))
        self.email = self.add_field("email", "E-mail", QLineEdit())
        self.employment = self.add_field("employment", "Employment", EnumCombo(Employment))
        self.qualifications = self.add_field(
            "qualifications",
            "Qualified to teach",
            CheckList(choices.courses(self.context), "Find a course"),
        )
        self.weekdays = self.add_field("weekdays", "Works on", WeekdayPicker())
        self.weekdays.set_value(range(5))
        self.per_day = self.add_field(
            "max_periods_per_day", "Max periods a day", LimitSpinBox(PERIODS_PER_DAY)
        )
        self.per_week = self.add_field(
            "max_periods_per_week", "Max periods a week", LimitSpinBox(7 * PERIODS_PER_DAY)
        )
        self.leave = self.add_field("leave", "Leave", AbsenceListEditor("Add leave"))
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setFixedHeight(70)

    def load(self, record: Trainer) -> None:
        self.name.setText(record.name)
        self.hub.set_value(record.hub_id)
        self.email.setText(record.email)
        self.employment.set_value(record.employment)
        self.qualifications.set_value(record.qualifications)
        self.weekdays.set_value(record.weekdays)
        self.per_day.set_value(record.max_periods_per_day)
        self.per_week.set_value(record.max_periods_per_week)
        self.leave.set_value(record.leave)
        self.notes.setPlainText(record.notes)

    def current_fields(self) -> TrainerFields:
        return TrainerFields(
            name=self.name.text(),
            hub_id=self.hub.value() or 0,
            email=self.email.text(),
            employment=self.employment.value(),
            qualifications=self.qualifications.value(),
            weekdays=self.weekdays.value(),
            leave=self.leave.value(),
            max_periods_per_day=self.per_day.value_or_none(),
            max_periods_per_week=self.per_week.value_or_none(),
            notes=self.notes.toPlainText(),
        )
