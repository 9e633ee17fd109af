"""The layer rules of ARCHITECTURE.md, checked by import-linter on every test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and " kept" in result.stdout


def test_resources_are_found_through_one_module() -> None:
    from trainer_app import resources

    fonts = resources.fonts()
    assert fonts[0].name.startswith("NotoSans-")
    assert any(f.name == "DroidSansFallback-CJK.ttf" for f in fonts)
    offenders = [
        path.relative_to(ROOT)
        for path in (ROOT / "trainer_app").rglob("*.py")
        if path.name != "resources.py" and '"resources"' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
