"""*Attendance sheet…* on the Runs page's Register tab, clicked as a person does: the session's
column chosen in the register, the system's save dialog answered, the PDF written and audited.

The world is the Runs page tests': "today" is Tuesday 12 January 2027; ASEP-2027-01 has its two
sessions on Tuesday 19 and Wednesday 20 January at 09:00 in LON-CR1.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QFileDialog, QPushButton

from tests.helpers.clock import Clock
from tests.ui.conftest import find
from tests.ui.test_runs_page import NAMES, TUESDAY, World, build_world, status
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.ui.runs.page import RunsPage

ENROLLED = NAMES[1:5]  # they hold Gowning, so Aseptic processing takes them


class SaveDialog:
    """Stands in for the system's save dialog: answers with the path given (empty: Cancel)
    and notes what it was asked."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answer = ""
        self.asked: list[tuple[str, str]] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(self._save))

    def _save(self, parent: object, caption: str, start: str, filter: str = "") -> tuple[str, str]:
        self.asked.append((caption, Path(start).name))
        return self.answer, filter


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY)


@pytest.fixture
def context(settings: Settings, clock: Clock) -> Iterator[ServiceContext]:
    ctx = ServiceContext.open(settings, today=clock)
    yield ctx
    ctx.close()


@pytest.fixture
def world(context: ServiceContext, clock: Clock) -> World:
    made = build_world(context, clock)
    context.enrolment.enrol_many(made.asep_run.id, [made.people[n] for n in ENROLLED])
    return made


@pytest.fixture
def page(qtbot, window, answers, world: World) -> Iterator[RunsPage]:
    runs = RunsPage(world.ctx, window.editor)
    qtbot.addWidget(runs)
    runs.resize(1300, 800)
    runs.show()
    qtbot.waitExposed(runs)
    yield runs
    runs.close()


@pytest.fixture
def dialog(monkeypatch: pytest.MonkeyPatch) -> SaveDialog:
    return SaveDialog(monkeypatch)


def open_register(qtbot, page: RunsPage, code: str) -> QPushButton:
    assert page.runs.select_code(code)
    page.tabs.setCurrentWidget(page.register_tab)
    return find(page, QPushButton, "Attendance sheet")  # type: ignore[return-value]


def click_cell(page: RunsPage, row: int, column: int) -> None:
    grid = page.register_tab.view
    rect = grid.visualRect(page.register_tab.model.index(row, column))
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def exports_audited(settings: Settings) -> list[str]:
    database = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        return [
            label
            for (label,) in connection.execute(
                "SELECT entity_label FROM audit_entries WHERE entity_type = 'export' ORDER BY id"
            )
        ]


def test_the_sheet_of_the_session_selected_is_saved_and_audited(
    qtbot, page: RunsPage, dialog: SaveDialog, settings: Settings, tmp_path: Path
) -> None:
    button = open_register(qtbot, page, "ASEP-2027-01")
    assert button.isEnabled() and button.isVisible()
    click_cell(page, 0, 1)  # the second session's column
    assert page.register_tab.selected_session() is not None
    dialog.answer = str(tmp_path / "asep day two")  # the extension is added
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    saved = tmp_path / "asep day two.pdf"
    assert saved.is_file()
    assert dialog.asked == [
        (
            "Save the attendance sheet of ASEP-2027-01 session 2 of 2",
            "Attendance ASEP-2027-01 session 2.pdf",
        )
    ]
    assert status(page) == (
        "Attendance sheet of ASEP-2027-01 session 2 of 2 (20 Jan 2027 09:00–11:00, "
        f"4 trainees) saved to {saved}"
    )
    text = unicodedata.normalize("NFKC", PdfReader(saved).pages[0].extract_text())
    assert "ASEP-2027-01 · session 2 of 2" in text and "Wed 20 Jan 2027" in text
    assert all(name in text for name in ENROLLED)
    assert not any(name in text for name in set(NAMES) - set(ENROLLED))
    assert exports_audited(settings) == ["Attendance sheet of ASEP-2027-01 session 2 of 2"]


def test_without_a_column_chosen_the_sheet_is_for_the_next_session_and_cancel_writes_nothing(
    qtbot, page: RunsPage, dialog: SaveDialog, settings: Settings, tmp_path: Path
) -> None:
    button = open_register(qtbot, page, "ASEP-2027-01")
    click_cell(page, 0, page.register_tab.model.completion_column)  # not a session
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # dialog.answer "": Cancel
    assert dialog.asked[-1][1] == "Attendance ASEP-2027-01 session 1.pdf"
    assert list(tmp_path.glob("*.pdf")) == [] and exports_audited(settings) == []

    dialog.answer = str(tmp_path / "next.pdf")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "next.pdf").is_file()
    assert "ASEP-2027-01 session 1 of 2 (19 Jan 2027 09:00–11:00" in status(page)


def test_a_run_nobody_is_enrolled_on_has_no_sheet_to_print(qtbot, page: RunsPage) -> None:
    button = open_register(qtbot, page, "GOWN-2027-01")
    assert not button.isEnabled()


def test_a_file_that_cannot_be_written_is_told_in_words(
    qtbot, page: RunsPage, dialog: SaveDialog, answers, settings: Settings, tmp_path: Path
) -> None:
    button = open_register(qtbot, page, "ASEP-2027-01")
    dialog.answer = str(tmp_path / "no such folder" / "sheet.pdf")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    ((title, text),) = answers
    assert title == "The attendance sheet was not saved"
    assert text.startswith(f"{tmp_path / 'no such folder' / 'sheet.pdf'} could not be written (")
    assert text.endswith("Choose another folder or file name; nothing was written.")
    assert exports_audited(settings) == []
