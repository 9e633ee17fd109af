"""Imports of training history: enrolments on published runs, and past completions.

Both build on :mod:`trainer_app.services.imports` (read, check every row, list every problem
by row and column, then write all rows in one transaction or none). Enrolments obey every
enrolment rule (each refusal becomes a problem on its row); completions are history brought in
from the hubs' spreadsheets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from trainer_app.domain.errors import ValidationError
from trainer_app.domain.records import CompletionFields
from trainer_app.domain.tabular import ColumnSpec, Problem, Record, closest, repeats
from trainer_app.domain.text import clean_text
from trainer_app.persistence.models import CompletionRow, CourseRow, CourseRunRow, TraineeRow
from trainer_app.persistence.uow import reading
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import ImportPreview, TableImport

TRAINEE = ColumnSpec(
    "trainee",
    required=True,
    aliases=("reference", "trainee reference", "ref", "trainee ref", "trainee id"),
    description="The trainee's reference, as on the Cohorts & trainees page",
    accepted="an existing trainee reference, e.g. TR-000042",
)


@dataclass(frozen=True)
class EnrolmentItem:
    run_id: int
    trainee_id: int


@dataclass
class _Lookups:
    trainees: dict[str, tuple[int, str]]  # reference → (id, name)
    runs: dict[str, int]  # code → id
    courses: dict[str, tuple[int, str]]  # code → (id, current version)

    @classmethod
    def read(cls, context: ServiceContext) -> _Lookups:
        with reading(context.store) as session:
            return cls(
                trainees={
                    ref: (id_, name)
                    for id_, ref, name in session.execute(
                        select(TraineeRow.id, TraineeRow.reference, TraineeRow.name)
                    )
                },
                runs={
                    code: id_
                    for id_, code in session.execute(select(CourseRunRow.id, CourseRunRow.code))
                },
                courses={
                    code: (id_, version)
                    for id_, code, version in session.execute(
                        select(CourseRow.id, CourseRow.code, CourseRow.version)
                    )
                },
            )

    def trainee(self, record: Record, problems: list[Problem]) -> int | None:
        reference = clean_text(record["trainee"]).upper()
        found = self.trainees.get(reference)
        if found is None:
            guess = closest(reference, self.trainees)
            hint = f"; did you mean {guess}?" if guess else ""
            problems.append(record.problem("trainee", f"there is no trainee {reference}{hint}"))
            return None
        return found[0]

    def lookup(
        self, record: Record, column: str, table: dict[str, int], what: str, problems: list[Problem]
    ) -> int | None:
        code = clean_text(record[column]).upper()
        if code in table:
            return table[code]
        guess = closest(code, table)
        hint = f"; did you mean {guess}?" if guess else ""
        problems.append(record.problem(column, f"there is no {what} {code or '(blank)'}{hint}"))
        return None


class EnrolmentImport(TableImport[EnrolmentItem]):
    """Enrolments from a sheet: one row per trainee and run; every enrolment rule applies."""

    kind = "enrolments"
    noun = "enrolment"
    description = "enrol trainees on published runs from a CSV or XLSX file (all or nothing)"
    columns = (
        TRAINEE,
        ColumnSpec(
            "run",
            required=True,
            aliases=("run code", "course run", "course run code"),
            description="The code of a published course run",
            accepted="the code of a published run still to end, e.g. ASEP-2026-02",
        ),
    )

    def _check_records(
        self, records: Sequence[Record], tick: Callable[[int], None]
    ) -> tuple[list[tuple[int, EnrolmentItem]], list[Problem], list[str]]:
        known = _Lookups.read(self.context)
        problems: list[Problem] = []
        entries: list[tuple[int, EnrolmentItem]] = []
        for index, record in enumerate(records):
            tick(index)
            trainee = known.trainee(record, problems)
            run = known.lookup(record, "run", known.runs, "run", problems)
            if trainee is not None and run is not None:
                entries.append((record.row, EnrolmentItem(run, trainee)))
        pairs = ((row, f"{item.run_id}:{item.trainee_id}") for row, item in entries)
        for row, first, _ in repeats(pairs):
            problems.append(Problem(row, "trainee", f"the same enrolment is also on row {first}"))
        problems.extend(self._rules(entries))
        waiting = self._waitlisted(entries)
        notes = [f"{waiting} will go on a waitlist (their run is full)"] if waiting else []
        return entries, problems, notes

    def _rules(self, entries: Sequence[tuple[int, EnrolmentItem]]) -> Iterable[Problem]:
        """Every enrolment rule, checked run by run in the file's order."""
        for run_id, rows in _by_run(entries).items():
            verdicts = self.context.enrolment.check(run_id, [item.trainee_id for _, item in rows])
            for (row, _), verdict in zip(rows, verdicts, strict=True):
                if not verdict.ok:
                    yield Problem(row, "trainee", verdict.refusal)

    def _waitlisted(self, entries: Sequence[tuple[int, EnrolmentItem]]) -> int:
        return sum(
            v.waitlisted
            for run_id, rows in _by_run(entries).items()
            for v in self.context.enrolment.check(run_id, [item.trainee_id for _, item in rows])
        )

    def _recheck(self, preview: ImportPreview[EnrolmentItem]) -> Iterable[Problem]:
        return self._rules(list(zip(preview.item_rows, preview.items, strict=True)))

    def _write(self, preview: ImportPreview[EnrolmentItem], *, reason: str) -> list[int]:
        batches: dict[int, list[int]] = defaultdict(list)
        for item in preview.items:
            batches[item.run_id].append(item.trainee_id)
        count = self.context.enrolment.enrol_batches(batches, reason=reason)
        return list(range(count))


def _repeated_completions(
    records: Sequence[Record],
    entries: Sequence[tuple[int, CompletionFields]],
) -> Iterable[Problem]:
    """A later row with the same trainee, course and day as an earlier one (whatever the
    version: no one completes two versions of a course on one day)."""
    written = {record.row: record for record in records}
    keys = ((row, f"{c.trainee_id}:{c.course_id}:{c.completed_on}") for row, c in entries)
    for row, first, _ in repeats(keys):
        record = written[row]
        yield Problem(
            row,
            "completed_on",
            f"the same completion ({clean_text(record['trainee']).upper()}, "
            f"{clean_text(record['course']).upper()} on {record['completed_on']}) is also on "
            f"row {first}; keep one",
        )


def _by_run(
    entries: Sequence[tuple[int, EnrolmentItem]],
) -> dict[int, list[tuple[int, EnrolmentItem]]]:
    out: dict[int, list[tuple[int, EnrolmentItem]]] = defaultdict(list)
    for row, item in entries:
        out[item.run_id].append((row, item))
    return out


COMPLETION_FIELD_COLUMNS = {
    "completed_on": "completed_on",
    "course_version": "version",
    "notes": "notes",
}


class CompletionImport(TableImport[CompletionFields]):
    """Past completions from the hubs' spreadsheets (years of history)."""

    kind = "completions"
    noun = "completion"
    description = "add past completions (training history) from a CSV or XLSX file"
    columns = (
        TRAINEE,
        ColumnSpec(
            "course",
            required=True,
            aliases=("course code",),
            description="The course's code in the catalogue",
            accepted="an existing course code, e.g. GOWN",
        ),
        ColumnSpec(
            "completed_on",
            required=True,
            aliases=("completed", "date", "completion date", "date completed"),
            description="The day the course was completed; its expiry follows from the course",
            accepted="2026-03-02 or 02/03/2026 (day/month/year); not in the future",
        ),
        ColumnSpec(
            "version",
            aliases=("course version",),
            description="The course version completed; blank means the current version",
            accepted="e.g. 3.0; an older version than the current one flags retraining",
        ),
        ColumnSpec(
            "notes",
            aliases=("note", "comments", "source"),
            description="Where the record comes from",
            accepted="free text; may be blank",
        ),
    )

    def _check_records(
        self, records: Sequence[Record], tick: Callable[[int], None]
    ) -> tuple[list[tuple[int, CompletionFields]], list[Problem], list[str]]:
        known = _Lookups.read(self.context)
        today = self.context.training.today()
        courses = {code: id_ for code, (id_, _) in known.courses.items()}
        versions = dict(known.courses.values())
        problems: list[Problem] = []
        entries: list[tuple[int, CompletionFields]] = []
        for index, record in enumerate(records):
            tick(index)
            trainee = known.trainee(record, problems)
            course = known.lookup(record, "course", courses, "course", problems)
            day = record.day("completed_on", problems, required=True)
            if trainee is None or course is None or day is None:
                continue
            fields = CompletionFields(
                trainee_id=trainee,
                course_id=course,
                completed_on=day,
                course_version=record["version"],
                notes=record["notes"],
            )
            try:
                item = fields.validated(today=today, current_version=versions[course])
            except ValidationError as error:
                problems.extend(
                    record.problem(COMPLETION_FIELD_COLUMNS.get(e.field), e.message)
                    for e in error.errors
                )
            else:
                entries.append((record.row, item))
        problems.extend(_repeated_completions(records, entries))
        problems.extend(self._recorded(entries, versions))
        return entries, problems, []

    def _recorded(
        self, entries: Sequence[tuple[int, CompletionFields]], versions: dict[int, str]
    ) -> Iterable[Problem]:
        """Rows the store already holds: same trainee, course, day and version."""
        if not entries:
            return
        with reading(self.context.store) as session:
            held = {
                (trainee, course, day, version)
                for trainee, course, day, version in session.execute(
                    select(
                        CompletionRow.trainee_id,
                        CompletionRow.course_id,
                        CompletionRow.completed_on,
                        CompletionRow.course_version,
                    ).where(CompletionRow.revoked_at.is_(None))
                )
            }
        for row, item in entries:
            version = item.course_version or versions[item.course_id]
            if (item.trainee_id, item.course_id, item.completed_on, version) in held:
                yield Problem(
                    row,
                    "completed_on",
                    f"this completion (version {version} on {item.completed_on.isoformat()}) "
                    "is already recorded for the trainee; remove the row",
                )

    def _recheck(self, preview: ImportPreview[CompletionFields]) -> Iterable[Problem]:
        known = _Lookups.read(self.context)
        trainees = {id_ for id_, _ in known.trainees.values()}
        versions = dict(known.courses.values())
        entries = list(zip(preview.item_rows, preview.items, strict=True))
        for row, item in entries:
            if item.trainee_id not in trainees or item.course_id not in versions:
                yield Problem(row, None, "the trainee or course was deleted since; check again")
        yield from self._recorded(
            [(row, item) for row, item in entries if item.course_id in versions], versions
        )

    def _write(self, preview: ImportPreview[CompletionFields], *, reason: str) -> list[int]:
        return list(range(self.context.training.add_completions(preview.items, reason=reason)))
