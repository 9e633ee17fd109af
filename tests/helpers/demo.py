"""The demo database as a user gets it from ``trainer-app demo``, built once per test session:
its file and the data folder holding the key its certificates were signed with."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext


@dataclass(frozen=True)
class DemoFiles:
    database: Path
    data_dir: Path

    @classmethod
    def build(cls, folder: Path) -> DemoFiles:
        from trainer_app.services.demo import build_demo  # the planner: only when asked

        files = cls(folder / "demo.db", folder / "data")
        settings = Settings.resolve(
            files.database, environ={"TRAINER_APP_DATA_DIR": str(files.data_dir)}
        )
        with ServiceContext.open(settings) as context:
            build_demo(context)
        return files

    def copy_to(self, folder: Path) -> DemoFiles:
        """A copy to change freely: the database file and the data folder with its key."""
        folder.mkdir(parents=True, exist_ok=True)
        copy = DemoFiles(folder / "demo.db", folder / "data")
        shutil.copyfile(self.database, copy.database)
        shutil.copytree(self.data_dir, copy.data_dir)
        return copy
