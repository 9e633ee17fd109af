"""Saved plans on the Plan page as coordinators meet them: publishing says Published and the
plan it replaces says Superseded; a plan someone else changed meanwhile is refused, not
overwritten, and the page offers to reload it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.access import Actor, Role
from trainer_app.domain.calendar import Absence
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRunFields, PlanStatus
from trainer_app.scheduling.scenario import Lock
from trainer_app.services.context import ServiceContext
from trainer_app.ui.plan.page import PlanPage

WEEK = (date(2027, 1, 11), date(2027, 1, 15))


@pytest.fixture
def page(qtbot, window, context: ServiceContext, answers) -> PlanPage:
    """The Plan page on a small store (one hub, room and trainer; two runs), with a draft
    planned through the window for the week of 11 January 2027."""
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    course = builders.course(context, "GMP-FUND", title="GMP fundamentals")
    builders.trainer(context, hub.id, "Dr Amara Okafor", course)
    for code in ("GMP-FUND-2027-01", "GMP-FUND-2027-02"):
        context.runs.create(
            CourseRunFields(code=code, course_id=course.id, attendees=10, hub_id=hub.id)
        )
    window.resize(1366, 768)
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage)))
    plan_page = window.page
    assert isinstance(plan_page, PlanPage)
    plan_page.controls.set_dates(*WEEK)
    plan_page.controls.time_limit.setValue(2)
    make_draft(qtbot, plan_page)
    return plan_page


@pytest.fixture
def bob(settings: Settings) -> Iterator[ServiceContext]:
    """A second coordinator on the same database file."""
    other = ServiceContext.open(settings, actor=Actor("bob", "Bob Hale", Role.ADMINISTRATOR))
    yield other
    other.close()


def make_draft(qtbot, page: PlanPage) -> int:
    before = page.plan_id
    qtbot.mouseClick(page.controls.plan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.worker.running and page.plan_id not in (None, before))
    assert page.plan_id is not None
    return page.plan_id


def message_box(qtbot, page: PlanPage) -> QMessageBox:
    qtbot.waitUntil(lambda: isinstance(page.dialog, QMessageBox) and page.dialog.isVisible())
    assert isinstance(page.dialog, QMessageBox)
    return page.dialog


def click(qtbot, box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())


def published(qtbot, page: PlanPage) -> None:
    """Wait for the publishing started by the confirmation (it runs off the GUI thread)."""
    qtbot.waitUntil(lambda: not page.publisher.running)


def opened(qtbot, page: PlanPage) -> None:
    """Wait for the saved plan being opened (read and checked in the background)."""
    qtbot.waitUntil(lambda: not page.opener.running)


def listed(page: PlanPage) -> list[str]:
    return [page.versions.itemText(i) for i in range(page.versions.count())]


def test_publishing_says_published_and_the_plan_it_replaces_says_superseded(
    qtbot, page, context, answers
) -> None:
    first = page.version
    assert first is not None and first.name.startswith("Spring 2027 · ")
    assert page.versions.currentText() == f"Draft: {first.name}"

    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot, page)
    assert "No published plan is replaced" in box.text()
    click(qtbot, box, "Publish")
    published(qtbot, page)
    assert page.versions.currentText() == f"Published: {first.name}"
    assert page.details.toPlainText().startswith(f"Published: {first.name}")
    assert not page.publish_button.isEnabled()  # a published plan is not published again
    assert context.planning.get_plan(first.id)[0].status is PlanStatus.PUBLISHED

    qtbot.mouseClick(page.replan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.worker.running and page.plan_id != first.id)
    second = page.version
    assert second is not None and second.name.endswith("(re-plan)")
    assert page.versions.currentText() == f"Draft: {second.name}"
    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot, page)
    assert f"{first.name}, published before, will be kept as superseded." in box.text()
    click(qtbot, box, "Publish")
    published(qtbot, page)

    assert listed(page) == [f"Published: {second.name}", f"Superseded: {first.name}"]
    assert page.versions.currentText() == f"Published: {second.name}"
    assert context.planning.get_plan(first.id)[0].status is PlanStatus.SUPERSEDED
    assert "Published" in page.window().statusBar().currentMessage()
    assert not answers  # no error on the way


def test_cancelling_the_confirmation_publishes_nothing(qtbot, page, context) -> None:
    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    box = message_box(qtbot, page)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
    assert [v.status for v in context.planning.list_plans()] == [PlanStatus.DRAFT]
    assert page.versions.currentText().startswith("Draft: ")


def test_a_lock_after_someone_else_changed_the_plan_is_refused_and_reload_shows_theirs(
    qtbot, page, context, bob
) -> None:
    plan_id = page.plan_id
    assert plan_id is not None and page.plan is not None
    theirs = page.plan.assignments[0]
    # Bob locks a session of the same draft from his own window.
    stored = bob.planning.get_plan(plan_id)[0]
    bob_lock = Lock(theirs.offering, theirs.session, theirs.day, theirs.period, theirs.facility)
    bob.planning.set_locks(plan_id, stored.row_version, [bob_lock])

    mine = page.plan.assignments[-1]
    page.timeline.show_session(mine.key)
    page.timeline.setFocus()
    qtbot.keyClick(page.timeline, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    box = message_box(qtbot, page)
    assert box.windowTitle() == "The lock was not saved"
    assert "was changed by bob at " in box.text() and "Nothing was saved" in box.text()
    assert context.planning.get_plan(plan_id)[1].locked == (bob_lock,)  # his, not overwritten
    assert page.scenario is not None and mine.key not in page.scenario.lock_by_session

    click(qtbot, box, "Reload")
    opened(qtbot, page)
    assert set(page.scenario.lock_by_session) == {(bob_lock.offering, bob_lock.session)}
    assert page.window().statusBar().currentMessage().startswith("Reloaded Draft: ")
    # Back in the window from the closed message box, as a person clicking into it.
    page.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    page.timeline.setFocus()
    qtbot.keyClick(page.timeline, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    locked = {
        (lock.offering, lock.session) for lock in context.planning.get_plan(plan_id)[1].locked
    }
    assert locked == {(bob_lock.offering, bob_lock.session), mine.key}


def test_publishing_after_someone_else_changed_the_plan_is_refused(
    qtbot, page, context, bob
) -> None:
    plan_id = page.plan_id
    assert plan_id is not None
    stored = bob.planning.get_plan(plan_id)[0]
    bob.planning.rename_plan(plan_id, stored.row_version, "Spring 2027 as agreed")

    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    click(qtbot, message_box(qtbot, page), "Publish")
    box = message_box(qtbot, page)
    assert box.windowTitle() == "The plan was not published"
    assert "Plan Spring 2027 as agreed was changed by bob" in box.text()
    assert [v.status for v in context.planning.list_plans()] == [PlanStatus.DRAFT]
    assert context.planning.published_sessions(*WEEK) == []

    click(qtbot, box, "Reload")
    opened(qtbot, page)
    assert page.versions.currentText() == "Draft: Spring 2027 as agreed"
    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    click(qtbot, message_box(qtbot, page), "Publish")
    published(qtbot, page)
    assert page.versions.currentText() == "Published: Spring 2027 as agreed"


def test_a_plan_the_store_has_overtaken_is_refused_in_words(
    qtbot, page: PlanPage, context: ServiceContext, bob: ServiceContext, answers
) -> None:
    """Leave entered by another coordinator after the draft was made: publishing (off the GUI
    thread) refuses with the reason, the button comes back, and nothing is published."""
    trainer = bob.trainers.list()[0]
    week = Absence(WEEK[0], WEEK[1], "Conference")
    bob.trainers.update(trainer.id, trainer.row_version, replace(trainer, leave=(week,)))

    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    click(qtbot, message_box(qtbot, page), "Publish")
    qtbot.waitUntil(lambda: bool(answers))
    [(title, text)] = answers
    assert title == "Cannot publish"
    assert "when trainer Dr Amara Okafor is unavailable" in text
    assert page.publish_button.isEnabled()
    assert "Nothing was published" in page.window().statusBar().currentMessage()
    assert [v.status for v in context.planning.list_plans()] == [PlanStatus.DRAFT]
    assert context.planning.published_sessions(*WEEK) == []
