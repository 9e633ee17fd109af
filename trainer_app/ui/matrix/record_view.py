"""The Trainee record tab: find a trainee fast, read their whole training history, export it."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.records import (
    CompletionSource,
    Mark,
    RecordEntry,
    SessionAttendance,
    TrainingRecord,
)
from trainer_app.exports import wording
from trainer_app.services.context import ServiceContext
from trainer_app.ui import icons
from trainer_app.ui.matrix import standing as look
from trainer_app.ui.search import search_box, when_typing_pauses

MATCHES = 50
NO_RECORD = (
    "Find a trainee by name or reference on the left, or double-click (or press Enter on) a "
    "row of the matrix, to see their training record here."
)
ABSENT, LATE = "#C04A00", "#9A6A00"  # darker Okabe–Ito vermillion and orange: text on Base


def _muted(text: str) -> str:
    return f"<span style='color:gray'>{text}</span>"


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='color:gray; padding-right:14px'>{escape(label)}</td>"
        f"<td>{value or '—'}</td></tr>"
        for label, value in pairs
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def record_html(record: TrainingRecord, band: str = "#E6ECF3") -> str:
    """The record as rich text: who, where they stand today, then each course oldest first."""
    rate = record.attendance_rate
    people = _rows(
        [
            ("Hub", escape(record.hub)),
            ("Organisation", escape(record.organisation)),
            ("Role", escape(record.role)),
            ("Trainee type", escape(record.trainee_type)),
            ("E-mail", escape(record.email)),
            ("Cohorts", escape("; ".join(record.cohorts))),
            ("Attendance", wording.percent(rate) if rate is not None else ""),
            ("CPD hours completed", wording.number(wording.completed_cpd_hours(record))),
        ]
    )
    return (
        f"<h2 style='margin-bottom:2px'>{escape(record.name)} "
        f"{_muted(escape(record.reference))}</h2>{people}"
        f"{_standing(record)}{_history(record, band)}{_signatures(record)}{_audit(record)}"
        f"<p>{_muted(f'Generated {dates.utc_moment(record.generated_at)} by ')}"
        f"{_muted(escape(record.generated_by))}</p>"
    )


def _heading(text: str, note: str = "") -> str:
    extra = f" {_muted(escape(note))}" if note else ""
    return f"<h3 style='margin-top:16px; margin-bottom:4px'>{escape(text)}{extra}</h3>"


def _standing(record: TrainingRecord) -> str:
    compliant = sum(r.standing.status.compliant for r in record.requirements)
    note = f"{compliant} of {len(record.requirements)} required courses compliant today"
    if not record.requirements:
        return _heading("Current standing") + "<p>No courses are required for this role.</p>"
    header = "".join(
        f"<th align='left' style='color:gray; padding-right:12px'>{h}</th>"
        for h in ("Course", "Status", "Expires", "Version held", "Current version")
    )
    rows = []
    for requirement in record.requirements:
        standing = requirement.standing
        expires = dates.day_or_none(standing.expires_on)
        if standing.expires_on is None and standing.version:
            expires = "Does not expire"
        rows.append(
            "<tr>"
            f"<td style='padding-right:12px'><b>{escape(requirement.course_code)}</b> "
            f"{escape(requirement.course_title)}</td>"
            f"<td style='padding-right:12px'>{look.chip_html(standing.status)}</td>"
            f"<td style='padding-right:12px'>{escape(expires)}</td>"
            f"<td style='padding-right:12px'>{escape(standing.version or '—')}</td>"
            f"<td>{escape(requirement.current_version)}</td></tr>"
        )
    table = f"<table cellspacing='0' cellpadding='3'><tr>{header}</tr>{''.join(rows)}</table>"
    return _heading("Current standing", note) + table


def _history(record: TrainingRecord, band: str) -> str:
    count = len(record.entries)
    note = f"{count} course{'' if count == 1 else 's'}, oldest first · late counts as attended"
    if not record.entries:
        return _heading("Training history") + "<p>No training recorded.</p>"
    return _heading("Training history", note) + "".join(_entry(e, band) for e in record.entries)


def _signatures(record: TrainingRecord) -> str:
    """The signature manifest, each line saying whether it still holds."""
    if not record.signatures:
        return _heading("Signatures") + "<p>No record has been signed.</p>"
    lines = []
    for line in record.signatures:
        signature = line.signature
        words = escape(signature.manifest())
        shown = words if signature.valid else f"<b style='color:#8E1B1B'>{words}</b>"
        lines.append(f"<li><b>{escape(line.subject)}</b>: {shown}</li>")
    count = len(record.signatures)
    note = f"{count} signature{'' if count == 1 else 's'}, oldest first"
    return _heading("Signatures", note) + f"<ul>{''.join(lines)}</ul>"


def _audit(record: TrainingRecord) -> str:
    """The audit history of the trainee's own records, newest last."""
    if not record.audit:
        return _heading("Audit history") + "<p>No entry.</p>"
    lines = "".join(
        f"<tr><td style='padding-right:10px; color:gray'>{escape(line.when)}</td>"
        f"<td style='padding-right:10px'>{escape(line.who)}</td>"
        f"<td style='padding-right:10px'>{escape(line.action)} "
        f"{escape(line.record_type.lower())}: {escape(line.record)}</td>"
        f"<td>{escape(line.what_changed).replace(chr(10), '<br>')}"
        + (f"<br><i>{escape(line.reason)}</i>" if line.reason else "")
        + "</td></tr>"
        for line in record.audit
    )
    count = len(record.audit)
    note = f"{count} entr{'y' if count == 1 else 'ies'} · times UTC"
    return (
        _heading("Audit history", note) + f"<table cellspacing='0' cellpadding='2'>{lines}</table>"
    )


def _entry(entry: RecordEntry, band: str) -> str:
    title = (
        f"<b>{escape(entry.course_code)}</b> {escape(entry.course_title)} "
        f"{_muted(f'· version {escape(entry.course_version)} · ')}"
        f"{_muted(f'{wording.number(entry.cpd_hours)} CPD hours')}"
    )
    pairs: list[tuple[str, str]] = []
    if entry.run_code:
        status = entry.enrolment_status.label if entry.enrolment_status else "—"
        days = dates.span(entry.first_day, entry.last_day)
        pairs.append(("Run", f"{escape(entry.run_code)} · {escape(days)} · {escape(status)}"))
        pairs.append(("Attendance", _attendance(entry)))
    if entry.run_code or entry.assessments:
        pairs.append(("Assessments", _assessments(entry)))
    pairs.extend(_completion(entry))
    return (
        f"<table width='100%' cellspacing='0' cellpadding='4' style='margin-top:10px'>"
        f"<tr><td style='background-color:{band}'>{title}</td></tr></table>{_rows(pairs)}"
    )


def _mark(session: SessionAttendance) -> str:
    text = escape(wording.attendance(session))
    if session.mark is Mark.ABSENT:
        return f"<b style='color:{ABSENT}'>{text}</b>"
    if session.mark is Mark.LATE:
        return f"<span style='color:{LATE}'>{text}</span>"
    if session.mark is None:
        return f"<i style='color:gray'>{text}</i>"
    return text


def _attendance(entry: RecordEntry) -> str:
    summary = escape(wording.attendance_summary(entry))
    if not entry.sessions:
        return summary
    sessions = "<br>".join(
        f"{escape(dates.day_or_none(s.held_on))} {escape(s.period_label)} · {_mark(s)}"
        for s in entry.sessions
    )
    return f"{summary}<br>{sessions}"


def _assessments(entry: RecordEntry) -> str:
    if not entry.assessments:
        return "None recorded"
    lines = []
    for result in entry.assessments:
        parts = [escape(dates.day_or_none(result.assessed_on)), escape(result.assessor)]
        if result.theory_score is not None:
            parts.append(f"theory {escape(wording.theory(result))}")
        practical = wording.practical(result)
        if practical == "Fail":
            parts.append(f"<b style='color:{ABSENT}'>practical Fail</b>")
        elif practical:
            parts.append(f"practical {practical}")
        line = " · ".join(parts)
        if result.comments:
            line += f" — <i>{escape(result.comments)}</i>"
        lines.append(line)
    return "<br>".join(lines)


def _completion(entry: RecordEntry) -> list[tuple[str, str]]:
    done = entry.completion
    if done is None:
        return [("Completion", wording.not_completed(entry))]
    line = " · ".join(
        [
            f"<b>Completed {escape(dates.day_or_none(done.completed_on))}</b>",
            *(escape(detail) for detail in wording.completion_details(entry, done)),
        ]
    )
    pairs = [("Completion", line)]
    if done.source is CompletionSource.EXTERNAL or done.provider or done.verified_by:
        pairs.append(("Provider", escape(done.provider)))
        pairs.append(("Verified by", escape(done.verified_by)))
    if done.evidence_name:
        link = f"<a href='{EVIDENCE_LINK}{done.id}'>{escape(done.evidence_name)}</a>"
        pairs.append(("Evidence", f"{link} (click to save a copy)"))
    if done.notes:
        pairs.append(("Notes", escape(done.notes)))
    pairs.extend(("Certificate", escape(wording.certificate(c))) for c in done.certificates)
    return pairs


EVIDENCE_LINK = "evidence:"  # + completion id: the record view's link to its evidence file


class TraineeFinder(QWidget):
    """A search box and the first matches; the service filters, so 50 000 trainees are fine."""

    chosen = Signal(int)  # trainee id

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.search = search_box("Name, reference, organisation…", "Find trainee", "find_trainee")
        self._timer = when_typing_pauses(self.search, self.refresh)
        self.search.returnPressed.connect(self._choose_first)
        self.search.installEventFilter(self)
        self.matches = QListWidget()
        self.matches.setAccessibleName("Matching trainees")
        self.matches.setUniformItemSizes(True)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.setSpacing(1)
        self.matches.currentItemChanged.connect(self._current_changed)
        self.hint = QLabel()
        self.hint.setAccessibleName("Matches found")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.matches, 1)
        column.addWidget(self.hint)

    def refresh(self) -> None:
        """Ask the service for the trainees matching the search text; show the first 50."""
        self._timer.stop()
        text = self.search.text().strip()
        ids = self.context.trainees.query_ids(text)
        cells = self.context.trainees.row_cells(ids[:MATCHES])
        keys = [c.key for c in self.context.trainees.columns]
        self.matches.blockSignals(True)
        self.matches.clear()
        for trainee_id in ids[:MATCHES]:
            values = dict(zip(keys, cells.get(trainee_id, ()), strict=False))
            name = str(values.get("name", ""))
            about = " · ".join(
                str(values[k]) for k in ("reference", "hub", "role") if values.get(k)
            )
            item = QListWidgetItem(f"{name}\n{about}")
            item.setData(Qt.ItemDataRole.UserRole, trainee_id)
            item.setToolTip(f"{name} · {about}")
            self.matches.addItem(item)
        self.matches.blockSignals(False)
        if not ids:
            self.hint.setText(
                f"Nobody matches “{text}” — try part of the name or the reference"
                if text
                else "No trainees yet — add them on Cohorts & trainees"
            )
        elif len(ids) > MATCHES:
            self.hint.setText(
                f"Showing the first {MATCHES} of {len(ids):,} — type more of the name or reference"
            )
        else:
            self.hint.setText(f"{len(ids)} trainee{'' if len(ids) == 1 else 's'}")

    def show_trainee(self, trainee_id: int, reference: str) -> None:
        """List the trainee opened from elsewhere (the matrix) and select them quietly."""
        self.search.blockSignals(True)
        self.search.setText(reference)
        self.search.blockSignals(False)
        self.refresh()
        for row in range(self.matches.count()):
            item = self.matches.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == trainee_id:
                self.matches.blockSignals(True)
                self.matches.setCurrentItem(item)
                self.matches.blockSignals(False)

    def _current_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            self.chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _choose_first(self) -> None:
        self.refresh()
        if self.matches.count():
            self.matches.setCurrentRow(0)
            self.matches.setFocus()

    def eventFilter(self, watched: object, event: object) -> bool:
        # Down from the search box goes into the list, as in any search field with results.
        if (
            watched is self.search
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
            and self.matches.count()
        ):
            self.matches.setFocus()
            if self.matches.currentRow() < 0:
                self.matches.setCurrentRow(0)
            return True
        return False


class RecordPanel(QWidget):
    """The record as rich text with the export buttons above it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf_button = self._button("Export PDF…", "The record as an A4 PDF for an auditor")
        self.csv_button = self._button("Export CSV…", "The record as CSV (UTF-8) for a spreadsheet")
        self.xlsx_button = self._button("Export XLSX…", "The record as an Excel workbook")
        self.group_button = self._button(
            "Export group…",
            "Every trainee of the hub and cohort chosen above, one workbook (runs in the "
            "background; you can cancel)",
        )
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Training record")
        self.browser.setOpenLinks(False)
        self.browser.document().setDocumentMargin(12)
        self.training_button = QPushButton(icons.icon("add"), "Record training…")
        self.training_button.setAccessibleName("Record training")
        self.training_button.setToolTip(
            "Training held elsewhere (with its evidence and who verified it), or earlier history"
        )
        self.certificates_button = QPushButton(icons.icon("certificate"), "Certificates…")
        self.certificates_button.setAccessibleName("Certificates")
        self.certificates_button.setToolTip(
            "Preview and issue certificates for this trainee's completions that have none"
        )
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for button in (self.pdf_button, self.csv_button, self.xlsx_button):
            bar.addWidget(button)
        bar.addStretch()
        self.sign_button = QPushButton(icons.icon("verify"), "Sign…")
        self.sign_button.setAccessibleName("Sign")
        self.sign_button.setToolTip(
            "Sign one of this trainee's completions, assessments or certificates (your password)"
        )
        bar.addWidget(self.sign_button)
        bar.addWidget(self.certificates_button)
        bar.addWidget(self.training_button)
        bar.addWidget(self.group_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        column.addWidget(self.browser, 1)
        self.show_placeholder()

    @staticmethod
    def _button(text: str, tip: str) -> QPushButton:
        button = QPushButton(icons.icon("export"), text)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        return button

    def show_placeholder(self, text: str = NO_RECORD) -> None:
        self.browser.setHtml(f"<p style='color:gray'>{escape(text)}</p>")
        self.set_exportable(False)

    def show_record(self, record: TrainingRecord) -> None:
        band = self.palette().color(QPalette.ColorRole.AlternateBase).name()
        self.browser.setHtml(record_html(record, band))
        self.set_exportable(True)

    def set_exportable(self, enabled: bool) -> None:
        for button in (
            self.pdf_button,
            self.csv_button,
            self.xlsx_button,
            self.certificates_button,
            self.sign_button,
        ):
            button.setEnabled(enabled)
