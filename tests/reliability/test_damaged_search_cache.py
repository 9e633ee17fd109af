"""The planner's compiled search is cached on disk (numba, in the user's cache folder). A cache
file left damaged (the machine stopped while it was written, a bad disk) must not stop anyone
planning: the damaged files are forgotten and the search compiled afresh.

One compile (about 20 s on the 2-core CI machine) in a separate process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trainer_app.scheduling import local_search

pytestmark = pytest.mark.slow

WARM_UP = "from trainer_app.scheduling import local_search; print(local_search.warm_up())"


def test_a_damaged_cache_is_compiled_afresh_and_planning_goes_on(tmp_path: Path) -> None:
    local_search.warm_up()  # this process's cache holds the compiled search
    cache = tmp_path / "numba"
    shutil.copytree(os.environ["NUMBA_CACHE_DIR"], cache)
    compiled = sorted(cache.rglob("_anneal.*.nb[ic]"))
    assert compiled, "the compiled search was not in the cache"
    for path in compiled:
        path.write_bytes(b"\xb8 not a pickle")

    result = subprocess.run(
        [sys.executable, "-c", WARM_UP],
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) > 0
    assert "compiled search was damaged in the cache" in result.stderr
    written = sorted(cache.rglob("_anneal.*.nb[ic]"))
    assert written and all(p.read_bytes() != b"\xb8 not a pickle" for p in written)
