"""Cold start to a usable main window on the demo database (target ≤ 1.5 s).

Each sample is a new Python process, timed from launch until the window has been shown and the
event loop has run once (the window can take input). The baseline is a bare PySide6 QMainWindow
started the same way, so the ratio shows what trainer-app itself adds.

Run: .venv/bin/python benchmarks/startup.py [--repeat 7]   (offscreen unless DISPLAY is set;
under a virtual screen: xvfb-run -a .venv/bin/python benchmarks/startup.py)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD_BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1400, 900)
window.show()
QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
app.exec()
"""

CHILD_APP = """
import sys
from pathlib import Path
import trainer_app.cli  # the same imports as the `trainer-app` command
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from PySide6.QtCore import QTimer
from trainer_app.ui.app import create_main_window, prepare_application
app = prepare_application([])
context = ServiceContext.open(Settings.resolve(Path(sys.argv[1])))
window = create_main_window(context)
window.show()
QTimer.singleShot(0, lambda: (print("READY", flush=True), app.quit()))
app.exec()
window.close()
context.close()
"""


def time_child(code: str, *args: str) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=60)
    if line.strip() != "READY":
        raise SystemExit(f"child did not start (exit {process.returncode})")
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "demo.db"
        env = {**os.environ, "TRAINER_APP_DATA_DIR": folder}
        subprocess.run(
            [sys.executable, "-m", "trainer_app", "demo", "--database", str(database)],
            check=True,
            capture_output=True,
            env=env,
        )
        os.environ["TRAINER_APP_DATA_DIR"] = folder
        time_child(CHILD_BARE)  # warm the OS file cache for both
        time_child(CHILD_APP, str(database))
        bare = [time_child(CHILD_BARE) for _ in range(args.repeat)]
        app = [time_child(CHILD_APP, str(database)) for _ in range(args.repeat)]
    platform = os.environ.get("QT_QPA_PLATFORM", "xcb")
    bare_ms, app_ms = statistics.median(bare), statistics.median(app)
    print(f"platform: {platform}; median of {args.repeat} runs")
    print(f"bare PySide6 QMainWindow: {bare_ms:.0f} ms")
    print(f"trainer-app on the demo database: {app_ms:.0f} ms (target 1500 ms)")
    print(f"ratio: {app_ms / bare_ms:.2f}x")


if __name__ == "__main__":
    main()
