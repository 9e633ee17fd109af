"""Enrolment on published course runs: capacity, waitlist, prerequisites, clashes, refreshers.

Every rule is checked here (the GUI and the CLI only ask): a refusal names the trainee and the
rule. A full run takes a waitlist in order; a withdrawal promotes the next person who may still
go. Several trainees (a whole cohort) are enrolled all-or-nothing; ``check`` says beforehand who
can go, so a caller can offer to enrol just those.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.domain.errors import DomainError, NotFound, StaleEdit, ValidationError
from trainer_app.domain.planning import RunStatus
from trainer_app.domain.records import DEFAULT_EXPIRING_DAYS, Enrolment, EnrolmentStatus
from trainer_app.domain.text import clean_text
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AppMeta,
    CompletionRow,
    CoursePrerequisiteRow,
    CourseRow,
    CourseRunRow,
    EnrolmentRow,
    FacilityRow,
    PlannedSessionRow,
    TraineeRow,
)
from trainer_app.persistence.uow import reading, retrying, transaction
from trainer_app.services.base import join_words, now_utc, plural, write_audit

PERIOD_TIMES = ("09:00", "11:00", "13:30", "15:30")
EXPIRING_DAYS_KEY = "expiring_days"


@dataclass(frozen=True)
class Verdict:
    """Whether one trainee may be enrolled on a run, and how."""

    trainee_id: int
    name: str
    refusal: str = ""  # empty: may be enrolled
    waitlisted: bool = False  # would go on the waitlist (the run is full)

    @property
    def ok(self) -> bool:
        return not self.refusal


@dataclass(frozen=True)
class Places:
    """A run's places: how many (the course's limit or its smallest room), how many taken, how
    many waiting."""

    capacity: int
    enrolled: int
    waiting: int


@dataclass(frozen=True)
class RunFacts:
    """What the rules need to know about a run, read once."""

    id: int
    code: str
    course_id: int
    course_code: str
    course_title: str
    status: RunStatus
    sessions: tuple[tuple[date, int, int], ...]  # (day, first period, length), in time order
    capacity: int

    @property
    def first_day(self) -> date | None:
        return self.sessions[0][0] if self.sessions else None

    @property
    def last_day(self) -> date | None:
        return self.sessions[-1][0] if self.sessions else None


def expiring_days(session: Session) -> int:
    """The 'expiring soon' window (days), a setting of the store."""
    value = session.get(AppMeta, EXPIRING_DAYS_KEY)
    return int(value.value) if value is not None else DEFAULT_EXPIRING_DAYS


def session_label(day: date, period: int) -> str:
    return f"{dates.day(day)} {PERIOD_TIMES[period] if period < len(PERIOD_TIMES) else ''}"


class EnrolmentService:
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        """``today`` dates the rules (refresher windows, runs ended); ``now`` stamps when
        someone was enrolled or withdrawn. Both move together only when the past is recorded
        (the demo's history)."""
        self.store, self.actor, self.today, self.now = store, actor, today, now

    # ----- reading -----------------------------------------------------------------------
    def roster(self, run_id: int) -> list[Enrolment]:
        """Enrolled people by name, then the waitlist in order, then withdrawals."""
        with reading(self.store) as session:
            run = run_row(session, run_id)
            rows = session.execute(
                select(EnrolmentRow, TraineeRow.name, TraineeRow.reference)
                .join(TraineeRow, TraineeRow.id == EnrolmentRow.trainee_id)
                .where(EnrolmentRow.run_id == run_id)
            ).all()
            order = {EnrolmentStatus.ENROLLED: 0, EnrolmentStatus.WAITLISTED: 1}
            records = [_record(row, run.code, name, ref) for row, name, ref in rows]
            return sorted(
                records,
                key=lambda e: (order.get(e.status, 2), e.position or 0, e.trainee_name.casefold()),
            )

    def places(self, run_ids: Collection[int]) -> dict[int, Places]:
        """The places of many runs in three queries (the runs list shows hundreds)."""
        wanted = list(run_ids)
        with reading(self.store) as session:
            limits = {
                int(run): int(limit)
                for run, limit in session.execute(
                    select(CourseRunRow.id, CourseRow.capacity)
                    .join(CourseRow, CourseRow.id == CourseRunRow.course_id)
                    .where(CourseRunRow.id.in_(wanted))
                )
            }
            rooms = {
                int(run): int(smallest)
                for run, smallest in session.execute(
                    select(PlannedSessionRow.run_id, func.min(FacilityRow.capacity))
                    .join(FacilityRow, FacilityRow.id == PlannedSessionRow.facility_id)
                    .where(PlannedSessionRow.run_id.in_(wanted))
                    .group_by(PlannedSessionRow.run_id)
                )
            }
            counts: dict[tuple[int, str], int] = {
                (run, status): count
                for run, status, count in session.execute(
                    select(EnrolmentRow.run_id, EnrolmentRow.status, func.count())
                    .where(EnrolmentRow.run_id.in_(wanted))
                    .group_by(EnrolmentRow.run_id, EnrolmentRow.status)
                )
            }
        return {
            run: Places(
                capacity=min(limit, rooms.get(run, limit)),
                enrolled=counts.get((run, EnrolmentStatus.ENROLLED.value), 0),
                waiting=counts.get((run, EnrolmentStatus.WAITLISTED.value), 0),
            )
            for run, limit in limits.items()
        }

    def facts(self, run_id: int) -> RunFacts:
        with reading(self.store) as session:
            return run_facts(session, run_row(session, run_id))

    def enrolments_of(self, trainee_id: int) -> list[Enrolment]:
        with reading(self.store) as session:
            rows = session.execute(
                select(EnrolmentRow, CourseRunRow.code, TraineeRow.name, TraineeRow.reference)
                .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
                .join(TraineeRow, TraineeRow.id == EnrolmentRow.trainee_id)
                .where(EnrolmentRow.trainee_id == trainee_id)
                .order_by(EnrolmentRow.enrolled_at)
            ).all()
            return [_record(row, code, name, ref) for row, code, name, ref in rows]

    # ----- the rules ---------------------------------------------------------------------
    def check(self, run_id: int, trainee_ids: Iterable[int]) -> list[Verdict]:
        """Who of ``trainee_ids`` may be enrolled (in this order, places taken in turn)."""
        with reading(self.store) as session:
            return _Checker(session, run_row(session, run_id), self.today()).verdicts(trainee_ids)

    # ----- writing -----------------------------------------------------------------------
    def enrol(self, run_id: int, trainee_id: int, *, reason: str = "") -> Enrolment:
        """Enrol one trainee (on the waitlist when the run is full); refused with the rule."""
        return self.enrol_many(run_id, [trainee_id], reason=reason)[0]

    @retrying
    def enrol_many(
        self, run_id: int, trainee_ids: Sequence[int], *, reason: str = ""
    ) -> list[Enrolment]:
        """Enrol several trainees at once, all or nothing: any refusal refuses them all."""
        with transaction(self.store) as session:
            return self._enrol_in(session, run_id, trainee_ids, reason)

    @retrying
    def enrol_batches(self, batches: Mapping[int, Sequence[int]], *, reason: str = "") -> int:
        """Several runs at once (an import), all or nothing across every run."""
        with transaction(self.store) as session:
            return sum(
                len(self._enrol_in(session, run_id, ids, reason)) for run_id, ids in batches.items()
            )

    def _enrol_in(
        self, session: Session, run_id: int, trainee_ids: Sequence[int], reason: str
    ) -> list[Enrolment]:
        if len(set(trainee_ids)) != len(trainee_ids):
            raise DomainError("The same trainee is listed twice; nothing was enrolled")
        run = run_row(session, run_id, lock=True)
        sessions = run_sessions(session, run)
        what = f"enrol trainees on {run.code}"
        require_for_run(self.actor, session, run, Act.ENROL, what, sessions)
        checker = _Checker(session, run, self.today(), sessions)
        verdicts = checker.verdicts(trainee_ids)
        refused = [v for v in verdicts if not v.ok]
        if refused:
            shown = "; ".join(v.refusal for v in refused[:5])
            more = f"; and {len(refused) - 5} more" if len(refused) > 5 else ""
            raise DomainError(f"{shown}{more}. Nothing was enrolled")
        position = checker.waitlist_length
        added = []
        for verdict in verdicts:
            row = EnrolmentRow(
                run_id=run.id,
                trainee_id=verdict.trainee_id,
                status=(
                    EnrolmentStatus.WAITLISTED if verdict.waitlisted else EnrolmentStatus.ENROLLED
                ).value,
                position=None,
                enrolled_at=self.now(),
                withdraw_reason="",
                row_version=1,
            )
            if verdict.waitlisted:
                position += 1
                row.position = position
            session.add(row)
            added.append((verdict, row))
        session.flush()  # every new enrolment in one INSERT, for their ids
        out = []
        for verdict, row in added:
            self._audit(
                session,
                AuditAction.CREATE,
                row,
                run.code,
                verdict.name,
                [
                    ("status", None, row.status),
                    ("waitlist position", None, _text(row.position)),
                ],
                reason,
            )
            out.append(_record(row, run.code, verdict.name, ""))
        return out

    @retrying
    def withdraw(self, enrolment_id: int, expected_version: int, reason: str) -> list[Enrolment]:
        """Withdraw (a reason is required); a freed place goes to the next on the waitlist who
        may still go. Returns the withdrawn enrolment and anyone promoted."""
        reason = clean_text(reason)
        if not reason:
            raise ValidationError.single("reason", "Say why the trainee is withdrawn")
        with transaction(self.store) as session:
            row = session.get(EnrolmentRow, enrolment_id)
            if row is None:
                raise NotFound("This enrolment no longer exists")
            run = run_row(session, row.run_id, lock=True)  # the run first, as enrolling does
            session.refresh(row, with_for_update=True)
            if row.row_version != expected_version:
                raise StaleEdit(
                    "Someone else changed this enrolment while you were looking at it; "
                    "reload and try again. Nothing was saved"
                )
            require_for_run(
                self.actor, session, run, Act.ENROL, f"withdraw trainees from {run.code}"
            )
            name = _name(session, row.trainee_id)
            if row.status == EnrolmentStatus.WITHDRAWN:
                raise DomainError(f"{name} was already withdrawn from {run.code}")
            if session.scalar(
                select(func.count())
                .select_from(CompletionRow)
                .where(CompletionRow.enrolment_id == row.id, CompletionRow.revoked_at.is_(None))
            ):
                raise DomainError(
                    f"{name} has completed {run.code}; a completed run cannot be withdrawn from"
                )
            was = EnrolmentStatus(row.status)
            old_position = row.position
            row.status, row.position = EnrolmentStatus.WITHDRAWN.value, None
            row.withdrawn_at, row.withdraw_reason = self.now(), reason[:500]
            row.row_version += 1
            session.flush()
            self._audit(
                session,
                AuditAction.UPDATE,
                row,
                run.code,
                name,
                [("status", was.value, row.status)],
                reason,
            )
            out = [_record(row, run.code, name, "")]
            if was is EnrolmentStatus.WAITLISTED:
                self._close_gap(session, run, old_position or 0)
            else:
                out += self._promote(session, run)
            return out

    def _close_gap(self, session: Session, run: CourseRunRow, position: int) -> None:
        for row in session.scalars(
            select(EnrolmentRow).where(
                EnrolmentRow.run_id == run.id,
                EnrolmentRow.status == EnrolmentStatus.WAITLISTED.value,
                EnrolmentRow.position > position,
            )
        ):
            assert row.position is not None
            row.position -= 1
            row.row_version += 1

    def _promote(self, session: Session, run: CourseRunRow) -> list[Enrolment]:
        """Fill free places from the waitlist, in order, skipping anyone who may no longer go
        (a clash since, say); they stay on the waitlist."""
        promoted = []
        checker = _Checker(session, run, self.today())
        free = checker.facts.capacity - checker.enrolled_count
        waiting = list(
            session.scalars(
                select(EnrolmentRow)
                .where(
                    EnrolmentRow.run_id == run.id,
                    EnrolmentRow.status == EnrolmentStatus.WAITLISTED.value,
                )
                .order_by(EnrolmentRow.position)
            )
        )
        for row in waiting:
            if free <= 0:
                break
            refusal = checker.refusal(row.trainee_id, ignore_self=True)
            if refusal:
                continue
            name = _name(session, row.trainee_id)
            row.status, row.position = EnrolmentStatus.ENROLLED.value, None
            row.row_version += 1
            free -= 1
            session.flush()
            self._audit(
                session,
                AuditAction.UPDATE,
                row,
                run.code,
                name,
                [("status", EnrolmentStatus.WAITLISTED.value, row.status)],
                "A place came free",
            )
            promoted.append(_record(row, run.code, name, ""))
        remaining = [r for r in waiting if r.status == EnrolmentStatus.WAITLISTED.value]
        for n, row in enumerate(remaining, start=1):
            if row.position != n:
                row.position = n
                row.row_version += 1
        return promoted

    def _audit(
        self,
        session: Session,
        action: AuditAction,
        row: EnrolmentRow,
        run_code: str,
        name: str,
        changes: list[tuple[str, str | None, str | None]],
        reason: str,
    ) -> None:
        write_audit(
            session,
            self.actor,
            action,
            RecordType.ENROLMENT,
            row.id,
            f"{name} on {run_code}",
            changes,
            reason,
            at=self.now(),
        )


# ----- the rules, on one session -------------------------------------------------------------


class _Checker:
    def __init__(
        self,
        session: Session,
        run: CourseRunRow,
        today: date,
        sessions: list[PlannedSessionFacts] | None = None,
    ) -> None:
        self.session, self.run, self.today = session, run, today
        self.facts = run_facts(session, run, sessions)
        live = session.execute(
            select(EnrolmentRow.trainee_id, EnrolmentRow.status, EnrolmentRow.position).where(
                EnrolmentRow.run_id == run.id,
                EnrolmentRow.status != EnrolmentStatus.WITHDRAWN.value,
            )
        ).all()
        self.live = {t: (EnrolmentStatus(s), p) for t, s, p in live}
        self.enrolled_count = sum(s is EnrolmentStatus.ENROLLED for s, _ in self.live.values())
        self.waitlist_length = sum(s is EnrolmentStatus.WAITLISTED for s, _ in self.live.values())
        self.window = expiring_days(session)
        # What the rules read per trainee, filled for a whole list by ``_prefetch``.
        self._prefetched: set[int] = set()
        self._completions: dict[tuple[int, int], list[CompletionRow]] = defaultdict(list)
        self._last_days: dict[tuple[int, int], list[date | None]] = defaultdict(list)
        self._others: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        self._trainees: list[TraineeRow] = []
        self.prerequisites = list(
            session.scalars(
                select(CourseRow)
                .join(CoursePrerequisiteRow, CoursePrerequisiteRow.requires_id == CourseRow.id)
                .where(CoursePrerequisiteRow.course_id == self.facts.course_id)
                .order_by(CoursePrerequisiteRow.requires_id)
            )
        )

    def verdicts(self, trainee_ids: Iterable[int]) -> list[Verdict]:
        free = self.facts.capacity - self.enrolled_count
        out = []
        trainee_ids = list(trainee_ids)
        self._prefetch(trainee_ids)
        for trainee_id in trainee_ids:
            name = _name(self.session, trainee_id)
            refusal = self.refusal(trainee_id)
            waitlisted = not refusal and free <= 0
            if not refusal and not waitlisted:
                free -= 1
            out.append(Verdict(trainee_id, name, refusal, waitlisted))
        return out

    def _prefetch(self, trainee_ids: list[int]) -> None:
        """What the rules read about each trainee (their row, completions of this course and
        its prerequisites, earlier runs of those, sessions that could clash), read for the
        whole list at once: a cohort of 200 in a handful of queries, not a thousand."""
        trainee_ids = [t for t in dict.fromkeys(trainee_ids) if t not in self._prefetched]
        session, enrolled = self.session, EnrolmentStatus.ENROLLED.value
        courses = [c.id for c in self.prerequisites] + [self.facts.course_id]
        days = sorted({d for d, _, _ in self.facts.sessions})
        for start in range(0, len(trainee_ids), PREFETCH):
            ids = trainee_ids[start : start + PREFETCH]
            # Kept: the session's identity map holds a row only while something refers to it,
            # and each verdict and audit entry then names its trainee without a query.
            self._trainees.extend(
                session.scalars(select(TraineeRow).where(TraineeRow.id.in_(ids))).all()
            )
            for row in session.scalars(
                select(CompletionRow)
                .where(
                    CompletionRow.trainee_id.in_(ids),
                    CompletionRow.course_id.in_(courses),
                    CompletionRow.revoked_at.is_(None),
                )
                .order_by(CompletionRow.completed_on.desc(), CompletionRow.id.desc())
            ):
                self._completions[(row.trainee_id, row.course_id)].append(row)
            if self.prerequisites:
                for trainee, course, day in session.execute(
                    select(
                        EnrolmentRow.trainee_id,
                        CourseRunRow.course_id,
                        func.max(PlannedSessionRow.held_on),
                    )
                    .join(EnrolmentRow, EnrolmentRow.run_id == PlannedSessionRow.run_id)
                    .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
                    .where(
                        EnrolmentRow.trainee_id.in_(ids),
                        EnrolmentRow.status == enrolled,
                        CourseRunRow.course_id.in_(courses[:-1]),
                        CourseRunRow.status != RunStatus.CANCELLED.value,
                    )
                    .group_by(EnrolmentRow.trainee_id, CourseRunRow.course_id, CourseRunRow.id)
                ):
                    self._last_days[(trainee, course)].append(day)
            if days:
                for trainee, *held in session.execute(_other_sessions(ids, self.facts.id, days)):
                    self._others[trainee].append(tuple(held))
            self._prefetched.update(ids)

    def refusal(self, trainee_id: int, *, ignore_self: bool = False) -> str:
        """Why ``trainee_id`` may not be enrolled, in words naming them (empty: they may)."""
        facts, session = self.facts, self.session
        name = _name(session, trainee_id)
        if facts.status is RunStatus.CANCELLED:
            return f"{facts.code} is cancelled"
        first, last = facts.first_day, facts.last_day
        if first is None or last is None:
            return f"{facts.code} has no published sessions yet: publish its plan first"
        if last < self.today:
            return f"{facts.code} ended on {dates.day(last)}; {name} cannot be enrolled on it"
        if not ignore_self and trainee_id in self.live:
            status, position = self.live[trainee_id]
            if status is EnrolmentStatus.WAITLISTED:
                return f"{name} is already on the waitlist of {facts.code} (position {position})"
            return f"{name} is already enrolled on {facts.code}"
        return (
            self._prerequisite(trainee_id, name, first)
            or self._holds_valid(trainee_id, name, first)
            or self._clash(trainee_id, name)
        )

    def _prerequisite(self, trainee_id: int, name: str, first: date) -> str:
        for course in self.prerequisites:
            completions = self._completions_of(trainee_id, course.id)
            if any(
                c.completed_on <= first and (c.expires_on is None or first < c.expires_on)
                for c in completions
            ):
                continue
            if self._enrolled_on_earlier_run(trainee_id, course.id, first):
                continue  # on a run of the prerequisite that ends before this one starts
            needed = f"required before {self.facts.course_code}"
            if completions and completions[0].expires_on is not None:
                when = completions[0].expires_on
                verb = "expired" if when <= self.today else "expires"
                return (
                    f"{name}'s {course.title} ({course.code}) {verb} on {dates.day(when)} — "
                    f"{needed}, which starts {dates.day(first)}"
                )
            return f"{name} has not completed {course.title} ({course.code}) — {needed}"
        return ""

    def _completions_of(self, trainee_id: int, course_id: int) -> list[CompletionRow]:
        """The trainee's unrevoked completions of the course, latest first."""
        if trainee_id in self._prefetched:
            return self._completions.get((trainee_id, course_id), [])
        return list(
            self.session.scalars(
                select(CompletionRow)
                .where(
                    CompletionRow.trainee_id == trainee_id,
                    CompletionRow.course_id == course_id,
                    CompletionRow.revoked_at.is_(None),
                )
                .order_by(CompletionRow.completed_on.desc(), CompletionRow.id.desc())
            )
        )

    def _enrolled_on_earlier_run(self, trainee_id: int, course_id: int, first: date) -> bool:
        if trainee_id in self._prefetched:
            days = self._last_days.get((trainee_id, course_id), [])
            return any(day is not None and day < first for day in days)
        last_days = self.session.execute(
            select(func.max(PlannedSessionRow.held_on))
            .join(EnrolmentRow, EnrolmentRow.run_id == PlannedSessionRow.run_id)
            .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
            .where(
                EnrolmentRow.trainee_id == trainee_id,
                EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
                CourseRunRow.course_id == course_id,
                CourseRunRow.status != RunStatus.CANCELLED.value,
            )
            .group_by(PlannedSessionRow.run_id)
        ).scalars()
        return any(day is not None and day < first for day in last_days)

    def _holds_valid(self, trainee_id: int, name: str, first: date) -> str:
        """Already trained: refused unless the completion expires within the refresher window
        (or was of an older course version: then retraining is due)."""
        course = self.session.get_one(CourseRow, self.facts.course_id)
        latest = next(iter(self._completions_of(trainee_id, course.id)), None)
        if latest is None or latest.course_version != course.version:
            return ""
        if latest.expires_on is not None and latest.expires_on <= first:
            return ""
        if latest.expires_on is not None and (latest.expires_on - first).days <= self.window:
            return ""
        until = (
            f"until {dates.day(latest.expires_on)}; refresher places open {self.window} days "
            "before it expires"
            if latest.expires_on is not None
            else "and it does not expire"
        )
        return f"{name} already holds a valid {course.code} completion ({until})"

    def _clash(self, trainee_id: int, name: str) -> str:
        mine = self.facts.sessions
        days = sorted({d for d, _, _ in mine})
        if trainee_id in self._prefetched:
            others = self._others.get(trainee_id, [])
        else:
            others = [
                tuple(held)
                for _, *held in self.session.execute(
                    _other_sessions([trainee_id], self.facts.id, days)
                )
            ]
        for code, day, period, length in others:
            for d, p, n in mine:
                if d == day and p < period + length and period < p + n:
                    return (
                        f"{name} is in {code} on {session_label(day, period)}, which clashes "
                        f"with {self.facts.code}"
                    )
        return ""


SessionTimes = Sequence[tuple[date, int, int]]  # (day, first period, length) of each session
PREFETCH = 500  # trainees whose facts are read in one query (well within SQLite's variables)


def _other_sessions(trainee_ids: Sequence[int], run_id: int, days: Sequence[date]) -> Any:
    """The sessions on ``days`` of other runs the trainees are enrolled on, as (trainee, run
    code, day, period, length)."""
    return (
        select(
            EnrolmentRow.trainee_id,
            CourseRunRow.code,
            PlannedSessionRow.held_on,
            PlannedSessionRow.period,
            PlannedSessionRow.length,
        )
        .join(EnrolmentRow, EnrolmentRow.run_id == PlannedSessionRow.run_id)
        .join(CourseRunRow, CourseRunRow.id == PlannedSessionRow.run_id)
        .where(
            EnrolmentRow.trainee_id.in_(trainee_ids),
            EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
            EnrolmentRow.run_id != run_id,
            PlannedSessionRow.held_on.in_(days),
        )
        .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period, CourseRunRow.code)
    )


def clashes_of_enrolled(session: Session, proposed: Mapping[int, SessionTimes]) -> list[str]:
    """Trainees enrolled on the runs of ``proposed`` (run id -> its sessions as they would be)
    who would then be in two places: a session overlapping one of another run they are
    enrolled on (as proposed, or as published). In words, one line per trainee and session."""
    enrolled = EnrolmentStatus.ENROLLED.value
    concerned = select(EnrolmentRow.trainee_id).where(
        EnrolmentRow.run_id.in_(list(proposed)), EnrolmentRow.status == enrolled
    )
    places = session.execute(
        select(EnrolmentRow.trainee_id, TraineeRow.name, EnrolmentRow.run_id, CourseRunRow.code)
        .join(TraineeRow, TraineeRow.id == EnrolmentRow.trainee_id)
        .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
        .where(EnrolmentRow.status == enrolled, EnrolmentRow.trainee_id.in_(concerned))
        .order_by(TraineeRow.name, CourseRunRow.code)
    ).all()
    others = {run for _, _, run, _ in places if run not in proposed}
    times: dict[int, list[tuple[date, int, int]]] = {run: list(t) for run, t in proposed.items()}
    for run_id, day, period, length in session.execute(
        select(
            PlannedSessionRow.run_id,
            PlannedSessionRow.held_on,
            PlannedSessionRow.period,
            PlannedSessionRow.length,
        ).where(PlannedSessionRow.run_id.in_(others))
    ):
        times.setdefault(run_id, []).append((day, period, length))
    runs_of: dict[int, list[tuple[int, str]]] = {}
    names: dict[int, str] = {}
    for trainee, name, run_id, code in places:
        runs_of.setdefault(trainee, []).append((run_id, code))
        names[trainee] = name
    found: list[tuple[date, int, str, str, str]] = []
    for trainee, runs in runs_of.items():
        for run_id, code in runs:
            if run_id not in proposed:
                continue
            for other_id, other_code in runs:
                if other_id == run_id or (other_id in proposed and other_id < run_id):
                    continue  # a pair both moving is told once
                found.extend(
                    (day, period, names[trainee], code, other_code)
                    for day, period, length in times.get(run_id, ())
                    for d, p, n in times.get(other_id, ())
                    if d == day and p < period + length and period < p + n
                )
    return list(
        dict.fromkeys(
            f"{name} ({code} on {session_label(day, period)} clashes with {other})"
            for day, period, name, code, other in sorted(found)
        )
    )


class PlannedSessionFacts(NamedTuple):
    """One session of a run as the rules and the permissions read it."""

    id: int
    held_on: date
    period: int
    length: int
    trainer_id: int
    hub_id: int  # of its facility
    capacity: int  # of its facility


def run_sessions(session: Session, run: CourseRunRow) -> list[PlannedSessionFacts]:
    """The run's sessions in time order with their facilities' hub and capacity, read once for
    what a change checks (who may change it, its facts, a trainee's progress)."""
    return [
        PlannedSessionFacts(*row)
        for row in session.execute(
            select(
                PlannedSessionRow.id,
                PlannedSessionRow.held_on,
                PlannedSessionRow.period,
                PlannedSessionRow.length,
                PlannedSessionRow.trainer_id,
                FacilityRow.hub_id,
                FacilityRow.capacity,
            )
            .join(FacilityRow, FacilityRow.id == PlannedSessionRow.facility_id)
            .where(PlannedSessionRow.run_id == run.id)
            .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period, PlannedSessionRow.id)
        )
    ]


def run_facts(
    session: Session, run: CourseRunRow, sessions: list[PlannedSessionFacts] | None = None
) -> RunFacts:
    rows = run_sessions(session, run) if sessions is None else sessions
    capacity = min([run.course.capacity, *(r.capacity for r in rows)])
    return RunFacts(
        id=run.id,
        code=run.code,
        course_id=run.course_id,
        course_code=run.course.code,
        course_title=run.course.title,
        status=RunStatus(run.status),
        sessions=tuple((r.held_on, r.period, r.length) for r in rows),
        capacity=capacity,
    )


def run_scope(
    session: Session, run: CourseRunRow, sessions: list[PlannedSessionFacts] | None = None
) -> tuple[Sequence[int | None], Sequence[int | None]]:
    """The hubs a run belongs to (its own hub, else the hubs of the facilities it is held in)
    and the trainers who teach it (its sessions', else the one it names): what decides who
    may enrol on it and record its training (``domain.access``)."""
    held = run_sessions(session, run) if sessions is None else sessions
    hubs: Sequence[int | None] = [run.hub_id]
    if run.hub_id is None and held:
        hubs = sorted({s.hub_id for s in held})
    trainers: Sequence[int | None] = (
        sorted({s.trainer_id for s in held}) if held else [run.trainer_id]
    )
    return hubs, trainers


def require_for_run(
    actor: Actor,
    session: Session,
    run: CourseRunRow,
    act: Act,
    what: str,
    sessions: list[PlannedSessionFacts] | None = None,
) -> None:
    """Refuse unless ``actor`` may ``act`` on ``run`` (its hubs, or for a trainer, its
    sessions' trainers); ``sessions``: the run's, if already read."""
    hubs, trainers = run_scope(session, run, sessions)
    actor.require(act, hubs=hubs, trainers=trainers, what=what)


def run_row(session: Session, run_id: int, *, lock: bool = False) -> CourseRunRow:
    """The run; with ``lock``, held against other writers until the transaction ends, so two
    people enrolling on the same run at once are taken one after the other and its places
    counted afresh (PostgreSQL: ``FOR UPDATE``; SQLite's writer already holds the file)."""
    run = session.get(CourseRunRow, run_id, with_for_update=lock or None)
    if run is None:
        raise NotFound("This course run no longer exists")
    return run


def _name(session: Session, trainee_id: int) -> str:
    trainee = session.get(TraineeRow, trainee_id)
    if trainee is None:
        raise NotFound("A trainee in the list no longer exists")
    return trainee.name


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _record(row: EnrolmentRow, run_code: str, name: str, reference: str) -> Enrolment:
    return Enrolment(
        id=row.id,
        row_version=row.row_version,
        run_id=row.run_id,
        run_code=run_code,
        trainee_id=row.trainee_id,
        trainee_name=name,
        trainee_reference=reference,
        status=EnrolmentStatus(row.status),
        position=row.position,
        enrolled_at=row.enrolled_at,
        withdrawn_at=row.withdrawn_at,
        withdraw_reason=row.withdraw_reason,
    )


def describe_verdicts(verdicts: Sequence[Verdict]) -> str:
    """ "28 can be enrolled (3 on the waitlist); 2 cannot: …" for a confirmation."""
    ok = [v for v in verdicts if v.ok]
    waiting = sum(v.waitlisted for v in ok)
    refused = [v.refusal for v in verdicts if not v.ok]
    text = f"{plural(len(ok), 'trainee')} can be enrolled"
    if waiting:
        text += f" ({waiting} on the waitlist)"
    if refused:
        text += f"; {len(refused)} cannot: " + join_words(refused[:5])
    return text
