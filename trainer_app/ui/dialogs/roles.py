"""Roles of the training matrix: which courses each role needs, at every hub or at one hub."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.errors import DomainError, Duplicate, ValidationError
from trainer_app.domain.records import (
    DEFAULT_GRACE_DAYS,
    MAX_GRACE_DAYS,
    ChangeTerms,
    parse_effective_on,
)
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import Impact, Role, RoleFields
from trainer_app.ui import icons
from trainer_app.ui.dialogs.form import add_form_field
from trainer_app.ui.dialogs.impact import ask_to_confirm, impact_text

EVERY_HUB = "Every hub"


class RolesDialog(QDialog):
    """Pick a role on the left (or add one); tick the courses it needs on the right, under
    *Every hub* or under the one hub where practice differs; Save."""

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.changed = False
        self.setWindowTitle("Roles and the training they need")
        self.setAccessibleName("Roles")
        self.hubs = context.hubs.list()
        self.courses = context.courses.list()
        self.role: Role | None = None

        self.roles = QListWidget()
        self.roles.setAccessibleName("Roles list")
        self.roles.currentRowChanged.connect(self._show_row)
        add = QPushButton(icons.icon("add"), "Add role")
        add.setAccessibleName("Add role")
        add.clicked.connect(self.new_role)
        left = QVBoxLayout()
        left.addWidget(self.roles, 1)
        left.addWidget(add)

        form = QFormLayout()
        self.name = QLineEdit()
        self.name_message = add_form_field(form, "Role name", self.name)
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(54)
        add_form_field(form, "Description", self.description)
        self.grid = QTableWidget(len(self.courses), 1 + len(self.hubs))
        self.grid.setAccessibleName("Required courses")
        self.grid.setHorizontalHeaderLabels([EVERY_HUB, *(h.code for h in self.hubs)])
        self.grid.setVerticalHeaderLabels([f"{c.code}  {c.title}" for c in self.courses])
        for column in range(self.grid.columnCount()):
            self.grid.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents
            )
        for row in range(len(self.courses)):
            for column in range(self.grid.columnCount()):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.grid.setItem(row, column, item)
        self.grid.itemChanged.connect(self._update_impact)
        terms = QFormLayout()
        self.effective = QLineEdit(context.today().isoformat())
        self.effective.setPlaceholderText("YYYY-MM-DD")
        self.effective_message = add_form_field(terms, "Takes effect on", self.effective)
        self.grace = QSpinBox()
        self.grace.setRange(0, MAX_GRACE_DAYS)
        self.grace.setValue(DEFAULT_GRACE_DAYS)
        self.grace.setSuffix(" days to comply")
        add_form_field(terms, "Grace period", self.grace)
        self.impact = QLabel("")
        self.impact.setAccessibleName("Impact")
        self.impact.setWordWrap(True)
        self.impact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.effective.textChanged.connect(self._update_impact)
        self.grace.valueChanged.connect(self._update_impact)
        self.name.textChanged.connect(self._update_impact)
        self.confirm_box: QMessageBox | None = None
        self.status = QLabel("")
        self.status.setAccessibleName("Roles status")
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(QLabel("Courses the role needs (tick a hub only where it differs):"))
        right.addWidget(self.grid, 1)
        right.addLayout(terms)
        right.addWidget(self.impact)
        right.addWidget(self.status)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = buttons.addButton("Save role", QDialogButtonBox.ButtonRole.ApplyRole)
        self.save_button.setAccessibleName("Save role")
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.resize(900, 620)
        self._reload()

    # ----- showing -------------------------------------------------------------------------
    def _reload(self, select: int | None = None) -> None:
        self.all_roles = self.context.matrix.roles()
        self.roles.blockSignals(True)
        self.roles.clear()
        for role in self.all_roles:
            item = QListWidgetItem(role.name)
            item.setData(Qt.ItemDataRole.UserRole, role.id)
            self.roles.addItem(item)
        self.roles.blockSignals(False)
        index = next((i for i, r in enumerate(self.all_roles) if r.id == select), 0)
        if self.all_roles:
            self.roles.setCurrentRow(index)
            self._show_row(index)
        else:
            self.new_role()

    def _show_row(self, row: int) -> None:
        if 0 <= row < len(self.all_roles):
            self._show(self.all_roles[row])

    def _show(self, role: Role | None) -> None:
        self.role = role
        self.name.setText(role.name if role else "")
        self.description.setPlainText(role.description if role else "")
        needs = role.requirements if role else frozenset()
        columns: list[int | None] = [None, *(h.id for h in self.hubs)]
        self.grid.blockSignals(True)
        for row, course in enumerate(self.courses):
            for column, hub_id in enumerate(columns):
                item = self.grid.item(row, column)
                assert item is not None
                ticked = (course.id, hub_id) in needs
                item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.grid.blockSignals(False)
        self.name_message.hide()
        self._update_impact()

    def new_role(self) -> None:
        self.roles.clearSelection()
        self._show(None)
        self.name.setFocus()
        self.status.setText("A new role: name it, tick its courses, then Save role")

    # ----- saving --------------------------------------------------------------------------
    def requirements(self) -> frozenset[tuple[int, int | None]]:
        columns: list[int | None] = [None, *(h.id for h in self.hubs)]
        return frozenset(
            (course.id, hub_id)
            for row, course in enumerate(self.courses)
            for column, hub_id in enumerate(columns)
            if (item := self.grid.item(row, column)) is not None
            and item.checkState() == Qt.CheckState.Checked
        )

    def fields(self) -> RoleFields:
        return RoleFields(
            name=self.name.text(),
            description=self.description.toPlainText(),
            requirements=self.requirements(),
        )

    def terms(self) -> ChangeTerms:
        """The effective date and grace period typed; ``ValidationError`` if they are wrong."""
        return ChangeTerms(parse_effective_on(self.effective.text()), self.grace.value())

    def _work_out_impact(self) -> Impact | None:
        """Who the newly ticked courses would ask to train; None (and why, shown) if the
        terms are wrong."""
        try:
            terms = self.terms()
            impact = self.context.matrix.impact_of_role_change(
                self.fields(), self.role.id if self.role else None, terms
            )
        except ValidationError as error:
            self.effective_message.setText("; ".join(error.for_field("effective_on")) or str(error))
            self.effective_message.show()
            self.impact.setText("")
            return None
        except DomainError as error:
            self.impact.setText(str(error))
            return None
        self.effective_message.hide()
        return impact

    def _update_impact(self) -> None:
        if not hasattr(self, "impact"):
            return  # still being built
        impact = self._work_out_impact()
        if impact is not None:
            self.impact.setText(impact_text(impact) if impact.affected else "")

    def save(self) -> None:
        """Save the role; when the change asks anyone to train, say who first and ask."""
        impact = self._work_out_impact()
        if impact is None:
            return
        if not impact.affected:
            self._commit()
            return
        self.impact.setText(impact_text(impact))
        self.confirm_box = ask_to_confirm(self, "Save the role", impact, self._commit)

    def _commit(self) -> None:
        self.confirm_box = None
        fields = self.fields()
        try:
            saved = self.context.matrix.save_role(
                fields,
                self.role.id if self.role else None,
                self.role.row_version if self.role else None,
                terms=self.terms(),
            )
        except (ValidationError, Duplicate) as error:
            message = (
                "; ".join(error.for_field("name")) or str(error)
                if isinstance(error, ValidationError)
                else str(error)
            )
            self.name_message.setText(message)
            self.name_message.show()
            return
        except DomainError as error:
            self.status.setText(str(error))
            return
        self.changed = True
        self._reload(select=saved.id)
        self.status.setText(f"Role {saved.name} saved · {len(saved.requirements)} courses")
