"""A titled, filterable, sortable lazy table with its actions and an empty state."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QByteArray,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.services.tables import TableSource
from trainer_app.ui import icons
from trainer_app.ui.columns import ColumnFitter, roles_of
from trainer_app.ui.records import RecordKind
from trainer_app.ui.search import search_box, when_typing_pauses
from trainer_app.ui.table_model import Decorator, LazyTableModel


class RecordTable(QWidget):
    """Shows one kind of record. ``kind`` is ``None`` for read-only tables (the audit trail)."""

    selection_changed = Signal(object)  # the selected id, or None
    activated = Signal(int)
    add_requested = Signal()
    edit_requested = Signal()
    delete_requested = Signal()
    focused = Signal()

    def __init__(
        self,
        name: str,
        source: TableSource,
        kind: RecordKind | None,
        *,
        heading: str = "",
        decorator: Decorator | None = None,
        all_text: str = "",
    ) -> None:
        super().__init__()
        self.name = name
        self.kind = kind
        self.empty_hint = ""
        # Set while others' changes are shown: the table is re-read as it is, its columns
        # keep their widths under the reader and an unchanged selection is not announced again
        # (a master table would re-query its detail table for nothing).
        self.in_place = False
        self.model = LazyTableModel(source, decorator)
        self._filters: dict[str, int] = {}
        noun = kind.plural if kind else "entries"
        self.filter_box = search_box(f"Filter {noun}…", f"Filter {noun}")
        self._timer = when_typing_pauses(self.filter_box, self.apply_filter)
        self.filter_box.setMaximumWidth(320)

        self.view = table_view(f"{noun.capitalize()} table", self.model)
        self.columns = ColumnFitter(
            self.view,
            roles_of([c.key for c in source.columns], [c.numeric for c in source.columns]),
        )
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Qt's default is descending
        self._shown: int | None = None  # the id last announced by selection_changed
        follow_selection(self.view, self._current_changed)
        self.view.activated.connect(self._activated)

        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(f"No {noun}")
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        bar = QHBoxLayout()
        if heading:
            label = QLabel(heading)
            label.setStyleSheet("font-weight: 600;")
            bar.addWidget(label)
        self.buttons: list[QPushButton] = []
        if kind is not None:
            for text, icon, signal, tip in (
                (f"Add {kind.noun}", "add", self.add_requested, "Ctrl+N"),
                ("Edit", "edit", self.edit_requested, "Enter"),
                ("Delete", "delete", self.delete_requested, "Del"),
            ):
                button = QPushButton(icons.icon(icon), text)
                button.setAccessibleName(text)
                button.setToolTip(f"{text} ({tip})")
                button.clicked.connect(signal)
                bar.addWidget(button)
                self.buttons.append(button)
        if all_text:
            self.all_button = QPushButton(icons.icon("all"), all_text)
            self.all_button.setAccessibleName(all_text)
            self.all_button.setCheckable(True)
            self.all_button.setChecked(True)
            bar.addWidget(self.all_button)
        bar.addStretch()
        bar.addWidget(self.filter_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        self.filter_box.installEventFilter(self)
        self.view.installEventFilter(self)
        self._update_actions()

    # ----- querying --------------------------------------------------------------------------
    def set_filters(self, filters: Mapping[str, int]) -> None:
        self._filters = dict(filters)
        self.apply_filter()

    def apply_filter(self) -> None:
        self._timer.stop()
        keep = self.selected_id()
        self.model.set_query(self.filter_box.text(), self._filters)
        self._after_reset(keep)

    def refresh(self, select: int | None = None) -> None:
        """Re-read from the store, keeping (or moving to) a selection where possible."""
        keep = select if select is not None else self.selected_id()
        vertical, horizontal = self.view.verticalScrollBar(), self.view.horizontalScrollBar()
        scrolled = vertical.value(), horizontal.value()
        self.model.refresh()
        self._after_reset(keep)
        if select is None:  # where the user was reading, unless asked to show another row
            vertical.setValue(scrolled[0])
            horizontal.setValue(scrolled[1])

    def _after_reset(self, keep: int | None) -> None:
        if keep is None or not self.select_id(keep):
            self._announce(None, always=not self.in_place)
        self._update_empty_state()
        self._update_actions()

    def _update_empty_state(self) -> None:
        if self.model.rowCount():
            showing = self.stack.currentWidget() is self.view
            self.stack.setCurrentWidget(self.view)
            if not (self.in_place and showing):
                self.columns.fit()
            return
        noun = self.kind.plural if self.kind else "entries"
        if self.model.filter_text:
            text = f"No {noun} match “{self.model.filter_text}” — clear the filter to see all"
        else:
            text = self.empty_hint
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)

    # ----- selection -------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        selection = self.view.selectionModel()
        index = selection.currentIndex()
        if not index.isValid() or not selection.isRowSelected(index.row()):
            return None
        return self.model.id_at(index.row())

    def select_id(self, record_id: int) -> bool:
        row = self.model.row_of(record_id)
        if row is None:
            return False
        make_current(self.view, self.model.index(row, 0))
        return True

    def select_row(self, row: int) -> None:
        record_id = self.model.id_at(row)
        if record_id is not None:
            self.select_id(record_id)

    def clear_selection(self) -> None:
        self.view.selectionModel().clear()
        self._announce(None, always=True)
        self._update_actions()

    def _current_changed(self) -> None:
        self._announce(self.selected_id())
        self._update_actions()

    def _announce(self, record_id: int | None, *, always: bool = False) -> None:
        if always or record_id != self._shown:
            self._shown = record_id
            self.selection_changed.emit(record_id)

    def _activated(self, *_: object) -> None:
        record_id = self.selected_id()
        if record_id is not None:
            self.activated.emit(record_id)

    def _update_actions(self) -> None:
        has_selection = self.selected_id() is not None
        for button in self.buttons[1:]:
            button.setEnabled(has_selection)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self.focused.emit()
        return False

    # ----- remembering the layout ------------------------------------------------------------
    def save_state(self, settings: QSettings, prefix: str) -> None:
        # Only widths the user chose are worth keeping: fitted ones are fitted again to
        # whatever screen the window opens on next time.
        key = f"{prefix}/{self.name}/header"
        if self.columns.user_sized:
            settings.setValue(key, self.view.horizontalHeader().saveState())
        else:
            settings.remove(key)

    def restore_state(self, settings: QSettings, prefix: str) -> bool:
        state = settings.value(f"{prefix}/{self.name}/header")
        restored = (
            isinstance(state, QByteArray)
            and not state.isEmpty()
            and self.view.horizontalHeader().restoreState(state)
        )
        if restored:
            self.columns.keep_user_widths()
        return restored


def adopt_model(view: QAbstractItemView, model: QAbstractItemModel) -> None:
    """``view`` becomes the Qt owner of ``model`` (and of a proxy's source) if it has none.

    A Qt object without a Qt parent is deleted when Python frees its wrapper; in a reference
    cycle (a page and its model) that is the cyclic garbage collector, on whichever thread it
    runs — a worker drawing certificates deleted a runs list's model and filter while the GUI
    thread delivered one's ``destroyed`` signal to the other, and the window crashed. Owned by
    their view, models are deleted with it, on the GUI thread."""
    adopted: QAbstractItemModel | None = model
    while adopted is not None and adopted.parent() is None:
        adopted.setParent(view)
        adopted = adopted.sourceModel() if isinstance(adopted, QAbstractProxyModel) else None


def table_view(name: str, model: QAbstractItemModel) -> QTableView:
    """A read-only, row-selecting table as every list on the page shows it; it owns ``model``
    unless something else does (`adopt_model`)."""
    view = QTableView()
    view.setAccessibleName(name)
    view.setModel(model)
    adopt_model(view, model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    return view


def follow_selection(view: QAbstractItemView, slot: Callable[[], None]) -> None:
    """Call ``slot`` whenever the selected row may have changed, by keyboard or by mouse.

    ``currentRowChanged`` alone is not enough: a mouse press makes the row current *before* it
    selects it, so a slot reading the selection then sees nothing selected (the arrow keys do
    both at once, which is why only clicks went unnoticed)."""
    selection = view.selectionModel()
    selection.currentRowChanged.connect(lambda *_: slot())
    selection.selectionChanged.connect(lambda *_: slot())


def make_current(view: QTableView, index: QModelIndex) -> None:
    """Select ``index``'s whole row, alone, make it current and scroll it into view."""
    view.selectionModel().setCurrentIndex(
        index,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    view.scrollTo(index)
