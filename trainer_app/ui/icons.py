"""The one icon registry: widgets ask for an icon by what it means, never by font glyph."""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import qtawesome
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QPushButton

_NAMES = {
    "network": "mdi6.hospital-building",
    "hub": "mdi6.hospital-building",
    "facility": "mdi6.door",
    "trainer": "mdi6.account-tie",
    "course": "mdi6.book-open-variant",
    "cohort": "mdi6.account-group",
    "trainee": "mdi6.account-school",
    "audit": "mdi6.history",
    "add": "mdi6.plus",
    "edit": "mdi6.pencil",
    "delete": "mdi6.delete-outline",
    "undo": "mdi6.undo",
    "redo": "mdi6.redo",
    "filter": "mdi6.filter-variant",
    "open": "mdi6.folder-open",
    "import": "mdi6.file-import-outline",
    "quit": "mdi6.exit-to-app",
    "details": "mdi6.dock-right",
    "about": "mdi6.information-outline",
    "all": "mdi6.format-list-bulleted",
    "remove": "mdi6.close",
    "warning": "mdi6.alert-circle-outline",
    "plan": "mdi6.calendar-clock",
    "lock": "mdi6.lock",
    "unlock": "mdi6.lock-open-variant-outline",
    "users": "mdi6.account-key-outline",
    "sign_out": "mdi6.logout",
    "previous": "mdi6.chevron-left",
    "next": "mdi6.chevron-right",
    "today": "mdi6.calendar-today",
    "zoom_in": "mdi6.magnify-plus-outline",
    "zoom_out": "mdi6.magnify-minus-outline",
    "fit": "mdi6.arrow-expand-horizontal",
    "solve": "mdi6.play",
    "cancel": "mdi6.stop",
    "publish": "mdi6.upload",
    "compare": "mdi6.compare-horizontal",
    "replan": "mdi6.refresh",
    "refresh": "mdi6.refresh",
    "where": "mdi6.map-marker-question-outline",
    "runs": "mdi6.clipboard-account-outline",
    "enrol": "mdi6.account-plus-outline",
    "withdraw": "mdi6.account-minus-outline",
    "save": "mdi6.content-save-outline",
    "result": "mdi6.clipboard-check-outline",
    "can_go": "mdi6.check-circle-outline",
    "waitlist": "mdi6.timer-sand",
    "refused": "mdi6.close-circle-outline",
    "records": "mdi6.table-check",
    "certificate": "mdi6.certificate-outline",
    "export": "mdi6.file-export-outline",
    "print": "mdi6.printer-outline",
    "preview": "mdi6.file-eye-outline",
    "verify": "mdi6.shield-check-outline",
    "find_trainee": "mdi6.account-search-outline",
    "status_valid": "mdi6.check-bold",
    "status_expiring": "mdi6.exclamation-thick",
    "status_expired": "mdi6.close-thick",
    "status_retrain": "mdi6.refresh",
    "status_due": "mdi6.timer-sand",
    "status_enrolled": "mdi6.arrow-right-thick",
    "status_missing": "mdi6.minus-thick",
}


def names() -> list[str]:
    return list(_NAMES)


def icon(name: str) -> QIcon:
    """The icon for a semantic name such as ``"trainer"`` or ``"undo"``."""
    found: QIcon = qtawesome.icon(_NAMES[name])
    return found


def action_button(name: str, text: str, tip: str = "") -> QPushButton:
    """A button with the icon ``name``; its accessible name is the text without "&" or "…"."""
    button = QPushButton(icon(name), text)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    button.setToolTip(tip)
    return button
