"""The unit of work: one session, one transaction; commit on success, roll back on any error.

Writers never lose each other's updates. On SQLite a writing transaction takes the file's write
lock when it begins (``BEGIN IMMEDIATE``), so what it reads cannot change before it writes; a
second writer waits (the busy timeout) rather than failing. On PostgreSQL services lock the rows
they are about to change (``SELECT … FOR UPDATE``); a deadlock or a serialization failure between
two writers is run again by ``retrying`` instead of being shown to the user.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from trainer_app.domain.errors import DomainError, StaleEdit, StoreError
from trainer_app.persistence import chain
from trainer_app.persistence.db import Store, busy_message

P = ParamSpec("P")
T = TypeVar("T")

# PostgreSQL's SQLSTATEs for a transaction that lost a race and may simply be run again.
TRANSIENT_STATES = {"40001": "serialization failure", "40P01": "deadlock"}
RETRIES = 4


class TransientConflict(StoreError):
    """Two writers collided in a way the server resolved by stopping one (a deadlock, a
    serialization failure); nothing was written and the same work may be run again."""


# PostgreSQL advisory lock every writing transaction holds shared, and one that must see the
# store unchanged from its checks to its commit (publishing a plan) holds alone.
WRITERS_LOCK = 0x7472_6169  # "trai"
CHANGES_CHANNEL = "trainer_app_changes"  # PostgreSQL: notified by every committed change


@contextmanager
def transaction(store: Store, *, alone: bool = False) -> Iterator[Session]:
    """Yield a session inside a transaction. Database errors become messages for the user.

    ``alone``: no other writer may commit between this transaction's first read and its commit
    (SQLite's write lock gives that to every writer; on PostgreSQL writers share a lock that
    this one takes for itself, waiting for those under way to finish).
    The audit entries it added are sealed just before it commits (``persistence.chain``); on
    PostgreSQL the transaction then notifies ``CHANGES_CHANNEL`` with the last seal's number,
    which the server delivers to listeners only if it commits (``services.changes``)."""
    session = store.sessions()
    try:
        with session.begin():
            if store.is_sqlite:  # take the write lock now: what we read stays true until commit
                session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            else:  # the server's sessions leave BEGIN to us: it goes with the lock, one trip
                kind = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
                session.connection().exec_driver_sql(f"BEGIN; SELECT {kind}({WRITERS_LOCK})")
            yield session
            chain.seal_pending(session, store.chain, notify=CHANGES_CHANNEL)
        chain.after_commit(session, store.chain)
    except StaleDataError as error:
        raise StaleEdit(
            "Someone else changed this record while you were saving; reload it and try again. "
            "Nothing was saved"
        ) from error
    except IntegrityError as error:
        raise DomainError(
            f"The database refused the change ({_first_line(error.orig)}). Nothing was saved"
        ) from error
    except OperationalError as error:
        state = getattr(error.orig, "sqlstate", None)
        if state in TRANSIENT_STATES:
            raise TransientConflict(
                f"Another person's change collided with this one ({TRANSIENT_STATES[state]}). "
                "Nothing was saved; try again"
            ) from error
        if "locked" in str(error.orig) or state == "55P03":  # SQLite busy, PG lock_timeout
            raise StoreError(busy_message("The database", saved=False)) from error
        raise StoreError(
            f"The database could not complete the change ({_first_line(error.orig)}). "
            "Nothing was saved"
        ) from error
    finally:
        session.close()


def retrying(work: Callable[P, T]) -> Callable[P, T]:
    """Run ``work`` (a use case that opens its own ``transaction``) again, after a short random
    pause, when it lost a race the server broke (``TransientConflict``); the last attempt's
    error reaches the user."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(RETRIES):
            try:
                return work(*args, **kwargs)
            except TransientConflict:
                if attempt == RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.02, 0.1) * 2**attempt)
        raise AssertionError("unreachable")

    return run


@contextmanager
def reading(store: Store) -> Iterator[Session]:
    """A session for queries only."""
    session = store.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _first_line(error: BaseException | None) -> str:
    return str(error).splitlines()[0] if error else "unknown error"
