from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from tests.helpers import builders as b
from trainer_app import __version__
from trainer_app.ui.app import create_main_window
from trainer_app.ui.certificates.page import CertificatesPage
from trainer_app.ui.matrix.page import MatrixPage
from trainer_app.ui.pages.audit import AuditPage
from trainer_app.ui.pages.cohorts import CohortsPage
from trainer_app.ui.pages.courses import CoursesPage
from trainer_app.ui.pages.network import NetworkPage
from trainer_app.ui.pages.trainers import TrainersPage
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.runs.page import RunsPage


def test_ctrl_digits_switch_pages(qtbot, window) -> None:
    expected = [
        NetworkPage,
        TrainersPage,
        CoursesPage,
        CohortsPage,
        PlanPage,
        RunsPage,
        MatrixPage,
        CertificatesPage,
        AuditPage,
    ]
    for number, page_class in reversed(list(enumerate(expected, start=1))):
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
        assert isinstance(window.page, page_class)
        assert window.navigation.currentRow() == number - 1


def test_ctrl_f_focuses_the_filter_and_filters_after_a_pause(qtbot, window, context) -> None:
    hub = b.hub(context)
    b.trainer(context, hub.id, "Dr Amara Okafor")
    b.trainer(context, hub.id, "Łukasz Wiśniewski")
    window.show_page(1)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    table = window.page.tables[0]
    assert table.filter_box.hasFocus()
    qtbot.keyClicks(table.filter_box, "lukasz")
    qtbot.waitUntil(lambda: table.model.rowCount() == 1, timeout=1000)
    assert table.model.data(table.model.index(0, 0)) == "Łukasz Wiśniewski"
    qtbot.keyClicks(table.filter_box, "zzz")
    qtbot.waitUntil(lambda: table.model.rowCount() == 0, timeout=1000)
    assert "No trainers match “lukaszzzz”" in table.empty.text()


def test_selecting_a_hub_narrows_facilities_and_fills_the_details(qtbot, window, context) -> None:
    london, leeds = b.hub(context, "LON", "London"), b.hub(context, "LDS", "Leeds")
    b.facility(context, london.id, "LON-CR1")
    b.facility(context, leeds.id, "LDS-CR1")
    window.show_page(0)
    page = window.page
    assert page.detail.model.rowCount() == 2
    page.master.select_id(leeds.id)
    assert page.detail.model.rowCount() == 1
    assert "Hub Leeds" in page.details.toPlainText()
    assert "Created" in page.details.toPlainText()  # its audit history
    qtbot.mouseClick(page.detail.all_button, Qt.MouseButton.LeftButton)
    assert page.detail.model.rowCount() == 2


def test_trainer_details_list_qualifications_by_course_code(window, context) -> None:
    hub = b.hub(context)
    gown = b.course(context, "GOWN", title="Gowning")
    trainer = b.trainer(context, hub.id, "Dr Amara Okafor", gown)
    window.show_page(1)
    window.page.tables[0].select_id(trainer.id)
    text = window.page.details.toPlainText()
    assert "Qualified to teach" in text and "GOWN" in text and "Gowning" in text


def test_audit_page_shows_old_and_new_values(window, context) -> None:
    hub = b.hub(context)
    context.hubs.update(
        hub.id,
        hub.row_version,
        dataclasses.replace(context.hubs.get(hub.id), name="Greater London"),
    )
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, AuditPage)))
    table = window.page.tables[0]
    table.select_row(0)  # newest first
    text = window.page.details.toPlainText()
    assert "Changes" in text and "London" in text and "Greater London" in text


def test_layout_and_page_are_remembered(qtbot, context) -> None:
    first = create_main_window(context)
    qtbot.addWidget(first)
    first.show()
    first.resize(1000, 560)
    first.show_page(2)
    first.set_details_visible(False)
    first.close()

    second = create_main_window(context)
    qtbot.addWidget(second)
    second.show()
    assert second.stack.currentIndex() == 2
    # The offscreen screen is 800 px wide, so Qt clamps the width; the height fits and persists.
    assert second.height() == 560
    assert not second.details_action.isChecked()
    second.close()


def test_about_names_version_database_and_font_licences(window, context) -> None:
    text = window.about_text()
    assert __version__ in text and context.database_name in text
    assert "Open Font License" in text and "PySide6" in text


def test_open_database_reopens_the_window_on_another_file(qtbot, window, tmp_path) -> None:
    """A new file has no account yet: its administrator is made first, then it opens."""
    dialog = window.open_database(tmp_path / "other.db")
    assert dialog is not None and dialog.first
    assert window.isVisible()  # nothing is handed over until someone signs in
    qtbot.keyClicks(dialog.username, "ops")
    qtbot.keyClicks(dialog.full_name, "Ife Okonkwo")
    qtbot.keyClicks(dialog.password, "a long passphrase")
    qtbot.keyClicks(dialog.repeat, "a long passphrase")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    other = window.successor
    assert other is not None
    qtbot.addWidget(other)
    assert "other.db" in other.context.database_name
    assert other.person_label.text() == "Signed in: Ife Okonkwo (administrator)"
    assert not window.isVisible()
    other.close()


def test_filter_boxes_have_accessible_names(window) -> None:
    names = {w.accessibleName() for w in window.findChildren(QLineEdit)}
    assert {"Filter hubs", "Filter facilities", "Filter trainers", "Filter courses"} <= names


def test_ctrl_f_on_cohorts_page_searches_trainees_first(qtbot, window, context) -> None:
    hub = b.hub(context)
    b.trainee(context, hub.id, "TR-000001", "Łukasz Nowak")
    b.trainee(context, hub.id, "TR-000002", "Zoë Clarke")
    window.show_page(3)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    trainees = window.page.tables[-1]
    assert trainees.filter_box.hasFocus()
    qtbot.keyClicks(trainees.filter_box, "zoe")
    qtbot.waitUntil(lambda: trainees.model.rowCount() == 1, timeout=1000)


def test_dialogs_open_large_enough_to_show_their_fields(qtbot, window, context) -> None:
    b.hub(context)
    window.show_page(1)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.editor.dialog
    assert dialog.height() >= dialog.form.sizeHint().height()
    assert dialog.width() >= 600
    dialog.reject()


def test_an_upgraded_database_names_its_backup(qtbot, tmp_path) -> None:
    from pathlib import Path

    from trainer_app.config import Settings
    from trainer_app.services.context import ServiceContext
    from trainer_app.ui.main_window import MainWindow

    path = tmp_path / "older.db"
    settings = Settings.resolve(path, environ={"TRAINER_APP_DATA_DIR": str(tmp_path)})
    ServiceContext.open(settings).close()
    migrations = Path(__file__).parents[1] / "helpers" / "migrations"
    context = ServiceContext.open(settings, extra_migrations=(migrations,))
    window = MainWindow(context, owns_context=True)
    qtbot.addWidget(window)
    assert "previous version is kept in" in window.statusBar().currentMessage()
    assert str(context.upgrade_backup) in window.statusBar().currentMessage()
    window.close()


def test_ctrl_r_opens_the_selected_trainees_record(qtbot, window, context) -> None:
    hub = b.hub(context)
    trainee = b.trainee(context, hub.id, "TR-000001", "Siobhán Ní Bhriain")
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, CohortsPage)))
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "Select a trainee" in window.statusBar().currentMessage()
    assert window.page.detail.select_id(trainee.id)
    records = next(p for p in window.pages if isinstance(p, MatrixPage))
    with qtbot.waitSignal(records.record_shown, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert window.page is records
    assert "Siobhán Ní Bhriain" in records.record_panel.browser.toPlainText()
    records.wait()
