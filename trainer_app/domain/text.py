"""Text rules shared by every entity: names, codes, search keys."""

from __future__ import annotations

import re
import unicodedata

from trainer_app.domain.errors import FieldError

NAME_MAX = 120
TEXT_MAX = 4000

# Letters that Unicode does not decompose into a base letter plus a mark, mapped so that typing
# "Lukasz" finds "Łukasz" and "Oyvind" finds "Øyvind".
_FOLD_EXTRA = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)


def search_key(*parts: str | None) -> str:
    """A case- and accent-insensitive key for filtering: casefolded, marks removed."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_FOLD_EXTRA)


def clean_text(value: str | None) -> str:
    """Normalise to NFC and trim; collapse runs of whitespace inside one-line values."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


# ----- hygiene: what a name or note may hold ----------------------------------------------------

MAX_MARKS_IN_A_ROW = 4  # Vietnamese stacks 2, pointed Hebrew and Arabic 2–3; "Zalgo" stacks dozens

# One pass over any text for the characters refused outright: control characters (C0, DEL, C1),
# the bidirectional embedding, override and isolate controls, surrogates and private-use
# characters. Tab and line feed are looked at separately (long text keeps them).
_REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\ue000-\uf8ff\U000f0000-\U0010ffff\ufdd0-\ufdef\ufffe\uffff]"
)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters that draw nothing: Hangul fillers and the braille blank are used to fake "empty" names.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _code_point(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def text_problem(text: str, label: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` (already NFC) cannot be stored as a name or a note, or ``None``.

    Refused: control characters (tab and line breaks only in multi-line text), bidirectional
    overrides, embeddings and isolates (U+202A–202E, U+2066–2069: they make a name display as
    something else), private-use and surrogate code points, text with nothing visible (only
    zero-width or blank characters), and more than four combining marks on one letter. Real
    names in every script pass: marks are counted per base letter, not per name.
    """
    if not text:
        return None
    found = _REFUSED.search(text)
    if found is None and not multiline and ("\t" in text or "\n" in text):
        found = re.search("[\t\n]", text)
    if found is not None:
        character = found.group()
        where = f"at character {found.start() + 1}"
        if character in _BIDI:
            return (
                f"{label} contains a text-direction control ({_code_point(character)}, {where}), "
                "which makes it display differently from what it is; type it again without it"
            )
        if "\ue000" <= character <= "\uf8ff" or character >= "\U000f0000":
            return (
                f"{label} contains a private-use character ({_code_point(character)}, {where}) "
                "that means nothing outside one font; remove it"
            )
        if "\ud800" <= character <= "\udfff" or character >= "\ufdd0":
            return f"{label} contains a code point that is not a character (U+{ord(character):04X})"
        return (
            f"{label} contains an invisible control character ({_code_point(character)}, "
            f"{where}); type it again without it"
        )
    if text.isascii():
        return None  # printable ASCII without controls: visible, no marks
    return _marks_problem(text, label)


def _marks_problem(text: str, label: str) -> str | None:
    visible = False
    run = longest = 0
    for character in text:
        category = unicodedata.category(character)
        if category[0] == "M":
            run += 1
            longest = max(longest, run)
            continue
        run = 0
        if not visible and category[0] in "LNPS" and character not in _BLANK_LETTERS:
            visible = True
    if not visible:
        return f"{label} has no visible characters (only blank, zero-width or joining ones)"
    if longest > MAX_MARKS_IN_A_ROW:
        return (
            f"{label} stacks {longest} accents or marks on one letter; at most "
            f"{MAX_MARKS_IN_A_ROW} are accepted (real names in any script need fewer)"
        )
    return None


def _check_hygiene(
    text: str, field: str, label: str, errors: list[FieldError], *, multiline: bool = False
) -> None:
    problem = text_problem(text, label, multiline=multiline)
    if problem:
        errors.append(FieldError(field, problem))


def check_name(
    value: str, field: str, label: str, errors: list[FieldError], *, limit: int = NAME_MAX
) -> str:
    """Return the cleaned name, or add why it is unusable to ``errors`` (see
    :func:`text_problem` for what a name may hold)."""
    cleaned = clean_text(value)
    if not cleaned:
        errors.append(FieldError(field, f"{label} must not be empty"))
    elif len(cleaned) > limit:
        errors.append(
            FieldError(field, f"{label} is {len(cleaned)} characters long; the limit is {limit}")
        )
    else:
        _check_hygiene(cleaned, field, label, errors)
    return cleaned


def check_optional_text(
    value: str | None, field: str, label: str, errors: list[FieldError], *, limit: int
) -> str:
    """A one-line value that may be blank (organisation, role, provider): cleaned, checked."""
    cleaned = clean_text(value)
    if len(cleaned) > limit:
        errors.append(
            FieldError(field, f"{label} is {len(cleaned)} characters long; the limit is {limit}")
        )
    else:
        _check_hygiene(cleaned, field, label, errors)
    return cleaned


def check_long_text(value: str | None, field: str, label: str, errors: list[FieldError]) -> str:
    """Multi-line text (descriptions, notes): keep line breaks and tabs, trim the ends; Windows
    line ends become plain ones."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        errors.append(
            FieldError(field, f"{label} is {len(text)} characters long; the limit is {TEXT_MAX}")
        )
    else:
        _check_hygiene(text, field, label, errors, multiline=True)
    return text


_CODE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")


def check_code(value: str, field: str, label: str, errors: list[FieldError], *, limit: int) -> str:
    """Codes are short upper-case identifiers such as ``ASEP`` or ``LON-CR1``."""
    code = clean_text(value).upper()
    if not code:
        errors.append(FieldError(field, f"{label} must not be empty"))
    elif len(code) > limit:
        errors.append(FieldError(field, f"{label} '{code}' is longer than {limit} characters"))
    elif not _CODE.match(code):
        errors.append(
            FieldError(
                field,
                f"{label} '{code}' may hold only letters A–Z, digits and single hyphens, "
                "starting with a letter",
            )
        )
    return code


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(value: str | None, field: str, errors: list[FieldError]) -> str:
    email = clean_text(value)
    if not email:
        return email
    problem = text_problem(email, "The e-mail address")
    if problem:
        errors.append(FieldError(field, problem))
    elif len(email) > 254 or not _EMAIL.match(email):
        errors.append(FieldError(field, f"'{email}' is not an e-mail address"))
    return email.lower()
