"""File ▸ Import…: every problem listed by row and column, then all rows or none, off the GUI
thread."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.helpers import builders as b
from trainer_app.ui.import_dialog import ImportDialog


def sheet(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def wait_idle(qtbot, dialog: ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.runner.running, timeout=10_000)


def test_problems_are_listed_and_nothing_is_imported_until_fixed(
    qtbot, window, context, tmp_path: Path
) -> None:
    b.hub(context, "LON", "London")
    b.cohort(context, "MSc Cell & Gene Therapy 2027")
    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+I"))
    dialog = window.findChild(ImportDialog)
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    bad = sheet(
        tmp_path / "trainees.csv",
        "name,hub,cohorts,email",
        "Siobhán Ní Bhriain,LON,MSc Cell & Gene Therapy 2027,siobhan@example.ac.uk",
        "李伟,MAN,,",
        "Łukasz Nowak,LON,MSc Cell and Gene Therapy 2027,siobhan@example.ac.uk",
    )
    dialog.check(bad)
    wait_idle(qtbot, dialog)
    rows = [
        tuple(dialog.problems.item(r, c).text() for c in range(3))
        for r in range(dialog.problems.rowCount())
    ]
    assert rows == [
        ("3", "hub", "there is no hub 'MAN'; the hubs are LON"),
        (
            "4",
            "email",
            "e-mail siobhan@example.ac.uk is also on row 2; each trainee needs their own",
        ),
        (
            "4",
            "cohorts",
            "there is no cohort 'MSc Cell and Gene Therapy 2027'; did you mean "
            "'MSc Cell & Gene Therapy 2027'?",
        ),
    ]
    assert "3 problems on 2 rows" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    assert context.trainees.list() == []

    good = sheet(tmp_path / "fixed.csv", "name,hub", "Siobhán Ní Bhriain,LON", "李伟,LON")
    dialog.check(good)
    wait_idle(qtbot, dialog)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog)
    assert dialog.summary.text().startswith("Imported 2 trainees from")
    assert sorted(t.name for t in context.trainees.list()) == ["Siobhán Ní Bhriain", "李伟"]
    dialog.reject()
    assert "Imported 2 trainees" in window.statusBar().currentMessage()


def test_a_template_is_saved_for_the_chosen_kind(qtbot, window, context, tmp_path: Path) -> None:
    dialog = window.import_file()
    dialog.kind.setCurrentIndex(dialog.kind.findData("completions"))
    target = tmp_path / "history.xlsx"
    dialog.ask_save_path = lambda suggestion: target  # type: ignore[method-assign]
    dialog.save_template()
    assert dialog.summary.text() == f"Template saved to {target}"
    book = openpyxl.load_workbook(target)
    assert [c.value for c in book.active[1]] == [
        "trainee",
        "course",
        "completed_on",
        "version",
        "notes",
    ]
    assert "Notes" in book.sheetnames
    dialog.reject()


def test_while_a_file_is_checked_another_cannot_be_chosen(
    qtbot, window, context, tmp_path: Path, monkeypatch
) -> None:
    """Found by the monkey: choosing a second file while the first was being checked raised
    "a task is already running"."""
    b.hub(context, "LON", "London")
    rows = [f"Trainee {n},LON,,trainee{n}@example.org" for n in range(3000)]
    big = sheet(tmp_path / "big.csv", "name,hub,cohorts,email", *rows)
    small = sheet(tmp_path / "small.csv", "name,hub,cohorts,email", "Zoë Adams,LON,,")
    dialog = window.import_file()
    chosen = iter([big, small])
    monkeypatch.setattr(dialog, "ask_open_path", lambda: next(chosen))
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    assert dialog.runner.running
    assert not dialog.browse.isEnabled()
    dialog.choose_file()  # a click that got through all the same: nothing happens
    wait_idle(qtbot, dialog)
    assert dialog.file.text() == str(big)
    assert dialog.browse.isEnabled()
    assert "3000" in dialog.summary.text() or "3 000" in dialog.summary.text()
    dialog.reject()


def test_long_problems_wrap_in_the_list_rather_than_run_off_the_edge(
    qtbot, window, context, tmp_path: Path
) -> None:
    b.hub(context, "LON", "London")
    dialog = window.import_file()
    path = tmp_path / "people.csv"
    path.write_text("name,hub\nAli\u202eecnyB,LON\nAnn,MAN\n", encoding="utf-8")
    dialog.check(path)
    wait_idle(qtbot, dialog)
    table = dialog.problems
    long, short = (table.item(r, 2).text() for r in range(2))
    assert long.startswith("Trainee name contains a text-direction control (U+202E")
    assert short.startswith("there is no hub 'MAN'")
    assert table.rowHeight(0) > table.rowHeight(1)
    assert table.horizontalScrollBar().maximum() == 0
    dialog.reject()
