"""Add/edit a hub or a facility."""

from __future__ import annotations

from zoneinfo import available_timezones

from PySide6.QtWidgets import QCompleter, QLineEdit, QPlainTextEdit, QSpinBox

from trainer_app.domain.network import (
    DEFAULT_TIMEZONE,
    MAX_CAPACITY,
    Facility,
    FacilityFields,
    FacilityKind,
    Hub,
    HubFields,
)
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import (
    AbsenceListEditor,
    EnumCombo,
    RecordCombo,
    WeekdayPicker,
)
from trainer_app.ui.dialogs.form import RecordDialog
from trainer_app.ui.records import FACILITY, HUB


class HubDialog(RecordDialog):
    kind = HUB

    def build(self) -> None:
        self.code = self.add_field("code", "Code", QLineEdit())
        self.code.setPlaceholderText("e.g. LON")
        self.name = self.add_field("name", "Name", QLineEdit())
        self.site = self.add_field("site", "Site", QLineEdit())
        self.address = self.add_field("address", "Address", QLineEdit())
        self.timezone = self.add_field("timezone", "Time zone", QLineEdit(DEFAULT_TIMEZONE))
        self.timezone.setCompleter(QCompleter(sorted(available_timezones()), self.timezone))
        self.closures = self.add_field("closures", "Closures", AbsenceListEditor("Add closure"))

    def load(self, record: Hub) -> None:
        self.code.setText(record.code)
        self.name.setText(record.name)
        self.site.setText(record.site)
        self.address.setText(record.address)
        self.timezone.setText(record.timezone)
        self.closures.set_value(record.closures)

    def current_fields(self) -> HubFields:
        return HubFields(
            code=self.code.text(),
            name=self.name.text(),
            site=self.site.text(),
            address=self.address.text(),
            timezone=self.timezone.text(),
            closures=self.closures.value(),
        )


class FacilityDialog(RecordDialog):
    kind = FACILITY

    def build(self) -> None:
        self.hub = self.add_field("hub_id", "Hub", RecordCombo(choices.hubs(self.context)))
        if "hub_id" in self.preset:
            self.hub.set_value(self.preset["hub_id"])
        self.code = self.add_field("code", "Code", QLineEdit())
        self.code.setPlaceholderText("e.g. LON-CR1")
        self.name = self.add_field("name", "Name", QLineEdit())
        self.facility_kind = self.add_field("kind", "Kind", EnumCombo(FacilityKind))
        self.capacity = self.add_field("capacity", "Capacity", QSpinBox())
        self.capacity.setRange(0, MAX_CAPACITY * 10)
        self.capacity.setValue(12)
        self.capacity.setSuffix(" people")
        self.weekdays = self.add_field("weekdays", "Open on", WeekdayPicker())
        self.weekdays.set_value(range(5))
        self.closures = self.add_field("closures", "Closures", AbsenceListEditor("Add closure"))
        self.notes = self.add_field("notes", "Notes", QPlainTextEdit())
        self.notes.setFixedHeight(70)

    def load(self, record: Facility) -> None:
        self.hub.set_value(record.hub_id)
        self.code.setText(record.code)
        self.name.setText(record.name)
        self.facility_kind.set_value(record.kind)
        self.capacity.setValue(record.capacity)
        self.weekdays.set_value(record.weekdays)
        self.closures.set_value(record.closures)
        self.notes.setPlainText(record.notes)

    def current_fields(self) -> FacilityFields:
        return FacilityFields(
            hub_id=self.hub.value() or 0,
            code=self.code.text(),
            name=self.name.text(),
            kind=self.facility_kind.value(),
            capacity=self.capacity.value(),
            weekdays=self.weekdays.value(),
            closures=self.closures.value(),
            notes=self.notes.toPlainText(),
        )
