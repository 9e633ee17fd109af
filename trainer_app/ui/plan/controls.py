"""The left-hand controls: dates, hubs, the runs to plan, what to weigh, and the Plan button."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.scheduling.rules import COST_TERMS, Term
from trainer_app.services.planning_scenario import DEFAULT_WEIGHTS
from trainer_app.services.tables import TableSource
from trainer_app.ui import icons
from trainer_app.ui.plan.terms import SETTINGS_ORDER, words
from trainer_app.ui.search import search_box, when_typing_pauses
from trainer_app.ui.table_model import display_text

ID_ROLE = Qt.ItemDataRole.UserRole + 1
TERM_LENGTH = timedelta(weeks=12)


@dataclass(frozen=True)
class PlanRequest:
    start: date
    end: date
    hub_ids: tuple[int, ...]
    run_ids: tuple[int, ...]
    weights: dict[str, float] = field(default_factory=dict)
    time_limit: float = 30


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _section(title: str) -> QLabel:
    label = QLabel(title)
    label.setStyleSheet("font-weight: 600; margin-top: 6px;")
    return label


class RunsList(QWidget):
    """The course runs to plan, each with a check box (all checked at first)."""

    add_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.source: TableSource | None = None
        self.filter_box = search_box("Filter runs…", "Filter runs")
        when_typing_pauses(self.filter_box, self.refresh)
        self.add_button = QPushButton(icons.icon("add"), "Add run…")
        self.add_button.setAccessibleName("Add run")
        self.add_button.clicked.connect(self.add_requested)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Runs to plan")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.empty = QLabel()
        self.empty.setAccessibleName("No runs")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text);")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tree)
        self.stack.addWidget(self.empty)
        self.unchecked: set[int] = set()
        self.period_name = "this term"
        bar = QHBoxLayout()
        bar.addWidget(self.filter_box, 1)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.tree.itemChanged.connect(self._checked)

    def set_source(self, source: TableSource | None) -> None:
        self.source = source
        if source is not None:
            self.tree.setHeaderLabels([c.title for c in source.columns])
        self.refresh()

    def refresh(self, filters: dict[str, int] | None = None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        ids: Sequence[int] = []
        if self.source is not None:
            ids = self.source.query_ids(self.filter_box.text().strip(), None, False, filters)
            cells = self.source.row_cells(ids)
            for run_id in ids:
                item = QTreeWidgetItem([display_text(v) for v in cells.get(run_id, ())])
                item.setData(0, ID_ROLE, run_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                checked = run_id not in self.unchecked
                item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                self.tree.addTopLevelItem(item)
            for column in range(self.tree.columnCount()):
                self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)
        if ids:
            self.stack.setCurrentWidget(self.tree)
        elif self.filter_box.text().strip():
            self.empty.setText(f"No runs match “{self.filter_box.text().strip()}”")
            self.stack.setCurrentWidget(self.empty)
        else:
            self.empty.setText(f"No runs in {self.period_name} yet — Add run…")
            self.stack.setCurrentWidget(self.empty)

    def _checked(self, item: QTreeWidgetItem, column: int) -> None:
        run_id = int(item.data(0, ID_ROLE))
        if item.checkState(0) == Qt.CheckState.Checked:
            self.unchecked.discard(run_id)
        else:
            self.unchecked.add(run_id)

    def checked_ids(self) -> tuple[int, ...]:
        found = []
        for row in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(row)
            if item is not None and item.checkState(0) == Qt.CheckState.Checked:
                found.append(int(item.data(0, ID_ROLE)))
        return tuple(found)


class PlanControls(QWidget):
    plan_requested = Signal(object)  # PlanRequest
    dates_changed = Signal()

    def __init__(self, today: date | None = None) -> None:
        super().__init__()
        self.setAccessibleName("Plan settings")
        start = next_monday(today or date.today())
        self.start = QDateEdit(_qdate(start))
        self.end = QDateEdit(_qdate(start + TERM_LENGTH - timedelta(days=3)))
        for edit, name in ((self.start, "From"), (self.end, "To")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(dates.QT_WEEKDAY_DAY)
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _d: self.dates_changed.emit())
        period = QFormLayout()
        period.addRow("From", self.start)
        period.addRow("To", self.end)

        self.hubs = QListWidget()
        self.hubs.setAccessibleName("Hubs to plan")
        # Codes first, names elided (whole on hover): no sideways scrolling in a narrow panel.
        self.hubs.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.hubs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.runs = RunsList()

        self.weights_box = QWidget()
        self.weights_box.setAccessibleName("What matters")
        form = QFormLayout(self.weights_box)
        form.setContentsMargins(12, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.weights: dict[str, QSpinBox] = {}
        for term in SETTINGS_ORDER:
            spin = QSpinBox()
            spin.setRange(0, 100)
            spin.setSpecialValueText("Off")
            spin.setValue(int(DEFAULT_WEIGHTS.get(term, COST_TERMS[Term(term)].default_weight)))
            said = words(term)
            spin.setAccessibleName(said.setting)
            spin.setToolTip(f"Cost per {said.one}; Off ignores it")
            spin.valueChanged.connect(lambda _value: self._say_weights())
            form.addRow(said.setting, spin)
            self.weights[term] = spin
        # Folded by default: the runs get the room, and the defaults suit most terms.
        self.weights_toggle = QToolButton()
        self.weights_toggle.setAccessibleName("Show what matters")
        self.weights_toggle.setCheckable(True)
        self.weights_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.weights_toggle.setAutoRaise(True)
        self.weights_toggle.toggled.connect(self._fold_weights)
        self._fold_weights(False)

        self.time_limit = QSpinBox()
        self.time_limit.setRange(2, 3600)
        self.time_limit.setValue(30)
        self.time_limit.setSuffix(" s")
        self.time_limit.setAccessibleName("Time limit")
        self.time_limit.setToolTip("The planner stops here and keeps the best plan it found")
        self.plan_button = QPushButton(icons.icon("solve"), "Plan")
        self.plan_button.setAccessibleName("Plan")
        self.plan_button.setToolTip("Make a draft plan of the checked runs (Ctrl+Return)")
        self.plan_button.setDefault(True)
        self.plan_button.setShortcut("Ctrl+Return")
        self.plan_button.clicked.connect(lambda: self.plan_requested.emit(self.request()))

        settings = QWidget()
        column = QVBoxLayout(settings)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(_section("Dates"))
        column.addLayout(period)
        column.addWidget(_section("Hubs"))
        column.addWidget(self.hubs)
        column.addWidget(_section("Runs to plan"))
        column.addWidget(self.runs, 1)
        column.addWidget(self.weights_toggle)
        column.addWidget(self.weights_box)
        self.scroller = QScrollArea()
        self.scroller.setWidget(settings)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The Plan button stays below the settings, never scrolled out of sight.
        footer = QHBoxLayout()
        footer.setContentsMargins(0, 6, 8, 0)
        footer.addWidget(QLabel("Time limit"))
        footer.addWidget(self.time_limit)
        footer.addStretch()
        footer.addWidget(self.plan_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(footer)

    def _fold_weights(self, shown: bool) -> None:
        self.weights_box.setVisible(shown)
        self.weights_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self._say_weights()

    def _say_weights(self) -> None:
        changed = sum(
            1
            for term, spin in self.weights.items()
            if spin.value() != int(DEFAULT_WEIGHTS.get(term, COST_TERMS[Term(term)].default_weight))
        )
        note = f"{changed} changed" if changed else "the usual"
        self.weights_toggle.setText(f"What matters ({note})")

    def set_hubs(self, hubs: Sequence[Any]) -> None:
        """``hubs``: records with ``id``, ``code`` and ``name``; new ones start checked."""
        kept = {
            int(item.data(ID_ROLE)): item.checkState()
            for item in (self.hubs.item(i) for i in range(self.hubs.count()))
            if item is not None
        }
        self.hubs.clear()
        for hub in hubs:
            item = QListWidgetItem(f"{hub.code} · {hub.name}")
            item.setToolTip(f"{hub.code} · {hub.name}")
            item.setData(ID_ROLE, hub.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(kept.get(hub.id, Qt.CheckState.Checked))
            self.hubs.addItem(item)
        shown = min(max(1, self.hubs.count()), 6)  # every hub without scrolling, up to six
        frame = 2 * self.hubs.frameWidth()
        self.hubs.setFixedHeight(shown * max(1, self.hubs.sizeHintForRow(0)) + frame + 2)

    def hub_ids(self) -> tuple[int, ...]:
        items = (self.hubs.item(i) for i in range(self.hubs.count()))
        return tuple(
            int(item.data(ID_ROLE))
            for item in items
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )

    def dates(self) -> tuple[date, date]:
        return self.start.date().toPython(), self.end.date().toPython()  # type: ignore[return-value]

    def set_dates(self, start: date, end: date) -> None:
        self.start.setDate(_qdate(start))
        self.end.setDate(_qdate(end))

    def request(self) -> PlanRequest:
        start, end = self.dates()
        return PlanRequest(
            start=start,
            end=end,
            hub_ids=self.hub_ids(),
            run_ids=self.runs.checked_ids(),
            weights={term: float(spin.value()) for term, spin in self.weights.items()},
            time_limit=float(self.time_limit.value()),
        )
