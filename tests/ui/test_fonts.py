from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QFont, QRawFont

from tests.helpers.demo import DemoFiles
from trainer_app.ui.app import prepare_application
from trainer_app.ui.fonts import register_fonts

NAMES = ["Zoë", "Siobhán", "Łukasz", "Ελένη", "Дмитрий", "李伟", "山田花子", "김민준", "محمد"]


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no shipped (registered) family can draw."""
    families = register_fonts()
    raw_fonts = [QRawFont.fromFont(QFont(family)) for family in families]
    assert all(raw.familyName() in families for raw in raw_fonts)  # no silent system fallback
    return [c for c in text if not any(raw.supportsCharacter(ord(c)) for raw in raw_fonts)]


def test_every_character_of_international_names_has_a_shipped_glyph(qapp) -> None:
    assert missing_glyphs("".join(NAMES)) == []


def test_application_font_lists_shipped_families_in_fallback_order(qapp) -> None:
    app = prepare_application([])
    families = app.font().families()
    assert families == register_fonts()
    assert families[:2] == ["Noto Sans", "Noto Sans Arabic"]
    assert "Droid Sans Fallback" in families


START = """
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QLineEdit, QTableView

from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window


def shown() -> bool:
    return any(
        view.isVisible() and "राहुल" in str(view.model().index(0, 0).data())
        for view in window.findChildren(QTableView)
    )


context = ServiceContext.open(Settings.resolve(Path(sys.argv[1])), create=False)
window = create_main_window(context)
window.resize(1366, 768)
window.show()
window.show_page(3)  # Cohorts & trainees
box = next(e for e in window.findChildren(QLineEdit) if e.accessibleName() == "Filter trainees")
box.setText("राहुल")
deadline = time.monotonic() + 30
while not shown() and time.monotonic() < deadline:
    QApplication.processEvents()
window.grab()  # draws every visible name
print("shown" if shown() else "not shown")
window.close()
context.close()
"""


def test_a_start_with_a_devanagari_name_on_screen_prints_no_font_notes(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    """Qt noted "OpenType support missing for "Noto Sans", script 11" for each shipped family
    before the Devanagari one, on every start: a fresh process, as a user starts the app."""
    demo = demo_files.copy_to(tmp_path / "demo")
    started = subprocess.run(
        [sys.executable, "-c", START, str(demo.database)],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "TRAINER_APP_DATA_DIR": str(demo.data_dir),
        },
        check=True,
    )
    assert started.stdout == "shown\n"
    assert "OpenType support missing" not in started.stderr
    assert "qt.text.font.db" not in started.stderr
