"""Planning use cases: build a scenario from the store, save, compare, lock and publish plans.

Scenario ids follow ``planning_scenario`` (hub and facility codes, ``T<id>`` for trainers, run
codes for offerings, cohort names). Saved plans keep the exact scenario@1 and plan@1 documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.domain.errors import DomainError, FieldError, NotFound, ValidationError
from trainer_app.domain.planning import (
    PlanComparison,
    PlannedSession,
    PlanStatus,
    PlanVersion,
    RunStatus,
    SessionMove,
    Unavailable,
    term_name,
)
from trainer_app.domain.text import check_name
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AttendanceRow,
    CourseRunRow,
    FacilityRow,
    HubRow,
    PlannedSessionRow,
    PlanVersionRow,
    TrainerRow,
)
from trainer_app.persistence.uow import reading, retrying, transaction
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.rules import Rule, Term
from trainer_app.scheduling.scenario import (
    TERMS,
    Assignment,
    Lock,
    Plan,
    Scenario,
    dump_json,
    plan_from_dict,
    plan_to_dict,
    scenario_from_dict,
    scenario_to_dict,
)
from trainer_app.services.base import (
    CrudService,
    Now,
    add_audited,
    join_words,
    now_utc,
    plural,
    write_audit,
)
from trainer_app.services.enrolment import clashes_of_enrolled, run_scope
from trainer_app.services.planning_run import (
    DEFAULT_OPTIONS,
    OnProgress,
    ShouldStop,
    Solve,
    SolveOptions,
    real_solve,
    solve_and_check,
)
from trainer_app.services.planning_scenario import (
    ScenarioRequest,
    build,
    trainer_id_of,
    trainer_key,
    unavailable_times,
)
from trainer_app.services.planning_verdict import CheckedPlan, check_plan

REPLAN_MOVES_WEIGHT = 10


@dataclass(frozen=True, kw_only=True)
class PlanName:
    """The one thing a coordinator edits about a saved plan."""

    name: str

    def validated(self) -> PlanName:
        errors: list[FieldError] = []
        name = check_name(self.name, "name", "Plan name", errors)
        if errors:
            raise ValidationError(errors, subject="Plan")
        return PlanName(name=name)


class PlanVersionService(CrudService[PlanName, PlanVersion, PlanVersionRow]):
    """Rename, delete, list and version checks of saved plans (CrudService mechanics)."""

    entity_type = RecordType.PLAN
    noun = "Plan"
    row_class = PlanVersionRow
    fields_class = PlanName

    def _validate(self, session: Session, fields: PlanName, entity_id: int | None) -> PlanName:
        return fields.validated()

    def _authorise(self, verb: str, *records: Any) -> None:
        """A plan belongs to the hubs it was made for (every hub when it was not filtered)."""
        codes = {c for r in records for c in getattr(r, "hub_codes", ())}
        with reading(self.store) as session:
            hubs: list[int | None] = list(
                session.scalars(select(HubRow.id).where(HubRow.code.in_(codes)))
            )
        what = f"{verb} plan {self._label(records[0])}" if records else f"{verb} plans"
        self.actor.require(Act.EDIT_HUB_DATA, hubs=hubs or [None], what=what)

    def _apply(self, session: Session, row: PlanVersionRow, fields: PlanName) -> None:
        row.name = fields.name

    def _record(self, session: Session, row: PlanVersionRow) -> PlanVersion:
        return PlanVersion(
            id=row.id,
            row_version=row.row_version,
            name=row.name,
            status=PlanStatus(row.status),
            created_at=row.created_at,
            created_by=row.created_by,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            hub_codes=tuple(c for c in row.hub_filter.split(",") if c),
            cost_total=row.cost_total,
            solver_summary=row.solver_summary,
            published_at=row.published_at,
        )

    def _label(self, fields: Any) -> str:
        return str(fields.name)

    def _list_statement(self) -> Any:
        return select(PlanVersionRow).order_by(PlanVersionRow.created_at.desc(), PlanVersionRow.id)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        row = self._load(session, entity_id)
        if row.status == PlanStatus.DRAFT:
            return []
        return [f"is {row.status}; only draft plans can be deleted"]


@dataclass(frozen=True, kw_only=True)
class PlanScope:
    """What to plan: the working days from ``start`` to ``end``, at some hubs (None: all),
    some runs (None: every draft or planned run in the dates), with the coordinator's weights."""

    start: date
    end: date
    hub_ids: tuple[int, ...] | None = None
    run_ids: tuple[int, ...] | None = None
    weights: Mapping[str, float] | None = None
    name: str = ""


@dataclass(frozen=True)
class MadePlan:
    """A plan made from the store: the checker's verdict and the draft it was saved as
    (``version`` None, with ``not_saved`` saying why, when the store refused it)."""

    checked: CheckedPlan
    name: str
    version: PlanVersion | None
    not_saved: str = ""


class PlanningService:
    """One method per planning action; each write is one audited transaction."""

    def __init__(
        self, store: Store, actor: Actor, now: Now = now_utc, solve: Solve = real_solve
    ) -> None:
        """``now`` stamps plans (saved, published) and the audit trail; ``solve`` is the
        planner (scheduling.solver.solve)."""
        self.store = store
        self.actor = actor
        self.now = now
        self.solve = solve
        self.versions = PlanVersionService(store, actor, now)

    # ----- making plans --------------------------------------------------------------------------
    def make_plan(
        self,
        scope: PlanScope,
        options: SolveOptions = DEFAULT_OPTIONS,
        *,
        name: Callable[[Scenario], str] | None = None,
        on_progress: OnProgress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> MadePlan:
        """Build the scenario for ``scope`` from the store, plan it, check the plan with the
        independent checker and save it as a draft with the checker's cost and status.

        Cancel (``should_stop``) keeps the best plan found so far, checked and saved like any
        other. ``name`` names the draft from its scenario (default: the scenario's name, else
        when it was made).
        """
        scenario = self.build_scenario(
            scope.start,
            scope.end,
            hub_ids=scope.hub_ids,
            run_ids=scope.run_ids,
            weights=scope.weights,
            name=scope.name,
        )
        return self.plan_scenario(
            scenario, options, name=name, on_progress=on_progress, should_stop=should_stop
        )

    def replan(
        self,
        plan_id: int,
        options: SolveOptions = DEFAULT_OPTIONS,
        *,
        name: Callable[[Scenario], str] | None = None,
        on_progress: OnProgress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> MadePlan:
        """``make_plan`` for saved plan ``plan_id`` again (``replan_scenario``: today's store,
        its locks kept, moving as few sessions as it can)."""
        scenario = self.replan_scenario(plan_id)
        return self.plan_scenario(
            scenario, options, name=name, on_progress=on_progress, should_stop=should_stop
        )

    def plan_scenario(
        self,
        scenario: Scenario,
        options: SolveOptions = DEFAULT_OPTIONS,
        *,
        name: Callable[[Scenario], str] | None = None,
        on_progress: OnProgress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> MadePlan:
        """``make_plan`` for a scenario already built (``build_scenario``, ``replan_scenario``)."""
        checked = solve_and_check(
            scenario, options, on_progress=on_progress, should_stop=should_stop, solve=self.solve
        )
        if name is not None:
            called = name(scenario)
        else:
            called = scenario.name or self.new_plan_name(scenario)
        try:
            version = self.save_checked(called, checked)
        except DomainError as error:  # the store changed under the planner: show, say why
            return MadePlan(checked, called, None, str(error))
        return MadePlan(checked, called, version)

    def new_plan_name(self, scenario: Scenario) -> str:
        """``Spring 2027 · 6 Dec 14:05``: a new plan's name, its term and when it was made, in
        local time (its status, draft or published, is shown beside it, never in it)."""
        term = term_name(scenario.calendar.days[0]) if scenario.calendar.days else "Plan"
        again = " (re-plan)" if scenario.name.endswith("(re-plan)") else ""
        made = self.now().astimezone()
        return f"{term} · {dates.day_month(made)} {dates.time_of_day(made)}{again}"

    def check_plan(self, scenario: Scenario, plan: Plan) -> CheckedPlan:
        """The independent checker's verdict on ``plan`` (no store involved)."""
        return check_plan(scenario, plan)

    def get_checked_plan(self, plan_id: int) -> tuple[PlanVersion, CheckedPlan]:
        """Saved plan ``plan_id`` with the checker's verdict on it, as its stored scenario has
        it (for a window: call it off the GUI thread)."""
        version, scenario, plan = self.get_plan(plan_id)
        return version, check_plan(scenario, plan)

    # ----- scenarios ---------------------------------------------------------------------------
    def build_scenario(
        self,
        start: date,
        end: date,
        *,
        hub_ids: Iterable[int] | None = None,
        run_ids: Iterable[int] | None = None,
        weights: Mapping[str, float] | None = None,
        previous_plan_id: int | None = None,
        name: str = "",
    ) -> Scenario:
        """The scenario for the working days from ``start`` to ``end`` (see module docstring).

        Runs: ``run_ids`` (cancelled ones left out), else every draft or planned run whose
        window overlaps the dates, at the chosen hubs or at any hub. ``previous_plan_id``: that
        saved plan, moved onto this calendar, becomes ``previous_plan``.
        """
        _check_weights(weights or {})
        request = ScenarioRequest(
            start=start,
            end=end,
            hub_ids=None if hub_ids is None else frozenset(hub_ids),
            run_ids=None if run_ids is None else frozenset(run_ids),
            weights=weights,
            name=name,
        )
        with reading(self.store) as session:
            scenario = build(session, request, None)
            if previous_plan_id is None:
                return scenario
            stored, plan = _documents(self.versions._load(session, previous_plan_id))
        return replace(scenario, previous_plan=_moved_plan(plan, stored, scenario))

    def export_scenario(
        self,
        start: date,
        end: date,
        *,
        hub_ids: Iterable[int] | None = None,
        run_ids: Iterable[int] | None = None,
        weights: Mapping[str, float] | None = None,
        previous_plan_id: int | None = None,
        name: str = "",
    ) -> dict[str, Any]:
        """``build_scenario`` as the scenario@1 JSON document (for ``trainer-app scenario``)."""
        return scenario_to_dict(
            self.build_scenario(
                start,
                end,
                hub_ids=hub_ids,
                run_ids=run_ids,
                weights=weights,
                previous_plan_id=previous_plan_id,
                name=name,
            )
        )

    def replan_scenario(self, plan_id: int) -> Scenario:
        """The saved plan's runs and dates rebuilt from today's store, with that plan as the
        previous plan, its locks kept and moves weighted ``REPLAN_MOVES_WEIGHT`` (minimal change).
        """
        with reading(self.store) as session:
            row = self.versions._load(session, plan_id)
            stored, _ = _documents(row)
            request = _request_for(session, row, stored)
            name = row.name
        scenario = self.build_scenario(
            request.start,
            request.end,
            hub_ids=request.hub_ids,
            run_ids=request.run_ids,
            weights={**stored.weights, Term.MOVES: REPLAN_MOVES_WEIGHT},
            previous_plan_id=plan_id,
            name=f"{name} (re-plan)",
        )
        return replace(scenario, locked=_merged_locks(scenario, stored))

    # ----- saved plans -------------------------------------------------------------------------
    def save_plan(self, name: str, scenario: Scenario, plan: Plan) -> PlanVersion:
        """Keep ``plan`` for ``scenario`` as a draft with the checker's cost, status and hard
        violations (whatever the plan says of itself); its draft runs become planned."""
        return self.save_checked(name, check_plan(scenario, plan))

    def save_checked(self, name: str, checked: CheckedPlan) -> PlanVersion:
        """``save_plan`` for a plan the checker has already judged (``check_plan``)."""
        scenario, plan = checked.scenario, checked.plan
        clean = PlanName(name=name or scenario.name).validated()
        with transaction(self.store) as session:
            self._require_runs(session, self._runs(session, scenario).values(), "save this plan")
            row = PlanVersionRow(
                row_version=1,
                name=clean.name,
                status=PlanStatus.DRAFT.value,
                created_at=self.now(),
                created_by=self.actor.username,
                starts_on=scenario.calendar.days[0],
                ends_on=scenario.calendar.days[-1],
                hub_filter=_hub_filter(session, scenario),
                scenario_json=dump_json(scenario_to_dict(scenario)),
                plan_json=dump_json(plan_to_dict(plan)),
                cost_total=plan.cost.get("total"),
                solver_summary=_solver_summary(plan),
            )
            session.add(row)
            session.flush()
            self._audit(
                session,
                AuditAction.CREATE,
                row,
                [
                    ("name", None, row.name),
                    ("dates", None, f"{row.starts_on}..{row.ends_on}"),
                    ("runs", None, str(len(planned_codes(scenario)))),
                    ("cost_total", None, _number(row.cost_total)),
                ],
            )
            runs = self._runs(session, scenario)
            self._set_run_status(session, runs, RunStatus.PLANNED, {RunStatus.DRAFT})
            return self.versions._record(session, row)

    def list_plans(self) -> list[PlanVersion]:
        """Every saved plan, newest first."""
        return self.versions.list()

    def get_plan(self, plan_id: int) -> tuple[PlanVersion, Scenario, Plan]:
        with reading(self.store) as session:
            row = self.versions._load(session, plan_id)
            scenario, plan = _documents(row)
            return self.versions._record(session, row), scenario, plan

    def rename_plan(self, plan_id: int, expected_version: int, name: str) -> PlanVersion:
        return self.versions.update(plan_id, expected_version, PlanName(name=name))

    def delete_plan(self, plan_id: int, expected_version: int) -> PlanVersion:
        """Delete a draft plan (published and superseded ones are the record: refused)."""
        return self.versions.delete(plan_id, expected_version)

    def set_locks(self, plan_id: int, expected_version: int, locks: Sequence[Lock]) -> PlanVersion:
        """Replace the draft plan's locked sessions (kept in its stored scenario)."""
        with transaction(self.store) as session:
            row = self._draft(session, plan_id, expected_version, "its locks changed")
            scenario, _ = _documents(row)
            what = f"change the locks of plan {row.name}"
            self._require_runs(session, self._runs(session, scenario).values(), what)
            changed = replace(scenario, locked=tuple(locks))
            scenario_from_dict(scenario_to_dict(changed))  # names every bad lock
            row.scenario_json = dump_json(scenario_to_dict(changed))
            self.versions._touch(row)
            session.flush()
            before, after = _describe_locks(scenario), _describe_locks(changed)
            self._audit(session, AuditAction.UPDATE, row, [("locked", before, after)])
            return self.versions._record(session, row)

    def compare(self, a_id: int, b_id: int) -> PlanComparison:
        """Cost per term of each plan (as the checker computes it), b − a, and what moved."""
        with reading(self.store) as session:
            rows = [self.versions._load(session, i) for i in (a_id, b_id)]
            names = _trainer_names(session)
            records = [self.versions._record(session, r) for r in rows]
            (scenario_a, plan_a), (scenario_b, plan_b) = (_documents(r) for r in rows)
        cost_a, cost_b = check(scenario_a, plan_a).cost, check(scenario_b, plan_b).cost
        where_a = _placements(scenario_a, plan_a, names)
        where_b = _placements(scenario_b, plan_b, names)
        moves = tuple(
            SessionMove(key[0], key[1], where_a.get(key), where_b.get(key))
            for key in sorted(where_a.keys() | where_b.keys())
            if where_a.get(key) != where_b.get(key)
        )
        return PlanComparison(
            a=records[0],
            b=records[1],
            cost_a=cost_a,
            cost_b=cost_b,
            difference={
                t: cost_b.get(t, 0.0) - cost_a.get(t, 0.0)
                for t in dict.fromkeys([*cost_a, *cost_b])
            },
            moves=moves,
            unchanged=sum(1 for key, where in where_a.items() if where_b.get(key) == where),
        )

    # ----- publishing ----------------------------------------------------------------------------
    @retrying
    def publish(self, plan_id: int, expected_version: int) -> PlanVersion:
        """Make a draft plan the timetable: its sessions replace those of its runs.

        Refused when the checker finds a hard violation (an unplaced session counts as one).
        The runs become published; a published plan none of whose sessions remain is superseded
        (``superseded_by`` says which, beforehand). No other change can be committed while
        the plan is checked against the store and published (``transaction(alone=True)``).
        """
        with transaction(self.store, alone=True) as session:
            row = self._draft(session, plan_id, expected_version, "published")
            scenario, plan = _documents(row)
            names = _trainer_names(session)
            runs = self._runs(session, scenario)
            self._require_runs(session, runs.values(), f"publish plan {row.name}")
            # Who would be in two places is the most useful thing to say, so it is said before
            # the hard rules (which the planner's view of enrolments makes fail too).
            _refuse_clashes(row.name, session, scenario, plan, runs)
            _refuse_violations(row.name, scenario, plan, names)
            _refuse_since_saved(row.name, session, row, scenario, plan, names)
            superseded = _replaced_plans(session, runs.values())
            self._remove_sessions(session, runs.values())
            self._add_sessions(session, row, scenario, plan, runs)
            self._set_run_status(
                session, runs, RunStatus.PUBLISHED, {RunStatus.DRAFT, RunStatus.PLANNED}
            )
            self._supersede(session, superseded - {row.id})
            row.status, row.published_at = PlanStatus.PUBLISHED.value, self.now()
            self.versions._touch(row)
            session.flush()
            self._audit(session, AuditAction.UPDATE, row, [("status", "draft", "published")])
            return self.versions._record(session, row)

    def superseded_by(self, plan_id: int) -> list[PlanVersion]:
        """The published plans that publishing draft ``plan_id`` would supersede: those whose
        every session belongs to one of its runs (a plan with sessions of other runs stays
        published for them)."""
        with reading(self.store) as session:
            stored, _plan = _documents(self.versions._load(session, plan_id))
            runs = session.scalars(
                select(CourseRunRow).where(CourseRunRow.code.in_(planned_codes(stored)))
            ).unique()
            replaced = _replaced_plans(session, runs) - {plan_id}
            return [
                self.versions._record(session, self.versions._load(session, i))
                for i in sorted(replaced)
            ]

    def unavailable(self, start: date, end: date) -> list[Unavailable]:
        """Why trainers, facilities, hubs and cohorts cannot be planned from ``start`` to
        ``end``: bank holidays, leave, closures, days off and days outside a cohort's course,
        each with its reason in words (the Plan page shades them)."""
        with reading(self.store) as session:
            return list(unavailable_times(session, start, end))

    def published_sessions(self, start: date, end: date) -> list[PlannedSession]:
        """Published sessions held from ``start`` to ``end``, in time order."""
        with reading(self.store) as session:
            rows = session.execute(
                select(PlannedSessionRow, CourseRunRow, FacilityRow.code, TrainerRow.name)
                .join(CourseRunRow, CourseRunRow.id == PlannedSessionRow.run_id)
                .join(FacilityRow, FacilityRow.id == PlannedSessionRow.facility_id)
                .join(TrainerRow, TrainerRow.id == PlannedSessionRow.trainer_id)
                .where(PlannedSessionRow.held_on.between(start, end))
                .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period, CourseRunRow.code)
            ).all()
            return [_planned(s, run, facility, trainer) for s, run, facility, trainer in rows]

    # ----- steps -------------------------------------------------------------------------------
    def _draft(
        self, session: Session, plan_id: int, expected_version: int, action: str
    ) -> PlanVersionRow:
        row = self.versions._load(session, plan_id)
        self.versions._check_version(session, row, expected_version)
        if row.status != PlanStatus.DRAFT:
            raise DomainError(
                f"Plan {row.name} is {row.status}; only a draft plan can be {action}. "
                "Re-plan it to get a new draft"
            )
        return row

    def _require_runs(self, session: Session, runs: Iterable[CourseRunRow], what: str) -> None:
        """Refuse unless the signed-in person may plan every hub these runs belong to."""
        hubs = [hub for run in runs for hub in run_scope(session, run)[0]]
        self.actor.require(Act.EDIT_HUB_DATA, hubs=hubs or [None], what=what)

    def _runs(self, session: Session, scenario: Scenario) -> dict[str, CourseRunRow]:
        """The runs the plan is for (published runs it holds only as context are not)."""
        codes = planned_codes(scenario)
        found = {
            r.code: r
            for r in session.scalars(
                select(CourseRunRow).where(CourseRunRow.code.in_(codes))
            ).unique()
        }
        missing = [c for c in codes if c not in found]
        cancelled = sorted(c for c, r in found.items() if r.status == RunStatus.CANCELLED)
        if cancelled:
            raise DomainError(
                f"{plural(len(cancelled), 'run')} of this plan were cancelled since: "
                f"{', '.join(cancelled[:5])}. Plan again. Nothing was saved"
            )
        if missing:
            raise NotFound(
                f"{plural(len(missing), 'run')} of this plan no longer exist: "
                f"{', '.join(missing[:5])}. Plan again. Nothing was saved"
            )
        return found

    def _remove_sessions(self, session: Session, runs: Iterable[CourseRunRow]) -> None:
        """Delete the published sessions of ``runs``."""
        ids = [r.id for r in runs]
        rows = session.scalars(
            select(PlannedSessionRow).where(PlannedSessionRow.run_id.in_(ids))
        ).all()
        codes = {r.id: r.code for r in runs}
        held = sorted(
            {
                codes[run_id]
                for (run_id,) in session.execute(
                    select(PlannedSessionRow.run_id)
                    .join(AttendanceRow, AttendanceRow.session_id == PlannedSessionRow.id)
                    .where(PlannedSessionRow.run_id.in_(ids))
                )
            }
        )
        if held:
            raise DomainError(
                f"{join_words(held)} already {'has' if len(held) == 1 else 'have'} attendance "
                "recorded: a run that has started keeps its sessions. Leave it out of the plan. "
                "Nothing was published"
            )
        for row in rows:
            write_audit(
                session,
                self.actor,
                AuditAction.DELETE,
                RecordType.PLANNED_SESSION,
                row.id,
                f"{codes[row.run_id]} session {row.session_index + 1}",
                [("held_on", row.held_on.isoformat(), None), ("period", str(row.period), None)],
                at=self.now(),
            )
            session.delete(row)
        session.flush()

    def _add_sessions(
        self,
        session: Session,
        version: PlanVersionRow,
        scenario: Scenario,
        plan: Plan,
        runs: Mapping[str, CourseRunRow],
    ) -> None:
        facilities = dict(session.execute(select(FacilityRow.code, FacilityRow.id)).all())
        trainers = set(session.scalars(select(TrainerRow.id)))
        locked = {(lock.offering, lock.session) for lock in scenario.locked}
        ours = (a for a in plan.assignments if a.offering in runs)  # not the published context
        for a in sorted(ours, key=lambda a: (a.offering, a.session)):
            trainer_id = trainer_id_of(a.trainer)
            if a.facility not in facilities or trainer_id not in trainers:
                raise NotFound(
                    f"{a.offering} session {a.session + 1} uses {a.facility} and trainer "
                    f"{a.trainer}, which are no longer both in the database. Plan again"
                )
            row = PlannedSessionRow(
                row_version=1,
                run_id=runs[a.offering].id,
                session_index=a.session,
                held_on=scenario.calendar.days[a.day],
                period=a.period,
                length=scenario.offering_by_id[a.offering].session_length,
                facility_id=facilities[a.facility],
                trainer_id=trainer_id,
                plan_version_id=version.id,
                locked=a.key in locked,
            )
            add_audited(
                session,
                self.actor,
                row,
                RecordType.PLANNED_SESSION,
                f"{a.offering} session {a.session + 1}",
                [
                    ("held_on", row.held_on.isoformat()),
                    ("period", scenario.calendar.label(a.day, a.period).split()[-1]),
                    ("facility_id", a.facility),
                    ("trainer_id", a.trainer),
                    ("plan", version.name),
                ],
                at=self.now(),
            )

    def _set_run_status(
        self,
        session: Session,
        runs: Mapping[str, CourseRunRow],
        status: RunStatus,
        from_statuses: set[RunStatus],
    ) -> None:
        for run in runs.values():
            if RunStatus(run.status) not in from_statuses:
                continue
            old, run.status = run.status, status.value
            run.row_version += 1
            write_audit(
                session,
                self.actor,
                AuditAction.UPDATE,
                RecordType.COURSE_RUN,
                run.id,
                run.code,
                [("status", old, status.value)],
                at=self.now(),
            )
        session.flush()

    def _supersede(self, session: Session, plan_ids: set[int]) -> None:
        for plan_id in sorted(plan_ids):
            row = self.versions._load(session, plan_id)
            row.status = PlanStatus.SUPERSEDED.value
            self.versions._touch(row)
            session.flush()
            self._audit(session, AuditAction.UPDATE, row, [("status", "published", "superseded")])

    def _audit(
        self,
        session: Session,
        action: AuditAction,
        row: PlanVersionRow,
        changes: Iterable[tuple[str, str | None, str | None]],
    ) -> None:
        write_audit(
            session, self.actor, action, RecordType.PLAN, row.id, row.name, changes, at=self.now()
        )


# ----- helpers -----------------------------------------------------------------------------------


def _replaced_plans(session: Session, runs: Iterable[CourseRunRow]) -> set[int]:
    """The published plans all of whose sessions belong to ``runs``: publishing those runs
    again supersedes them."""
    ids = [r.id for r in runs]
    touched = set(
        session.scalars(
            select(PlannedSessionRow.plan_version_id).where(
                PlannedSessionRow.run_id.in_(ids), PlannedSessionRow.plan_version_id.is_not(None)
            )
        )
    )
    kept = set(
        session.scalars(
            select(PlannedSessionRow.plan_version_id).where(
                PlannedSessionRow.plan_version_id.in_(touched), PlannedSessionRow.run_id.not_in(ids)
            )
        )
    )
    published = set(
        session.scalars(
            select(PlanVersionRow.id).where(
                PlanVersionRow.id.in_(touched - kept),
                PlanVersionRow.status == PlanStatus.PUBLISHED.value,
            )
        )
    )
    return {i for i in published if i is not None}


def _check_weights(weights: Mapping[str, float]) -> None:
    unknown = sorted(set(weights) - set(TERMS))
    if unknown:
        raise ValidationError.single(
            "weights",
            f"Unknown cost term {', '.join(unknown)}; the terms are {', '.join(TERMS)}",
        )
    negative = sorted(t for t, w in weights.items() if w < 0)
    if negative:
        raise ValidationError.single(
            "weights", f"Weights may not be negative: {', '.join(negative)}"
        )


def _documents(row: PlanVersionRow) -> tuple[Scenario, Plan]:
    return (
        scenario_from_dict(json.loads(row.scenario_json)),
        plan_from_dict(json.loads(row.plan_json)),
    )


def _moved_plan(plan: Plan, old: Scenario, new: Scenario) -> Plan:
    """``plan`` with its days re-indexed onto ``new``'s calendar; what does not fit is dropped."""
    index = {day: i for i, day in enumerate(new.calendar.days)}
    kept = []
    for a in plan.assignments:
        day = index.get(old.calendar.days[a.day])
        if day is not None and a.offering in new.offering_by_id:
            kept.append(replace(a, day=day))
    return replace(plan, assignments=tuple(kept))


def planned_codes(scenario: Scenario) -> list[str]:
    """The runs a scenario plans: its offerings less the published ones held as context."""
    return [o.id for o in scenario.offerings if not o.published]


def _with_current_context(plan: Plan, current: Scenario) -> Plan:
    """``plan`` (without context) plus the published runs ``current`` holds as context, as the
    timetable has them now (another plan may have been published since)."""
    context = {o.id for o in current.offerings if o.published}
    theirs = [
        Assignment(lock.offering, lock.session, lock.day, lock.period, lock.facility, lock.trainer)
        for lock in current.locked
        if lock.offering in context and lock.facility is not None and lock.trainer is not None
    ]
    return replace(plan, assignments=(*plan.assignments, *theirs))


def _merged_locks(scenario: Scenario, stored: Scenario) -> tuple[Lock, ...]:
    index = {day: i for i, day in enumerate(scenario.calendar.days)}
    locks = {lock_key(lock): lock for lock in scenario.locked}
    for lock in stored.locked:
        day = index.get(stored.calendar.days[lock.day])
        if day is not None and lock.offering in scenario.offering_by_id:
            locks[lock_key(lock)] = replace(lock, day=day)
    return tuple(locks.values())


def lock_key(lock: Lock) -> tuple[str, int]:
    return (lock.offering, lock.session)


def _hub_filter(session: Session, scenario: Scenario) -> str:
    """The hubs whose facilities the scenario holds; empty when it holds them all."""
    used = {f.hub for f in scenario.facilities}
    every = set(session.scalars(select(HubRow.code)))
    return "" if used >= every else ",".join(sorted(used))


def _solver_summary(plan: Plan) -> str:
    details = ", ".join(
        f"{k} {v}" for k, v in plan.solver.items() if isinstance(v, str | int | float | bool)
    )
    status = plan.status.value
    return f"{status}; {details}"[:500] if details else status


def _number(value: float | None) -> str | None:
    return None if value is None else f"{value:g}"


def _describe_locks(scenario: Scenario) -> str:
    return "; ".join(
        f"{lock.offering} session {lock.session + 1} at "
        f"{scenario.calendar.label(lock.day, lock.period)}"
        for lock in sorted(scenario.locked, key=lambda lock: (lock.offering, lock.session))
    )


def _in_words(message: str, names: Mapping[str, str]) -> str:
    """Checker messages name trainers by scenario id (T7); people know them by name."""
    return re.sub(r"\bT\d+\b", lambda m: names.get(m.group(0), m.group(0)), message)


def _refuse_clashes(
    name: str,
    session: Session,
    scenario: Scenario,
    plan: Plan,
    runs: Mapping[str, CourseRunRow],
) -> None:
    """People already enrolled must not end up in two places at once when runs move."""
    proposed: dict[int, list[tuple[date, int, int]]] = {run.id: [] for run in runs.values()}
    for a in plan.assignments:
        if a.offering in runs:
            length = scenario.offering_by_id[a.offering].session_length
            proposed[runs[a.offering].id].append((scenario.calendar.days[a.day], a.period, length))
    clashes = clashes_of_enrolled(session, proposed)
    if clashes:
        more = f" and {len(clashes) - 5} more" if len(clashes) > 5 else ""
        raise DomainError(
            f"Plan {name} cannot be published: enrolled trainees would be in two places at "
            f"once — {'; '.join(clashes[:5])}{more}. Withdraw them from one of the runs or "
            "plan again. Nothing was published"
        )


def _refuse_violations(name: str, scenario: Scenario, plan: Plan, names: Mapping[str, str]) -> None:
    result = check(scenario, plan)
    if result.valid:
        return
    shown = "; ".join(_in_words(v.message, names) for v in result.hard_violations[:3])
    more = len(result.hard_violations) - 3
    tail = f"; and {more} more" if more > 0 else ""
    raise DomainError(
        f"Plan {name} cannot be published: it breaks "
        f"{plural(len(result.hard_violations), 'hard rule')} ({shown}{tail}). Nothing was published"
    )


def _request_for(session: Session, row: PlanVersionRow, stored: Scenario) -> ScenarioRequest:
    """What a saved plan was made for: its dates, hub filter and runs, as the store has them."""
    codes = planned_codes(stored)
    run_ids = session.scalars(select(CourseRunRow.id).where(CourseRunRow.code.in_(codes))).all()
    hubs = [c for c in row.hub_filter.split(",") if c]
    hub_ids = (
        frozenset(session.scalars(select(HubRow.id).where(HubRow.code.in_(hubs))).all())
        if hubs
        else None
    )
    return ScenarioRequest(row.starts_on, row.ends_on, hub_ids, frozenset(run_ids))


def _refuse_since_saved(
    name: str,
    session: Session,
    row: PlanVersionRow,
    stored: Scenario,
    plan: Plan,
    names: Mapping[str, str],
) -> None:
    """A draft is checked again against the store as it is now: leave, closures or limits
    entered after it was saved must not be published over."""
    current = build(session, _request_for(session, row, stored), None)
    ours = set(planned_codes(stored))
    planned = replace(plan, assignments=tuple(a for a in plan.assignments if a.offering in ours))
    moved = _moved_plan(planned, stored, current)
    lost = len(planned.assignments) - len(moved.assignments)
    moved = _with_current_context(moved, current)
    result = check(replace(current, locked=()), moved)
    problems = [
        _in_words(v.message, names) for v in result.hard_violations if v.rule != Rule.UNPLACED
    ]
    if lost:
        problems.insert(0, f"{plural(lost, 'session')} now fall on a day that is no longer planned")
    if not problems:
        return
    shown = "; ".join(problems[:3])
    more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
    raise DomainError(
        f"Plan {name} cannot be published: the store has changed since it was saved "
        f"({shown}{more}). Re-plan it to get a draft that fits. Nothing was published"
    )


def _trainer_names(session: Session) -> dict[str, str]:
    return {trainer_key(i): n for i, n in session.execute(select(TrainerRow.id, TrainerRow.name))}


def _placements(
    scenario: Scenario, plan: Plan, names: Mapping[str, str]
) -> dict[tuple[str, int], str]:
    return {
        a.key: (
            f"{scenario.calendar.label(a.day, a.period)}, {a.facility}, "
            f"{names.get(a.trainer, a.trainer)}"
        )
        for a in plan.assignments
    }


def _planned(
    row: PlannedSessionRow, run: CourseRunRow, facility: str, trainer: str
) -> PlannedSession:
    return PlannedSession(
        id=row.id,
        run_id=run.id,
        run_code=run.code,
        course_code=run.course.code,
        session_index=row.session_index,
        held_on=row.held_on,
        period=row.period,
        length=row.length,
        facility_id=row.facility_id,
        facility_code=facility,
        trainer_id=row.trainer_id,
        trainer_name=trainer,
        plan_version_id=row.plan_version_id,
        locked=row.locked,
    )
