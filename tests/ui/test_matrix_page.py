"""The Records & matrix page as a coordinator uses it: the heatmap, filters, the refresher list,
a trainee's record and its exports, the group export with Cancel.

Two stores: a small hand-built one where every cell is known ("today" is 23 Nov 2026), and a
module-wide demo of 40 trainees that has every status, runs with attendance and cohorts.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.courses import CourseFields
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.records import CompletionFields, MatrixStatus
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.services.matrix import RoleFields
from trainer_app.ui.certificates.dialogs import IssueDialog
from trainer_app.ui.matrix import standing as look
from trainer_app.ui.matrix.due import DueModel
from trainer_app.ui.matrix.heatmap import NOT_REQUIRED, HeatmapModel
from trainer_app.ui.matrix.page import NO_ROLES, NO_TRAINEES, NOBODY, MatrixPage
from trainer_app.ui.record_editor import RecordEditor

TODAY = date(2026, 11, 23)
WAIT = 10_000


@dataclass
class Shown:
    page: MatrixPage
    context: ServiceContext
    ids: dict[str, int]  # trainee name -> id


def make_page(qtbot, context: ServiceContext) -> MatrixPage:
    owner = QWidget()
    qtbot.addWidget(owner)
    page = MatrixPage(context, RecordEditor(context, owner))
    qtbot.addWidget(page)
    return page


def shown(qtbot, page: MatrixPage) -> MatrixPage:
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.reload()
    return page


def open_context(folder: Path) -> ServiceContext:
    settings = Settings.resolve(
        folder / "trainer.db", environ={"TRAINER_APP_DATA_DIR": str(folder)}
    )
    return ServiceContext.open(settings, today=lambda: TODAY)


@pytest.fixture
def small(qtbot, tmp_path: Path, answers) -> Iterator[Shown]:
    """Operators need GOWN and ASEP; Zoë has no role but holds GOWN.

    李伟's GOWN expires 10 Dec 2026 (expiring soon), Siobhán's in June 2027 (valid) and her
    ASEP is of an older version (retrain); Tom's GOWN expired in January, his ASEP is missing.
    """
    context = open_context(tmp_path)
    london = builders.hub(context)
    bristol = builders.hub(context, "BRI", "Bristol")
    gown = context.courses.create(
        CourseFields(code="GOWN", title="Gowning qualification", version="4.0", validity_months=12)
    )
    asep = context.courses.create(
        CourseFields(code="ASEP", title="Aseptic technique", version="2.0", validity_months=12)
    )
    context.matrix.save_role(
        RoleFields(name="Operator", requirements=frozenset({(gown.id, None), (asep.id, None)}))
    )
    people = [
        ("TR-000001", "Siobhán Ní Bhriain", london.id, "Operator"),
        ("TR-000002", "李伟", london.id, "Operator"),
        ("TR-000003", "Tom Reed", bristol.id, "operator"),
        ("TR-000004", "Zoë Adams", london.id, ""),
    ]
    created = context.trainees.bulk_create(
        [
            TraineeFields(reference=r, name=n, hub_id=h, role=role, organisation="Acme Cells")
            for r, n, h, role in people
        ]
    )
    ids = {name: i for (_, name, _, _), i in zip(people, created, strict=True)}

    def done(name: str, course: int, on: date, version: str = "") -> CompletionFields:
        return CompletionFields(
            trainee_id=ids[name], course_id=course, completed_on=on, course_version=version
        )

    context.training.add_completions(
        [
            done("李伟", gown.id, date(2025, 12, 10)),
            done("Siobhán Ní Bhriain", gown.id, date(2026, 6, 1)),
            done("Siobhán Ní Bhriain", asep.id, date(2026, 3, 2), "1.0"),
            done("Tom Reed", gown.id, date(2025, 1, 6)),
            done("Zoë Adams", gown.id, date(2026, 9, 1)),
        ]
    )
    page = shown(qtbot, make_page(qtbot, context))
    yield Shown(page, context, ids)
    page.wait()
    context.close()


@pytest.fixture(scope="module")
def demo_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    context = open_context(tmp_path_factory.mktemp("matrix-demo"))
    build_demo(context, trainees=40)
    yield context
    context.close()


@pytest.fixture
def demo(qtbot, demo_context: ServiceContext, answers) -> Iterator[MatrixPage]:
    page = shown(qtbot, make_page(qtbot, demo_context))
    yield page
    page.wait()


def cell(page: MatrixPage, name: str, code: str, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return page.model.data(page.cell_index(name, code), role)


def names(page: MatrixPage) -> list[str]:
    return [p.name for p in page.matrix.people]


def choose(monkeypatch: pytest.MonkeyPatch, page: MatrixPage, path: Path) -> list[str]:
    """Answer the save dialog with ``path``; returns the captions asked."""
    asked: list[str] = []

    def answer(caption: str, name: str, kind: str) -> Path:
        asked.append(caption)
        return path

    monkeypatch.setattr(page, "choose_path", answer)
    return asked


# ----- the heatmap ---------------------------------------------------------------------------


def test_each_cell_shows_its_status_by_symbol_figure_and_words(small: Shown) -> None:
    page = small.page
    assert [c.code for c in page.matrix.courses] == ["ASEP", "GOWN"]
    assert cell(page, "李伟", "GOWN") == "! 17 d"
    assert cell(page, "李伟", "GOWN", Qt.ItemDataRole.ToolTipRole) == (
        "李伟 · GOWN (Gowning qualification) v4.0 — Expiring soon: expires 10 Dec 2026 (in 17 days)"
    )
    assert cell(page, "Siobhán Ní Bhriain", "GOWN") == "✓"
    assert cell(page, "Siobhán Ní Bhriain", "ASEP") == "↻ v1.0"
    assert cell(page, "Siobhán Ní Bhriain", "ASEP", Qt.ItemDataRole.ToolTipRole).endswith(
        "Retrain (new version): completed v1.0; the course is now v2.0"
    )
    assert cell(page, "Tom Reed", "GOWN") == "✗"
    assert cell(page, "Tom Reed", "GOWN", Qt.ItemDataRole.ToolTipRole).endswith(
        "Expired: not valid since 6 Jan 2026"
    )
    assert cell(page, "Tom Reed", "ASEP") == "–"
    assert cell(page, "Zoë Adams", "ASEP") == ""  # not required, nothing held: blank
    assert cell(page, "Zoë Adams", "GOWN") == "✓"
    assert cell(page, "Zoë Adams", "GOWN", Qt.ItemDataRole.ToolTipRole).endswith(NOT_REQUIRED)


def test_colours_follow_the_status_and_training_not_required_is_lighter(small: Shown) -> None:
    page = small.page
    background = Qt.ItemDataRole.BackgroundRole
    required = cell(page, "Siobhán Ní Bhriain", "GOWN", background)
    assert required == look.COLOURS[MatrixStatus.VALID]
    held = cell(page, "Zoë Adams", "GOWN", background)
    assert held != required and held.lightness() > required.lightness()
    assert cell(page, "Tom Reed", "GOWN", background) == look.COLOURS[MatrixStatus.EXPIRED]
    assert cell(page, "Zoë Adams", "ASEP", background) is None


def test_headers_name_the_course_and_the_trainee(small: Shown) -> None:
    model = small.page.model
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    assert model.headerData(1, horizontal) == "GOWN"
    assert model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "GOWN · Gowning qualification · current version v4.0"
    )
    row = names(small.page).index("李伟")
    assert model.headerData(row, vertical) == "李伟 · TR-000002"
    assert model.headerData(row, vertical, Qt.ItemDataRole.ToolTipRole) == (
        "李伟 · TR-000002 · LON · Operator · Acme Cells"
    )


def test_the_legend_counts_the_required_cells(small: Shown, demo: MatrixPage) -> None:
    counts = demo.matrix.counts()
    assert set(counts) == set(MatrixStatus)  # the demo has every status
    for status, label in demo.legend.counts.items():
        assert label.text() == f"{status.label} {counts[status]:,}"
    assert demo.legend.summary.text().startswith(
        f"Compliant: {sum(n for s, n in counts.items() if s.compliant)} of "
        f"{len(demo.matrix.required)} required"
    )
    small_counts = {s: small.page.legend.counts[s].text() for s in MatrixStatus}
    assert small_counts[MatrixStatus.EXPIRED] == "Expired 1"
    assert small_counts[MatrixStatus.MISSING] == "Missing 2"  # 李伟's and Tom's ASEP


def test_filters_narrow_the_rows(qtbot, small: Shown) -> None:
    page = small.page
    assert names(page) == ["Siobhán Ní Bhriain", "Tom Reed", "Zoë Adams", "李伟"]
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.hub_box.setCurrentIndex(page.hub_box.findText("BRI · Bristol"))
    assert names(page) == ["Tom Reed"]
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.hub_box.setCurrentIndex(0)
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.role_box.setCurrentIndex(page.role_box.findText("Operator"))
    assert names(page) == ["Siobhán Ní Bhriain", "Tom Reed", "李伟"]
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):  # debounced typing
        qtbot.keyClicks(page.find_box, "tr-000002")
    assert names(page) == ["李伟"]
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.find_box.setText("nobody here")
    assert page.matrix_stack.currentWidget() is page.empty
    assert page.empty.text() == NOBODY
    assert [page.organisation_box.itemText(i) for i in range(2)] == [
        "All organisations",
        "Acme Cells",
    ]


def test_changing_expiring_soon_moves_a_cell_from_valid_to_expiring(qtbot, small: Shown) -> None:
    page = small.page
    assert page.expiring_box.value() == 60
    assert cell(page, "Siobhán Ní Bhriain", "GOWN") == "✓"  # expires 1 Jun 2027: 190 days
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
        page.expiring_box.setValue(200)
    assert small.context.matrix.expiring_days() == 200
    assert cell(page, "Siobhán Ní Bhriain", "GOWN") == "! 190 d"
    assert page.legend.counts[MatrixStatus.EXPIRING].text() == "Expiring soon 2"


def test_enter_on_a_cell_opens_the_trainees_record(qtbot, small: Shown) -> None:
    page = small.page
    page.view.setCurrentIndex(page.cell_index("Siobhán Ní Bhriain", "ASEP"))
    assert "Retrain (new version)" in page.details.toPlainText()
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert page.tabs.currentIndex() == 2
    assert page.record is not None and page.record.name == "Siobhán Ní Bhriain"
    text = page.record_panel.browser.toPlainText()
    assert "Current standing 1 of 2 required courses compliant today" in text
    assert "ASEP Aseptic technique · version 1.0" in text
    assert "Completed 2 Mar 2026 · Imported history · expires 2 Mar 2027" in text
    assert page.finder.matches.currentItem().text().startswith("Siobhán Ní Bhriain\n")


def test_a_double_click_on_a_row_header_opens_the_record(qtbot, small: Shown) -> None:
    page = small.page
    row = names(page).index("李伟")
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.view.verticalHeader().sectionDoubleClicked.emit(row)
    assert page.record is not None and page.record.reference == "TR-000002"


def test_empty_states_say_what_to_do(qtbot, tmp_path: Path, answers) -> None:
    context = open_context(tmp_path)
    try:
        page = shown(qtbot, make_page(qtbot, context))
        assert page.empty.text() == NO_TRAINEES
        hub = builders.hub(context)
        builders.trainee(context, hub.id)
        with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):
            page.reload()
        assert page.matrix_stack.currentWidget() is page.empty
        assert page.empty.text() == NO_ROLES
        page.wait()
    finally:
        context.close()


# ----- the refresher list --------------------------------------------------------------------


def due_names(page: MatrixPage) -> list[tuple[str, str]]:
    return [(d.name, d.course_code) for d in page.due_model.rows]


def test_the_refresher_list_is_soonest_first_and_sorts_by_any_column(qtbot, small: Shown) -> None:
    page = small.page
    with qtbot.waitSignal(page.due_shown, timeout=WAIT):
        page.tabs.setCurrentIndex(1)
    assert due_names(page) == [
        ("Tom Reed", "GOWN"),
        ("李伟", "GOWN"),
        ("Siobhán Ní Bhriain", "ASEP"),
    ]
    model = page.due_model
    status = model.index(1, 4)
    assert model.data(status) == "! Expiring soon (17 d)"
    assert model.data(status, Qt.ItemDataRole.BackgroundRole) == look.fill(MatrixStatus.EXPIRING)
    assert model.data(model.index(1, 5)) == "10 Dec 2026"
    assert page.due_summary.text().startswith("3 required courses due: 1 expiring soon, 1 expired")
    page.due_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [n for n, _ in due_names(page)] == ["李伟", "Tom Reed", "Siobhán Ní Bhriain"]
    with qtbot.waitSignal(page.matrix_shown, timeout=WAIT):  # other filters narrow the list
        page.find_box.setText("Reed")
    assert due_names(page) == [("Tom Reed", "GOWN")]


def test_the_refresher_list_exports_as_csv_and_xlsx_formula_safe(
    qtbot, small: Shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, context = small.page, small.context
    tom = context.trainees.get(small.ids["Tom Reed"])
    fields = TraineeFields(
        reference=tom.reference, name="=SUM(A1)", hub_id=tom.hub_id, role=tom.role
    )
    context.trainees.update(tom.id, tom.row_version, fields)
    with qtbot.waitSignal(page.due_shown, timeout=WAIT):
        page.reload()
        page.tabs.setCurrentIndex(1)
    choose(monkeypatch, page, tmp_path / "due.csv")
    page.due_csv.click()
    with (tmp_path / "due.csv").open(encoding="utf-8-sig", newline="") as stream:
        lines = list(csv.reader(stream))
    assert lines[0][:3] == ["Name", "Reference", "Hub"]
    assert lines[1][:2] == ["'=SUM(A1)", "TR-000003"]
    assert lines[1][5:7] == ["Expired", "2026-01-06"]
    choose(monkeypatch, page, tmp_path / "due.xlsx")
    page.due_xlsx.click()
    sheet = load_workbook(tmp_path / "due.xlsx")["Due for refresher"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][0] == "'=SUM(A1)" and rows[2][0] == "李伟"


# ----- the trainee record and its exports ----------------------------------------------------


def test_the_finder_lists_matches_from_the_service(qtbot, demo: MatrixPage) -> None:
    demo.tabs.setCurrentIndex(2)
    qtbot.keyClicks(demo.finder.search, "TR-00000")
    qtbot.waitUntil(lambda: demo.finder.matches.count() == 9, timeout=WAIT)
    assert demo.finder.hint.text() == "9 trainees"
    demo.finder.search.setText("")
    demo.finder.refresh()
    assert demo.finder.matches.count() == 40


def test_the_record_tab_shows_runs_sessions_assessments_and_completion(
    qtbot, demo: MatrixPage, demo_context: ServiceContext
) -> None:
    records = demo_context.matrix.training_records(demo_context.trainees.query_ids())
    record = next(r for r in records if any(e.sessions and e.assessments for e in r.entries))
    entry = next(e for e in record.entries if e.sessions and e.assessments)
    demo.tabs.setCurrentIndex(2)
    demo.finder.search.setText(record.reference)
    demo.finder.refresh()
    with qtbot.waitSignal(demo.record_shown, timeout=WAIT):
        demo.finder.matches.setCurrentRow(0)
    text = demo.record_panel.browser.toPlainText()
    assert f"{record.name} {record.reference}" in text
    assert f"{entry.run_code} · " in text
    assert "Present" in text
    assert entry.assessments[0].assessor in text
    assert "Course run" in text
    assert demo.record_panel.pdf_button.isEnabled()


def test_export_pdf_writes_the_record_and_says_where(
    qtbot, small: Shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = small.page
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.open_trainee(small.ids["Siobhán Ní Bhriain"])
    target = tmp_path / "record.pdf"
    asked = choose(monkeypatch, page, target)
    with qtbot.waitSignal(page.status, timeout=WAIT) as said:
        page.record_panel.pdf_button.click()
    assert asked == ["Export the training record of Siobhán Ní Bhriain"]
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Siobhán Ní Bhriain" in text
    assert said.args == [f"Training record of Siobhán Ní Bhriain saved to {target}"]
    for kind in ("csv", "xlsx"):
        choose(monkeypatch, page, tmp_path / f"record.{kind}")
        getattr(page.record_panel, f"{kind}_button").click()
        assert (tmp_path / f"record.{kind}").stat().st_size > 0


def test_an_export_that_cannot_be_written_is_explained(
    qtbot, small: Shown, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers
) -> None:
    page = small.page
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.open_trainee(small.ids["Tom Reed"])
    choose(monkeypatch, page, tmp_path / "missing folder" / "record.csv")
    page.record_panel.csv_button.click()
    (title, text), *_ = answers
    assert title == "The training record was not exported"
    assert text.startswith(f"{tmp_path / 'missing folder' / 'record.csv'} could not be written")
    assert not (tmp_path / "missing folder").exists()


def test_group_export_writes_one_standing_row_per_trainee_and_course(
    qtbot, demo: MatrixPage, demo_context: ServiceContext, tmp_path: Path, monkeypatch
) -> None:
    cohort = max(demo_context.cohorts.list(), key=lambda c: c.trainee_count)
    with qtbot.waitSignal(demo.matrix_shown, timeout=WAIT):
        demo.cohort_box.setCurrentIndex(demo.cohort_box.findData(cohort.id))
    target = tmp_path / "group.xlsx"
    choose(monkeypatch, demo, target)
    with qtbot.waitSignal(demo.group_exported, timeout=WAIT) as exported:
        demo.record_panel.group_button.click()
        assert demo.progress.isVisibleTo(demo)
    assert exported.args == [target]
    assert not demo.progress.isVisibleTo(demo)
    members = demo_context.trainees.query_ids(filters={"cohort_id": cohort.id})
    records = demo_context.matrix.training_records(members)
    book = load_workbook(target)
    standing = list(book["Standing"].iter_rows(values_only=True))[1:]
    assert len(standing) == sum(len(r.requirements) for r in records)
    assert {row[0] for row in standing} <= {r.reference for r in records}
    history = list(book["History"].iter_rows(values_only=True))[1:]
    assert len(history) == sum(len(r.entries) for r in records)


def test_cancelling_the_group_export_leaves_no_file(
    qtbot, demo: MatrixPage, demo_context: ServiceContext, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "group.xlsx"
    choose(monkeypatch, demo, target)
    started, go = threading.Event(), threading.Event()
    real = demo_context.matrix.training_records

    def held_back(*args: object, **kwargs: object) -> object:
        started.set()
        go.wait(WAIT / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(demo_context.matrix, "training_records", held_back)
    with qtbot.waitSignal(demo.group_exported, timeout=WAIT) as exported:
        demo.record_panel.group_button.click()
        assert started.wait(WAIT / 1000)
        demo.progress.cancel_button.click()
        assert demo.progress.message.text() == "Stopping… no file will be written"
        go.set()
    assert exported.args == [None]
    assert list(tmp_path.iterdir()) == []


# ----- the models ----------------------------------------------------------------------------


def test_the_table_models_pass_qts_model_tester(qtmodeltester, demo: MatrixPage) -> None:
    heatmap = HeatmapModel()
    heatmap.set_matrix(demo.matrix)
    qtmodeltester.check(heatmap)
    due = DueModel()
    due.set_rows(demo.context.matrix.due_for_refresher(), TODAY)
    assert due.rowCount() > 0
    qtmodeltester.check(due)
    due.sort(0, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(due)
    assert heatmap.rowCount(heatmap.index(0, 0)) == 0
    assert heatmap.data(QModelIndex()) is None


def test_widgets_have_accessible_names(small: Shown) -> None:
    page = small.page
    named = {w.accessibleName() for w in page.findChildren(QWidget)}
    assert {
        "Hub filter",
        "Role filter",
        "Cohort filter",
        "Organisation filter",
        "Find in matrix",
        "Expiring soon within days",
        "Training matrix",
        "Legend",
        "Due for refresher",
        "Find trainee",
        "Matching trainees",
        "Training record",
        "Export PDF",
        "Export group",
        "Cancel export",
    } <= named


def test_roles_are_edited_per_hub_and_the_matrix_follows(qtbot, small: Shown) -> None:
    """Bristol's operators also need CAPA — ticked under BRI only; London's do not."""
    from trainer_app.ui.dialogs.roles import RolesDialog

    context = small.context
    capa = context.courses.create(CourseFields(code="CAPA", title="Deviations and CAPA"))
    dialog = small.page.edit_roles()
    assert isinstance(dialog, RolesDialog)
    assert dialog.name.text() == "Operator"
    row = next(i for i, c in enumerate(dialog.courses) if c.id == capa.id)
    column = 1 + next(i for i, h in enumerate(dialog.hubs) if h.code == "BRI")
    dialog.grid.item(row, column).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(small.page.matrix_shown, timeout=WAIT):
        dialog.save()  # Tom Reed will need CAPA: the dialog asks first
        assert dialog.confirm_box is not None
        assert dialog.confirm_box.text().startswith("1 person in 1 hub will need CAPA 1.0 by")
        dialog.confirm_box.button(QMessageBox.StandardButton.Save).click()
        dialog.reject()
    assert "Role Operator saved · 3 courses" in dialog.status.text()
    matrix = context.matrix.matrix()
    rows = {p.name: i for i, p in enumerate(matrix.people)}
    column = [c.code for c in matrix.courses].index("CAPA")
    assert (rows["Tom Reed"], column) in matrix.required  # Bristol
    assert (rows["李伟"], column) not in matrix.required  # London
    assert cell(small.page, "Tom Reed", "CAPA") is not None

    dialog = small.page.edit_roles()
    dialog.new_role()
    dialog.name.setText("operator")
    dialog.save()
    assert dialog.name_message.text() == "Role 'operator' already exists"
    assert len(context.matrix.roles()) == 1
    dialog.reject()


def test_training_held_elsewhere_is_recorded_from_the_record_tab(qtbot, small: Shown) -> None:
    page = small.page
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.open_trainee(small.ids["Zoë Adams"])
    dialog = page.record_training()
    assert dialog is not None
    dialog.source.setCurrentIndex(dialog.source.findData("imported"))
    dialog.course.setCurrentIndex(dialog.course.findText("ASEP", Qt.MatchFlag.MatchStartsWith))
    said: list[str] = []
    page.status.connect(said.append)
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        dialog.accept()
    assert said[-1] == "ASEP recorded · the Audit page has the entry"
    assert "Imported history" in page.record_panel.browser.toPlainText()


def test_the_evidence_of_training_held_elsewhere_can_be_saved(
    qtbot, small: Shown, tmp_path: Path
) -> None:
    from PySide6.QtCore import QUrl

    from trainer_app.domain.records import CompletionSource

    context, page = small.context, small.page
    asep = next(c for c in context.courses.list() if c.code == "ASEP")
    done = context.training.add_completion(
        CompletionFields(
            trainee_id=small.ids["Zoë Adams"],
            course_id=asep.id,
            completed_on=date(2026, 7, 2),
            source=CompletionSource.EXTERNAL,
            provider="Cell and Gene Therapy Catapult",
            verified_by="Dr Amara Okafor",
            evidence_name="catapult-asep.pdf",
            evidence=b"%PDF-1.4 certificate",
        )
    )
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.open_trainee(small.ids["Zoë Adams"])
    html = page.record_panel.browser.toHtml()
    assert f"evidence:{done.id}" in html and "catapult-asep.pdf" in html
    target = tmp_path / "copy.pdf"
    page.choose_evidence_path = lambda name: target  # type: ignore[method-assign]
    page.record_panel.browser.anchorClicked.emit(QUrl(f"evidence:{done.id}"))
    assert target.read_bytes() == b"%PDF-1.4 certificate"


def test_a_trainees_waiting_certificates_are_previewed_and_issued_from_the_record(
    qtbot, small: Shown, tmp_path: Path
) -> None:
    page = small.page
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        page.open_trainee(small.ids["Siobhán Ní Bhriain"])
    dialog = page.issue_certificates()
    assert isinstance(dialog, IssueDialog)
    assert dialog.heading.text() == "Siobhán Ní Bhriain: completions without a certificate"
    rows = [dialog.list.topLevelItem(row) for row in range(dialog.list.topLevelItemCount())]
    assert [(r.text(2), r.text(3)) for r in rows] == [
        ("ASEP 1.0", "2 Mar 2026"),
        ("GOWN 4.0", "1 Jun 2026"),
    ]
    assert dialog.count.text() == "2 of 2 ticked"  # one trainee's: all ticked at first
    rows[0].setCheckState(0, Qt.CheckState.Unchecked)
    dialog.ask_folder = lambda: tmp_path  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        dialog.issue_button.click()
    (issued,) = small.context.certificates.register()
    assert (issued.course_code, issued.course_version) == ("GOWN", "4.0")
    qtbot.waitUntil(lambda: issued.number in page.record_panel.browser.toPlainText(), timeout=WAIT)
    assert [dialog.list.topLevelItem(0).text(2)] == ["ASEP 1.0"]  # still there, unticked
    dialog.close_button.click()
    again = page.issue_certificates()
    assert again is not None and again.list.topLevelItemCount() == 1  # ASEP still waits
    again.close_button.click()
