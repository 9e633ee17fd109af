"""The Certificates page on the demo database, by mouse and keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from tests.helpers.user import click, click_row, row_of, type_text
from tests.ui.usage.test_selection import page
from trainer_app.ui.certificates.dialogs import PreviewDialog


def test_reissue_with_only_revoked_ones_listed_shows_the_new_certificate(
    qtbot, laptop_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the monkey: the new certificate was not in the filtered list, and the page
    failed looking for it."""
    certificates = page(laptop_window, "Certificates")
    certificates.status_box.setCurrentIndex(certificates.status_box.findText("Revoked"))
    view = certificates.view
    assert view.model().rowCount() >= 1
    revoked = view.model().index(0, 0).data()
    click_row(view, 0, 1)
    monkeypatch.setattr(
        QInputDialog, "getText", staticmethod(lambda *_a, **_k: ("Name misspelt again", True))
    )
    click(certificates.reissue_button)
    new = certificates.selected()
    assert new is not None and new.number != revoked
    assert certificates.status_box.currentText() == "All certificates"
    assert row_of(view, new.number) == view.currentIndex().row()
    dialog = certificates.dialog
    assert isinstance(dialog, PreviewDialog) and dialog.isVisible()
    dialog.reject()


def test_typing_a_search_runs_it_once_the_typing_pauses(
    qtbot, laptop_window, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the monkey: each key searched the register and redrew the list, so thirty
    quick keys on a busy machine froze the window for a minute."""
    certificates = page(laptop_window, "Certificates")
    service = certificates.context.certificates
    searched: list[str] = []
    register = service.register

    def counted(text: str = "", **kwargs: object) -> object:
        searched.append(text)
        return register(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "register", counted)
    type_text(certificates.search, "x" * 30)
    qtbot.waitUntil(lambda: certificates.view.model().rowCount() == 0)
    assert searched == ["x" * 30]
