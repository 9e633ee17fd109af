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


@dataclass(frozen=True)
class PlanDifference:
    costs: list[tuple[str, float, float]]  # term (or "total"), first, second
    moved: list[tuple[Assignment | None, Assignment | None]]  # before, after


def difference(first: Plan, second: Plan) -> PlanDifference:
    terms = ["total", *sorted({*first.cost, *second.cost} - {"total"})]
    costs = [(t, float(first.cost.get(t, 0)), float(second.cost.get(t, 0))) for t in terms]
    before = {a.key: a for a in first.assignments}
    after = {a.key: a for a in second.assignments}
    moved = [
        (before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]
    return PlanDifference(costs, moved)


def where(scenario: Scenario, assignment: Assignment | None) -> str:
    if assignment is None:
        return "not placed"
    when = scenario.calendar.label(assignment.day, assignment.period)
    return f"{when} · {assignment.facility} · {assignment.trainer}"


class CompareDialog(QDialog):
    def __init__(
        self,
        names: tuple[str, str],
        scenario: Scenario,
        plans: tuple[Plan, Plan],
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
        for old, new in self.found.moved:
            some = old or new
            assert some is not None
            offering = scenario.offering_by_id.get(some.offering)
            total = f"/{offering.sessions}" if offering else ""
            label = f"{some.offering} · {some.session + 1}{total}"
            self.moves.addTopLevelItem(
                QTreeWidgetItem([label, where(scenario, old), where(scenario, new)])
            )
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
