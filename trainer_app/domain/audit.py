"""The audit trail: who changed what, when (UTC), from which value to which, and why."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf a service acts. A fixed local user until roles exist."""

    username: str
    display_name: str = ""

    def __str__(self) -> str:
        return self.display_name or self.username


LOCAL_ACTOR = Actor("local", "Local user")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime  # timezone-aware, UTC
    actor: str
    action: AuditAction
    entity_type: str
    entity_id: int
    entity_label: str
    changes: tuple[FieldChange, ...]
    reason: str = ""

    def summary(self) -> str:
        if self.action is AuditAction.UPDATE:
            fields = ", ".join(c.field for c in self.changes)
            return f"Changed {fields}"
        return "Created" if self.action is AuditAction.CREATE else "Deleted"


def diff_fields(
    before: Mapping[str, str | None], after: Mapping[str, str | None]
) -> tuple[FieldChange, ...]:
    """Field-by-field changes between two flattened snapshots, in a stable order."""
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(
        FieldChange(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)
    )
