"""The Results tab: each enrolled person against the course's completion rule."""

from __future__ import annotations

from dataclasses import dataclass

from trainer_app.domain import dates
from trainer_app.domain.records import Enrolment
from trainer_app.exports import wording
from trainer_app.services.training import Progress
from trainer_app.ui.icons import action_button
from trainer_app.ui.record_table import table_view
from trainer_app.ui.runs.roster import NOBODY_ENROLLED, NOT_PUBLISHED
from trainer_app.ui.runs.rows import (
    Column,
    ListTab,
    RowsModel,
    empty_label,
)


@dataclass(frozen=True)
class Result:
    """One enrolled person against the course's completion rule."""

    enrolment: Enrolment
    progress: Progress

    @property
    def name(self) -> str:
        return self.enrolment.trainee_name


def _attendance(r: Result) -> str:
    p = r.progress
    return f"{p.attended} of {p.sessions}" if p.sessions else ""


def _theory(r: Result) -> str:
    return f"{wording.number(r.progress.theory)} %" if r.progress.theory is not None else "—"


def _practical(r: Result) -> str:
    practical = r.progress.practical
    return "—" if practical is None else ("Passed" if practical else "Failed")


def _completion(r: Result) -> str:
    """``✓ 1 Dec 2026`` (as the register shows it; the tooltip says until when it is valid),
    or what is still missing."""
    done = r.progress.completion
    if done is not None:
        return f"✓ {dates.day(done.completed_on)}"
    missing = r.progress.shortfalls
    if not missing:
        return ""
    more = f" (+{len(missing) - 1} more)" if len(missing) > 1 else ""
    return f"Missing: {missing[0]}{more}"


def _completion_tip(r: Result) -> str:
    done = r.progress.completion
    if done is not None:
        until = f" · valid until {dates.day(done.expires_on)}" if done.expires_on else ""
        return f"Completed {dates.day(done.completed_on)}{until}"
    return "Still missing:\n" + "\n".join(f"• {s}" for s in r.progress.shortfalls)


RESULT_COLUMNS: tuple[Column[Result], ...] = (
    Column(
        "Name", lambda r: r.name, lambda r: f"{r.name} ({r.enrolment.trainee_reference})", key=True
    ),
    Column(
        "Attended",
        _attendance,
        lambda r: f"Attended {r.progress.attended} of {r.progress.sessions} sessions (late counts)",
        sort=lambda r: r.progress.attended,
    ),
    Column("Theory", _theory, sort=lambda r: r.progress.theory or -1, numeric=True),
    Column("Practical", _practical),
    # Last, taking what is left: a completion (✓ and its day) always fits; a long list of
    # what is missing is cut, and its tooltip has it whole.
    Column("Completion", _completion, _completion_tip),
)


class ResultsTab(ListTab):
    def __init__(self) -> None:
        self.model: RowsModel[Result] = RowsModel(RESULT_COLUMNS)
        self.record_button = action_button(
            "result", "&Record result…", "Record a theory score or practical result (Enter)"
        )
        self.certificates_button = action_button(
            "certificate",
            "Issue &certificates…",
            "Preview and issue certificates for this run's completions",
        )
        super().__init__(
            table_view("Results", self.model),
            empty_label(NOBODY_ENROLLED, "No results"),
            [self.record_button, self.certificates_button],
        )
        self.counts.setAccessibleName("Completed count")
        self.selection_changed.connect(self._update_buttons)

    def show_results(self, results: list[Result], published: bool) -> None:
        keep = self.selected()
        self.model.set_rows(results)
        done = sum(r.progress.completion is not None for r in results)
        self.counts.setText(f"{done} of {len(results)} completed" if results else "")
        self.certificates_button.setEnabled(done > 0)
        self.show_rows(NOBODY_ENROLLED if published else NOT_PUBLISHED)
        if keep is not None:
            match = next((r for r in results if r.enrolment.id == keep.enrolment.id), None)
            if match is not None:
                self.select_where(match)
        self._update_buttons()

    def selected(self) -> Result | None:
        record = self.selected_record()
        return record if isinstance(record, Result) else None

    def _update_buttons(self) -> None:
        self.record_button.setEnabled(self.selected() is not None)
