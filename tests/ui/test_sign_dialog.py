"""Signing a record from the trainee's record tab, as a user does it: Sign…, read what is
signed, choose the meaning, type the password, then see the signature on the record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt

from tests.helpers import builders
from tests.ui.test_matrix_page import WAIT, make_page, shown
from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.records import CompletionFields
from trainer_app.services.context import ServiceContext
from trainer_app.ui.matrix.page import MatrixPage
from trainer_app.ui.sign_dialog import SignDialog

PASSWORD = "a long passphrase"


@pytest.fixture
def page(qtbot, context: ServiceContext, answers) -> Iterator[MatrixPage]:
    hub = builders.hub(context)
    course = builders.gowning_and_aseptic(context)[0]
    trainee = builders.trainee(context, hub.id, "TR-000001", "Ελένη Παπαδοπούλου")
    context.training.add_completion(
        CompletionFields(trainee_id=trainee.id, course_id=course.id, completed_on=date(2026, 9, 1))
    )
    admin = context.users.create_first_administrator(
        AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), PASSWORD
    )
    matrix = shown(qtbot, make_page(qtbot, context.signed_in(admin)))
    with qtbot.waitSignal(matrix.record_shown, timeout=WAIT):
        matrix.open_trainee(trainee.id)
    yield matrix
    matrix.wait()


def test_a_record_is_signed_from_the_record_tab(qtbot, page: MatrixPage) -> None:
    assert "No record has been signed." in page.record_panel.browser.toPlainText()
    qtbot.mouseClick(page.record_panel.sign_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, SignDialog) and dialog.isVisible()
    assert dialog.record.currentText().startswith("Completion of GOWN")
    assert "Ελένη Παπαδοπούλου" in dialog.content.toPlainText()
    assert [dialog.meaning.itemText(i) for i in range(dialog.meaning.count())] == [
        "Reviewed by",
        "Approved by",
    ]
    dialog.meaning.setCurrentIndex(1)
    qtbot.keyClicks(dialog.password, "wrong password")
    qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "password is wrong" in dialog.message.text()
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(page.record_shown, timeout=WAIT):
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    text = page.record_panel.browser.toPlainText()
    assert "Approved by Dr Ana Silva (ana)" in text and "— valid" in text
