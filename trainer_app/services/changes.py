"""What others changed in the store since this window last looked, and word when they do.

Every change is written with audit entries, and every committed entry gets the next seal of
the trail (``persistence.chain``): seals are numbered 1, 2, 3, … in commit order, with no
gaps. The highest seal number is therefore a change counter that costs one indexed query on
either store: a window notes it (the *mark*), and ``ChangeFeed.since(mark)`` answers "has
anything changed?" and, if so, who changed which records.

On PostgreSQL each committing transaction that wrote entries also notifies the channel
``CHANGES_CHANNEL`` (``persistence.uow``), delivered only if it commits; ``ChangeListener``
listens on a connection of its own in a background thread and calls back, so an open window
can look at once instead of waiting to be activated. SQLite has no such thing: there a window
looks when it is activated or asked to.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TypeVar

import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from trainer_app.domain.access import LOCAL_ACTOR, Actor, Role
from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.domain.errors import StoreError
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import AuditRow, AuditSealRow, HubRow, UserHubRow, UserRow
from trainer_app.persistence.uow import CHANGES_CHANNEL, reading

T = TypeVar("T")
DETAIL_LIMIT = 1_000  # entries read back in detail; beyond that only their number is told

# Entries that record something happening, not a record changing: no view shows other data.
_NOT_CHANGES_ACTIONS = frozenset(
    {AuditAction.SIGN_IN, AuditAction.SIGN_IN_REFUSED, AuditAction.SIGN_OUT}
)
_NOT_CHANGES_TYPES = frozenset({RecordType.EXPORT, RecordType.BACKUP})


@dataclass(frozen=True)
class ChangedRecord:
    """One audit entry of a change: which record, what was done, by whom (user name)."""

    entity_type: str
    entity_id: int
    label: str
    action: AuditAction
    actor: str


@dataclass(frozen=True)
class Changes:
    """What changed after the mark a window held, up to ``mark`` (the new one to hold)."""

    mark: int
    records: tuple[ChangedRecord, ...] = ()
    count: int = 0  # changes in all (``records`` holds at most DETAIL_LIMIT of them)
    people: dict[str, Actor] = field(default_factory=dict)  # by user name, for their titles

    def __bool__(self) -> bool:
        return self.count > 0

    def by_others(self, username: str) -> Changes:
        """The changes not made by ``username`` (this window's own person)."""
        records = tuple(r for r in self.records if r.actor != username)
        mine = len(self.records) - len(records)
        return Changes(self.mark, records, max(self.count - mine, len(records)), self.people)

    def touching(self, entity_type: str, entity_id: int) -> ChangedRecord | None:
        """The last change to that record, if there is one among these."""
        for record in reversed(self.records):
            if record.entity_type == entity_type and record.entity_id == entity_id:
                return record
        return None

    def who(self, username: str) -> str:
        """'Amara Okafor (coordinator, BRI)', or the user name of an account since removed."""
        person = self.people.get(username)
        return person.title if person is not None else username

    def summary(self) -> str:
        """'3 changes by Amara Okafor (coordinator, BRI)', the busiest person first."""
        if not self.count:
            return "Nothing has changed"
        noun = "change" if self.count == 1 else "changes"
        busiest = [name for name, _ in Counter(r.actor for r in self.records).most_common()]
        if not busiest:
            return f"{self.count} {noun}"
        names = [self.who(name) for name in busiest[:2]]
        if len(busiest) > 2:
            names.append(f"{len(busiest) - 2} more")
        people = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
        return f"{self.count} {noun} by {people}"


class ChangeFeed:
    """The store's change counter and what lies behind it (see the module's docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def can_listen(self) -> bool:
        """Whether the store can tell of changes as they commit (PostgreSQL)."""
        return self.store.engine.dialect.name == "postgresql"

    def mark(self) -> int:
        """The number of the trail's last seal: it grows with every committed change."""
        return self._read(_last_seal)

    def since(self, mark: int) -> Changes:
        """The changes committed after ``mark``; when there are none, one tiny query.
        ``StoreError`` when the store cannot be read just now (the server is away)."""
        return self._read(lambda session: _changes_since(session, mark))

    def _read(self, query: Callable[[Session], T]) -> T:
        try:
            with reading(self.store) as session:
                return query(session)
        except DBAPIError as error:
            raise StoreError(
                f"Others' changes could not be looked for ({_first_line(error.orig)}); "
                "what is shown was not refreshed"
            ) from error

    def listen(self, on_change: Callable[[], None]) -> ChangeListener | None:
        """Start a listener calling ``on_change`` (on its own thread) after each committed
        change, and once after every reconnection (changes may have been missed meanwhile).
        None on SQLite, which cannot tell: look on activation and on demand there."""
        if not self.can_listen:
            return None
        listener = ChangeListener(self.store.url, on_change)
        listener.start()
        return listener


def _last_seal(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(AuditSealRow.seq), 0))) or 0)


def _changes_since(session: Session, mark: int) -> Changes:
    now = _last_seal(session)
    if now <= mark:
        return Changes(now)
    rows = session.execute(
        select(
            AuditRow.entity_type,
            AuditRow.entity_id,
            AuditRow.entity_label,
            AuditRow.action,
            AuditRow.actor,
        )
        .join(AuditSealRow, AuditSealRow.entry_id == AuditRow.id)
        .where(AuditSealRow.seq > mark, AuditSealRow.seq <= now)
        .order_by(AuditSealRow.seq)
        .limit(DETAIL_LIMIT)
    ).all()
    records = tuple(
        ChangedRecord(kind, entity_id, label, AuditAction(action), actor)
        for kind, entity_id, label, action, actor in rows
        if action not in _NOT_CHANGES_ACTIONS and kind not in _NOT_CHANGES_TYPES
    )
    # Beyond the entries read in detail, every seal counts as one change.
    count = len(records) + max(0, now - mark - len(rows))
    return Changes(now, records, count, _people(session, {r.actor for r in records}))


def _first_line(error: BaseException | None) -> str:
    return str(error).splitlines()[0] if error else "unknown error"


def _people(session: Session, usernames: Collection[str]) -> dict[str, Actor]:
    """The accounts behind user names, for their names, roles and hubs."""
    people: dict[str, Actor] = {}
    if LOCAL_ACTOR.username in usernames:
        people[LOCAL_ACTOR.username] = LOCAL_ACTOR
    wanted = [name for name in usernames if name != LOCAL_ACTOR.username]
    if not wanted:
        return people
    codes: dict[int, list[str]] = {}
    for user_id, code in session.execute(
        select(UserHubRow.user_id, HubRow.code)
        .join(HubRow, HubRow.id == UserHubRow.hub_id)
        .join(UserRow, UserRow.id == UserHubRow.user_id)
        .where(UserRow.username.in_(wanted))
        .order_by(HubRow.code)
    ):
        codes.setdefault(user_id, []).append(code)
    for user_id, username, full_name, role in session.execute(
        select(UserRow.id, UserRow.username, UserRow.full_name, UserRow.role).where(
            UserRow.username.in_(wanted)
        )
    ):
        people[username] = Actor(
            username, full_name, Role(role), hub_codes=tuple(codes.get(user_id, ()))
        )
    return people


class ChangeListener:
    """PostgreSQL ``LISTEN`` on a connection of its own, in a background thread.

    The thread waits for notifications a short while at a time so that ``close`` stops it
    promptly; when the server goes away it reconnects every ``retry_seconds`` (and calls back
    once connected again, as changes may have been missed). ``close`` joins the thread."""

    def __init__(
        self,
        url: str,
        on_change: Callable[[], None],
        *,
        retry_seconds: float = 2.0,
        wait_seconds: float = 0.2,
    ) -> None:
        self._conninfo = (
            make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        self._on_change = on_change
        self._retry = retry_seconds
        self._wait = wait_seconds
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trainer-app changes", daemon=True)
        self.connections = 0  # how many times it has connected (a reconnection makes it 2)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait_listening(self, timeout: float) -> bool:
        """Wait until it is connected and listening (tests; a window need not)."""
        return self._listening.wait(timeout)

    def close(self) -> None:
        """Stop listening; returns once the thread has ended."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.connections += 1
                    self._listening.set()
                    if self.connections > 1:
                        self._on_change()  # what was committed while we were away
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self._wait):
                            self._on_change()
            except psycopg.Error:
                self._listening.clear()
                self._stop.wait(self._retry)
