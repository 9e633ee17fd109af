"""Signed certificates: 1 000 in one batch, each its own PDF signed (PAdES, over the whole file,
with the signed QR payload) plus the combined print file, signed too, written on every core.
Target: at most 1.5× the baseline, measured in the same run.

Baseline ("bare ReportLab", as in ``benchmarks/certificates.py``): the same page drawn with
plain canvas calls in one process, unsigned, one file each and one canvas for the combined file.

Both are timed by the clock and by CPU time (this process and its helpers). On a machine
other work is using, the clock says how long the user waited; the CPU time says what the batch
costs, and with it what the same run takes on an idle machine with this many cores.

Run: .venv/bin/python benchmarks/certificates_signed.py [--count 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from certificates import bare_batch, certificates

from trainer_app.certificates import keys
from trainer_app.certificates.batch import workers_available, write_batch
from trainer_app.certificates.verify import check_file
from trainer_app.domain.certificates import Verdict


def _cpu() -> float:
    """CPU seconds of this process and of its helper processes that have finished."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + helpers.ru_utime + helpers.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    workers = args.workers or workers_available()
    folder = Path(tempfile.mkdtemp(prefix="certificates-signed-"))
    try:
        key = keys.create_first(folder / "keys")
        contents = [
            dataclasses.replace(c, payload=key.sign(c.facts(key.fingerprint)))
            for c in certificates(args.count)
        ]
        ours, bare = folder / "signed", folder / "bare"
        ours.mkdir()
        bare.mkdir()
        start, cpu = time.perf_counter(), _cpu()
        bare_batch(contents, bare, bare / "all.pdf", {})
        bare_time, bare_cpu = time.perf_counter() - start, _cpu() - cpu
        start, cpu = time.perf_counter(), _cpu()
        written = write_batch(contents, ours, ours / "all.pdf", key, workers=workers)
        our_time, our_cpu = time.perf_counter() - start, _cpu() - cpu
        assert len(written) == args.count and (ours / "all.pdf").exists()
        known = [key.public]
        sample = written[:: max(1, len(written) // 10)]
        assert all(check_file(path, known).verdict is Verdict.VALID for path in sample)
        print(f"{args.count} certificates, {workers} worker processes ({os.cpu_count()} cores)")
        print(f"  load average at the end: {os.getloadavg()[0]:.1f}")
        print(f"  signed (PAdES + QR) on every core: {our_time:6.1f} s ({our_cpu:6.1f} s CPU)")
        print(f"  bare unsigned ReportLab, 1 process: {bare_time:6.1f} s ({bare_cpu:6.1f} s CPU)")
        print(f"  ratio by the clock: {our_time / bare_time:.2f}x (target <= 1.5x)")
        idle = our_cpu / workers
        print(f"  ratio on an idle machine (CPU / {workers} cores vs CPU): {idle / bare_cpu:.2f}x")
        per_file = sum(p.stat().st_size for p in written) / len(written) / 1024
        print(f"  one certificate: {per_file:.0f} kB; print file: "
              f"{(ours / 'all.pdf').stat().st_size / 1048576:.1f} MiB")  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
