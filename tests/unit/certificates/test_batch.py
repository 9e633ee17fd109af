"""A batch of signed certificates on every core: the files, the signed print file, progress
certificate by certificate, and cancel that keeps what was written and leaves no half file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pypdf import PdfReader

from tests.unit.certificates.test_render import batch
from trainer_app.certificates import keys
from trainer_app.certificates.batch import write_batch
from trainer_app.certificates.verify import check_file
from trainer_app.domain.certificates import Verdict


def _signed(count: int, key: keys.SigningKey) -> list:  # type: ignore[type-arg]
    return [
        dataclasses.replace(c, payload=key.sign(c.facts(key.fingerprint))) for c in batch(count)
    ]


def test_helpers_write_every_file_signed_with_progress(tmp_path: Path) -> None:
    key = keys.create_first(tmp_path / "keys")
    contents = _signed(10, key)
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []
    written: list[str] = []
    paths = write_batch(
        contents,
        out,
        out / "all.pdf",
        key,
        progress=lambda done, total: seen.append((done, total)),
        on_written=lambda done: written.extend(number for number, _ in done),
        workers=2,
    )
    assert [p.stem for p in paths] == [c.number for c in contents] == written
    assert seen[-1] == (10, 10) and len(seen) >= 2  # as certificates are done, not at the end
    assert len(PdfReader(out / "all.pdf").pages) == 10
    assert check_file(paths[3], [key.public]).verdict is Verdict.VALID
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{c.number}.pdf" for c in contents] + ["all.pdf"]
    )


def test_cancel_keeps_what_was_written_and_no_half_file(tmp_path: Path) -> None:
    key = keys.create_first(tmp_path / "keys")
    contents = _signed(12, key)
    out = tmp_path / "out"
    seen: list[int] = []
    paths = write_batch(
        contents,
        out,
        out / "all.pdf",
        key,
        progress=lambda done, _total: seen.append(done),
        should_stop=lambda: bool(seen) and seen[-1] >= 3,
        workers=2,
    )
    assert 3 <= len(paths) < 12
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no print file
