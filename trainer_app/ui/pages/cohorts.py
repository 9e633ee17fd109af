"""Cohorts & trainees: the cohorts, and the trainees of the chosen cohort (or all of them)."""

from __future__ import annotations

from trainer_app.ui.pages.master_detail import MasterDetailPage
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.records import COHORT, TRAINEE


class CohortsPage(MasterDetailPage):
    key = "cohorts"
    title = "Cohorts & trainees"
    icon = "cohort"
    filter_key = "cohort_id"

    def make_tables(self) -> tuple[RecordTable, RecordTable]:
        cohorts = RecordTable("cohorts", self.context.cohorts, COHORT, heading="Cohorts")
        cohorts.empty_hint = "No cohorts yet — Add cohort (Ctrl+N) for a programme's intake"
        trainees = RecordTable(
            "trainees",
            self.context.trainees,
            TRAINEE,
            heading="Trainees",
            all_text="All trainees",
        )
        trainees.empty_hint = "No trainees here yet — Add trainee to enrol someone"
        return cohorts, trainees
