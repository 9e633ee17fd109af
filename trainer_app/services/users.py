"""User accounts and signing in: argon2id password hashes, lockout, and the signed-in person
(an ``Actor``) every other service acts for.

Password hashing uses argon2id with RFC 9106's second recommended parameter set (3 passes
over 64 MiB, 4 lanes): 0.13 s to check a password on the reference machine, inside the
0.5 s sign-in target, and a guessing attack with a stolen store pays the same per guess
(benchmarks/sign_in.py, docs/compliance.md). Hashes made with other parameters are
re-hashed with these at the next successful sign-in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import (
    IDLE_LOCK_DEFAULT_MINUTES,
    IDLE_LOCK_MAX_MINUTES,
    LOCKOUT_MINUTES,
    MAX_FAILED_SIGN_INS,
    USERNAME,
    AccountFields,
    Act,
    Actor,
    Role,
    password_problem,
)
from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.domain.errors import DomainError, NotFound, ValidationError
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import AppMeta, HubRow, TrainerRow, UserHubRow, UserRow
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import Now, now_utc, save_store_setting, write_audit

HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
# Checked against when the user name is unknown, so a wrong name takes as long as a wrong
# password and sign-in does not reveal which names exist.
_DECOY = HASHER.hash("not a password anyone has")

IDLE_LOCK_KEY = "idle_lock_minutes"


class SignInRefused(DomainError):
    """Wrong user name or password, a locked or inactive account; audited, nothing else."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    full_name: str
    role: Role
    hubs: frozenset[int]
    hub_codes: tuple[str, ...]
    trainer_id: int | None
    trainer_name: str
    active: bool
    locked_until: datetime | None
    last_sign_in: datetime | None
    row_version: int

    @property
    def fields(self) -> AccountFields:
        return AccountFields(
            self.username, self.full_name, self.role, self.hubs, self.trainer_id, self.active
        )

    def actor(self) -> Actor:
        return Actor(
            self.username,
            self.full_name,
            self.role,
            self.hubs,
            self.trainer_id,
            self.hub_codes,
        )

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class UserService:
    def __init__(self, store: Store, actor: Actor, now: Now = now_utc) -> None:
        self.store = store
        self.actor = actor
        self.now = now

    # ----- reading ---------------------------------------------------------------------------
    def has_accounts(self) -> bool:
        """False for a store nobody has set up yet (the window then asks for its
        administrator; until then the command line works as the installation's local user)."""
        with reading(self.store) as session:
            return session.scalar(select(func.count()).select_from(UserRow)) != 0

    def list(self) -> list[Account]:
        with reading(self.store) as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.username)).all()
            return [_account(session, row) for row in rows]

    def get(self, user_id: int) -> Account:
        with reading(self.store) as session:
            return _account(session, _load(session, user_id))

    def by_username(self, username: str) -> Account:
        with reading(self.store) as session:
            row = _find(session, username)
            if row is None:
                raise NotFound(f"There is no user account '{username.strip()}'")
            return _account(session, row)

    # ----- signing in ------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> Actor:
        """The account's person, once the password is right; refused (and audited) when the
        name or password is wrong, the account is locked or no longer active. Five wrong
        passwords in a row lock the account for 15 minutes."""
        name = username.strip().lower()
        # What the trail names: printable characters only (PostgreSQL text holds no NUL).
        shown = "".join(c for c in name if c.isprintable())[:64] or "(no name)"
        refusal: str | None = None
        with transaction(self.store) as session:
            # A name no account could have is not looked up (nor sent to the database as is).
            row = _find(session, name, lock=True) if USERNAME.match(name) else None
            now = self.now()
            if row is None:
                _matches(_DECOY, password)
                refusal = "The user name or the password is wrong"
                self._refused(session, 0, shown, "unknown user name", now)
            elif row.locked_until is not None and row.locked_until > now:
                refusal = (
                    f"The account {row.username} is locked after {MAX_FAILED_SIGN_INS} wrong "
                    f"passwords until {dates.time_of_day(row.locked_until)} UTC. Wait, or ask "
                    "an administrator to unlock it"
                )
                self._refused(session, row.id, row.username, "account locked", now)
            elif not _matches(row.password_hash, password):
                row.failed_sign_ins += 1
                refusal = "The user name or the password is wrong"
                why = "wrong password"
                if row.failed_sign_ins >= MAX_FAILED_SIGN_INS:
                    row.locked_until = now + timedelta(minutes=LOCKOUT_MINUTES)
                    row.failed_sign_ins = 0
                    refusal = (
                        f"{refusal}. After {MAX_FAILED_SIGN_INS} wrong passwords in a row the "
                        f"account is locked for {LOCKOUT_MINUTES} minutes"
                    )
                    why = f"wrong password; locked for {LOCKOUT_MINUTES} minutes"
                self._refused(session, row.id, row.username, why, now)
            elif not row.active:
                refusal = f"The account {row.username} is no longer active; ask an administrator"
                self._refused(session, row.id, row.username, "account not active", now)
            else:
                if HASHER.check_needs_rehash(row.password_hash):
                    row.password_hash = HASHER.hash(password)
                row.failed_sign_ins = 0
                row.locked_until = None
                row.last_sign_in = now
                account = _account(session, row)
                write_audit(
                    session,
                    account.actor(),
                    AuditAction.SIGN_IN,
                    RecordType.USER,
                    row.id,
                    row.username,
                    [],
                    at=now,
                )
                return account.actor()
        raise SignInRefused(refusal)

    def confirm(self, password: str) -> None:
        """The signed-in person's password again (to unlock the window, or to sign): refused
        like a sign-in when wrong, with the same lockout."""
        self.sign_in(self.actor.username, password)

    def sign_out(self) -> None:
        with transaction(self.store) as session:
            row = _find(session, self.actor.username)
            if row is not None:
                self._audit(session, row, AuditAction.SIGN_OUT, [])

    def _refused(
        self, session: Session, user_id: int, username: str, why: str, now: datetime
    ) -> None:
        write_audit(
            session,
            Actor(username[:64]),
            AuditAction.SIGN_IN_REFUSED,
            RecordType.USER,
            user_id,
            username,
            [],
            why,
            at=now,
        )

    # ----- accounts --------------------------------------------------------------------------
    def create_first_administrator(self, fields: AccountFields, password: str) -> Actor:
        """The store's first account, which must be an administrator; it records its own
        creation. Refused once any account exists."""
        if fields.role is not Role.ADMINISTRATOR:
            raise ValidationError.single("role", "The first account must be an administrator")
        with transaction(self.store) as session:
            if session.scalar(select(func.count()).select_from(UserRow)):
                raise DomainError(
                    "This store already has user accounts; sign in, and ask an administrator "
                    "for yours. Nothing was changed"
                )
            clean = fields.validated()
            account = self._add(session, clean, password, creator=None)
            return account.actor()

    def create(self, fields: AccountFields, password: str) -> Account:
        self.actor.require(Act.MANAGE_USERS, what="add user accounts")
        with transaction(self.store) as session:
            return self._add(session, fields.validated(), password, creator=self.actor)

    def update(
        self, user_id: int, expected_version: int, fields: AccountFields, *, reason: str = ""
    ) -> Account:
        self.actor.require(Act.MANAGE_USERS, what="change user accounts")
        with transaction(self.store) as session:
            row = _load(session, user_id, lock=True)
            if row.row_version != expected_version:
                raise DomainError(
                    f"The account {row.username} was changed by someone else after you opened "
                    "it. Reload it, then edit again. Nothing was saved"
                )
            clean = fields.validated()
            if clean.username != row.username:
                raise ValidationError.single(
                    "username", "User name: cannot be changed (the audit trail names it)"
                )
            self._check_references(session, clean)
            before = _account(session, row)
            if (
                row.role == Role.ADMINISTRATOR
                and row.active
                and (clean.role is not Role.ADMINISTRATOR or not clean.active)
            ):
                self._keep_an_administrator(session, row.id)
            row.full_name, row.role, row.active = clean.full_name, clean.role.value, clean.active
            row.trainer_id = clean.trainer_id
            row.hub_links = [UserHubRow(hub_id=h) for h in sorted(clean.hubs)]
            row.row_version += 1
            session.flush()
            after = _account(session, row)
            changes = [
                (field, old, new)
                for field, old, new in zip(
                    _FIELDS, _snapshot(before), _snapshot(after), strict=True
                )
                if old != new
            ]
            if changes:
                self._audit(session, row, AuditAction.UPDATE, changes, reason)
            return after

    def set_password(self, user_id: int, password: str) -> None:
        """An administrator sets someone's password (a new starter, a forgotten one); it also
        unlocks the account."""
        self.actor.require(Act.MANAGE_USERS, what="set other people's passwords")
        with transaction(self.store) as session:
            row = _load(session, user_id, lock=True)
            self._new_password(session, row, password)

    def change_own_password(self, current: str, new: str) -> None:
        self.confirm(current)
        with transaction(self.store) as session:
            row = _find(session, self.actor.username)
            if row is None:
                raise NotFound("Your account no longer exists")
            self._new_password(session, row, new)

    def unlock(self, user_id: int) -> None:
        self.actor.require(Act.MANAGE_USERS, what="unlock accounts")
        with transaction(self.store) as session:
            row = _load(session, user_id)
            if row.locked_until is None and not row.failed_sign_ins:
                return
            old = row.locked_until.isoformat() if row.locked_until else None
            row.locked_until, row.failed_sign_ins = None, 0
            self._audit(session, row, AuditAction.UPDATE, [("locked_until", old, None)])

    def _audit(
        self,
        session: Session,
        row: UserRow,
        action: AuditAction,
        changes: Sequence[tuple[str, str | None, str | None]],
        reason: str = "",
    ) -> None:
        """One audit entry about the account ``row``, by the signed-in person, now."""
        write_audit(
            session,
            self.actor,
            action,
            RecordType.USER,
            row.id,
            row.username,
            changes,
            reason,
            at=self.now(),
        )

    def _new_password(self, session: Session, row: UserRow, password: str) -> None:
        problem = password_problem(password, username=row.username, full_name=row.full_name)
        if problem:
            raise ValidationError.single("password", problem, subject="Account")
        row.password_hash = HASHER.hash(password)
        row.password_changed_at = self.now()
        row.failed_sign_ins, row.locked_until = 0, None
        self._audit(session, row, AuditAction.UPDATE, [("password", None, "(changed)")])

    def _add(
        self, session: Session, clean: AccountFields, password: str, *, creator: Actor | None
    ) -> Account:
        if _find(session, clean.username) is not None:
            raise ValidationError.single(
                "username", f"User name: '{clean.username}' is already taken", subject="Account"
            )
        problem = password_problem(password, username=clean.username, full_name=clean.full_name)
        if problem:
            raise ValidationError.single("password", problem, subject="Account")
        self._check_references(session, clean)
        now = self.now()
        row = UserRow(
            username=clean.username,
            full_name=clean.full_name,
            role=clean.role.value,
            password_hash=HASHER.hash(password),
            active=clean.active,
            trainer_id=clean.trainer_id,
            failed_sign_ins=0,
            password_changed_at=now,
            row_version=1,
            hub_links=[UserHubRow(hub_id=h) for h in sorted(clean.hubs)],
        )
        session.add(row)
        session.flush()
        account = _account(session, row)
        values = [(f, None, v) for f, v in zip(_FIELDS, _snapshot(account), strict=True) if v]
        write_audit(
            session,
            creator or account.actor(),
            AuditAction.CREATE,
            RecordType.USER,
            row.id,
            row.username,
            values,
            "" if creator else "the store's first account",
            at=now,
        )
        return account

    def _check_references(self, session: Session, clean: AccountFields) -> None:
        missing = [h for h in clean.hubs if session.get(HubRow, h) is None]
        if missing:
            raise ValidationError.single("hubs", "Hubs: a chosen hub no longer exists")
        if clean.trainer_id is not None and session.get(TrainerRow, clean.trainer_id) is None:
            raise ValidationError.single("trainer_id", "Trainer: no longer exists")

    def _keep_an_administrator(self, session: Session, user_id: int) -> None:
        others = session.scalar(
            select(func.count())
            .select_from(UserRow)
            .where(
                UserRow.role == Role.ADMINISTRATOR.value,
                UserRow.active.is_(True),
                UserRow.id != user_id,
            )
        )
        if not others:
            raise ValidationError.single(
                "role",
                "The store needs at least one active administrator: make another one first. "
                "Nothing was saved",
            )

    # ----- the idle lock ---------------------------------------------------------------------
    def idle_lock_minutes(self) -> int:
        """Minutes without input after which the window locks (0: never)."""
        with reading(self.store) as session:
            row = session.get(AppMeta, IDLE_LOCK_KEY)
        try:
            return int(row.value) if row is not None else IDLE_LOCK_DEFAULT_MINUTES
        except ValueError:
            return IDLE_LOCK_DEFAULT_MINUTES

    def set_idle_lock_minutes(self, minutes: int) -> None:
        self.actor.require(Act.CHANGE_SETTINGS, what="change when the window locks")
        if not 0 <= minutes <= IDLE_LOCK_MAX_MINUTES:
            raise ValidationError.single(
                "idle_lock_minutes",
                f"Lock after: 0 (never) to {IDLE_LOCK_MAX_MINUTES} minutes, not {minutes}",
            )
        old = self.idle_lock_minutes()
        if old == minutes:
            return
        with transaction(self.store) as session:
            save_store_setting(
                session,
                self.actor,
                IDLE_LOCK_KEY,
                str(minutes),
                "Window lock after idle",
                old=str(old),
                at=self.now(),
            )


_FIELDS = ("full_name", "role", "hubs", "trainer_id", "active")


def _snapshot(account: Account) -> tuple[str | None, ...]:
    return (
        account.full_name,
        account.role.value,
        ", ".join(account.hub_codes) or None,
        account.trainer_name or None,
        "yes" if account.active else "no",
    )


def _matches(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _find(session: Session, username: str, *, lock: bool = False) -> UserRow | None:
    """The account; with ``lock``, held until the transaction ends (two wrong passwords typed
    at once on two workstations both count towards the lockout)."""
    statement = select(UserRow).where(UserRow.username == username.strip().lower())
    return session.scalars(statement.with_for_update() if lock else statement).first()


def _load(session: Session, user_id: int, *, lock: bool = False) -> UserRow:
    row = session.get(UserRow, user_id, with_for_update=lock or None)
    if row is None:
        raise NotFound(f"User account {user_id} no longer exists")
    return row


def _account(session: Session, row: UserRow) -> Account:
    hubs = frozenset(link.hub_id for link in row.hub_links)
    codes = (
        tuple(session.scalars(select(HubRow.code).where(HubRow.id.in_(hubs)).order_by(HubRow.code)))
        if hubs
        else ()
    )
    trainer = session.get(TrainerRow, row.trainer_id) if row.trainer_id is not None else None
    return Account(
        id=row.id,
        username=row.username,
        full_name=row.full_name,
        role=Role(row.role),
        hubs=hubs,
        hub_codes=codes,
        trainer_id=row.trainer_id,
        trainer_name=trainer.name if trainer is not None else "",
        active=row.active,
        locked_until=row.locked_until,
        last_sign_in=row.last_sign_in,
        row_version=row.row_version,
    )
