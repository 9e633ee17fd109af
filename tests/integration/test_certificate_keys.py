"""Key custody (issue 12): a signing key is created only on an explicit first set-up, a missing
key is refused with what to do, a public key file is never overwritten, verifying needs no
private key, and rotation keeps older certificates verifying."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests.integration.test_enrolment import World, complete_gown, world
from trainer_app.certificates import keys
from trainer_app.cli import main
from trainer_app.domain.certificates import Verdict, split_payload
from trainer_app.domain.errors import DomainError

pytestmark = pytest.mark.both_stores

__all__ = ["world"]


def _issue_one(w: World, person: int) -> str:
    complete_gown(w, w.people[person], date(2026, 6, 1))
    (completion,) = w.ctx.training.completions_of(w.people[person])
    return w.ctx.certificates.issue(completion.id)[1].payload


def test_a_lost_key_is_refused_never_replaced(world: World, tmp_path: Path) -> None:
    w = world
    service = w.ctx.certificates
    first = service.prepare_key()  # a store that never issued, a folder without a key
    assert first.created and "back it up" in first.news
    genuine = _issue_one(w, 0)
    folder = service.key_folder
    public_before = (folder / keys.PUBLIC_NAME).read_bytes()

    (folder / keys.PRIVATE_NAME).unlink()
    with pytest.raises(DomainError, match="is missing.*Restore it from your backup"):
        _issue_one(w, 1)
    with pytest.raises(DomainError, match="is missing"):
        service.prepare_key()
    with pytest.raises(DomainError, match="already holds"):
        service.init_key()  # the public key is still there: the key was lost, not never made
    # nothing was created, nothing overwritten, and verifying still works (public key only)
    assert not (folder / keys.PRIVATE_NAME).exists()
    assert (folder / keys.PUBLIC_NAME).read_bytes() == public_before
    assert service.verify(genuine)[0] is Verdict.VALID


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_cli_refuses_a_missing_key_and_verifies_without_it(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = world
    genuine = _issue_one(w, 0)
    complete_gown(w, w.people[1], date(2026, 6, 2))
    folder = w.ctx.certificates.key_folder
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    os.environ["TRAINER_APP_DATA_DIR"] = str(w.ctx.settings.data_dir)
    try:
        public_before = (folder / keys.PUBLIC_NAME).read_bytes()
        (folder / keys.PRIVATE_NAME).unlink()
        out = tmp_path / "out"
        issue = ["certificate", "issue", "--trainee", "TR-000002", "-o", str(out)]
        assert main([*issue, "--database", database]) == 1
        said = capsys.readouterr()
        assert "is missing; no certificate can be signed. Restore it" in said.err
        assert "Traceback" not in said.err and not out.exists()
        verify = ["certificate", "verify", "--payload", genuine, "--database", database]
        assert main(verify) == 0
        assert capsys.readouterr().out.startswith("valid: ")
        assert not (folder / keys.PRIVATE_NAME).exists()
        assert (folder / keys.PUBLIC_NAME).read_bytes() == public_before
    finally:
        del os.environ["TRAINER_APP_DATA_DIR"]


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_init_key_once_then_rotation_keeps_old_certificates_verifying(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = world
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    folder = w.ctx.certificates.key_folder
    os.environ["TRAINER_APP_DATA_DIR"] = str(w.ctx.settings.data_dir)
    try:
        assert main(["certificate", "init-key", "--database", database]) == 0
        assert "A new certificate signing key" in capsys.readouterr().out
        assert main(["certificate", "init-key", "--database", database]) == 1
        assert "already holds a certificate signing key" in capsys.readouterr().err
        old_payload = _issue_one(w, 0)
        old = split_payload(old_payload)[0].key
        old_copy = tmp_path / "old.pdf"
        assert main(["certificate", "reprint", split_payload(old_payload)[0].number, "-o",
                     str(old_copy), "--database", database]) == 0  # fmt: skip
        capsys.readouterr()

        assert main(["certificate", "rotate-key", "--database", database]) == 0
        said = capsys.readouterr().out
        assert f"Key {old} retired: certificates it signed still verify" in said
        assert (folder / keys.RETIRED / f"{old}.pub.pem").exists()
        new_payload = _issue_one(w, 1)
        assert split_payload(new_payload)[0].key != old  # new ones: the new key
        for payload in (old_payload, new_payload):
            assert w.ctx.certificates.verify(payload)[0] is Verdict.VALID
        assert main(["certificate", "verify", str(old_copy), "--database", database]) == 0
        # the old certificate reprints as the very same file (the retired key signs it)
        again = tmp_path / "again.pdf"
        number = split_payload(old_payload)[0].number
        reprint = ["certificate", "reprint", number, "-o", str(again)]
        assert main([*reprint, "--database", database]) == 0
        assert again.read_bytes() == old_copy.read_bytes()
    finally:
        del os.environ["TRAINER_APP_DATA_DIR"]
