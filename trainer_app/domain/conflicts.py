"""Two people edited the same record: what each of them changed, and one's edit put on top of
the other's.

A save is refused when the record moved on since it was opened (its ``row_version``); the
refusal carries an ``EditConflict`` so the person can see, field by field, the value they opened,
the value saved since and their own, then keep the saved version or apply their edit on top.
Values are the audit trail's text (codes for references), so they read as the trail does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from trainer_app.domain import dates
from trainer_app.domain.audit import field_label

F = TypeVar("F")


@dataclass(frozen=True)
class FieldConflict:
    """One field that someone else changed, that the person saving changed, or both."""

    field: str
    opened: str | None  # when the person opened the record
    theirs: str | None  # as saved since by someone else
    mine: str | None  # as the person is saving it (None when deleting)

    @property
    def label(self) -> str:
        return field_label(self.field)

    @property
    def they_changed(self) -> bool:
        return self.theirs != self.opened

    @property
    def i_changed(self) -> bool:
        return self.mine is not None and self.mine != self.opened

    @property
    def clash(self) -> bool:
        """Both changed it, to different values: applying mine replaces theirs."""
        return self.they_changed and self.i_changed and self.mine != self.theirs


@dataclass(frozen=True)
class EditConflict:
    """Why a save was refused: who changed the record since it was opened, and how."""

    noun: str  # "Trainer"
    label: str  # "Dr Amara Okafor"
    by: tuple[str, ...]  # who saved since, in order ("Ngozi Bello (ngozi)")
    at: datetime | None  # when they last saved (UTC)
    fields: tuple[FieldConflict, ...]
    current: Any = None  # the record as it is now: save on top of its row_version

    @property
    def clashes(self) -> tuple[FieldConflict, ...]:
        return tuple(f for f in self.fields if f.clash)

    def sentence(self) -> str:
        """One line: "Trainer Dr Amara Okafor was changed by Ngozi Bello at 10:42 UTC on
        7 Dec 2026 after you opened it"."""
        who = f" by {', '.join(self.by)}" if self.by else ""
        when = (
            f" at {dates.time_of_day(self.at)} UTC on {dates.day(self.at.date())}"
            if self.at is not None
            else ""
        )
        return f"{self.noun} {self.label} was changed{who}{when} after you opened it"


def field_conflicts(
    current: Mapping[str, str | None],
    changed_since: Iterable[Mapping[str, Any]],
    mine: Mapping[str, str | None] | None,
) -> tuple[FieldConflict, ...]:
    """Every field someone changed since the record was opened (``changed_since``: the audit
    trail's ``{"field", "old", "new"}`` items, oldest first) or that ``mine`` changes, with the
    value opened, the value now and mine. ``current`` and ``mine`` are snapshots as the trail
    records them."""
    opened = dict(current)
    seen: set[str] = set()
    for change in changed_since:  # the first change of a field since holds the value opened
        name = str(change.get("field", ""))
        if name in current and name not in seen:
            seen.add(name)
            opened[name] = _text(change.get("old"))
    names: list[str] = []
    for name in current:
        theirs_moved = opened[name] != current[name]
        mine_moved = mine is not None and mine.get(name) != opened[name]
        if theirs_moved or mine_moved:
            names.append(name)
    return tuple(
        FieldConflict(name, opened[name], current[name], None if mine is None else mine.get(name))
        for name in names
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def apply_mine(opened: F, mine: F, theirs: F) -> F:
    """``theirs`` with every field the person changed (``mine`` differs from ``opened``) set to
    ``mine``: their other changes are kept, and where both changed a field, mine
    wins. The three are the same dataclass of editable fields."""
    assert dataclasses.is_dataclass(mine) and not isinstance(mine, type)
    edited = {
        f.name: getattr(mine, f.name)
        for f in dataclasses.fields(mine)
        if getattr(mine, f.name) != getattr(opened, f.name)
    }
    return dataclasses.replace(theirs, **edited)  # type: ignore[type-var]
