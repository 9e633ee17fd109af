"""Exporting the audit trail: CSV and XLSX of a million sealed entries (target: CSV ≤ 60 s),
against reading the same entries alone in the same run.

Run: .venv/bin/python benchmarks/audit_export.py [--entries 1000000] [--pdf 2000]

The trail is built as ``benchmarks/audit_chain.py`` builds it (entries written straight into a
fresh store and sealed with the installation's key). Each figure is one run, in this order:

- read: the entries as the export reads them (``AuditService.selected_entries``: 5 000 at a
  time, each made an ``AuditEntry``) — the floor;
- in words: the same, each turned into the Audit page's words (``AuditLine``);
- heading: the count and the seals' verdict (``audit verify`` of the whole trail);
- CSV and XLSX: heading, reading, words and writing the file, as `trainer-app export audit`;
- PDF: the first ``--pdf`` entries (a PDF holds at most 5 000).

Peak memory (the process's maximum resident set) is printed last: the entries are streamed.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import settings_for
from audit_chain import fill

from trainer_app.domain.reports import AuditHeading, AuditLine, AuditSelection
from trainer_app.exports.audit import write_audit_csv, write_audit_pdf, write_audit_xlsx
from trainer_app.services.audit import AuditService
from trainer_app.services.context import ServiceContext

T = TypeVar("T")
Writer = Callable[[AuditHeading, Iterator[AuditLine], Path], int]


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def export(audit: AuditService, writer: Writer, target: Path) -> int:
    """What `trainer-app export audit` does: the heading (count and verdict), then the file."""
    heading = audit.export_heading(AuditSelection(), "benchmark")
    return writer(heading, audit.export_lines(heading), target)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--pdf", type=int, default=2_000, help="entries in the PDF (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-audit-export-") as temporary:
        folder = Path(temporary)
        with ServiceContext.open(settings_for(folder / "trail.db")) as context:
            built, _ = timed(lambda: fill(context, args.entries))
            size = (folder / "trail.db").stat().st_size / 2**20
            say(
                f"audit trail export, {args.entries} entries ({size:.0f} MiB, built in "
                f"{built:.0f} s):"
            )
            audit = context.audit
            everything = AuditSelection()
            read, count = timed(lambda: sum(1 for _ in audit.selected_entries(everything)))
            assert count == args.entries
            say(f"  read the entries (the floor)               {read:6.1f} s")
            names = audit.reference_names()
            words, _ = timed(
                lambda: sum(1 for e in audit.selected_entries(everything) if AuditLine.of(e, names))
            )
            say(f"  … and put each in words                    {words:6.1f} s")
            head, heading = timed(lambda: audit.export_heading(everything, "benchmark"))
            say(f"  heading: count and seals' verdict          {head:6.1f} s   ({heading.verdict})")
            writers: dict[str, Writer] = {"csv": write_audit_csv, "xlsx": write_audit_xlsx}
            for kind, writer in writers.items():
                target = folder / f"trail.{kind}"
                seconds, written = timed(functools.partial(export, audit, writer, target))
                assert written == args.entries
                mib = target.stat().st_size / 2**20
                goal = "   target ≤ 60 s" if kind == "csv" else ""
                say(
                    f"  export {kind.upper():4} (heading included)          {seconds:6.1f} s"
                    f"   {seconds / read:4.1f}× the read, {mib:.0f} MiB{goal}"
                )
            if args.pdf:
                first = dataclasses.replace(heading, count=args.pdf)
                some = itertools.islice(audit.export_lines(heading), args.pdf)
                pdf, _ = timed(lambda: write_audit_pdf(first, some, folder / "trail.pdf"))
                say(f"  export PDF of the first {args.pdf} entries       {pdf:6.1f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        say(f"  peak memory of the whole run               {peak:6.0f} MiB")


def say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    main()
