"""Backups of the live store and restoring them: whole or not at all, checked before anything
is replaced, audited; every bad file refused with the store left as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import builders
from tests.helpers.demo import DemoFiles
from tests.integration.test_store import read_only_folder
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.errors import StoreError, StoreRefused, ValidationError
from trainer_app.persistence.backup import Cancelled
from trainer_app.services.backup import restore
from trainer_app.services.context import ServiceContext

__all__ = ["read_only_folder"]


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoFiles:
    copy = demo_files.copy_to(tmp_path / "copy")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(copy.data_dir))
    return copy


def settings_of(files: DemoFiles) -> Settings:
    return Settings.resolve(files.database)


def trainees(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        count = connection.execute("SELECT count(*) FROM trainees").fetchone()[0]
    connection.close()
    return int(count)


def test_a_backup_is_whole_checked_and_audited(demo: DemoFiles, tmp_path: Path) -> None:
    target = tmp_path / "hub-backup.db"
    with ServiceContext.open(settings_of(demo)) as context:
        done = context.backups.backup(target)
        entries = context.audit.history("backup", 0)
    assert done.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert (tmp_path / "hub-backup.db.sha256").read_text() == f"{done.sha256}  hub-backup.db\n"
    assert not Path(f"{target}-wal").exists()  # one file, whatever the store's journal
    assert trainees(target) == trainees(demo.database) == 300
    assert [e.entity_label for e in entries] == ["hub-backup.db"]
    assert {c.field: c.new for c in entries[0].changes}["sha256"] == done.sha256
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("where", ["exists", "folder", "missing-folder"])
def test_a_backup_never_overwrites_or_half_writes(
    demo: DemoFiles, tmp_path: Path, where: str
) -> None:
    target = {
        "exists": tmp_path / "taken.db",
        "folder": tmp_path,
        "missing-folder": tmp_path / "nowhere" / "b.db",
    }[where]
    if where == "exists":
        target.write_bytes(b"mine")
    with ServiceContext.open(settings_of(demo)) as context, pytest.raises(StoreError):
        context.backups.backup(target)
    if where == "exists":
        assert target.read_bytes() == b"mine"
    assert not (tmp_path / "nowhere").exists()


def test_a_read_only_backup_folder_is_refused(demo: DemoFiles, read_only_folder: Path) -> None:
    with (
        ServiceContext.open(settings_of(demo)) as context,
        pytest.raises(StoreError, match="read-only"),
    ):
        context.backups.backup(read_only_folder / "b.db")
    assert list(read_only_folder.iterdir()) == []


@pytest.fixture
def full_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 256 KiB file system: the disk a backup fills before it is done."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_full_disk_is_said_in_words_and_leaves_nothing(
    demo: DemoFiles, full_folder: Path
) -> None:
    with ServiceContext.open(settings_of(demo)) as context:
        before = len(context.audit.query_ids())
        with pytest.raises(StoreError, match=r"database or disk is full\); nothing was written"):
            context.backups.backup(full_folder / "b.db")
        assert len(context.audit.query_ids()) == before  # no backup recorded
    assert list(full_folder.iterdir()) == []


def test_a_cancelled_backup_leaves_nothing(demo: DemoFiles, tmp_path: Path) -> None:
    target = tmp_path / "stopped.db"
    with ServiceContext.open(settings_of(demo)) as context, pytest.raises(Cancelled):
        context.backups.backup(target, should_stop=lambda: True)
    assert list(tmp_path.glob("*stopped*")) == []


def test_restoring_a_backup_brings_back_its_state_and_keeps_the_current_aside(
    demo: DemoFiles, tmp_path: Path
) -> None:
    settings = settings_of(demo)
    target = tmp_path / "before-newcastle.db"
    with ServiceContext.open(settings) as context:
        context.backups.backup(target)
        builders.hub(context, "NEW", "Newcastle")
    restored = restore(settings, target)
    assert restored.kept is not None and restored.kept.exists()
    with ServiceContext.open(settings) as context:
        assert "NEW" not in {h.code for h in context.hubs.list()}
        assert context.audit.verify().intact  # the restore is the new last seen, and sealed
        last = context.audit.history("backup", 0)[-1]
        assert last.entity_label == "Restored from before-newcastle.db"
    kept = Settings.resolve(restored.kept)
    with ServiceContext.open(kept) as context:  # nothing of the replaced store is lost
        assert "NEW" in {h.code for h in context.hubs.list()}


def test_a_backup_restores_into_a_new_file(demo: DemoFiles, tmp_path: Path) -> None:
    target = tmp_path / "b.db"
    with ServiceContext.open(settings_of(demo)) as context:
        context.backups.backup(target)
    fresh = tmp_path / "elsewhere" / "copy.db"
    fresh.parent.mkdir()
    assert restore(Settings.resolve(fresh), target).kept is None
    assert trainees(fresh) == 300


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 3]))
    elif how == "flipped":
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif how == "foreign-sqlite":
        path.unlink()
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY)")
        connection.close()
    elif how == "newer":
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE alembic_version SET version_num = '9001'")
        connection.close()
    elif how == "text":
        path.write_text("name,reference\nZoë,TR-1\n")
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "tampered-trail":
        with sqlite3.connect(path) as connection:
            connection.executescript(
                "DROP TRIGGER audit_entries_no_update;"
                "UPDATE audit_entries SET actor = 'mallory' WHERE id = 10;"
            )
        connection.close()


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("truncated", "differs from the one in"),
        ("flipped", "differs from the one in"),
        ("foreign-sqlite", "differs from the one in"),
        ("newer", "differs from the one in"),
        ("text", "not an SQLite database"),
        ("empty", "not an SQLite database"),
        ("tampered-trail", "differs from the one in"),
    ],
)
def test_a_bad_backup_is_refused_and_the_store_is_untouched(
    demo: DemoFiles, tmp_path: Path, how: str, said: str
) -> None:
    refused_untouched(demo, tmp_path, how, said, checksum=True)


def refused_untouched(
    demo: DemoFiles, tmp_path: Path, how: str, said: str, *, checksum: bool
) -> None:
    """Back the demo up, damage the backup ``how``, and see restoring it refused, the store
    byte for byte as it was and nothing set aside."""
    settings = settings_of(demo)
    target = tmp_path / "b.db"
    with ServiceContext.open(settings) as context:
        context.backups.backup(target)
    if not checksum:
        (tmp_path / "b.db.sha256").unlink()
    damage(target, how)
    before = demo.database.read_bytes()
    with pytest.raises(StoreRefused, match=said):
        restore(settings, target)
    assert demo.database.read_bytes() == before
    assert list(demo.database.parent.glob("*before-restore*")) == []


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("truncated", "cannot be restored"),
        ("foreign-sqlite", "not a trainer-app"),
        ("newer", "newer version of trainer-app"),
        ("tampered-trail", "cannot be restored: The audit trail is broken: audit entry 10"),
    ],
)
def test_without_its_checksum_file_the_backup_itself_is_checked(
    demo: DemoFiles, tmp_path: Path, how: str, said: str
) -> None:
    refused_untouched(demo, tmp_path, how, said, checksum=False)


def test_a_pipe_or_device_is_refused_without_waiting_on_it(demo: DemoFiles, tmp_path: Path) -> None:
    pipe = tmp_path / "backup.db"
    os.mkfifo(pipe)
    before = demo.database.read_bytes()
    for path in (pipe, Path("/dev/zero")):
        with pytest.raises(StoreError, match="not a regular file"):
            restore(settings_of(demo), path)
    assert demo.database.read_bytes() == before


def test_a_name_too_long_is_refused_in_words(demo: DemoFiles, tmp_path: Path) -> None:
    """Found by the monkey: a 300-character name raised OSError through the restore check."""
    long = tmp_path / ("x" * 300)
    with pytest.raises(StoreError, match="cannot be read .File name too long"):
        restore(settings_of(demo), long)
    with (
        ServiceContext.open(settings_of(demo)) as context,
        pytest.raises(StoreError, match="Cannot write the backup to .*File name too long"),
    ):
        context.backups.backup(long)


def test_a_backup_of_another_database_is_refused(
    demo: DemoFiles, tmp_path: Path, data_dir: Path
) -> None:
    other = Settings.resolve(tmp_path / "other.db", environ={"TRAINER_APP_DATA_DIR": str(data_dir)})
    with ServiceContext.open(other) as context:
        builders.hub(context)
        context.backups.backup(tmp_path / "other-backup.db")
    before = demo.database.read_bytes()
    with pytest.raises(StoreRefused, match="backup of another database"):
        restore(settings_of(demo), tmp_path / "other-backup.db")
    assert demo.database.read_bytes() == before


def test_automatic_backups_keep_the_newest_as_set(demo: DemoFiles) -> None:
    with ServiceContext.open(settings_of(demo)) as context:
        context.backups.set_backups_to_keep(2)
        made = [context.backups.on_exit() for _ in range(3)]
        kept = context.backups.automatic_backups()
        assert [p.path for p in made[1:] if p] == kept
        context.backups.set_backups_to_keep(0)
        assert context.backups.on_exit() is None
        for wrong in (-1, 366):
            with pytest.raises(ValidationError, match="0 \\(none\\) to 365"):
                context.backups.set_backups_to_keep(wrong)
        assert context.backups.backups_to_keep() == 0


def test_the_commands_back_up_and_restore(
    demo: DemoFiles,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "cli.db"
    monkeypatch.setenv("TRAINER_APP_PASSWORD", "gmp-demo-2026")  # the demo's accounts'
    as_admin = ["--user", "admin", "--database", str(demo.database)]
    assert main(["backup", *as_admin, "-o", str(target)]) == 0
    assert "Backed up to" in capsys.readouterr().out
    assert main(["backup", *as_admin, "-o", str(target)]) == 1
    assert "already exists" in capsys.readouterr().err
    # Restoring replaces the whole store: administrators only.
    coordinator = ["--user", "coordinator", "--database", str(demo.database)]
    assert main(["restore", str(target), *coordinator]) == 1
    assert "only an administrator may restore a backup" in capsys.readouterr().err
    assert main(["restore", str(target), *as_admin]) == 0
    assert "the database it replaced is kept at" in capsys.readouterr().out
    assert main(["audit", "verify", "--database", str(demo.database)]) == 0
