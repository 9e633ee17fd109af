"""Two people edit the same trainer at once on one shared store (docs/working-together.md);
saves what the second one sees: the conflict, then the trainer saved with both edits.

Usage: python scripts/two_windows.py [--database URL] [--out DIR]
Without --database a PostgreSQL server is started on loopback in a temporary folder (the tests'
``tests.helpers.postgres``) and the demo is built into it. Look at every image it saves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from scripts.screenshots import ROOT, laptop_screen, settle
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.app import create_main_window
from trainer_app.ui.records import TRAINER

PASSWORD = "gmp-demo-2026"


def over(window: QWidget, dialogs: list[QWidget], path: Path) -> None:
    """The window with its open ``dialogs`` drawn on top, centred as a window manager would."""
    picture = window.grab()
    painter = QPainter(picture)
    for dialog in dialogs:
        shown = dialog.grab()
        corner = QPoint(
            (picture.width() - shown.width()) // 2, (picture.height() - shown.height()) // 2
        )
        painter.drawPixmap(corner, shown)
    painter.end()
    picture.save(str(path))


def type_into(widget: QWidget, text: str) -> None:
    widget.setFocus()
    if isinstance(widget, QLineEdit):
        widget.selectAll()
    QTest.keyClicks(widget, text)


def story(url: str, scratch: Path, out: Path, app: QApplication) -> None:
    def settings(who: str) -> Settings:
        return Settings.resolve(
            None,
            environ={
                "TRAINER_APP_DATA_DIR": str(scratch / "data"),
                "TRAINER_APP_DATABASE_URL": url,
            },
        )

    with ServiceContext.open(settings("admin")) as first:
        if not first.users.has_accounts():
            print("building the demo on the server…", flush=True)
            build_demo(first)
    admin_context = ServiceContext.open(settings("admin"))
    coordinator_context = ServiceContext.open(settings("coordinator"))
    admin = admin_context.signed_in(admin_context.users.sign_in("admin", PASSWORD))
    coordinator = coordinator_context.signed_in(
        coordinator_context.users.sign_in("coordinator", PASSWORD)
    )
    try:
        ngozi, amara = create_main_window(admin), create_main_window(coordinator)
        for window in (ngozi, amara):
            window.show()
            window.show_page(1)  # Trainers
        settle(app)
        hub = next(h for h in coordinator.hubs.list() if h.code == "LON")
        london = next(t for t in coordinator.trainers.list() if t.hub_id == hub.id)
        # The coordinator opens the trainer first; the administrator then edits and saves.
        mine = amara.editor.edit(TRAINER, london.id)
        assert mine is not None
        other = ngozi.editor.edit(TRAINER, london.id)
        assert other is not None
        type_into(other.findChild(QPlainTextEdit), "Leads the aseptic course from January.")
        other.per_week.setValue(10)
        QTest.mouseClick(other.ok_button, Qt.MouseButton.LeftButton)
        settle(app)
        email = next(e for e in mine.findChildren(QLineEdit) if e.accessibleName() == "E-mail")
        type_into(email, "trainers.london@example.nhs.uk")
        type_into(mine.findChild(QPlainTextEdit), "On study leave in February.")
        QTest.mouseClick(mine.ok_button, Qt.MouseButton.LeftButton)
        settle(app)
        conflict = mine.conflict_dialog
        assert conflict is not None, "no conflict was shown"
        settle(app)
        over(amara, [mine, conflict], out / "conflict.png")
        apply = next(
            b
            for b in conflict.findChildren(QPushButton)
            if b.accessibleName() == "Apply mine on top"
        )
        QTest.mouseClick(apply, Qt.MouseButton.LeftButton)
        settle(app)
        amara.page.tables[0].select_id(london.id)
        settle(app)
        amara.grab().save(str(out / "conflict-resolved.png"))
        saved = coordinator.trainers.get(london.id)
        print(f"saved: name={saved.name!r} email={saved.email!r} notes={saved.notes!r}")
        for window in (ngozi, amara):
            window.close()
    finally:
        admin_context.close()
        coordinator_context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", help="a postgresql+psycopg:// URL (default: a new server)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="trainer-two-windows-"))
    app = laptop_screen(scratch)
    args.out.mkdir(parents=True, exist_ok=True)
    server = None
    try:
        url = args.database
        if url is None:
            from tests.helpers import postgres

            folder = Path(tempfile.mkdtemp(prefix="trainer-app-postgres-"))
            server = postgres.start(folder)
            url = server.new_database()
        story(url, scratch, args.out, app)
    finally:
        if server is not None:
            server.stop()
            shutil.rmtree(server.folder, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"Screenshots saved in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
