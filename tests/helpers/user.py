"""Using the window as a person does: clicks on what is drawn, typing, and checks on what shows.

Tests that call a page's methods directly once missed rows that a click did not select and a
dialog that raised on every keystroke; these helpers go through Qt's event delivery instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QWidget,
)

LEFT = Qt.MouseButton.LeftButton


def click(widget: QWidget, pos: QPoint | None = None) -> None:
    assert widget.isVisible(), f"{widget.accessibleName() or widget} is not on screen"
    assert widget.isEnabled(), f"{widget.accessibleName() or widget} is disabled"
    if pos is None and isinstance(widget, QAbstractSpinBox):
        pos = QPoint(8, widget.height() // 2)  # into the text, clear of the arrows
    pos = pos or widget.rect().center()
    # A real click lands on the innermost widget under the pointer (a date editor's text is
    # its line edit); QTest would hand it to ``widget`` itself.
    target = widget.childAt(pos) or widget
    pos = target.mapFrom(widget, pos)
    QTest.mouseMove(target, pos)  # a hand moves there first: widgets track what is under it
    QTest.mouseClick(target, LEFT, Qt.KeyboardModifier.NoModifier, pos)


def row_rect(view: QAbstractItemView, row: int, column: int = 0) -> QRect:
    model = view.model()
    index = model.index(row, column)
    view.scrollTo(index)
    rect = view.visualRect(index)
    assert rect.isValid() and view.viewport().rect().intersects(rect), f"row {row} not shown"
    return rect


def click_row(view: QAbstractItemView, row: int, column: int = 0) -> None:
    """Click the middle of the cell at ``row``/``column`` as drawn on screen."""
    click(view.viewport(), row_rect(view, row, column).center())


def double_click_row(view: QAbstractItemView, row: int, column: int = 0) -> None:
    center = row_rect(view, row, column).center()
    QTest.mouseDClick(view.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, center)


def row_of(view: QAbstractItemView, text: str, column: int = 0) -> int:
    """The row whose cell in ``column`` shows ``text``."""
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, column).data() == text:
            return row
    raise AssertionError(f"no row shows {text!r} in column {column}")


def type_into(field: QLineEdit | QWidget, text: str, *, replace: bool = True) -> None:
    """Click into ``field``, select what is there (to replace it) and type ``text``."""
    click(field)
    if replace:
        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(field, Qt.Key.Key_Delete)
    type_text(field, text)


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` into the focused ``widget``, any script: QTest.keyClicks only knows ASCII
    (Qt asserts on anything else), so other characters arrive as key events carrying their
    text, as an input method delivers them."""
    for char in text:
        if " " <= char <= "~":
            QTest.keyClick(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            QApplication.sendEvent(widget.focusWidget() or widget, event)


def key(widget: QWidget, which: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, which, modifier)


def elided_cells(view: QAbstractItemView, column: int, rows: int = 50) -> list[str]:
    """Texts in ``column`` (of the first ``rows`` rows) too wide for their cell as drawn."""
    model = view.model()
    metrics = view.fontMetrics()
    width = view.columnWidth(column) if hasattr(view, "columnWidth") else view.width()
    cut = []
    for row in range(min(rows, model.rowCount())):
        text = model.index(row, column, QModelIndex()).data()
        if isinstance(text, str) and metrics.horizontalAdvance(text) + 12 > width:
            cut.append(text)
    return cut


def fully_visible(widget: QWidget) -> bool:
    """Whether all of ``widget`` shows in its window: not hidden, not clipped by a scroll area
    or by the window's edge."""
    if not widget.isVisible():
        return False
    window = widget.window()
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QAbstractScrollArea):
            port = parent.viewport()
            shown = QRect(port.mapTo(window, QPoint(0, 0)), port.size())
            if not shown.contains(rect):
                return False
        parent = parent.parentWidget()
    return True
