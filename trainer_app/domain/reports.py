"""What the audit trail export and the compliance report say, as plain data: the selection of
audit entries and each entry in words (as the Audit page shows it), and the training matrix of
one hub with its per-role and per-course figures. The writers in ``trainer_app.exports`` turn
these into files; the services fill them from the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from trainer_app.domain import dates
from trainer_app.domain.audit import (
    RECORD_TYPE_LABELS,
    AuditEntry,
    ChangeInWords,
    RecordType,
    ReferenceNames,
    describe_changes,
    record_type_label,
)
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.records import MatrixStatus

# ----- the audit trail export ----------------------------------------------------------------

AUDIT_COLUMNS = (
    "Entry",
    "When (UTC)",
    "Who",
    "Action",
    "Record type",
    "Record",
    "What changed (old → new)",
    "Reason",
)


class ExportCancelled(DomainError):
    """The person stopped the export; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The export was cancelled; no file was written")


class NothingToExport(DomainError):
    """The selection holds nothing: no file is written."""


def record_type_of(text: str) -> RecordType:
    """``course_run``, ``Course run`` or ``course-run`` → ``RecordType.COURSE_RUN``; anything
    else is refused with the types there are."""
    wanted = " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()
    for kind, label in RECORD_TYPE_LABELS.items():
        if wanted in (label.casefold(), kind.value.replace("_", " ")):
            return kind
    known = ", ".join(kind.value for kind in RecordType)
    raise ValidationError.single(
        "record", f"There is no record type '{text.strip()}'; the record types are: {known}"
    )


@dataclass(frozen=True)
class AuditSelection:
    """Which audit entries to export: UTC days ``start`` to ``end`` inclusive, one user (the
    entry's actor), one record type (optionally one record of it), words to find. ``None`` or
    empty: no limit."""

    start: date | None = None
    end: date | None = None
    actor: str | None = None
    record_type: str | None = None  # as stored: "course_run"
    entity_id: int | None = None
    text: str = ""

    def validated(self) -> AuditSelection:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError.single(
                "end",
                f"The last day ({dates.day(self.end)}) is before the first "
                f"({dates.day(self.start)})",
            )
        if self.entity_id is not None and not self.record_type:
            raise ValidationError.single("entity_id", "Say which record type the id is of")
        return self

    def describe(self) -> str:
        """``1 Dec 2026 – 6 Dec 2026 (UTC) · by local · Course run 12``; or the whole trail."""
        parts = []
        if self.start is not None and self.end is not None:
            parts.append(f"{dates.span(self.start, self.end)} (UTC)")
        elif self.start is not None:
            parts.append(f"from {dates.day(self.start)} (UTC)")
        elif self.end is not None:
            parts.append(f"up to {dates.day(self.end)} (UTC)")
        if self.actor:
            parts.append(f"by {self.actor}")
        if self.record_type:
            label = record_type_label(self.record_type)
            parts.append(label if self.entity_id is None else f"{label} {self.entity_id}")
        if self.text.strip():
            parts.append(f"matching “{self.text.strip()}”")
        return " · ".join(parts) or "the whole trail"


@dataclass(frozen=True)
class AuditLine:
    """One audit entry as the Audit page shows it: every value in words."""

    number: int  # the entry's id in the trail
    occurred_at: datetime  # UTC
    who: str
    action: str
    record_type: str
    record: str
    changes: tuple[ChangeInWords, ...]
    reason: str

    @classmethod
    def of(cls, entry: AuditEntry, names: ReferenceNames | None = None) -> AuditLine:
        return cls(
            number=entry.id,
            occurred_at=entry.occurred_at,
            who=entry.actor,
            action=entry.action.label,
            record_type=record_type_label(entry.entity_type),
            record=entry.entity_label,
            changes=describe_changes(entry, names),
            reason=entry.reason,
        )

    @property
    def when(self) -> str:
        """``4 Jan 2027 14:05:09``, as the Audit page shows it (the column says UTC)."""
        return dates.moment(dates.as_utc(self.occurred_at), seconds=True)

    @property
    def what_changed(self) -> str:
        """One change a line: ``Name: Siobhan → Siobhán``."""
        return "\n".join(
            f"{c.field}: {_one_line(c.old)} → {_one_line(c.new)}" for c in self.changes
        )

    def cells(self) -> tuple[str, ...]:
        return (
            str(self.number),
            self.when,
            self.who,
            self.action,
            self.record_type,
            self.record,
            self.what_changed,
            self.reason,
        )


def _one_line(value: str) -> str:
    return value.replace("\n", "; ")


@dataclass(frozen=True)
class AuditHeading:
    """The block above an exported trail: where it comes from, what was chosen, whether the
    trail's seals hold, how many entries, and when and by whom it was made."""

    database: str
    selection: AuditSelection
    verdict: str  # "The audit trail is intact: 1547 entries, every link holds."
    intact: bool
    count: int
    through: int  # the trail's last entry when the export began
    generated_at: datetime
    generated_by: str

    def lines(self) -> tuple[tuple[str, str], ...]:
        return (
            ("Store", self.database),
            ("Filters", self.selection.describe()),
            ("Audit trail check", self.verdict),
            (
                "Entries",
                f"{self.count}, in the order recorded (the trail up to entry {self.through})",
            ),
            ("Generated", f"{dates.utc_moment(self.generated_at)} by {self.generated_by}"),
        )


# ----- the compliance report -----------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceCourse:
    code: str
    title: str
    version: str


@dataclass(frozen=True)
class ComplianceCell:
    status: MatrixStatus
    expires_on: date | None = None


@dataclass(frozen=True)
class CompliancePerson:
    reference: str
    name: str
    role: str
    organisation: str
    cells: tuple[ComplianceCell | None, ...]  # one per course; None: not required of them

    @property
    def required(self) -> list[ComplianceCell]:
        return [c for c in self.cells if c is not None]

    @property
    def compliant(self) -> bool:
        return all(c.status.compliant for c in self.required)


@dataclass(frozen=True)
class Gap:
    """Required training someone must do: what, the standing today, and by when."""

    person: CompliancePerson
    course: ComplianceCourse
    status: MatrixStatus
    due_by: date | None  # None: due now (missing, expired, retrain) or when the run ends

    @property
    def due_order(self) -> tuple[int, date]:
        """Soonest first: what is due now (longest expired first), then what expires soon,
        then what a run to come will settle."""
        if self.status is MatrixStatus.ENROLLED:
            return 2, date.max
        if self.status is MatrixStatus.EXPIRING:
            return 1, self.due_by or date.max
        return 0, self.due_by or date.min

    def due_words(self) -> str:
        if self.status is MatrixStatus.EXPIRING and self.due_by is not None:
            return f"by {dates.day(self.due_by)}"
        if self.status is MatrixStatus.EXPIRED and self.due_by is not None:
            return f"now (expired {dates.day(self.due_by)})"
        if self.status is MatrixStatus.ENROLLED:
            return "enrolled on a run to come"
        if self.status is MatrixStatus.RETRAIN:
            return "now (new version)"
        return "now"


@dataclass(frozen=True)
class Figures:
    """Required cells of a role or a course: how many in each status, and how many people or
    cells are compliant."""

    name: str
    counts: Mapping[MatrixStatus, int]
    compliant: int
    total: int

    @property
    def share(self) -> float | None:
        return self.compliant / self.total if self.total else None


@dataclass(frozen=True)
class ComplianceReport:
    """The training matrix of one hub (optionally one role): people × required courses."""

    hub: str  # "LON · London Gene Therapy Innovation Hub"
    role: str | None
    courses: tuple[ComplianceCourse, ...]
    people: tuple[CompliancePerson, ...]
    today: date
    expiring_days: int
    generated_at: datetime
    generated_by: str
    database: str
    uncovered: int = 0  # people at the hub whose role requires no course: not listed

    @property
    def title(self) -> str:
        scope = f"{self.hub}, {self.role}" if self.role else self.hub
        return f"Compliance report — {scope}"

    def roles(self) -> list[str]:
        return sorted({p.role for p in self.people}, key=str.casefold)

    def by_role(self) -> list[Figures]:
        """Per role: people compliant (every required course valid or expiring soon)."""
        out = []
        for role in self.roles():
            people = [p for p in self.people if p.role == role]
            counts = Counter(c.status for p in people for c in p.required)
            out.append(Figures(role, counts, sum(p.compliant for p in people), len(people)))
        return out

    def by_course(self) -> list[Figures]:
        """Per course: the people it is required of who hold it compliantly."""
        out = []
        for index, course in enumerate(self.courses):
            cells = [p.cells[index] for p in self.people if p.cells[index] is not None]
            counts = Counter(c.status for c in cells if c is not None)
            compliant = sum(c.status.compliant for c in cells if c is not None)
            out.append(Figures(course.code, counts, compliant, len(cells)))
        return out

    def overall(self) -> Figures:
        counts = Counter(c.status for p in self.people for c in p.required)
        return Figures("All", counts, sum(p.compliant for p in self.people), len(self.people))

    def gaps(self, role: str | None = None) -> list[Gap]:
        """Required training not valid today (expiring soon included: it is due), by person
        then soonest first."""
        out = []
        for person in self.people:
            if role is not None and person.role != role:
                continue
            for course, cell in zip(self.courses, person.cells, strict=True):
                if cell is not None and cell.status is not MatrixStatus.VALID:
                    out.append(Gap(person, course, cell.status, cell.expires_on))
        return out
