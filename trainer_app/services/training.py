"""What happened on a run: attendance per session, assessment results, and the completions
that follow from them; completions recorded by hand (imported history, training elsewhere).

After each change to an enrolment's attendance or results the course's completion rule is
evaluated: once every session has been held and the rule is met, a completion is recorded
(completed on the later of the last session and the last assessment; expiring after the
course's validity). A correction that means the rule is no longer met revokes it, with the
reason, and meeting it again restores it: completions are never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.domain.courses import CompletionRule
from trainer_app.domain.errors import DomainError, NotFound, ValidationError
from trainer_app.domain.records import (
    AssessmentFields,
    AssessmentResult,
    AttendanceFields,
    Completion,
    CompletionFields,
    CompletionSource,
    EnrolmentStatus,
    IssuedCertificate,
    Mark,
    expiry,
)
from trainer_app.domain.text import clean_text
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AssessmentRow,
    AttendanceRow,
    CompletionRow,
    CourseRow,
    CourseRunRow,
    EnrolmentRow,
    PlannedSessionRow,
    TraineeRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import Now, add_audited, format_value, now_utc, write_audit
from trainer_app.services.enrolment import (
    PlannedSessionFacts,
    require_for_run,
    run_row,
    run_scope,
    run_sessions,
    session_label,
)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class RegisterSession:
    id: int
    index: int  # 0-based
    held_on: date
    period: int
    length: int

    @property
    def label(self) -> str:
        return session_label(self.held_on, self.period)


@dataclass(frozen=True)
class RegisterRow:
    enrolment_id: int
    trainee_id: int
    name: str
    reference: str


@dataclass(frozen=True)
class Register:
    """A run's attendance register: its sessions × the people enrolled."""

    run_id: int
    run_code: str
    sessions: tuple[RegisterSession, ...]
    people: tuple[RegisterRow, ...]
    marks: dict[tuple[int, int], tuple[Mark, int]] = field(default_factory=dict)
    completed: frozenset[int] = frozenset()  # trainee ids with a completion from this run


@dataclass(frozen=True)
class Progress:
    """One enrolment against the completion rule."""

    enrolment_id: int
    attended: int
    sessions: int
    theory: Decimal | None
    practical: bool | None
    shortfalls: tuple[str, ...]
    completion: Completion | None


class TrainingService:
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: Callable[[], date] = date.today,
        now: Now = now_utc,
    ) -> None:
        """``today`` dates the rules (a session can be marked from its day); ``now`` stamps
        what is recorded. Both move together only when the past is recorded (the demo)."""
        self.store, self.actor, self.today, self.now = store, actor, today, now

    # ----- the register ------------------------------------------------------------------
    def register(self, run_id: int) -> Register:
        with reading(self.store) as session:
            run = run_row(session, run_id)
            sessions = tuple(
                RegisterSession(s.id, s.session_index, s.held_on, s.period, s.length)
                for s in session.scalars(
                    select(PlannedSessionRow)
                    .where(PlannedSessionRow.run_id == run_id)
                    .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period)
                )
            )
            people = tuple(
                RegisterRow(e.id, e.trainee_id, name, ref)
                for e, name, ref in session.execute(
                    select(EnrolmentRow, TraineeRow.name, TraineeRow.reference)
                    .join(TraineeRow, TraineeRow.id == EnrolmentRow.trainee_id)
                    .where(
                        EnrolmentRow.run_id == run_id,
                        EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
                    )
                    .order_by(TraineeRow.name)
                )
            )
            marks = {
                (a.session_id, a.trainee_id): (Mark(a.mark), a.late_minutes)
                for a in session.scalars(
                    select(AttendanceRow).where(
                        AttendanceRow.session_id.in_([s.id for s in sessions])
                    )
                )
            }
            completed = frozenset(
                session.scalars(
                    select(EnrolmentRow.trainee_id)
                    .join(CompletionRow, CompletionRow.enrolment_id == EnrolmentRow.id)
                    .where(EnrolmentRow.run_id == run_id, CompletionRow.revoked_at.is_(None))
                )
            )
            return Register(run.id, run.code, sessions, people, marks, completed)

    def record_attendance(self, items: Sequence[AttendanceFields], *, reason: str = "") -> None:
        """Mark attendance (new or corrected), all or nothing. A session can be marked from
        its day on, and only for people enrolled on its run."""
        cleaned = [item.validated() for item in items]
        today = self.today()
        with transaction(self.store) as session:
            touched: set[int] = set()
            held: list[TraineeRow] = []
            of_run: dict[int, list[PlannedSessionFacts]] = {}  # each run's sessions, read once
            for item in cleaned:
                planned = session.get(PlannedSessionRow, item.session_id)
                if planned is None:
                    raise NotFound("A session of the register no longer exists; reload it")
                run = session.get_one(CourseRunRow, planned.run_id)
                if run.id not in of_run:
                    of_run[run.id] = run_sessions(session, run)
                label = f"session {planned.session_index + 1} of {run.code}"
                self.actor.require(
                    Act.RECORD_TRAINING,
                    hubs=run_scope(session, run, of_run[run.id])[0],
                    trainers=[planned.trainer_id],
                    what=f"record attendance at {label}",
                )
                if planned.held_on > today:
                    raise DomainError(
                        f"Session {planned.session_index + 1} of {run.code} is on "
                        f"{dates.day(planned.held_on)}: attendance can be recorded from that "
                        "day. Nothing was saved"
                    )
                enrolment = _live_enrolment(session, run.id, item.trainee_id)
                trainee = session.get_one(TraineeRow, item.trainee_id)
                held.append(trainee)  # named again when the course completes: no second read
                name = trainee.name
                if enrolment is None:
                    raise DomainError(
                        f"{name} is not enrolled on {run.code}; attendance was not saved"
                    )
                row = session.scalars(
                    select(AttendanceRow).where(
                        AttendanceRow.session_id == planned.id,
                        AttendanceRow.trainee_id == item.trainee_id,
                    )
                ).first()
                new = _mark_text(item.mark, item.late_minutes)
                if row is None:
                    row = AttendanceRow(
                        session_id=planned.id,
                        trainee_id=item.trainee_id,
                        mark=item.mark.value,
                        late_minutes=item.late_minutes,
                        recorded_at=self.now(),
                        row_version=1,
                    )
                    session.add(row)
                    session.flush()
                    old = None
                    action = AuditAction.CREATE
                else:
                    old = _mark_text(Mark(row.mark), row.late_minutes)
                    if old == new:
                        continue
                    _require_reason_if_completed(session, enrolment, reason, name, run.code)
                    row.mark, row.late_minutes = item.mark.value, item.late_minutes
                    row.recorded_at = self.now()
                    row.row_version += 1
                    action = AuditAction.UPDATE
                write_audit(
                    session,
                    self.actor,
                    action,
                    RecordType.ATTENDANCE,
                    row.id,
                    f"{name} at {label} ({session_label(planned.held_on, planned.period)})",
                    [("attendance", old, new)],
                    reason,
                    at=self.now(),
                )
                touched.add(enrolment.id)
            session.flush()
            for enrolment_id in sorted(touched):
                enrolment = session.get_one(EnrolmentRow, enrolment_id)
                self._evaluate(session, enrolment, of_run.get(enrolment.run_id))

    # ----- assessments -------------------------------------------------------------------
    def record_assessment(self, fields: AssessmentFields, *, reason: str = "") -> int:
        today = self.today()
        item = fields.validated(today=today)
        with transaction(self.store) as session:
            enrolment = session.get(EnrolmentRow, item.enrolment_id)
            if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
                raise NotFound("Only someone enrolled on the run can be assessed")
            run = session.get_one(CourseRunRow, enrolment.run_id)
            sessions = run_sessions(session, run)
            what = f"record assessments on {run.code}"
            require_for_run(self.actor, session, run, Act.RECORD_TRAINING, what, sessions)
            trainee = session.get_one(TraineeRow, enrolment.trainee_id)  # held to the end
            name = trainee.name
            _require_reason_if_completed(session, enrolment, reason, name, run.code)
            first = sessions[0].held_on if sessions else None
            if first is None or item.assessed_on < first:
                raise ValidationError.single(
                    "assessed_on",
                    f"{run.code} starts on {dates.day(first) if first else '(not published)'}; "
                    "an assessment cannot be dated before it",
                )
            row = AssessmentRow(
                enrolment_id=enrolment.id,
                assessed_on=item.assessed_on,
                assessor=item.assessor,
                theory_score=item.theory_score,
                practical_passed=item.practical_passed,
                comments=item.comments,
                recorded_at=self.now(),
                row_version=1,
            )
            add_audited(
                session,
                self.actor,
                row,
                RecordType.ASSESSMENT,
                f"{name} on {run.code}",
                [
                    ("assessed_on", item.assessed_on.isoformat()),
                    ("assessor", item.assessor),
                    ("theory_score", format_value(item.theory_score)),
                    ("practical", _pass_text(item.practical_passed)),
                    ("comments", item.comments or None),
                ],
                reason,
                at=self.now(),
            )
            self._evaluate(session, enrolment, sessions)
            return row.id

    def assessments(self, enrolment_id: int) -> list[AssessmentResult]:
        with reading(self.store) as session:
            return [
                _assessment(a)
                for a in session.scalars(
                    select(AssessmentRow)
                    .where(AssessmentRow.enrolment_id == enrolment_id)
                    .order_by(AssessmentRow.assessed_on, AssessmentRow.id)
                )
            ]

    def progress(self, run_id: int) -> list[Progress]:
        """Each enrolled person against the course's completion rule."""
        with reading(self.store) as session:
            return [
                _progress(session, e)
                for e in session.scalars(
                    select(EnrolmentRow).where(
                        EnrolmentRow.run_id == run_id,
                        EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
                    )
                )
            ]

    # ----- completions -------------------------------------------------------------------
    def add_completion(self, fields: CompletionFields, *, reason: str = "") -> Completion:
        """Record a completion held elsewhere or brought in from history."""
        item = fields.validated(today=self.today())
        if item.evidence is not None and len(item.evidence) > MAX_EVIDENCE_BYTES:
            raise ValidationError.single(
                "evidence",
                f"The evidence file is {len(item.evidence) / 1e6:.1f} MB; the limit is "
                f"{MAX_EVIDENCE_BYTES // 1024 // 1024} MB",
            )
        with transaction(self.store) as session:
            return self._add_completion(session, item, reason)

    def add_completions(self, items: Sequence[CompletionFields], *, reason: str = "") -> int:
        """Many at once (an import), all or nothing."""
        today = self.today()
        cleaned = [item.validated(today=today) for item in items]
        with transaction(self.store) as session:
            for item in cleaned:
                self._add_completion(session, item, reason)
            return len(cleaned)

    def _add_completion(self, session: Session, item: CompletionFields, reason: str) -> Completion:
        course = session.get(CourseRow, item.course_id)
        trainee = session.get(TraineeRow, item.trainee_id)
        if course is None or trainee is None:
            raise NotFound("The course or the trainee no longer exists")
        self.actor.require(
            Act.RECORD_TRAINING, hubs=[trainee.hub_id], what=f"record training of {trainee.name}"
        )
        # The rules that need the course (a version newer than the current one is refused).
        item.validated(today=self.today(), current_version=course.version)
        version = item.course_version or course.version
        row = CompletionRow(
            trainee_id=trainee.id,
            course_id=course.id,
            course_version=version,
            completed_on=item.completed_on,
            expires_on=expiry(item.completed_on, course.validity_months),
            source=item.source.value,
            enrolment_id=None,
            provider=item.provider,
            verified_by=item.verified_by,
            evidence_name=item.evidence_name,
            evidence=item.evidence,
            notes=item.notes,
            recorded_at=self.now(),
            revoke_reason="",
            row_version=1,
        )
        add_audited(
            session,
            self.actor,
            row,
            RecordType.COMPLETION,
            f"{trainee.name}: {course.code} {version}",
            [
                ("completed_on", row.completed_on.isoformat()),
                ("expires_on", format_value(row.expires_on)),
                ("source", row.source),
                ("provider", row.provider or None),
                ("verified_by", row.verified_by or None),
                ("evidence", row.evidence_name or None),
            ],
            reason,
            at=self.now(),
        )
        return completion_record(row, course)

    def completions_of(self, trainee_id: int, *, include_revoked: bool = False) -> list[Completion]:
        with reading(self.store) as session:
            statement = (
                select(CompletionRow, CourseRow, CourseRunRow.code)
                .join(CourseRow, CourseRow.id == CompletionRow.course_id)
                .outerjoin(EnrolmentRow, EnrolmentRow.id == CompletionRow.enrolment_id)
                .outerjoin(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
                .where(CompletionRow.trainee_id == trainee_id)
                .order_by(CompletionRow.completed_on, CompletionRow.id)
            )
            if not include_revoked:
                statement = statement.where(CompletionRow.revoked_at.is_(None))
            return [
                completion_record(c, course, code or "")
                for c, course, code in session.execute(statement)
            ]

    def completions_held(self) -> dict[int, int]:
        """How many completions that stand each trainee holds (trainees with none left out)."""
        with reading(self.store) as session:
            return dict(
                session.execute(
                    select(CompletionRow.trainee_id, func.count())
                    .where(CompletionRow.revoked_at.is_(None))
                    .group_by(CompletionRow.trainee_id)
                ).all()
            )

    def evidence(self, completion_id: int) -> tuple[str, bytes]:
        with reading(self.store) as session:
            row = session.get(CompletionRow, completion_id)
            if row is None or row.evidence is None:
                raise NotFound("This completion has no evidence attached")
            return row.evidence_name, row.evidence

    def revoke_completion(self, completion_id: int, reason: str) -> None:
        reason = clean_text(reason)
        if not reason:
            raise ValidationError.single("reason", "Say why the completion is revoked")
        with transaction(self.store) as session:
            row = session.get(CompletionRow, completion_id)
            if row is None:
                raise NotFound("This completion no longer exists")
            if row.revoked_at is not None:
                raise DomainError("This completion was already revoked")
            trainee = session.get_one(TraineeRow, row.trainee_id)
            self.actor.require(
                Act.RECORD_TRAINING,
                hubs=[trainee.hub_id],
                what=f"revoke the training of {trainee.name}",
            )
            self._revoke(session, row, reason)

    # ----- the completion rule -----------------------------------------------------------
    def _evaluate(
        self,
        session: Session,
        enrolment: EnrolmentRow,
        sessions: list[PlannedSessionFacts] | None = None,
    ) -> None:
        standing = _standing(session, enrolment, sessions)
        progress, row = standing.progress(), standing.completion
        met = not progress.shortfalls
        if met and (row is None or row.revoked_at is not None):
            self._complete(session, enrolment, row, standing)
        elif not met and row is not None and row.revoked_at is None:
            self._revoke(
                session, row, "The completion rule is no longer met: " + progress.shortfalls[0]
            )

    def _complete(
        self,
        session: Session,
        enrolment: EnrolmentRow,
        row: CompletionRow | None,
        standing: _Standing,
    ) -> None:
        run = standing.run
        course = run.course
        # Completed on its last day: the last session's, or a later assessment's.
        completed_on = max(
            [day for _id, day in standing.sessions] + [a.assessed_on for a in standing.results]
        )
        name = session.get_one(TraineeRow, enrolment.trainee_id).name
        if row is None:
            row = CompletionRow(
                trainee_id=enrolment.trainee_id,
                course_id=course.id,
                course_version=course.version,
                completed_on=completed_on,
                expires_on=expiry(completed_on, course.validity_months),
                source=CompletionSource.RUN.value,
                enrolment_id=enrolment.id,
                provider="",
                verified_by="",
                evidence_name="",
                notes="",
                recorded_at=self.now(),
                revoke_reason="",
                row_version=1,
            )
            session.add(row)
            session.flush()
            action = AuditAction.CREATE
            changes: list[tuple[str, str | None, str | None]] = [
                ("completed_on", None, completed_on.isoformat()),
                ("expires_on", None, format_value(row.expires_on)),
                ("source", None, row.source),
            ]
        else:
            old = row.revoke_reason
            row.revoked_at, row.revoke_reason = None, ""
            row.completed_on = completed_on
            row.expires_on = expiry(completed_on, course.validity_months)
            row.row_version += 1
            action = AuditAction.UPDATE
            changes = [("revoked", old or None, None)]
        write_audit(
            session,
            self.actor,
            action,
            RecordType.COMPLETION,
            row.id,
            f"{name}: {course.code} {row.course_version} ({run.code})",
            changes,
            f"Completion rule met: {rule_of(course).describe()}",
            at=self.now(),
        )

    def _revoke(self, session: Session, row: CompletionRow, reason: str) -> None:
        row.revoked_at, row.revoke_reason = self.now(), reason[:500]
        row.row_version += 1
        name = session.get_one(TraineeRow, row.trainee_id).name
        course = session.get_one(CourseRow, row.course_id)
        write_audit(
            session,
            self.actor,
            AuditAction.UPDATE,
            RecordType.COMPLETION,
            row.id,
            f"{name}: {course.code} {row.course_version}",
            [("revoked", None, reason[:200])],
            reason,
            at=self.now(),
        )


# ----- helpers -------------------------------------------------------------------------------


def _progress(session: Session, enrolment: EnrolmentRow) -> Progress:
    return _standing(session, enrolment).progress()


@dataclass(frozen=True)
class _Standing:
    """What decides an enrolment's progress, read once: its run's sessions (id, day), the
    trainee's marks at them, the assessments in date order and the completion (if any, live or
    revoked: one per enrolment)."""

    enrolment: EnrolmentRow
    run: CourseRunRow
    sessions: list[tuple[int, date]]
    marks: dict[int, str]
    results: list[AssessmentRow]
    completion: CompletionRow | None

    def progress(self) -> Progress:
        attended = sum(1 for m in self.marks.values() if m != Mark.ABSENT)
        results = self.results
        theory = next(
            (a.theory_score for a in reversed(results) if a.theory_score is not None), None
        )
        practical = next(
            (a.practical_passed for a in reversed(results) if a.practical_passed is not None),
            None,
        )
        count = len(self.sessions)
        shortfalls = rule_of(self.run.course).shortfalls(
            sessions=count, attended=attended, theory=theory, practical=practical
        )
        unmarked = count - len(self.marks)
        if unmarked:
            shortfalls.insert(0, f"attendance not yet recorded for {unmarked} of {count}")
        live = self.completion if self.completion and self.completion.revoked_at is None else None
        return Progress(
            self.enrolment.id,
            attended,
            count,
            theory,
            practical,
            tuple(shortfalls),
            completion_record(live, self.run.course, self.run.code) if live else None,
        )


def _standing(
    session: Session,
    enrolment: EnrolmentRow,
    of_run: list[PlannedSessionFacts] | None = None,
) -> _Standing:
    """``of_run``: the run's sessions, if already read."""
    run = session.get_one(CourseRunRow, enrolment.run_id)
    planned = run_sessions(session, run) if of_run is None else of_run
    sessions = [(s.id, s.held_on) for s in planned]
    marks = dict(
        session.execute(
            select(AttendanceRow.session_id, AttendanceRow.mark).where(
                AttendanceRow.trainee_id == enrolment.trainee_id,
                AttendanceRow.session_id.in_([session_id for session_id, _ in sessions]),
            )
        ).all()
    )
    results = list(
        session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.enrolment_id == enrolment.id)
            .order_by(AssessmentRow.assessed_on, AssessmentRow.id)
        )
    )
    completion = session.scalars(
        select(CompletionRow).where(CompletionRow.enrolment_id == enrolment.id)
    ).first()
    return _Standing(enrolment, run, sessions, marks, results, completion)


def rule_of(course: CourseRow) -> CompletionRule:
    return CompletionRule(
        min_attendance=course.min_attendance,
        pass_mark=course.pass_mark,
        practical_required=course.practical_required,
    )


def completion_record(
    row: CompletionRow,
    course: CourseRow,
    run_code: str = "",
    certificates: tuple[IssuedCertificate, ...] = (),
) -> Completion:
    return Completion(
        id=row.id,
        trainee_id=row.trainee_id,
        course_id=course.id,
        course_code=course.code,
        course_title=course.title,
        course_version=row.course_version,
        completed_on=row.completed_on,
        expires_on=row.expires_on,
        source=CompletionSource(row.source),
        run_code=run_code,
        provider=row.provider,
        verified_by=row.verified_by,
        evidence_name=row.evidence_name,
        notes=row.notes,
        certificates=certificates,
    )


def _live_enrolment(session: Session, run_id: int, trainee_id: int) -> EnrolmentRow | None:
    return session.scalars(
        select(EnrolmentRow).where(
            EnrolmentRow.run_id == run_id,
            EnrolmentRow.trainee_id == trainee_id,
            EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
        )
    ).first()


def _mark_text(mark: Mark, minutes: int) -> str:
    return f"late {minutes} min" if mark is Mark.LATE else mark.value


def _pass_text(value: bool | None) -> str | None:
    return None if value is None else ("pass" if value else "fail")


def _assessment(a: AssessmentRow) -> AssessmentResult:
    return AssessmentResult(
        assessed_on=a.assessed_on,
        assessor=a.assessor,
        theory_score=a.theory_score,
        practical_passed=a.practical_passed,
        comments=a.comments,
    )


def _require_reason_if_completed(
    session: Session, enrolment: EnrolmentRow, reason: str, name: str, run_code: str
) -> None:
    """A change to training already completed needs a reason in the audit trail."""
    if clean_text(reason):
        return
    completed = session.scalar(
        select(func.count())
        .select_from(CompletionRow)
        .where(CompletionRow.enrolment_id == enrolment.id, CompletionRow.revoked_at.is_(None))
    )
    if completed:
        raise ValidationError.single(
            "reason",
            f"{name} has completed {run_code}: say why this completed record is changed. "
            "Nothing was saved",
        )
