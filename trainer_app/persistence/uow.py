"""The unit of work: one session, one transaction; commit on success, roll back on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from trainer_app.domain.errors import DomainError, StaleEdit, StoreError
from trainer_app.persistence import chain
from trainer_app.persistence.db import Store, busy_message

CHANGES_CHANNEL = "trainer_app_changes"  # PostgreSQL: notified by every committed change


@contextmanager
def transaction(store: Store) -> Iterator[Session]:
    """Yield a session inside a transaction. Database errors become messages for the user.

    The audit entries it added are sealed just before it commits (``persistence.chain``); on
    PostgreSQL the transaction then notifies ``CHANGES_CHANNEL`` with the last seal's number,
    which the server delivers to listeners only if it commits (``services.changes``)."""
    session = store.sessions()
    try:
        with session.begin():
            yield session
            head = chain.seal_pending(session, store.chain)
            if head is not None and not store.is_sqlite:
                session.execute(
                    text("SELECT pg_notify(:channel, :seal)"),
                    {"channel": CHANGES_CHANNEL, "seal": str(head.seq)},
                )
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
        if "locked" in str(error.orig):
            raise StoreError(busy_message("The database", saved=False)) from error
        raise StoreError(
            f"The database could not complete the change ({_first_line(error.orig)}). "
            "Nothing was saved"
        ) from error
    finally:
        session.close()


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
