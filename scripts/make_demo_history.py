"""Plan the demo's history runs once and write their sessions into resources/demo/history.json.

The demo publishes these sessions as they are (deterministic, and fast to build). Run again
after changing the history runs, trainers or facilities:

    .venv/bin/python scripts/make_demo_history.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from trainer_app import resources
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.services.demo_history import plan_history_sessions


def main() -> None:
    path = resources.path("demo", "history.json")
    history = json.loads(path.read_text(encoding="utf-8"))
    history["sessions"] = {}
    path.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.resolve(
            Path(folder) / "demo.db", environ={"TRAINER_APP_DATA_DIR": folder}
        )
        with ServiceContext.open(settings) as context:
            build_demo(context)  # with no sessions given, the history runs stay unpublished
            history["sessions"] = plan_history_sessions(context, history)
    path.write_text(json.dumps(history, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{sum(map(len, history['sessions'].values()))} sessions written to {path}")


if __name__ == "__main__":
    main()
