"""Training records: enrolment, attendance, assessment, completion and the training matrix.

Pure rules and plain records; the services store them and the exports print them.

- An *enrolment* puts a trainee on a course run: enrolled, waitlisted (in order) or withdrawn.
- *Attendance* is marked per published session: present, absent, or late (with minutes).
- *Assessments* per enrolment: a theory score (%) and/or a practical pass/fail, with assessor.
- A *completion* records that a trainee completed a version of a course on a date; it expires
  after the course's validity. It comes from a run (the course's completion rule met), from
  history imported from spreadsheets, or from training held elsewhere (with evidence).
- The *training matrix*: which roles need which courses; per trainee and course a status.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple, Protocol

from trainer_app.domain.courses import check_version, version_key
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.signatures import Signature
from trainer_app.domain.text import check_long_text, check_name, check_optional_text

if TYPE_CHECKING:  # reports read records: only the type is needed here
    from trainer_app.domain.reports import AuditLine

DEFAULT_EXPIRING_DAYS = 60
MAX_LATE_MINUTES = 240
# GMP training records start long after this; an earlier date is a typing or a spreadsheet
# error (Excel's day 0 is 1900-01-00, an empty date cell read as a number is 1899-12-30).
EARLIEST_RECORD = date(1950, 1, 1)
# Change control: how long people have, after a requirement or a course's new version takes
# effect, to comply. The dialogs offer the default; a change may say 0 (at once) up to two years.
DEFAULT_GRACE_DAYS = 90
MAX_GRACE_DAYS = 730
# A change is planned ahead, not decades ahead: a later date is a typing error.
MAX_EFFECTIVE_YEARS_AHEAD = 5


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"enrolled": "Enrolled", "waitlisted": "Waitlist", "withdrawn": "Withdrawn"}[
            self.value
        ]


class Mark(enum.StrEnum):
    """Attendance at one session."""

    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"present": "Present", "late": "Late", "absent": "Absent"}[self.value]


class CompletionSource(enum.StrEnum):
    RUN = "run"  # the course's completion rule met on a run here
    IMPORTED = "imported"  # history brought in from spreadsheets
    EXTERNAL = "external"  # training held elsewhere, with evidence, verified by someone

    @property
    def label(self) -> str:
        return {"run": "Course run", "imported": "Imported history", "external": "External"}[
            self.value
        ]


class MatrixStatus(enum.StrEnum):
    """A trainee's standing for one required course, worst first."""

    MISSING = "missing"  # required, never completed (and not enrolled)
    EXPIRED = "expired"
    RETRAIN = "retrain"  # completed an older version of the course than the current one
    ENROLLED = "enrolled"  # no valid completion, but enrolled on a run
    DUE = "due"  # a change took effect: must comply by ``Standing.due_on``, until then may work
    EXPIRING = "expiring"  # valid, expires within the setting's number of days
    VALID = "valid"

    @property
    def label(self) -> str:
        return {
            "missing": "Missing",
            "expired": "Expired",
            "retrain": "Retrain (new version)",
            "enrolled": "Enrolled",
            "due": "Retrain due",
            "expiring": "Expiring soon",
            "valid": "Valid",
        }[self.value]

    @property
    def compliant(self) -> bool:
        """May the trainee do the task today?"""
        return self in (MatrixStatus.VALID, MatrixStatus.EXPIRING, MatrixStatus.DUE)


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry(completed_on: date, validity_months: int | None) -> date | None:
    """When a completion stops being valid (the first day it is no longer valid); None: never."""
    return None if validity_months is None else add_months(completed_on, validity_months)


# ----- input records -----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AttendanceFields:
    session_id: int
    trainee_id: int
    mark: Mark
    late_minutes: int = 0

    def validated(self) -> AttendanceFields:
        mark = Mark(self.mark)
        minutes = self.late_minutes if mark is Mark.LATE else 0
        if mark is Mark.LATE and not 1 <= minutes <= MAX_LATE_MINUTES:
            raise ValidationError.single(
                "late_minutes",
                f"Minutes late must be between 1 and {MAX_LATE_MINUTES} (got {self.late_minutes})",
            )
        return AttendanceFields(
            session_id=self.session_id, trainee_id=self.trainee_id, mark=mark, late_minutes=minutes
        )


@dataclass(frozen=True, kw_only=True)
class AssessmentFields:
    """A theory score, a practical result, or both, for one enrolment."""

    enrolment_id: int
    assessed_on: date
    assessor: str
    theory_score: Decimal | None = None
    practical_passed: bool | None = None
    comments: str = ""

    def validated(self, *, today: date) -> AssessmentFields:
        errors: list[FieldError] = []
        assessor = check_name(self.assessor, "assessor", "Assessor", errors)
        if self.theory_score is None and self.practical_passed is None:
            errors.append(
                FieldError("theory_score", "Give a theory score, a practical result, or both")
            )
        if self.theory_score is not None and not 0 <= self.theory_score <= 100:
            errors.append(
                FieldError(
                    "theory_score",
                    f"Theory score must be between 0 and 100 % (got {self.theory_score:g} %)",
                )
            )
        if self.assessed_on > today:
            errors.append(FieldError("assessed_on", "An assessment cannot be dated in the future"))
        elif self.assessed_on < EARLIEST_RECORD:
            errors.append(FieldError("assessed_on", _too_early("An assessment", self.assessed_on)))
        comments = check_long_text(self.comments, "comments", "Comments", errors)
        if errors:
            raise ValidationError(errors, subject="Assessment")
        return AssessmentFields(
            enrolment_id=self.enrolment_id,
            assessed_on=self.assessed_on,
            assessor=assessor,
            theory_score=self.theory_score,
            practical_passed=self.practical_passed,
            comments=comments,
        )


@dataclass(frozen=True, kw_only=True)
class CompletionFields:
    """A completion recorded by hand: imported history or training held elsewhere."""

    trainee_id: int
    course_id: int
    completed_on: date
    source: CompletionSource = CompletionSource.IMPORTED
    course_version: str = ""  # "" = the course's current version
    provider: str = ""  # who delivered external training
    verified_by: str = ""  # who checked the evidence (external: required)
    evidence_name: str = ""  # file name of the attached evidence
    evidence: bytes | None = field(default=None, repr=False)
    notes: str = ""

    def validated(self, *, today: date, current_version: str | None = None) -> CompletionFields:
        """The cleaned completion, or ``ValidationError`` naming each field that is wrong.

        Given the course's ``current_version``, a completion of a newer version is refused:
        no one can have completed a version that does not exist yet.
        """
        errors: list[FieldError] = []
        source = CompletionSource(self.source)
        if self.completed_on > today:
            errors.append(FieldError("completed_on", "A completion cannot be dated in the future"))
        elif self.completed_on < EARLIEST_RECORD:
            errors.append(FieldError("completed_on", _too_early("A completion", self.completed_on)))
        provider = check_optional_text(self.provider, "provider", "Provider", errors, limit=160)
        verified_by = check_optional_text(
            self.verified_by, "verified_by", "Verified by", errors, limit=120
        )
        if source is CompletionSource.EXTERNAL:
            if not provider:
                errors.append(FieldError("provider", "Say who delivered the external training"))
            if not verified_by:
                errors.append(FieldError("verified_by", "Say who verified the evidence"))
            if not self.evidence:
                errors.append(
                    FieldError("evidence", "Attach the evidence (a certificate or letter)")
                )
        if source is CompletionSource.RUN:
            errors.append(FieldError("source", "Completions from runs are recorded by the run"))
        notes = check_long_text(self.notes, "notes", "Notes", errors)
        course_version = self.course_version.strip()
        if course_version:
            shape_errors = len(errors)
            course_version = check_version(course_version, "course_version", errors)
            if (
                current_version
                and len(errors) == shape_errors
                and version_key(course_version) > version_key(current_version)
            ):
                errors.append(
                    FieldError(
                        "course_version",
                        f"Version {course_version} is newer than the course's current version "
                        f"({current_version}); write the version completed, or blank for the "
                        "current one",
                    )
                )
        if errors:
            raise ValidationError(errors, subject="Completion")
        return CompletionFields(
            trainee_id=self.trainee_id,
            course_id=self.course_id,
            completed_on=self.completed_on,
            source=source,
            course_version=course_version,
            provider=provider,
            verified_by=verified_by,
            evidence_name=self.evidence_name.strip(),
            evidence=self.evidence,
            notes=notes,
        )


def _too_early(what: str, day: date) -> str:
    return (
        f"{what} dated {day.isoformat()} is before {EARLIEST_RECORD.year}; check the year "
        "(a blank or damaged date cell often reads as 1899 or 1900)"
    )


# ----- read records ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    id: int
    row_version: int
    run_id: int
    run_code: str
    trainee_id: int
    trainee_name: str
    trainee_reference: str
    status: EnrolmentStatus
    position: int | None  # waitlist position, 1 = next
    enrolled_at: datetime
    withdrawn_at: datetime | None = None
    withdraw_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class IssuedCertificate:
    """A certificate issued for a completion, as the training record lists it."""

    number: str
    issued_on: date
    revoked_on: date | None = None
    revoke_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Completion:
    id: int
    trainee_id: int
    course_id: int
    course_code: str
    course_title: str
    course_version: str
    completed_on: date
    expires_on: date | None
    source: CompletionSource
    run_code: str = ""
    provider: str = ""
    verified_by: str = ""
    evidence_name: str = ""
    notes: str = ""
    certificates: tuple[IssuedCertificate, ...] = ()  # oldest first (filled for records)

    def valid_on(self, day: date) -> bool:
        return self.completed_on <= day and (self.expires_on is None or day < self.expires_on)


# ----- the training matrix -----------------------------------------------------------------


class Standing(NamedTuple):
    """One cell of the matrix (a named tuple: the matrix makes tens of thousands)."""

    status: MatrixStatus
    expires_on: date | None = None
    version: str = ""  # the version last completed
    due_on: date | None = None  # DUE: the last day to comply (compliant until then)


class ChangeTerms(NamedTuple):
    """When a change to what people must hold takes effect, and how long they then have."""

    effective_on: date
    grace_days: int

    @property
    def due_on(self) -> date | None:
        """The last day to comply (None: no grace, required on the day it takes effect)."""
        if self.grace_days <= 0:
            return None
        return self.effective_on + timedelta(days=self.grace_days)

    def validated(self, *, today: date) -> ChangeTerms:
        """The terms, or ``ValidationError`` naming what is wrong (``today`` bounds the date)."""
        errors: list[FieldError] = []
        if not 0 <= self.grace_days <= MAX_GRACE_DAYS:
            errors.append(
                FieldError(
                    "grace_days",
                    f"The grace period must be 0 to {MAX_GRACE_DAYS} days (got {self.grace_days})",
                )
            )
        latest = add_months(today, 12 * MAX_EFFECTIVE_YEARS_AHEAD)
        if self.effective_on < EARLIEST_RECORD:
            errors.append(FieldError("effective_on", _too_early("A change", self.effective_on)))
        elif self.effective_on > latest:
            errors.append(
                FieldError(
                    "effective_on",
                    f"A change cannot take effect more than {MAX_EFFECTIVE_YEARS_AHEAD} years "
                    f"ahead ({self.effective_on.isoformat()}); check the year",
                )
            )
        if errors:
            raise ValidationError(errors, subject="Change")
        return self


def parse_effective_on(text: str) -> date:
    """A date written as 2027-03-01, or ``ValidationError`` saying how to write it."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationError.single(
            "effective_on",
            f"'{cleaned}' is not a date; write the date the change takes effect as "
            "YYYY-MM-DD, e.g. 2027-03-01",
        ) from None


class Held(Protocol):
    """What the matrix needs of a completion (a Completion, or a lighter row)."""

    @property
    def id(self) -> int: ...
    @property
    def completed_on(self) -> date: ...
    @property
    def expires_on(self) -> date | None: ...
    @property
    def course_version(self) -> str: ...


def standing(
    completions: Sequence[Held],
    *,
    current_version: str,
    enrolled: bool,
    today: date,
    expiring_days: int = DEFAULT_EXPIRING_DAYS,
    new_version: VersionChange | None = None,
    grace_until: date | None = None,
) -> Standing:
    """A trainee's standing for one course from their completions of it.

    The latest completion counts. A completion of an older version than ``current_version``
    needs retraining (the SOP changed) even while in date.

    Change control: ``new_version`` is the change that made ``current_version`` current.
    Before it takes effect the version it replaces still counts; from then until its due date,
    holders of that version are DUE (compliant up to and including ``due_on``).
    ``grace_until``: the role's requirement took effect recently; up to and including that day
    anyone who does not comply is DUE.
    """
    if new_version is not None and new_version.version == current_version:
        if today < new_version.effective_on:
            current_version = new_version.replaces
        elif new_version.due_on is not None and today <= new_version.due_on:
            now = _standing(completions, current_version, enrolled, today, expiring_days)
            if now.status is MatrixStatus.RETRAIN:
                old = _standing(completions, new_version.replaces, enrolled, today, expiring_days)
                if old.status.compliant:
                    return old._replace(status=MatrixStatus.DUE, due_on=new_version.due_on)
    found = _standing(completions, current_version, enrolled, today, expiring_days)
    if grace_until is not None and today <= grace_until and not found.status.compliant:
        return found._replace(status=MatrixStatus.DUE, due_on=grace_until)
    return found


class VersionChange(NamedTuple):
    """A course's version ``version`` replaces ``replaces`` from ``effective_on``; holders of
    the older version have up to and including ``due_on`` (None: no grace)."""

    version: str
    replaces: str
    effective_on: date
    due_on: date | None


def _standing(
    completions: Sequence[Held],
    current_version: str,
    enrolled: bool,
    today: date,
    expiring_days: int,
) -> Standing:
    if not completions:
        return Standing(MatrixStatus.ENROLLED if enrolled else MatrixStatus.MISSING)
    latest = (
        completions[0]
        if len(completions) == 1
        else max(completions, key=lambda c: (c.completed_on, c.id))
    )
    expires, version = latest.expires_on, latest.course_version
    if version_key(version) < version_key(current_version):
        return Standing(
            MatrixStatus.ENROLLED if enrolled else MatrixStatus.RETRAIN, expires, version
        )
    if latest.completed_on > today or (expires is not None and today >= expires):
        return Standing(
            MatrixStatus.ENROLLED if enrolled else MatrixStatus.EXPIRED, expires, version
        )
    if expires is not None and (expires - today).days <= expiring_days:
        return Standing(MatrixStatus.EXPIRING, expires, version)
    return Standing(MatrixStatus.VALID, expires, version)


@dataclass(frozen=True)
class Due:
    """A row of the refresher list: required training expiring soon, expired or to retrain."""

    trainee_id: int
    reference: str
    name: str
    hub: str
    course_code: str
    course_title: str
    status: MatrixStatus
    expires_on: date | None
    version: str
    due_on: date | None = None  # DUE: by when


# ----- the training record (what an auditor asks for) -------------------------------------


@dataclass(frozen=True, kw_only=True)
class SessionAttendance:
    held_on: date
    period_label: str  # "09:00"
    mark: Mark | None  # None: not recorded
    late_minutes: int = 0


@dataclass(frozen=True, kw_only=True)
class AssessmentResult:
    assessed_on: date
    assessor: str
    theory_score: Decimal | None
    practical_passed: bool | None
    comments: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordEntry:
    """One course in a trainee's history: a run attended (with or without completion), or a
    completion recorded without a run (imported, external)."""

    course_code: str
    course_title: str
    course_version: str
    cpd_hours: Decimal
    run_code: str = ""
    enrolment_status: EnrolmentStatus | None = None
    first_day: date | None = None
    last_day: date | None = None
    sessions: Sequence[SessionAttendance] = ()
    assessments: Sequence[AssessmentResult] = ()
    completion: Completion | None = None


@dataclass(frozen=True, kw_only=True)
class RequirementStatus:
    course_code: str
    course_title: str
    current_version: str
    standing: Standing


@dataclass(frozen=True)
class SignedRecord:
    """A signature on one of the trainee's records, with which record in words."""

    subject: str  # "Completion of GOWN 1.0 (3 Sep 2026)"
    signature: Signature


@dataclass(frozen=True, kw_only=True)
class TrainingRecord:
    """Everything about one trainee's training, as of ``generated_at``."""

    reference: str
    name: str
    hub: str  # "LON · London Gene Therapy Innovation Hub"
    organisation: str
    role: str
    trainee_type: str  # label, e.g. "MSc student"
    email: str
    cohorts: Sequence[str]
    entries: Sequence[RecordEntry]  # oldest first
    requirements: Sequence[RequirementStatus]  # the matrix row for the trainee's role
    generated_at: datetime
    generated_by: str
    database: str = ""  # where it came from (file name or server)
    signatures: Sequence[SignedRecord] = ()  # the signature manifest, oldest first
    audit: Sequence[AuditLine] = ()  # the trail of the trainee's own records, in order

    @property
    def attendance_rate(self) -> float | None:
        marks = [s.mark for e in self.entries for s in e.sessions if s.mark is not None]
        if not marks:
            return None
        return sum(m is not Mark.ABSENT for m in marks) / len(marks)
