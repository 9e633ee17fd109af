"""Two plan versions side by side: the cost of each term and the sessions that moved."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.scheduling.scenario import Assignment, Plan, Scenario
from trainer_app.ui.plan.costs import signed
from trainer_app.ui.plan.terms import words

Planned = tuple[Scenario, Plan]  # a plan with the scenario it was made for


@dataclass(frozen=True)
class PlanDifference:
    costs: list[tuple[str, float, float]]  # term (or "total"), first, second
    moved: list[tuple[tuple[str, int], str, str]]  # session key, where before, where after


def difference(first: Planned, second: Planned) -> PlanDifference:
    """What each plan costs and which sessions are elsewhere. Two plans may cover different
    dates (another term, or the same term planned again wider): a session is compared by the
    day, time, room and trainer it has, never by its place in either plan's own calendar."""
    (first_scenario, first_plan), (second_scenario, second_plan) = first, second
    terms = ["total", *sorted({*first_plan.cost, *second_plan.cost} - {"total"})]
    costs = [
        (t, float(first_plan.cost.get(t, 0)), float(second_plan.cost.get(t, 0))) for t in terms
    ]
    before = {a.key: where(first_scenario, a) for a in first_plan.assignments}
    after = {a.key: where(second_scenario, a) for a in second_plan.assignments}
    moved = [
        (key, before.get(key, NOT_PLACED), after.get(key, NOT_PLACED))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]
    return PlanDifference(costs, moved)


NOT_PLACED = "not placed"


def where(scenario: Scenario, assignment: Assignment) -> str:
    """``Mon 4 Jan 2027 09:00 · LON-CR1 · Dr Aisha Rahman``."""
    when = scenario.calendar.label(assignment.day, assignment.period)
    trainer = scenario.trainer_by_id.get(assignment.trainer)
    who = trainer.name if trainer and trainer.name else assignment.trainer
    return f"{when} · {assignment.facility} · {who}"


class CompareDialog(QDialog):
    def __init__(
        self,
        names: tuple[str, str],
        plans: tuple[Planned, Planned],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare {names[0]} with {names[1]}")
        self.setAccessibleName("Compare plans")
        self.found = difference(*plans)
        self.costs = QTreeWidget()
        self.costs.setAccessibleName("Cost per term")
        self.costs.setRootIsDecorated(False)
        self.costs.setHeaderLabels(["What the planner weighs", names[0], names[1], "Change"])
        for term, a, b in self.found.costs:
            label = "Total cost" if term == "total" else words(term).setting
            self.costs.addTopLevelItem(QTreeWidgetItem([label, f"{a:g}", f"{b:g}", signed(b - a)]))
        self.moves = QTreeWidget()
        self.moves.setAccessibleName("Moved sessions")
        self.moves.setRootIsDecorated(False)
        self.moves.setHeaderLabels(["Session", names[0], names[1]])
        offerings = {o.id: o for scenario, _plan in plans for o in scenario.offerings}
        for (run, session), old, new in self.found.moved:
            offering = offerings.get(run)
            total = f"/{offering.sessions}" if offering else ""
            label = f"{run} · {session + 1}{total}"
            self.moves.addTopLevelItem(QTreeWidgetItem([label, old, new]))
        for tree in (self.costs, self.moves):
            for column in range(tree.columnCount()):
                tree.resizeColumnToContents(column)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.costs)
        layout.addWidget(QLabel(f"{len(self.found.moved)} session(s) differ"))
        layout.addWidget(self.moves, 1)
        layout.addWidget(buttons)
        self.resize(860, 560)
