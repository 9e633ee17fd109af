"""Network: hubs and, beneath them, the facilities of the chosen hub."""

from __future__ import annotations

from trainer_app.ui.pages.master_detail import MasterDetailPage
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.records import FACILITY, HUB


class NetworkPage(MasterDetailPage):
    key = "network"
    title = "Network"
    icon = "network"
    filter_key = "hub_id"

    def make_tables(self) -> tuple[RecordTable, RecordTable]:
        hubs = RecordTable("hubs", self.context.hubs, HUB, heading="Hubs")
        hubs.empty_hint = "No hubs yet — Add hub (Ctrl+N) to start building the network"
        facilities = RecordTable(
            "facilities",
            self.context.facilities,
            FACILITY,
            heading="Facilities",
            all_text="All facilities",
        )
        facilities.empty_hint = "No facilities here yet — Add facility to record a room"
        return hubs, facilities
