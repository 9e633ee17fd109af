"""The audit trail's seal: every entry linked to the one before it by a keyed hash.

Each entry gets a seal when its transaction commits: a sequence number (1, 2, 3, … with no
gaps) and a link, HMAC-SHA-256 over the previous link, the sequence number and the entry's
stored content. Changing, removing, adding or reordering an entry breaks the link at that
point, and without the key nobody can compute links that match again: the key is kept in
the installation's key folder, never in the database (see docs/compliance.md).

This module is pure: it computes and checks links over plain values. Reading and writing the
seals is ``persistence.chain``'s job.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

LINK_SIZE = 32  # bytes of HMAC-SHA-256
KEY_SIZE = 32
FIRST = bytes(LINK_SIZE)  # what the first entry's link is chained to


@dataclass(frozen=True)
class ChainKey:
    """The secret that links the trail. ``key_id`` names it in each seal (it reveals nothing
    of the secret) so a trail sealed on several workstations can say whose key it needs."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_SIZE:
            raise ValueError(f"an audit key is {KEY_SIZE} bytes, not {len(self.secret)}")

    @classmethod
    def new(cls) -> ChainKey:
        return cls(secrets.token_bytes(KEY_SIZE))

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"trainer-app audit key id\0" + self.secret).hexdigest()[:16]

    def __repr__(self) -> str:  # never print the secret
        return f"ChainKey({self.key_id})"


class StoredEntry(NamedTuple):
    """An audit entry exactly as the database holds it (text as stored, not as shown). A
    tuple: the check reads a million of them straight from the database's rows."""

    entry_id: int
    occurred_at: str  # 'YYYY-MM-DD HH:MM:SS.ffffff', UTC
    actor: str
    action: str
    entity_type: str
    entity_id: int
    entity_label: str
    changes: str  # the JSON text as stored
    reason: str


Entry = tuple[object, ...]  # a StoredEntry, or the same nine values as a database row holds them


def message(entry: Entry) -> bytes:
    """The entry's content as hashed: its nine values as a JSON array, so no field can borrow
    from the next. Any value a damaged or hostile file holds (bytes, a number where text
    belongs) gives a message too, and then a link that does not match: the check never stops
    on it."""
    return _encode(entry).encode("utf-8", "surrogatepass")


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr).encode


def link(key: ChainKey, previous: bytes, seq: int, content: bytes) -> bytes:
    """The seal of entry number ``seq`` whose content is ``content``, after ``previous``."""
    return hmac.digest(key.secret, previous + seq.to_bytes(8, "big") + content, "sha256")


class Break(enum.StrEnum):
    """How a trail fails its check, first broken point first."""

    CHANGED = "changed"  # content or seal no longer match
    REMOVED = "removed"  # a sequence number is missing, or its entry is gone
    UNSEALED = "unsealed"  # an entry no commit of the app sealed (added outside it)
    TRUNCATED = "truncated"  # fewer entries than this installation saw last time
    REWRITTEN = "rewritten"  # the entry this installation saw last has another seal now


@dataclass(frozen=True)
class Problem:
    kind: Break
    seq: int | None
    entry_id: int | None
    detail: str


@dataclass(frozen=True)
class Head:
    """The last seal: how many entries the trail holds and the link they end with."""

    seq: int
    link: bytes


@dataclass
class Verdict:
    checked: int = 0  # seals whose link was recomputed and matched
    problem: Problem | None = None  # the first broken point
    unknown_keys: dict[str, int] = field(default_factory=dict)  # key id -> entries not checkable
    head: Head | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None and not self.unknown_keys

    def summary(self) -> str:
        """One sentence for the user: intact, broken (where first), or not fully checkable."""
        if self.problem is not None:
            return f"The audit trail is broken: {self.problem.detail}."
        if self.unknown_keys:
            held = sum(self.unknown_keys.values())
            keys = ", ".join(sorted(self.unknown_keys))
            return (
                f"The audit trail could not be fully checked: {held} "
                f"entr{'y was' if held == 1 else 'ies were'} sealed with a key this installation "
                f"does not hold ({keys}); the other {self.checked} are intact."
            )
        noun = "entry" if self.checked == 1 else "entries"
        return f"The audit trail is intact: {self.checked} {noun}, every link holds."


# seq, key id, link, the entry if present: as the database hands them (a file edited by hand
# may hold anything where the key id and the link belong)
SealedRow = tuple[int, object, object, Entry | None]


def verify(
    sealed: Iterable[SealedRow],
    keys: Mapping[str, ChainKey],
    *,
    first_unsealed: int | None = None,
    last_seen: Head | None = None,
) -> Verdict:
    """Check the trail: ``sealed`` in sequence order; ``first_unsealed`` the lowest id of an
    entry without a seal; ``last_seen`` the head this installation recorded after its last
    write (to find entries removed from the end). Stops at the first broken point."""
    verdict = Verdict()
    previous = FIRST
    expected = 1
    last_id: int | None = None
    for seq, key_id, raw_link, entry in sealed:
        if seq != expected:
            verdict.problem = Problem(
                Break.REMOVED,
                expected,
                None,
                f"entry number {expected} is missing: {seq - expected} entr"
                f"{'y was' if seq - expected == 1 else 'ies were'} removed after audit entry "
                f"{last_id if last_id is not None else '(the start)'}",
            )
            return verdict
        if entry is None:
            verdict.problem = Problem(
                Break.REMOVED,
                seq,
                None,
                f"entry number {seq} was removed (its seal is there, the entry is not)",
            )
            return verdict
        stored = raw_link if type(raw_link) is bytes else _as_bytes(raw_link)
        key = keys.get(key_id) if isinstance(key_id, str) else None
        if key is None:
            unknown = str(key_id)
            verdict.unknown_keys[unknown] = verdict.unknown_keys.get(unknown, 0) + 1
        elif not hmac.compare_digest(
            hmac.digest(key.secret, previous + seq.to_bytes(8, "big") + message(entry), "sha256"),
            stored,
        ):
            verdict.problem = Problem(
                Break.CHANGED,
                seq,
                _id(entry),
                f"audit entry {entry[0]} (number {seq}) was changed, moved or replaced after "
                "it was recorded",
            )
            return verdict
        else:
            verdict.checked += 1
        if last_seen is not None and seq == last_seen.seq and stored != last_seen.link:
            verdict.problem = Problem(
                Break.REWRITTEN,
                seq,
                _id(entry),
                f"entry number {seq} is not the one this installation sealed: the trail from "
                "there on was replaced (an older copy of the database, written to since)",
            )
            return verdict
        previous, expected, last_id = stored, seq + 1, _id(entry)
    if expected > 1:
        verdict.head = Head(expected - 1, previous)
    if first_unsealed is not None:
        verdict.problem = Problem(
            Break.UNSEALED,
            None,
            first_unsealed,
            f"audit entry {first_unsealed} has no seal: it was added outside the app",
        )
    elif last_seen is not None:
        verdict.problem = _against_last_seen(verdict.head, last_seen)
    return verdict


def _as_bytes(value: object) -> bytes:
    """A link as stored; anything but bytes never matches."""
    return bytes(value) if isinstance(value, bytes | bytearray | memoryview) else b""


def _id(entry: Entry) -> int | None:
    return entry[0] if isinstance(entry[0], int) else None


def _against_last_seen(head: Head | None, last_seen: Head) -> Problem | None:
    count = head.seq if head else 0
    if count < last_seen.seq:
        removed = last_seen.seq - count
        return Problem(
            Break.TRUNCATED,
            count + 1,
            None,
            f"the trail ends at entry number {count}, but this installation recorded "
            f"{last_seen.seq}: the last {removed} entr{'y was' if removed == 1 else 'ies were'} "
            "removed (or an older copy of the database was put in its place)",
        )
    return None


def seal(
    key: ChainKey, head: Head | None, entries: Iterable[StoredEntry]
) -> list[tuple[int, int, bytes]]:
    """Seals for ``entries`` (in the order given) after ``head``: (seq, entry id, link)."""
    previous, seq = (head.link, head.seq) if head else (FIRST, 0)
    out = []
    for entry in entries:
        seq += 1
        previous = link(key, previous, seq, message(entry))
        out.append((seq, entry.entry_id, previous))
    return out
