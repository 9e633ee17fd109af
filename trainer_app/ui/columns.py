"""How a table shares its width among its columns, on a laptop as on a large monitor.

Every list in the window follows the same rules:

- numbers (capacities, limits, counts) are as wide as their title or widest value, never wider;
- the key columns that say what a row *is* (codes, names, titles, references) get their whole
  text first and are the last to be cut;
- the other text columns (addresses, e-mails, notes) give up room when it is short, the widest
  first, never below `MIN_TEXT`; past that the table scrolls sideways rather than cut a key
  column (their tooltips hold the whole text of a cut cell), or leave out a column the details
  panel beside it shows whole (the audit's reasons);
- room to spare goes to the text columns, never to a number at the far right.

Columns are fitted when a table first shows rows and again when it is resized, until the user
drags a column edge: from then on that table keeps the user's widths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView

PADDING = 16  # room around a text cell's text (margins, a gap before the next column)
NUMBER_PADDING = 8  # numbers are right-aligned against the next column's left margin
MIN_TEXT = 72  # a text column never narrower than this while fitting
MAX_TEXT = 480  # nor wider than this from its contents alone
SAMPLE_ROWS = 300  # rows measured (a lazy table's first pages)


@dataclass(frozen=True)
class ColumnRole:
    """What a column holds, for sharing out the width."""

    numeric: bool = False
    key: bool = False  # says what the row is: never cut
    optional: bool = False  # may be left out when even that does not fit (tooltips have it)


def share_width(wanted: Sequence[int], roles: Sequence[ColumnRole], available: int) -> list[int]:
    """Widths for columns that would like ``wanted`` pixels, in ``available`` pixels; 0 for an
    optional column left out."""
    shown = list(wanted)
    widths = _cut(list(shown), roles, available)
    for column in reversed(range(len(roles))):  # the rightmost optional columns go first
        if sum(widths) <= available:
            break
        if roles[column].optional:
            shown[column] = 0
            widths = _cut(list(shown), roles, available)
    return _spread(widths, roles, available)


def _cut(widths: list[int], roles: Sequence[ColumnRole], available: int) -> list[int]:
    excess = sum(widths) - available
    while excess > 0:
        cuttable = [
            i
            for i, role in enumerate(roles)
            if not role.numeric and not role.key and widths[i] > MIN_TEXT
        ]
        if not cuttable:
            break
        widest = max(cuttable, key=widths.__getitem__)
        others = [widths[i] for i in cuttable if i != widest]
        floor = max([MIN_TEXT, *others]) if others else MIN_TEXT
        cut = min(excess, max(1, widths[widest] - floor))
        widths[widest] -= cut
        excess -= cut
    return widths


def _spread(widths: list[int], roles: Sequence[ColumnRole], available: int) -> list[int]:
    """Room to spare goes to the text columns shown, in proportion to what they hold."""
    if sum(widths) < available:
        texts = [i for i, role in enumerate(roles) if not role.numeric and widths[i]]
        if texts:
            total = sum(widths[i] for i in texts) or 1
            spare = available - sum(widths)
            for i in texts:
                widths[i] += spare * widths[i] // total
            widths[texts[-1]] += available - sum(widths)
    return widths


class ColumnFitter(QObject):
    """Keeps ``view``'s columns fitted to its width by the rules above."""

    def __init__(self, view: QTableView, roles: Sequence[ColumnRole]) -> None:
        super().__init__(view)
        self.view = view
        self.roles = list(roles)
        self.user_sized = False
        self._fitting = False
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(SAMPLE_ROWS)
        header.sectionResized.connect(self._resized_by_hand)
        header.sortIndicatorChanged.connect(lambda *_: self.fit())  # the arrow moves
        view.viewport().installEventFilter(self)

    def fit(self) -> None:
        """Fit the columns now (unless the user has sized them by hand)."""
        model = self.view.model()
        if self.user_sized or model is None or model.columnCount() == 0:
            return
        header = self.view.horizontalHeader()
        self._fitting = True
        try:
            roles = self._roles(header.count())
            for column in range(header.count()):  # measured as if all were shown
                self.view.setColumnHidden(column, False)
            wanted = [
                self._natural(c) + (NUMBER_PADDING if role.numeric else PADDING)
                for c, role in enumerate(roles)
            ]
            wanted = [
                w if role.numeric else min(2 * MAX_TEXT if role.key else MAX_TEXT, w)
                for w, role in zip(wanted, roles, strict=True)
            ]
            available = self.view.viewport().width()
            for column, width in enumerate(share_width(wanted, roles, available)):
                self.view.setColumnHidden(column, width == 0)
                if width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False

    def _natural(self, column: int) -> int:
        """The width of the column's widest cell or of its title. Qt's own measure reserves
        room for a sort arrow in every title; only the sorted column shows one."""
        header = self.view.horizontalHeader()
        title = str(self.view.model().headerData(column, header.orientation()) or "")
        title_width = header.fontMetrics().horizontalAdvance(title) + 12
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == column:
            title_width += header.height()  # the arrow
        return max(self.view.sizeHintForColumn(column), title_width)

    def keep_user_widths(self) -> None:
        """The user's widths were restored from a previous session: keep them."""
        self.user_sized = True

    def _roles(self, count: int) -> list[ColumnRole]:
        return [self.roles[c] if c < len(self.roles) else ColumnRole() for c in range(count)]

    def _resized_by_hand(self, *_: object) -> None:
        if not self._fitting and self.view.isVisible():
            self.user_sized = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self.fit()
        return False


def roles_of(keys: Sequence[str], numeric: Sequence[bool]) -> list[ColumnRole]:
    """Roles for a service's columns, by their keys: those that say what a row is."""
    return [
        ColumnRole(numeric=n, key=k in KEY_COLUMNS, optional=k in OPTIONAL_COLUMNS)
        for k, n in zip(keys, numeric, strict=True)
    ]


# The services' column keys that say what a row is (codes, names, titles, references; the
# audit trail's moment and record).
KEY_COLUMNS = frozenset({"code", "name", "title", "reference", "when", "entity", "number"})
# Left out when even cut columns do not fit: the details panel beside the table shows them whole.
OPTIONAL_COLUMNS = frozenset({"reason"})
