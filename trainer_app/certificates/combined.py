"""One PDF for printing a batch, written as it goes so memory stays flat for any batch size.

A ReportLab canvas keeps every page it has drawn until it saves, so a thousand certificates on
one canvas would hold a thousand pages in memory. Instead the batch is drawn in parts of a
hundred pages, each part a small ReportLab document in memory, and `CombinedPdf` appends each
part's objects to the open file under new numbers as soon as the part is done; only the object
offsets and the page numbers are kept (a few integers a page). At the end it writes one page
tree over all the pages, the catalogue, the document information and the cross-reference table.

It reads only what ReportLab writes (PDF 1.4 with a classic cross-reference table, every object
written once, no object streams), which is all it is ever given.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from typing import BinaryIO

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_XREF = re.compile(rb"xref\s+0 (\d+)\s*?\n")
_ENTRY = 20  # bytes of one cross-reference entry: "0000000073 00000 n \n"
_OBJECT = re.compile(rb"(\d+) 0 obj\s")
_REFERENCE = re.compile(rb"(\d+) 0 R\b")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_PAGE = re.compile(rb"/Type\s*/Page\b")
_PAGES = re.compile(rb"/Type\s*/Pages\b")
_CATALOG = 1
_PAGE_TREE = 2


class CombinedPdf:
    """Pages of several PDFs, in order, in one PDF written to ``file`` as they come."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._written = 0
        self._offsets: dict[int, int] = {}
        self._pages: list[int] = []
        self._next = _PAGE_TREE + 1
        self._digest = hashlib.md5(usedforsecurity=False)
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def append(self, pdf: bytes) -> None:
        """Append every page of ``pdf`` (a whole document written by ReportLab)."""
        objects, root, info = _objects(pdf)
        tree = _reference(objects[root], b"/Pages")
        pages = _page_order(objects, tree)
        skipped = {root, info, *(n for n, body in objects.items() if _PAGES.search(_head(body)))}
        numbers = {}
        for old in sorted(objects):
            if old not in skipped:
                numbers[old] = self._next
                self._next += 1
        for old in skipped:
            numbers[old] = _PAGE_TREE  # a page's /Parent: the one page tree of the whole file
        for old, new in ((o, n) for o, n in numbers.items() if o not in skipped):
            self._object(new, _renumbered(objects[old], numbers))
        self._pages.extend(numbers[page] for page in pages)
        self._digest.update(pdf[-200:])

    def finish(self, info: dict[str, str]) -> None:
        """Write the page tree, catalogue, ``info`` (``Title``, ``Author`` …) and the
        cross-reference table; the file is then complete."""
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        self._object(
            _PAGE_TREE, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(self._pages), kids)
        )
        self._object(_CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % _PAGE_TREE)
        info_number = self._next
        entries = b" ".join(
            b"/" + key.encode("ascii") + b" " + _text(value) for key, value in info.items()
        )
        self._object(info_number, b"<< " + entries + b" >>")
        size = info_number + 1
        start = self._written
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self._offsets.get(number)
            lines.append(
                b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 65535 f \n"
            )
        identifier = self._digest.hexdigest().encode("ascii")
        lines.append(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\n"
            % (size, _CATALOG, info_number, identifier, identifier)
        )
        lines.append(b"startxref\n%d\n%%%%EOF\n" % start)
        self._write(b"".join(lines))

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._written
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._written += len(data)


def _objects(pdf: bytes) -> tuple[dict[int, bytes], int, int]:
    """Every object's body by number, and the numbers of the catalogue and the information."""
    found = _STARTXREF.search(pdf[-64:])
    xref_at = int(found.group(1)) if found else -1
    table = _XREF.match(pdf, xref_at) if xref_at >= 0 else None
    if table is None:
        raise ValueError("Not a PDF written by ReportLab: no cross-reference table")
    count = int(table.group(1))
    entries = pdf[table.end() : table.end() + count * _ENTRY]
    offsets = {
        number: int(entries[number * _ENTRY : number * _ENTRY + 10])
        for number in range(1, count)
        if entries[number * _ENTRY + 17 : number * _ENTRY + 18] == b"n"
    }
    ends = sorted([*offsets.values(), xref_at])
    following = dict(itertools.pairwise(ends))
    objects = {}
    for number, offset in offsets.items():
        chunk = pdf[offset : following[offset]]
        header = _OBJECT.match(chunk)
        if header is None or int(header.group(1)) != number:
            raise ValueError(
                f"Not a PDF written by ReportLab: object {number} is not where it should be"
            )
        objects[number] = chunk[header.end() : chunk.rindex(b"endobj")].rstrip(b"\r\n")
    trailer = pdf[table.end() + count * _ENTRY :]
    return objects, _reference(trailer, b"/Root"), _reference(trailer, b"/Info")


def _head(body: bytes) -> bytes:
    """The dictionary of an object: everything before its stream's data, if it has one."""
    cut = body.find(b"\nstream\n")
    return body if cut < 0 else body[:cut]


def _reference(body: bytes, key: bytes) -> int:
    found = re.search(re.escape(key) + rb"\s+(\d+) 0 R", _head(body))
    if found is None:
        raise ValueError(f"Not a PDF written by ReportLab: no {key.decode()}")
    return int(found.group(1))


def _page_order(objects: dict[int, bytes], node: int) -> list[int]:
    """The pages under the page tree node ``node``, in reading order."""
    head = _head(objects[node])
    if _PAGE.search(head):
        return [node]
    kids = _KIDS.search(head)
    if kids is None:
        return []
    return [
        page for kid in _REFERENCE.findall(kids.group(1)) for page in _page_order(objects, int(kid))
    ]


def _renumbered(body: bytes, numbers: dict[int, int]) -> bytes:
    """``body`` with every reference in its dictionary renumbered; stream data is left as is."""
    cut = body.find(b"\nstream\n")
    head, rest = (body, b"") if cut < 0 else (body[:cut], body[cut:])
    return _REFERENCE.sub(lambda m: b"%d 0 R" % numbers[int(m.group(1))], head) + rest


def _text(value: str) -> bytes:
    """A PDF text string: literal when plain ASCII, else UTF-16 with its byte order mark."""
    if value.isascii() and value.isprintable() and not re.search(r"[()\\]", value):
        return b"(" + value.encode("ascii") + b")"
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"
