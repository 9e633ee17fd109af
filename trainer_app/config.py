"""One configuration object: where the database and the user's files live.

Precedence for the database: ``--database PATH|URL`` > ``TRAINER_APP_DATABASE_URL`` > the
default SQLite file in the user data directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

from trainer_app import APP_NAME

DATABASE_URL_ENV = "TRAINER_APP_DATABASE_URL"
DATA_DIR_ENV = "TRAINER_APP_DATA_DIR"


# A database URL (``postgresql+psycopg://…``, ``sqlite:///…``) rather than a file's path.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def database_location(text: str) -> Path | str:
    """What ``--database`` names: a URL as given, anything else a file's path."""
    return text if _URL.match(text) else Path(text)


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file (absolute paths give four slashes)."""
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path

    @property
    def ui_settings_file(self) -> Path:
        """Window geometry, splitter positions and view preferences (an INI file)."""
        return self.data_dir / "ui.ini"

    @property
    def key_folder(self) -> Path:
        """The certificate signing key and its public key (never in the database file)."""
        return self.data_dir / "keys"

    @property
    def demo_database(self) -> Path:
        return self.data_dir / "demo.db"

    @classmethod
    def resolve(
        cls,
        database: Path | str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """``database``: an SQLite file's path, or a database URL (``database_location``)."""
        env = os.environ if environ is None else environ
        data_dir = Path(
            env.get(DATA_DIR_ENV) or PlatformDirs(APP_NAME, appauthor=False).user_data_dir
        )
        if isinstance(database, str):
            database = database_location(database)
        if isinstance(database, str):
            url = database
        elif database is not None:
            url = sqlite_url(database.expanduser().absolute())
        elif env.get(DATABASE_URL_ENV):
            url = env[DATABASE_URL_ENV]
        else:
            url = sqlite_url(data_dir / "trainer.db")
        return cls(database_url=url, data_dir=data_dir)

    def with_database(self, path: Path) -> Settings:
        url = sqlite_url(path.expanduser().absolute())
        return Settings(database_url=url, data_dir=self.data_dir)
