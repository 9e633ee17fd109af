"""Enrolling from the Runs page on the demo database, with the keyboard and mouse."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt

from tests.helpers.user import click, click_row, key, row_of, type_text
from tests.ui.usage.test_selection import page
from trainer_app.ui.runs.enrol import EnrolTraineesDialog


def test_every_refusal_line_shows_whole_whatever_the_script(qtbot, laptop_window) -> None:
    """Each person's line under "who can go" wraps and is as tall as its text, right-to-left
    names included (an Arabic refusal line was cut off)."""
    runs = page(laptop_window, "Runs & enrolment")
    click_row(runs.runs.view, row_of(runs.runs.view, "ASEP-2026-02"), 0)
    click(runs.roster_tab.enrol_button)
    dialog = runs.dialog
    assert isinstance(dialog, EnrolTraineesDialog)
    ticked = 0
    for name in ("سارة", "נועה", "李", "Siobhán"):
        dialog.filter_box.clear()
        type_text(dialog.filter_box, name)
        dialog.apply_filter()
        for row in range(min(2, dialog.model.rowCount())):
            dialog.view.setCurrentIndex(dialog.model.index(row, 0))
            key(dialog.view, Qt.Key.Key_Space)
            ticked += 1
    dialog.check_now()
    lines = dialog.outcome.list
    assert lines.count() == ticked
    qtbot.waitUntil(lambda: lines.viewport().width() > 100)
    dialog.resize(dialog.width() - 260, dialog.height())  # narrower: the lines wrap again
    qtbot.waitUntil(lambda: lines.viewport().width() < 300)
    qtbot.wait(50)
    metrics = lines.fontMetrics()
    for row in range(lines.count()):
        item = lines.item(row)
        shown = lines.visualItemRect(item)
        text_width = shown.width() - lines.iconSize().width() - 12
        needed = metrics.boundingRect(
            QRect(0, 0, text_width, 10_000), Qt.TextFlag.TextWordWrap, item.text()
        )
        assert shown.height() >= needed.height(), item.text()
    dialog.reject()
