"""The left of the page: course runs with their dates, places taken and waitlist, filterable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.planning import PlannedSession, RunStatus
from trainer_app.domain.text import search_key
from trainer_app.services.context import ServiceContext
from trainer_app.ui.record_table import follow_selection, make_current, table_view
from trainer_app.ui.runs.rows import (
    RECORD_ROLE,
    SORT_ROLE,
    Column,
    RowsModel,
    column_fitter,
)
from trainer_app.ui.search import search_box, when_typing_pauses

NO_RUNS = "No published runs yet — plan and publish a term on the Plan page (Ctrl+5)"


@dataclass(frozen=True)
class RunSummary:
    """One run as the list shows it: places are counted for published runs only."""

    id: int
    code: str
    course_id: int
    course_code: str
    course_title: str
    status: RunStatus
    hub: str
    first_day: date | None = None
    last_day: date | None = None
    sessions: int = 0
    trainers: tuple[str, ...] = ()
    capacity: int = 0
    enrolled: int = 0
    waiting: int = 0

    @property
    def published(self) -> bool:
        return self.sessions > 0

    @property
    def dates(self) -> str:
        return dates.span(self.first_day, self.last_day)

    @property
    def places(self) -> str:
        return f"{self.enrolled}/{self.capacity}" if self.published else ""

    @property
    def search_text(self) -> str:
        return search_key(self.code, self.course_code, self.course_title, self.hub, *self.trainers)


def run_summaries(
    context: ServiceContext, run_ids: Collection[int] | None = None
) -> list[RunSummary]:
    """Every run (or those of ``run_ids``), with the published sessions' dates and hubs, and
    places taken."""
    runs = context.runs.list() if run_ids is None else [context.runs.get(i) for i in run_ids]
    courses = {c.id: c for c in context.courses.list()}
    hubs = {h.id: h.code for h in context.hubs.list()}
    facility_hubs = {f.id: f.hub_code for f in context.facilities.list()}
    sessions: dict[int, list[PlannedSession]] = defaultdict(list)
    for planned in context.planning.published_sessions(date.min, date.max):
        sessions[planned.run_id].append(planned)
    places = context.enrolment.places([run.id for run in runs if run.id in sessions])
    out = []
    for run in runs:
        held = sessions.get(run.id, [])
        course = courses.get(run.course_id)
        hub = hubs.get(run.hub_id, "") if run.hub_id is not None else ""
        summary = RunSummary(
            id=run.id,
            code=run.code,
            course_id=run.course_id,
            course_code=run.course_code,
            course_title=course.title if course else "",
            status=run.status,
            hub=hub or " ".join(sorted({facility_hubs.get(s.facility_id, "") for s in held})),
        )
        if held:
            taken = places[run.id]
            summary = RunSummary(
                **{
                    **summary.__dict__,
                    "first_day": held[0].held_on,
                    "last_day": held[-1].held_on,
                    "sessions": len(held),
                    "trainers": tuple(dict.fromkeys(s.trainer_name for s in held)),
                    "capacity": taken.capacity,
                    "enrolled": taken.enrolled,
                    "waiting": taken.waiting,
                }
            )
        out.append(summary)
    return out


def _status_text(run: RunSummary) -> str:
    return (
        run.status.label
        if run.published or run.status is RunStatus.CANCELLED
        else (f"{run.status.label} · not published")
    )


def _places_tip(run: RunSummary) -> str:
    if not run.published:
        return ""
    waiting = f" · {run.waiting} on the waitlist" if run.waiting else ""
    return f"{run.enrolled} enrolled of {run.capacity} places{waiting}"


COLUMNS: tuple[Column[RunSummary], ...] = (
    # The run's code begins with its course's (GOWN-2027-01): no column of its own for the
    # course, whose title is in the tooltip and above the run's tabs.
    Column(
        "Run",
        lambda r: r.code,
        lambda r: f"{r.code} · {r.course_code} {r.course_title} · {_status_text(r)}",
        key=True,
    ),
    Column(
        "Dates",
        lambda r: r.dates,
        lambda r: f"{r.dates} · {r.sessions} session(s)" if r.published else "Not scheduled yet",
        sort=lambda r: (r.first_day or date.max, r.code),
        key=True,
    ),
    Column("Hub", lambda r: r.hub, lambda r: f"Held at {r.hub}" if r.hub else "", optional=True),
    Column(
        "Places",
        lambda r: f"{r.places} +{r.waiting}" if r.waiting else r.places,
        _places_tip,
        sort=lambda r: (r.enrolled, r.capacity, r.waiting),
        numeric=True,
    ),
    Column("Status", _status_text, optional=True),
)
DATES_COLUMN = 1


class RunFilter(QSortFilterProxyModel):
    """Text filter (accent- and case-insensitive, every word must occur) and, unless asked
    for, only runs with published sessions."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.unpublished = False
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.words = search_key(text).split()
        self._refilter()

    def set_unpublished(self, shown: bool) -> None:
        self.unpublished = shown
        self._refilter()

    def _refilter(self) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.10 on; the older call is deprecated there
            self.beginFilterChange()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateRowsFilter()

    def lessThan(
        self,
        source_left: QModelIndex | QPersistentModelIndex,
        source_right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        # Sort keys are Python values (dates, tuples) that Qt cannot compare itself.
        left: Any = source_left.data(SORT_ROLE)
        right: Any = source_right.data(SORT_ROLE)
        return bool(left < right)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RowsModel)
        run: RunSummary | None = model.record(source_row)
        if run is None:
            return False
        if not (run.published or self.unpublished):
            return False
        return all(word in run.search_text for word in self.words)


class RunList(QWidget):
    """The runs, filterable; ``run_selected`` says which (None: none)."""

    run_selected = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.model: RowsModel[RunSummary] = RowsModel(COLUMNS, muted=lambda r: not r.published)
        self.proxy = RunFilter()
        self.proxy.setSourceModel(self.model)
        self.filter_box = search_box("Filter runs…", "Filter runs")
        self._timer = when_typing_pauses(self.filter_box, self.apply_filter)
        self.unpublished = QCheckBox("Show unpublished")
        self.unpublished.setAccessibleName("Show unpublished runs")
        self.unpublished.setToolTip("Also list runs waiting to be planned (greyed)")
        self.unpublished.toggled.connect(self._unpublished_toggled)

        self.view = table_view("Runs table", self.proxy)
        self.columns = column_fitter(self.view, COLUMNS)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(DATES_COLUMN, Qt.SortOrder.AscendingOrder)
        follow_selection(self.view, self._current_changed)

        self.empty = QLabel(NO_RUNS)
        self.empty.setAccessibleName("No runs")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        bar = QHBoxLayout()
        title = QLabel("Runs")
        title.setStyleSheet("font-weight: 600;")
        bar.addWidget(title)
        bar.addStretch()
        bar.addWidget(self.unpublished)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.filter_box)
        layout.addWidget(self.stack, 1)
        self._quiet = False  # while the list is re-read: one signal at the end, not one per step
        self._announced: int | None = None  # the run last announced by run_selected

    # ----- contents --------------------------------------------------------------------------
    def set_runs(self, runs: list[RunSummary], select: int | None = None) -> None:
        keep = select if select is not None else self.selected_id()
        self.model.set_rows(runs)
        self._after_reset(keep)

    def update_run(self, run: RunSummary) -> None:
        """Show ``run`` read again (after an enrolment, say) without re-reading the others."""
        row = next((i for i, r in enumerate(self.model.rows) if r.id == run.id), None)
        if row is not None:
            self.model.replace(row, run)

    def apply_filter(self) -> None:
        self._timer.stop()
        keep = self.selected_id()
        self.proxy.set_text(self.filter_box.text())
        self._after_reset(keep)

    def _unpublished_toggled(self, shown: bool) -> None:
        keep = self.selected_id()
        self.proxy.set_unpublished(shown)
        self._after_reset(keep)

    def _after_reset(self, keep: int | None) -> None:
        if self.proxy.rowCount():
            self.stack.setCurrentWidget(self.view)
            self.columns.fit()
        else:
            text = self.filter_box.text().strip()
            self.empty.setText(
                f"No runs match “{text}” — clear the filter to see all" if text else NO_RUNS
            )
            self.stack.setCurrentWidget(self.empty)
        self._quiet = True
        try:
            if keep is None or not self.select_id(keep):
                self.view.selectionModel().clear()
        finally:
            self._quiet = False
        self._announce()

    # ----- selection -------------------------------------------------------------------------
    def selected(self) -> RunSummary | None:
        index = self.view.selectionModel().currentIndex()
        if not index.isValid() or not self.view.selectionModel().isRowSelected(index.row()):
            return None
        run = index.siblingAtColumn(0).data(RECORD_ROLE)
        return run if isinstance(run, RunSummary) else None

    def selected_id(self) -> int | None:
        run = self.selected()
        return run.id if run else None

    def select_id(self, run_id: int) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            run = index.data(RECORD_ROLE)
            if isinstance(run, RunSummary) and run.id == run_id:
                make_current(self.view, index)
                return True
        return False

    def select_code(self, code: str) -> bool:
        run = next((r for r in self.model.rows if r.code == code), None)
        return run is not None and self.select_id(run.id)

    def _current_changed(self) -> None:
        if not self._quiet and self.selected_id() != self._announced:
            self._announce()

    def _announce(self) -> None:
        run = self.selected()
        self._announced = run.id if run else None
        self.run_selected.emit(run)
