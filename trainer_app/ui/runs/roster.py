"""The Roster tab: enrolled people, then the waitlist in order, then withdrawals (greyed)."""

from __future__ import annotations

from collections import Counter

from trainer_app.domain import dates
from trainer_app.domain.records import Enrolment, EnrolmentStatus
from trainer_app.ui.icons import action_button
from trainer_app.ui.record_table import table_view
from trainer_app.ui.runs.rows import (
    Column,
    ListTab,
    RowsModel,
    empty_label,
)

NOBODY_ENROLLED = "Nobody enrolled yet — Enrol trainees… or Enrol cohort…"
NOT_PUBLISHED = "This run is not published yet — plan and publish it on the Plan page (Ctrl+5)"


def _status(e: Enrolment) -> str:
    if e.status is EnrolmentStatus.WAITLISTED:
        return f"Waitlist {e.position}"
    if e.status is EnrolmentStatus.WITHDRAWN and e.withdraw_reason:
        return f"{e.status.label}: {e.withdraw_reason}"
    return e.status.label


def _since(e: Enrolment) -> str:
    when = e.withdrawn_at if e.status is EnrolmentStatus.WITHDRAWN else e.enrolled_at
    return dates.day(when.date()) if when else ""


def _since_tip(e: Enrolment) -> str:
    text = f"Enrolled {dates.day(e.enrolled_at.date())}"
    if e.withdrawn_at is not None:
        text += f" · withdrawn {dates.day(e.withdrawn_at.date())}"
    return text


ROSTER_COLUMNS: tuple[Column[Enrolment], ...] = (
    Column("Name", lambda e: e.trainee_name, key=True),
    Column("Reference", lambda e: e.trainee_reference, key=True),
    Column("Since", _since, _since_tip),
    Column(
        "Status",  # a withdrawal's reason follows it (the tooltip has it whole)
        _status,
        lambda e: f"Number {e.position} on the waitlist" if e.position else _status(e),
    ),
)


class RosterTab(ListTab):
    def __init__(self) -> None:
        self.model: RowsModel[Enrolment] = RowsModel(
            ROSTER_COLUMNS, muted=lambda e: e.status is EnrolmentStatus.WITHDRAWN
        )
        self.enrol_button = action_button(
            "enrol", "&Enrol trainees…", "Search trainees and enrol them (Ctrl+N)"
        )
        self.cohort_button = action_button(
            "cohort", "Enrol &cohort…", "Enrol everyone in a cohort who can go"
        )
        self.withdraw_button = action_button(
            "withdraw", "&Withdraw…", "Withdraw the selected person, with a reason"
        )
        super().__init__(
            table_view("Roster", self.model),
            empty_label(NOBODY_ENROLLED, "Nobody enrolled"),
            [self.enrol_button, self.cohort_button, self.withdraw_button],
        )
        self.counts.setAccessibleName("Roster counts")
        self.selection_changed.connect(self._update_buttons)

    def show_roster(self, roster: list[Enrolment], published: bool) -> None:
        keep = self.selected()
        self.model.set_rows(roster)
        count = Counter(e.status for e in roster)
        parts = [f"{count[EnrolmentStatus.ENROLLED]} enrolled"]
        if count[EnrolmentStatus.WAITLISTED]:
            parts.append(f"{count[EnrolmentStatus.WAITLISTED]} on the waitlist")
        if count[EnrolmentStatus.WITHDRAWN]:
            parts.append(f"{count[EnrolmentStatus.WITHDRAWN]} withdrawn")
        self.counts.setText(" · ".join(parts) if roster else "")
        self.show_rows(NOBODY_ENROLLED if published else NOT_PUBLISHED)
        if keep is not None:
            match = next((e for e in roster if e.id == keep.id), None)
            if match is not None:
                self.select_where(match)
        self.enrol_button.setEnabled(published)
        self.cohort_button.setEnabled(published)
        self._update_buttons()

    def selected(self) -> Enrolment | None:
        record = self.selected_record()
        return record if isinstance(record, Enrolment) else None

    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.withdraw_button.setEnabled(
            chosen is not None and chosen.status is not EnrolmentStatus.WITHDRAWN
        )
