"""Add/edit a cohort or a trainee."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from trainer_app.domain.people import Cohort, CohortFields, Trainee, TraineeFields, TraineeType
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import CheckList, EnumCombo, OptionalDateEdit, RecordCombo
from trainer_app.ui.dialogs.form import RecordDialog
from trainer_app.ui.records import COHORT, TRAINEE


class CohortDialog(RecordDialog):
    kind = COHORT

    def build(self) -> None:
        self.name = self.add_field("name", "Name", QLineEdit())
        self.name.setPlaceholderText("e.g. MSc Cell & Gene Therapy 2027")
        self.programme = self.add_field("programme", "Programme", QLineEdit())
        self.hub = self.add_field(
            "hub_id", "Hub", RecordCombo(choices.hubs(self.context), none_text="All hubs")
        )
        self.starts_on = self.add_field("starts_on", "Starts", OptionalDateEdit())
        self.ends_on = self.add_field("ends_on", "Ends", OptionalDateEdit())
        self.description = self.add_field("description", "Description", QPlainTextEdit())
        self.description.setFixedHeight(80)

    def load(self, record: Cohort) -> None:
        self.name.setText(record.name)
        self.programme.setText(record.programme)
        self.hub.set_value(record.hub_id)
        self.starts_on.set_value(record.starts_on)
        self.ends_on.set_value(record.ends_on)
        self.description.setPlainText(record.description)

    def current_fields(self) -> CohortFields:
        return CohortFields(
            name=self.name.text(),
            programme=self.programme.text(),
            hub_id=self.hub.value(),
            starts_on=self.starts_on.value(),
            ends_on=self.ends_on.value(),
            description=self.description.toPlainText(),
        )


class TraineeDialog(RecordDialog):
    kind = TRAINEE

    def build(self) -> None:
        self.reference = self.add_field("reference", "Reference", QLineEdit())
        if self.record is None:
            self.reference.setText(self.context.trainees.next_reference())
        self.name = self.add_field("name", "Name", QLineEdit())
        self.name.setPlaceholderText("As the trainee writes it, in any script")
        self.hub = self.add_field("hub_id", "Hub", RecordCombo(choices.hubs(self.context)))
        self.trainee_type = self.add_field("trainee_type", "Type", EnumCombo(TraineeType))
        self.trainee_type.set_value(TraineeType.INDUSTRY)
        self.organisation = self.add_field("organisation", "Organisation", QLineEdit())
        self.role = self.add_field("role", "Role", QLineEdit())
        self.email = self.add_field("email", "E-mail", QLineEdit())
        self.cohorts = self.add_field(
            "cohort_ids", "Cohorts", CheckList(choices.cohorts(self.context), "Find a cohort")
        )
        if "cohort_id" in self.preset:
            self.cohorts.set_value({self.preset["cohort_id"]})

    def load(self, record: Trainee) -> None:
        self.reference.setText(record.reference)
        self.name.setText(record.name)
        self.hub.set_value(record.hub_id)
        self.trainee_type.set_value(record.trainee_type)
        self.organisation.setText(record.organisation)
        self.role.setText(record.role)
        self.email.setText(record.email)
        self.cohorts.set_value(record.cohort_ids)

    def current_fields(self) -> TraineeFields:
        return TraineeFields(
            reference=self.reference.text(),
            name=self.name.text(),
            hub_id=self.hub.value() or 0,
            trainee_type=self.trainee_type.value(),
            organisation=self.organisation.text(),
            role=self.role.text(),
            email=self.email.text(),
            cohort_ids=self.cohorts.value(),
        )
