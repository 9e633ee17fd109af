"""Which encoding a CSV file was saved in, told honestly or not at all.

UTF-8 (with or without Excel's byte-order mark) is taken as it is. Anything else is offered to
charset-normalizer, limited to the legacy code pages a hub's Excel, LibreOffice or an older Mac
writes; every reading it does not rule out is then scored for what mojibake looks like in names
(a symbol glued to letters, as "£ukasz Wi¶niewski"; a capital inside a lower-case word, as
KOI8-R read as Windows-1251 gives). The file is read only when one reading is clearly the most
plausible; when two differ and neither wins, it is refused with both readings shown and how to
save it as UTF-8, rather than converted into something the user did not write.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from trainer_app.domain.errors import DomainError

# Code pages a hub's spreadsheets plausibly come in, with the words the notes use for them.
CANDIDATES: dict[str, str] = {
    "cp1252": "Windows-1252 (Western European; Excel's plain CSV on a UK PC)",
    "cp1250": "Windows-1250 (Central European: Polish, Czech, Hungarian …)",
    "iso8859_2": "ISO-8859-2 (Latin-2, Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
    "koi8_r": "KOI8-R (Cyrillic)",
    "mac_roman": "Mac Roman (an older Mac's Western European)",
    "cp1253": "Windows-1253 (Greek)",
    "cp1254": "Windows-1254 (Turkish)",
}

SAVE_AS_UTF8 = (
    'save it as UTF-8 and import that file: in Excel choose File › Save As › "CSV UTF-8 (Comma '
    'delimited)" (on a Mac: File Format "CSV UTF-8"); in LibreOffice tick "Edit filter '
    'settings" when saving and pick "Unicode (UTF-8)"; or save the sheet as .xlsx'
)

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Punctuation that real text puts next to letters: curly quotes and apostrophes, dashes,
# the middle dot of Catalan.
_FRIENDLY = frozenset("’‘“”‚„–—‐‑·«»")


@dataclass(frozen=True)
class Decoded:
    """The text of a file and, when it was not UTF-8, the note saying how it was read."""

    text: str
    note: str = ""


def decode(name: str, data: bytes) -> Decoded:
    """The text of ``data`` (the bytes of the file ``name``), or ``DomainError`` saying why it
    cannot be told and how to save it as UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Decoded(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    readings = _readings(data)
    if not readings:
        raise DomainError(f"{name} is not text in a known encoding; {SAVE_AS_UTF8}")
    best, *others = readings
    rivals = [r for r in others if r.text != best.text and r.oddities <= best.oddities]
    if best.oddities > max(2, best.unusual // 20) or rivals:
        raise DomainError(_ambiguous(name, best, rivals or others))
    return Decoded(
        best.text,
        f"{name} is not UTF-8: it was read as {best.label}, the only reading that gives "
        "plausible names; if any looks wrong, save the file as CSV UTF-8 and import it again",
    )


@dataclass(frozen=True)
class _Reading:
    encoding: str
    text: str
    oddities: int  # places that look like mojibake
    unusual: int  # non-ASCII characters

    @property
    def label(self) -> str:
        return CANDIDATES[self.encoding]


def _readings(data: bytes) -> list[_Reading]:
    """Every candidate reading charset-normalizer does not rule out (its "chaos" measure), as
    text without control characters, most plausible first (fewest oddities, then the order of
    ``CANDIDATES``)."""
    from charset_normalizer import from_bytes

    order = list(CANDIDATES)
    matches = from_bytes(data, cp_isolation=order, threshold=0.3, explain=False)
    found: dict[str, _Reading] = {}
    for match in matches:
        for encoding in (match.encoding, *match.could_be_from_charset):
            if encoding not in CANDIDATES or encoding in found:
                continue
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _CONTROL.search(text):
                continue
            found[encoding] = _Reading(
                encoding, text, _oddities(text), len(_NON_ASCII.findall(text))
            )
    return sorted(found.values(), key=lambda r: (r.oddities, order.index(r.encoding)))


def _oddities(text: str) -> int:
    """How many places look like mojibake rather than names and notes: a symbol touching a
    letter ("£ukasz", "Wi¶niewski", "Zo‰"), a capital after a small letter ("дМХРПХИ"), a word
    mixing scripts ("Zoл"), a Latin word made mostly of accented letters ("Äěčňđčé"), a Greek
    final sigma inside a word. Each distinct token is scored once (names repeat)."""
    # Tokens are the runs between spaces, CSV delimiters and quotes.
    tokens = Counter(text.replace(",", " ").replace(";", " ").replace('"', " ").split())
    return sum(
        count * _token_oddities(token) for token, count in tokens.items() if not token.isascii()
    )


_WORD_WITH_NON_ASCII = re.compile(r"\w*[^\x00-\x7f]\w*")


def _token_oddities(token: str) -> int:
    odd = 0
    last = len(token) - 1
    for index, character in enumerate(token):
        if character.isascii():
            continue
        before = token[index - 1] if index else " "
        after = token[index + 1] if index < last else " "
        category = unicodedata.category(character)
        if category[0] in "LM":
            capital_inside = (category == "Lu" and before.islower()) or (
                category == "Ll" and after.isupper()
            )
            odd += capital_inside or (character == "ς" and after.isalpha())
        elif character not in _FRIENDLY and (before.isalpha() or after.isalpha()):
            odd += 1
    for word in _WORD_WITH_NON_ASCII.findall(token):
        scripts = {"LATIN" if c.isascii() else _script(c) for c in word if c.isalpha()}
        if len(scripts) > 1:
            odd += 1
        elif scripts == {"LATIN"} and len(word) >= 5:
            accented = sum(1 for c in word if not c.isascii())
            odd += accented * 3 > len(word) * 2
    return odd


def _script(character: str) -> str:
    return unicodedata.name(character, "?").split(" ", 1)[0]


def _ambiguous(name: str, best: _Reading, rivals: Sequence[_Reading]) -> str:
    if not rivals:
        return (
            f"{name} is not UTF-8, and no encoding reads it as plausible text (as "
            f"{best.label} it has {best.oddities} garbled places); {SAVE_AS_UTF8}"
        )
    rival = rivals[0]
    line, mine, theirs = _first_difference(best.text, rival.text)
    return (
        f"{name} is not UTF-8, and its encoding cannot be told for sure: line {line} reads "
        f"'{mine}' as {best.label} but '{theirs}' as {rival.label}. Rather than guess, "
        f"{SAVE_AS_UTF8}"
    )


def _first_difference(one: str, other: str) -> tuple[int, str, str]:
    for number, (a, b) in enumerate(zip(one.splitlines(), other.splitlines(), strict=False), 1):
        if a != b:
            words = zip(re.findall(r"\w+", a), re.findall(r"\w+", b), strict=False)
            first = next(((x, y) for x, y in words if x != y), (a, b))
            return number, first[0][:40], first[1][:40]
    return 1, one[:40], other[:40]
