"""A batch of signed certificates on every core: each helper process lays out, draws and signs
a share of the certificates, writes their files and draws their pages of the combined file;
this process appends those pages in order, reports progress and honours cancel.

Why processes: laying out, drawing and signing a certificate is pure Python (ReportLab, pyhanko)
and holds the interpreter lock, so threads would not run two at once. Helpers start with the
``spawn`` method (safe beside the window's threads), get the signing key once, and stop when
the process that started them dies (Linux: ``PR_SET_PDEATHSIG``; elsewhere they notice before
the next certificate), so a killed batch leaves no helper writing behind its back.

Each certificate's file is written whole or not at all (`files.write_whole`); which files were
written is reported back chunk by chunk (``on_written``), so the caller can record them and an
interrupted batch can be resumed.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer_app.certificates import render
from trainer_app.certificates.keys import SigningKey, load_pem
from trainer_app.domain.certificates import CertificateContent
from trainer_app.domain.errors import DomainError

CHUNK = 25  # certificates a helper takes at a time (and pages of the combined file per part)
SMALLEST_POOL = 8  # fewer certificates than this are drawn here: starting helpers costs more


@dataclass(frozen=True)
class _Done:
    """What a helper did with its chunk: files written (number, path), the chunk's pages for
    the combined file, and why it stopped early, if it did."""

    written: list[tuple[str, str]]
    pages: bytes | None
    failure: str = ""
    stopped: bool = False


def workers_available() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def write_batch(
    contents: Sequence[CertificateContent],
    folder: Path,
    combined: Path | None,
    key: SigningKey,
    *,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_written: Callable[[list[tuple[str, Path]]], None] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write ``contents`` signed by ``key`` into ``folder`` (and ``combined``, when every
    certificate is written), on ``workers`` processes (default: every core); returns the
    certificates' paths. Stops between certificates when ``should_stop`` says so; a
    certificate that cannot be printed stops the batch with its `DomainError`."""
    total = len(contents)
    if not total:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    count = workers if workers is not None else workers_available()
    chunks = [list(contents[i : i + CHUNK]) for i in range(0, total, CHUNK)]
    book = render.CombinedFile(combined, contents) if combined is not None else None
    written: list[Path] = []
    failure = ""
    try:
        if count <= 1 or total < SMALLEST_POOL:
            results = _here(chunks, folder, key, book is not None, should_stop, progress, total)
        else:
            results = _pool(
                chunks, folder, key, book is not None, should_stop, count, progress, total
            )
        for result in results:
            paths = [(number, Path(path)) for number, path in result.written]
            written.extend(path for _, path in paths)
            if on_written is not None and paths:
                on_written(paths)
            if book is not None and result.pages is not None:
                book.append_pages(result.pages)
            if result.failure:
                failure = result.failure
                break
            if result.stopped:
                break
        if failure:
            raise DomainError(failure)
        if book is not None and len(written) == total:
            from trainer_app.certificates.signing import DocumentSigner

            book.save(DocumentSigner(key))
    finally:
        if book is not None:
            book.close()
    return written


def _here(
    chunks: list[list[CertificateContent]],
    folder: Path,
    key: SigningKey,
    with_pages: bool,
    should_stop: Callable[[], bool] | None,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> Any:
    """The chunks drawn in this process, one after the other (a generator: the caller records
    each chunk's files before the next is drawn)."""
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    for chunk in chunks:
        result = _draw_chunk(chunk, folder, key, with_pages, should_stop, tick)
        yield result
        if result.stopped or result.failure:
            return


def _pool(
    chunks: list[list[CertificateContent]],
    folder: Path,
    key: SigningKey,
    with_pages: bool,
    should_stop: Callable[[], bool] | None,
    count: int,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> Any:
    """The chunks drawn by ``count`` helper processes, yielded in order as they finish."""
    context = multiprocessing.get_context("spawn")
    ticks = context.Queue()
    cancel = context.Event()
    started = 0
    recorded = 0
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=min(count, len(chunks)),
        mp_context=context,
        initializer=_start_helper,
        initargs=(key.private_pem(), ticks, cancel, os.getpid()),
    ) as pool:
        futures = [
            pool.submit(_draw_chunk_in_helper, chunk, folder, with_pages) for chunk in chunks
        ]
        try:
            for future in futures:
                while True:
                    started += _drain(ticks)
                    if should_stop is not None and should_stop():
                        cancel.set()
                    if progress is not None and started > recorded:
                        progress(min(started, total), total)
                        recorded = started
                    try:
                        result: _Done = future.result(timeout=0.05)
                    except concurrent.futures.TimeoutError:
                        continue
                    break
                yield result
                if result.failure or result.stopped:
                    cancel.set()
                    return
        except BrokenProcessPool as error:
            raise DomainError(
                "A helper process drawing certificates stopped unexpectedly; the batch was "
                "interrupted. Issue again: the certificates already issued get their files"
            ) from error
        finally:
            cancel.set()
            for future in futures:
                future.cancel()
            _drain(ticks)
            ticks.close()
            ticks.join_thread()


def _drain(ticks: Any) -> int:
    count = 0
    while True:
        try:
            ticks.get_nowait()
        except queue.Empty:
            return count
        count += 1


# ----- in a helper process -----------------------------------------------------------------

_HELPER: dict[str, Any] = {}
_PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal a process gets when its parent dies


def _start_helper(key_pem: bytes, ticks: Any, cancel: Any, parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the batch died while this helper was starting
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the batch's to handle
    _HELPER.update(key=load_pem(key_pem), ticks=ticks, cancel=cancel, parent=parent)


def _draw_chunk_in_helper(chunk: list[CertificateContent], folder: Path, with_pages: bool) -> _Done:
    cancel, parent = _HELPER["cancel"], _HELPER["parent"]

    def should_stop() -> bool:
        return bool(cancel.is_set()) or os.getppid() != parent

    ticks = _HELPER["ticks"]
    return _draw_chunk(chunk, folder, _HELPER["key"], with_pages, should_stop, lambda: ticks.put(1))


def _draw_chunk(
    chunk: list[CertificateContent],
    folder: Path,
    key: SigningKey,
    with_pages: bool,
    should_stop: Callable[[], bool] | None,
    tick: Callable[[], None],
) -> _Done:
    """Draw, sign and write a chunk's certificates (``tick`` after each), and draw their pages
    of the combined file; stops early, keeping what was written, when told to or when a
    certificate cannot be printed."""
    from trainer_app.certificates.signing import DocumentSigner

    signer = _signer(key, DocumentSigner)
    written: list[tuple[str, str]] = []
    pages = []
    for content in chunk:
        if should_stop is not None and should_stop():
            return _Done(written, None, stopped=True)
        try:
            page = render.lay_out_checked(content)
        except DomainError as error:
            return _Done(written, None, failure=str(error))
        data = render.page_file(page, signer)
        path = render.write_certificate_file(folder, content.number, data)
        written.append((content.number, str(path)))
        pages.append(page)
        tick()
    return _Done(written, render.pages_pdf(pages) if with_pages and pages else None)


_SIGNERS: dict[str, Any] = {}


def _signer(key: SigningKey, kind: Any) -> Any:
    """One `DocumentSigner` per key and process (its certificate is built once)."""
    if key.fingerprint not in _SIGNERS:
        _SIGNERS[key.fingerprint] = kind(key)
    return _SIGNERS[key.fingerprint]
