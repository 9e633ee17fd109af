"""The Roles dialog under change control, driven as a person does: tick a course, type when it
takes effect and the grace period, press Save role; the impact is shown and confirmed first."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers import builders
from trainer_app.domain.courses import CourseFields
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import RoleFields
from trainer_app.ui.dialogs.roles import RolesDialog


def operators(context: ServiceContext) -> RolesDialog:
    """The Roles dialog on ``staff``."""
    staff(context)
    return RolesDialog(context)


def staff(context: ServiceContext) -> None:
    """Two operators in London, one in Bristol; the role needs nothing yet."""
    london, bristol = builders.hub(context), builders.hub(context, "BRS", "Bristol")
    context.courses.create(CourseFields(code="GOWN", title="Gowning"))
    for hub, reference, name in (
        (london, "TR-000001", "Siobhán Ní Bhriain"),
        (london, "TR-000002", "李伟"),
        (bristol, "TR-000003", "Zoë Adams"),
    ):
        made = builders.trainee(context, hub.id, reference, name)
        context.trainees.update(
            made.id, made.row_version, dataclasses.replace(made, role="Operator")
        )
    context.matrix.save_role(RoleFields(name="Operator"))


def type_terms(qtbot, dialog: RolesDialog, effective: str, grace: str) -> None:
    dialog.effective.selectAll()
    qtbot.keyClicks(dialog.effective, effective)
    dialog.grace.selectAll()
    qtbot.keyClicks(dialog.grace, grace)


def confirmation(qtbot) -> QMessageBox:
    def shown() -> list[QMessageBox]:
        return [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(shown()) == 1)
    return shown()[0]


def test_the_impact_is_shown_and_confirmed_before_the_role_is_saved(
    qtbot, context: ServiceContext
) -> None:
    dialog = operators(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grid.item(0, 0).setCheckState(Qt.CheckState.Checked)  # GOWN, every hub
    type_terms(qtbot, dialog, "2027-02-01", "28")
    sentence = "3 people in 2 hubs will need GOWN 1.0 by 1 Mar 2027"
    assert dialog.impact.text().splitlines()[:2] == [
        sentence,
        "  Siobhán Ní Bhriain (TR-000001, LON) · GOWN",
    ]

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    box = confirmation(qtbot)
    assert box.text().startswith(sentence)
    assert context.matrix.roles()[0].requirements == frozenset()  # not yet saved
    save = box.button(QMessageBox.StandardButton.Save)
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())

    (role,) = context.matrix.roles()
    assert len(role.requirements) == 1
    assert "Role Operator saved · 1 courses" in dialog.status.text()
    history = context.audit.history("role", role.id)
    assert history[-1].changes[0].new == "GOWN from 2027-02-01, 28 days' grace"


def test_a_date_that_is_not_one_is_refused_beside_its_field(qtbot, context: ServiceContext) -> None:
    dialog = operators(context)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grid.item(0, 0).setCheckState(Qt.CheckState.Checked)
    type_terms(qtbot, dialog, "31/02/2027", "28")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.effective_message.isVisible()
    assert dialog.effective_message.text().startswith("'31/02/2027' is not a date")
    assert context.matrix.roles()[0].requirements == frozenset()


def test_a_new_course_version_shows_who_must_retrain_before_it_is_saved(
    qtbot, context: ServiceContext
) -> None:
    from trainer_app.domain.records import CompletionFields
    from trainer_app.ui.dialogs.course import CourseDialog

    staff(context)
    gown = context.courses.list()[0]
    role = context.matrix.roles()[0]
    context.matrix.save_role(
        dataclasses.replace(role, requirements=frozenset({(gown.id, None)})),
        role.id,
        role.row_version,
    )
    siobhan = context.trainees.list()[0]
    context.training.add_completion(
        CompletionFields(
            trainee_id=siobhan.id, course_id=gown.id, completed_on=context.today().replace(day=1)
        )
    )
    course = CourseDialog(context, gown)
    qtbot.addWidget(course)
    course.show()
    course.version.selectAll()
    qtbot.keyClicks(course.version, "2.0")
    course.effective.selectAll()
    qtbot.keyClicks(course.effective, "2027-02-01")
    course.grace.selectAll()
    qtbot.keyClicks(course.grace, "30")
    sentence = "1 person in 1 hub will need GOWN 2.0 by 3 Mar 2027"
    assert course.impact.text().splitlines() == [
        sentence,
        "  Siobhán Ní Bhriain (TR-000001, LON) · GOWN",
    ]

    qtbot.mouseClick(course.ok_button, Qt.MouseButton.LeftButton)
    box = confirmation(qtbot)
    assert box.text().startswith(sentence)
    assert context.courses.get(gown.id).version == "1.0"  # not yet saved
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not course.isVisible())
    assert context.courses.get(gown.id).version == "2.0"
    changes = context.audit.history("course", gown.id)[-2].changes
    assert [(c.field, c.new) for c in changes] == [
        ("version", "2.0"),
        ("effective_on", "2027-02-01"),
        ("grace_days", "30"),
    ]
