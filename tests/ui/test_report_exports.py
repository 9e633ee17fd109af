"""The audit trail's Export… and the matrix's Compliance report… as a coordinator uses them:
filters chosen, the button clicked, a file name given, the work done in the background (or
cancelled), then the file, the status bar and the trail itself read back."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest

from trainer_app.config import Settings
from trainer_app.domain.reports import AuditSelection
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.matrix.page import MatrixPage
from trainer_app.ui.pages.audit import ANY_DAY, AuditPage

WAIT = 20_000


@pytest.fixture
def context(settings: Settings) -> Iterator[ServiceContext]:
    ctx = ServiceContext.open(settings)
    build_demo(ctx, trainees=40)
    yield ctx
    ctx.close()


def open_page(window: MainWindow, kind: type) -> object:
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, kind)))
    return window.page


def click(button: object) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[call-overload]


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def test_export_writes_what_the_audit_page_shows_and_is_then_in_the_trail(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path, monkeypatch, answers
) -> None:
    page = open_page(window, AuditPage)
    assert isinstance(page, AuditPage)
    table = page.tables[0]
    everything = table.model.rowCount()
    first_day = min(e.occurred_at.date() for e in context.audit.selected_entries(AuditSelection()))
    page.from_box.setDate(QDate(first_day.year, first_day.month, first_day.day))
    page.to_box.setDate(page.from_box.date().addDays(-1))
    assert page.to_box.date() == page.from_box.date()  # never before the first day
    on_the_day = AuditSelection(start=first_day, end=first_day)
    count = sum(1 for _ in context.audit.selected_entries(on_the_day))
    qtbot.waitUntil(lambda: table.model.rowCount() == count < everything, timeout=WAIT)
    page.record_box.setCurrentIndex(page.record_box.findText("Hub"))
    qtbot.waitUntil(lambda: table.model.rowCount() == 4, timeout=WAIT)
    target = tmp_path / "hubs.xlsx"
    asked: list[str] = []
    monkeypatch.setattr(page, "choose_path", lambda name: asked.append(name) or target)
    click(page.export_button)
    assert page.progress.isVisibleTo(page) and not page.export_button.isEnabled()
    qtbot.waitUntil(lambda: not page.export_task.running, timeout=WAIT)
    assert asked and asked[0].startswith("Audit trail ") and asked[0].endswith(".csv")
    assert not page.progress.isVisibleTo(page) and page.export_button.isEnabled()
    scope = AuditSelection(start=first_day, end=first_day, record_type="hub").describe()
    assert status(window) == f"Audit trail, 4 entries ({scope}) saved to {target}"
    book = load_workbook(target)
    entries = list(book["Audit trail"].iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in entries] == ["Hub"] * 4
    assert {r[5] for r in entries} >= {"London Gene Therapy Innovation Hub"}
    assert dict(book["About this export"].iter_rows(min_row=2, values_only=True))["Filters"] == (
        scope
    )
    assert answers == []

    page.from_box.setDate(ANY_DAY)
    page.to_box.setDate(ANY_DAY)
    page.record_box.setCurrentIndex(page.record_box.findText("Export"))
    qtbot.waitUntil(lambda: table.model.rowCount() == 1, timeout=WAIT)
    assert table.model.data(table.model.index(0, 4)) == f"Audit trail, 4 entries ({scope})"
    (entry,) = context.audit.selected_entries(AuditSelection(record_type="export"))
    assert {c.field: c.new for c in entry.changes}["path"] == str(target)


def test_cancel_leaves_no_file_and_says_so(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path, monkeypatch, answers
) -> None:
    page = open_page(window, AuditPage)
    assert isinstance(page, AuditPage)
    target = tmp_path / "trail.csv"
    monkeypatch.setattr(page, "choose_path", lambda name: target)
    started, go = threading.Event(), threading.Event()
    real = context.audit.export_heading

    def held_back(*args: object, **kwargs: object) -> object:
        started.set()
        go.wait(WAIT / 1000)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(context.audit, "export_heading", held_back)
    with qtbot.waitSignal(page.exported, timeout=WAIT) as exported:
        click(page.export_button)
        assert started.wait(WAIT / 1000)
        click(page.progress.cancel_button)
        assert page.progress.message.text() == "Stopping… no file will be written"
        go.set()
    assert exported.args == [None]
    assert not target.exists() and not list(tmp_path.glob(".trail.csv*"))  # nor a part-file
    assert status(window) == "Audit trail export cancelled — no file was written"
    assert not list(context.audit.selected_entries(AuditSelection(record_type="export")))


def test_compliance_report_for_the_hub_chosen(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path, monkeypatch, answers
) -> None:
    page = open_page(window, MatrixPage)
    assert isinstance(page, MatrixPage)
    target = tmp_path / "london.pdf"
    monkeypatch.setattr(page, "choose_report_path", lambda name: target)
    click(page.compliance_button)
    assert status(window).startswith("Choose a hub in the Hub filter first")
    london = next(h for h in context.hubs.list() if h.code == "LON")
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.hub_box.setCurrentIndex(page.hub_box.findData(london.id))
    with qtbot.waitSignal(page.compliance_exported, timeout=WAIT) as exported:
        click(page.compliance_button)
    assert exported.args == [target]
    report = context.matrix.compliance("LON")
    said = f"{report.title} ({len(report.people)} people) saved to {target}"
    assert status(window) == said
    text = unicodedata.normalize(
        "NFKC", " ".join(p.extract_text() for p in PdfReader(target).pages)
    )
    text = " ".join(text.split())
    assert "Compliance report" in text and "London Gene Therapy Innovation Hub" in text
    for figures in report.by_role():
        assert figures.name in text
    assert answers == []
    (entry,) = context.audit.selected_entries(AuditSelection(record_type="export"))
    assert entry.entity_label == f"{report.title} ({len(report.people)} people)"
