"""Withdraw… (with a reason) and Record result… (date, assessor, theory %, practical)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.records import AssessmentFields, Enrolment, EnrolmentStatus
from trainer_app.services.context import ServiceContext
from trainer_app.ui.dialogs.editors import change_signal, from_qdate, to_qdate
from trainer_app.ui.dialogs.form import add_form_field
from trainer_app.ui.runs.rows import BANNER_STYLE
from trainer_app.ui.runs.runs_list import RunSummary

NOT_ASSESSED = "Not assessed"
PRACTICAL_CHOICES: tuple[tuple[str, bool | None], ...] = (
    (NOT_ASSESSED, None),
    ("Passed", True),
    ("Failed", False),
)


class FormDialog(QDialog):
    """A form whose fields show their own messages beneath them, a banner for the rest."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._messages: dict[str, QLabel] = {}
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Problem")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def add_field(self, name: str, label: str, widget: QWidget) -> None:
        self._messages[name] = add_form_field(self.form, label, widget)

    def show_problems(self, error: DomainError | None) -> None:
        """Each field's messages beneath it; the others (or a plain refusal) in the banner."""
        fields = error.errors if isinstance(error, ValidationError) else ()
        for name, label in self._messages.items():
            words = [e.message for e in fields if e.field == name]
            label.setText("\n".join(words))
            label.setVisible(bool(words))
        if isinstance(error, ValidationError):
            stray = [e.message for e in fields if e.field not in self._messages]
        else:
            stray = [str(error)] if error is not None else []
        self.banner.setText("\n".join(stray))
        self.banner.setVisible(bool(stray))

    def message(self, name: str) -> str:
        label = self._messages[name]
        return label.text() if not label.isHidden() else ""


class WithdrawDialog(FormDialog):
    """Withdraw someone (a reason is required); the service promotes from the waitlist."""

    def __init__(
        self, context: ServiceContext, enrolment: Enrolment, parent: QWidget | None
    ) -> None:
        super().__init__(f"Withdraw {enrolment.trainee_name} from {enrolment.run_code}", parent)
        self.context = context
        self.enrolment = enrolment
        self.changed: list[Enrolment] = []
        if enrolment.status is EnrolmentStatus.ENROLLED:
            text = "Their place goes to the next person on the waitlist who may still go."
        else:
            text = f"They leave the waitlist (position {enrolment.position})."
        note = QLabel(text)
        note.setWordWrap(True)
        self.form.addRow(note)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. Moved to night shift")
        self.reason.setMaxLength(500)
        self.add_field("reason", "&Reason", self.reason)
        self.ok_button.setText("Withdraw")
        self.resize(520, self.sizeHint().height())

    def accept(self) -> None:
        try:
            self.changed = self.context.enrolment.withdraw(
                self.enrolment.id, self.enrolment.row_version, self.reason.text()
            )
        except DomainError as error:
            self.show_problems(error)
            return
        super().accept()


class ResultDialog(FormDialog):
    """One assessment for one enrolled person; the domain's rules are checked as typed and the
    service's on saving, each message beside its field."""

    def __init__(
        self,
        context: ServiceContext,
        run: RunSummary,
        person: tuple[int, str],  # enrolment id, name
        assessor_and_rule: tuple[str, str],  # the assessor to suggest; the rule in words
        parent: QWidget | None,
    ) -> None:
        super().__init__(f"Record result for {person[1]} on {run.code}", parent)
        assessor, rule = assessor_and_rule
        if rule:
            note = QLabel(f"{run.course_code} is completed with {rule}.")
            note.setWordWrap(True)
            note.setAccessibleName("Completion rule")
            self.form.addRow(note)
        self.context = context
        self.enrolment_id = person[0]
        self.saved: int | None = None
        today = context.training.today()
        first = run.first_day or today
        last = run.last_day or first
        self.assessed_on = QDateEdit()
        self.assessed_on.setCalendarPopup(True)
        self.assessed_on.setDisplayFormat(dates.QT_WEEKDAY_DAY)
        self.assessed_on.setDateRange(to_qdate(first), to_qdate(max(first, today)))
        self.assessed_on.setDate(to_qdate(default_day(today, first, last)))
        self.assessor = QLineEdit(assessor)
        self.assessor.setMaxLength(120)
        self.theory = QDoubleSpinBox()
        self.theory.setDecimals(1)
        self.theory.setRange(-1, 100)  # -1 is "not assessed"; the domain refuses below 0
        self.theory.setSingleStep(1)
        self.theory.setSuffix(" %")
        self.theory.setSpecialValueText(NOT_ASSESSED)
        self.theory.setValue(-1)
        self.practical = QComboBox()
        for text, value in PRACTICAL_CHOICES:
            self.practical.addItem(text, value)
        self.comments = QPlainTextEdit()
        self.comments.setTabChangesFocus(True)
        self.comments.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        for name, label, widget in (
            ("assessed_on", "&Date", self.assessed_on),
            ("assessor", "A&ssessor", self.assessor),
            ("theory_score", "&Theory score", self.theory),
            ("practical_passed", "&Practical", self.practical),
            ("comments", "&Comments", self.comments),
        ):
            self.add_field(name, label, widget)
            change_signal(widget).connect(lambda *_: self.revalidate())
        self.ok_button.setText("Record")
        self.revalidate()
        self.resize(600, self.sizeHint().height() + 40)

    def fields(self) -> AssessmentFields:
        score = self.theory.value()
        return AssessmentFields(
            enrolment_id=self.enrolment_id,
            assessed_on=from_qdate(self.assessed_on.date()),
            assessor=self.assessor.text(),
            theory_score=None if score == self.theory.minimum() else Decimal(str(score)),
            practical_passed=self.practical.currentData(),
            comments=self.comments.toPlainText(),
        )

    def revalidate(self) -> bool:
        """The domain's checks as typed (no database): OK only while they pass."""
        try:
            self.fields().validated(today=self.context.training.today())
        except ValidationError as error:
            self.show_problems(error)
            self.ok_button.setEnabled(False)
            return False
        self.show_problems(None)
        self.ok_button.setEnabled(True)
        return True

    def accept(self) -> None:
        try:
            self.saved = self.context.training.record_assessment(self.fields())
        except DomainError as error:
            self.show_problems(error)
            return
        super().accept()


def default_day(today: date, first: date, last: date) -> date:
    """Today, kept within the run's dates."""
    return min(max(today, first), last)
