"""Moves on the timeline go on the window's undo stack (Ctrl+Z / Ctrl+Shift+Z) like any edit.

A move changes the draft shown on the Plan page, not the store, until the draft is saved; undo
puts the session back. If another plan has been opened since, the move no longer applies and is
dropped from the stack with a word to say so.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtGui import QUndoCommand

from trainer_app.scheduling.scenario import Scenario
from trainer_app.services.planning_verdict import CheckedPlan


class ShowsPlans(Protocol):
    scenario: Scenario | None
    checked: CheckedPlan | None
    plan_id: int | None
    edited: bool

    def show_plan(
        self, checked: CheckedPlan, plan_id: int | None = None, *, edited: bool = False
    ) -> None: ...

    def say(self, text: str) -> None: ...


class MoveSession(QUndoCommand):
    """One move; both plans carry the checker's verdict, so undo and redo check nothing."""

    def __init__(
        self,
        page: ShowsPlans,
        text: str,
        before: CheckedPlan,
        after: CheckedPlan,
        *,
        before_edited: bool,
    ) -> None:
        super().__init__(text)
        self.page = page
        self.scenario = page.scenario
        self.plan_id = page.plan_id
        self.before, self.before_edited = before, before_edited
        self.after = after
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # the move itself was made before the command was pushed
            self._pushed = True
            return
        self._show(self.before, self.after, edited=True)

    def undo(self) -> None:
        self._show(self.after, self.before, edited=self.before_edited)

    def _show(self, expected: CheckedPlan, checked: CheckedPlan, *, edited: bool) -> None:
        page = self.page
        if (
            page.scenario is not self.scenario
            or page.plan_id != self.plan_id
            or (page.checked is not expected)
        ):
            self.setObsolete(True)
            page.say(f"“{self.text()}” no longer applies: another plan is shown")
            return
        page.show_plan(checked, self.plan_id, edited=edited)
        page.say(f"{'Redone' if checked is self.after else 'Undone'}: {self.text()}")
