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


def check_name(
    value: str, field: str, label: str, errors: list[FieldError], *, limit: int = NAME_MAX
) -> str:
    """Return the cleaned name, or add why it is unusable to ``errors``."""
    cleaned = clean_text(value)
    if not cleaned:
        errors.append(FieldError(field, f"{label} must not be empty"))
    elif len(cleaned) > limit:
        errors.append(
            FieldError(field, f"{label} is {len(cleaned)} characters long; the limit is {limit}")
        )
    elif any(unicodedata.category(c) == "Cc" for c in cleaned):
        errors.append(FieldError(field, f"{label} contains control characters"))
    return cleaned


def check_optional_text(
    value: str | None, field: str, label: str, errors: list[FieldError], *, limit: int
) -> str:
    cleaned = clean_text(value)
    if len(cleaned) > limit:
        errors.append(
            FieldError(field, f"{label} is {len(cleaned)} characters long; the limit is {limit}")
        )
    return cleaned


def check_long_text(value: str | None, field: str, label: str, errors: list[FieldError]) -> str:
    """Multi-line text (descriptions): keep line breaks, trim the ends."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if len(text) > TEXT_MAX:
        errors.append(
            FieldError(field, f"{label} is {len(text)} characters long; the limit is {TEXT_MAX}")
        )
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
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.append(FieldError(field, f"'{email}' is not an e-mail address"))
    return email.lower()
