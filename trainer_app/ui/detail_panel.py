"""The right-hand panel: a read-only description of the selected record."""

from __future__ import annotations

from PySide6.QtWidgets import QTextBrowser


class DetailPanel(QTextBrowser):
    def __init__(self, placeholder: str) -> None:
        super().__init__()
        self._placeholder = placeholder
        self.setAccessibleName("Details")
        self.setOpenLinks(False)
        self.setMinimumWidth(220)
        self.document().setDocumentMargin(12)
        self.show_placeholder()

    def show_placeholder(self) -> None:
        self.setHtml(f"<p style='color:gray'>{self._placeholder}</p>")

    def show_html(self, html: str) -> None:
        self.setHtml(html)
