"""“Where could this go?”: the free slots for one session, ranked by cost change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.scheduling.scenario import Calendar
from trainer_app.ui import icons
from trainer_app.ui.plan.costs import delta_text, signed

CANDIDATE_ROLE = Qt.ItemDataRole.UserRole + 1


class CandidatesPanel(QWidget):
    apply_requested = Signal(object)  # moves.Candidate

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Where could this go")
        self.heading = QLabel("Select a session, then “Where could this go?” (Ctrl+G)")
        self.heading.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Candidate slots")
        self.tree.setHeaderLabels(["When", "Facility", "Trainer", "Cost", "Why"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemActivated.connect(lambda item, _col: self._apply(item))
        self.tree.currentItemChanged.connect(lambda *_: self._update())
        self.apply_button = QPushButton(icons.icon("where"), "Move there")
        self.apply_button.setAccessibleName("Move there")
        self.apply_button.setToolTip("Move the session to the chosen slot (double-click, Enter)")
        self.apply_button.clicked.connect(lambda: self._apply(self.tree.currentItem()))
        bar = QHBoxLayout()
        bar.addWidget(self.heading, 1)
        bar.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        self._update()

    def show_candidates(
        self,
        what: str,
        calendar: Calendar,
        found: list[Any],
        names: Mapping[str, str] | None = None,
    ) -> None:
        """List ``found`` slots; ``names`` shows trainers by name instead of scenario id."""
        names = names or {}
        self.tree.clear()
        if found:
            self.heading.setText(f"Where could {what} go? {len(found)} free slot(s), best first")
        else:
            self.heading.setText(f"{what} has nowhere else to go without breaking a hard rule")
        for candidate in found:
            change = candidate.cost_delta.get("total", 0)
            item = QTreeWidgetItem(
                [
                    calendar.label(candidate.day, candidate.period),
                    str(candidate.facility),
                    names.get(candidate.trainer, str(candidate.trainer)),
                    signed(change),
                    "; ".join(candidate.reasons) or delta_text(candidate.cost_delta),
                ]
            )
            item.setToolTip(4, delta_text(candidate.cost_delta))
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(0, CANDIDATE_ROLE, candidate)
            self.tree.addTopLevelItem(item)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        first = self.tree.topLevelItem(0)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update()

    def clear(self) -> None:
        self.tree.clear()
        self.heading.setText("Select a session, then “Where could this go?” (Ctrl+G)")
        self._update()

    def _update(self) -> None:
        self.apply_button.setEnabled(self.tree.currentItem() is not None)

    def _apply(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.apply_requested.emit(item.data(0, CANDIDATE_ROLE))
