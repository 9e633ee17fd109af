"""Exceptions that carry a message a coordinator understands.

The UI shows ``str(error)``; the CLI prints it and exits non-zero. Validation errors also carry
per-field messages so a dialog can show each one beside its field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Base of every error whose message is meant for the user."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: ``field`` is the attribute name, ``message`` the plain words."""

    field: str
    message: str


class ValidationError(DomainError):
    """Input that breaks a rule. Holds every problem found, not only the first."""

    def __init__(self, errors: Iterable[FieldError], *, subject: str = "") -> None:
        self.errors = tuple(errors)
        self.subject = subject
        lines = [e.message for e in self.errors]
        prefix = f"{subject}: " if subject else ""
        super().__init__(prefix + "; ".join(lines))

    def for_field(self, field: str) -> list[str]:
        return [e.message for e in self.errors if e.field == field]

    @classmethod
    def single(cls, field: str, message: str, *, subject: str = "") -> ValidationError:
        return cls([FieldError(field, message)], subject=subject)


class NotFound(DomainError):
    """The thing asked for does not exist (any more)."""


class Duplicate(DomainError):
    """A unique value (a code, a reference, an e-mail) is already taken."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class StaleEdit(DomainError):
    """Someone else changed the row after it was read: the edit is refused, nothing is written.
    ``conflict`` (a ``domain.conflicts.EditConflict``), where known, says who changed what."""

    def __init__(self, message: str, conflict: Any = None) -> None:
        super().__init__(message)
        self.conflict = conflict


class InUse(DomainError):
    """A delete would orphan other data; the message says what refers to it."""


class StoreError(DomainError):
    """The database cannot be opened or used (missing folder, foreign or newer file, corrupt)."""


class StoreRefused(StoreError):
    """A database file that opening refused and left untouched (damaged, empty, foreign, or of
    an unknown schema); ``problems`` lists every finding and ``advice`` what to do, for
    ``trainer-app db check``."""

    def __init__(self, message: str, problems: Iterable[str] = (), advice: str = "") -> None:
        super().__init__(message)
        self.problems = tuple(problems) or (message,)
        self.advice = advice  # what to do, in one sentence, without the problems
