"""Who may do what: the four roles, the signed-in person, and the rules every service applies.

The window only hides what a role cannot do; the rule itself is here, and each service asks
``require`` before it changes anything, so the CLI, the window and any future client are
held to the same rules.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from trainer_app.domain.errors import DomainError, FieldError, ValidationError
from trainer_app.domain.text import check_name


class Role(enum.StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def description(self) -> str:
        return ROLE_DESCRIPTIONS[self]


ROLE_DESCRIPTIONS: Mapping[Role, str] = {
    Role.ADMINISTRATOR: "Everything, including user accounts, settings and restoring backups",
    Role.COORDINATOR: "Plans, runs, trainees, enrolment, records and certificates of their hubs",
    Role.TRAINER: "Attendance and assessments of the runs they teach",
    Role.AUDITOR: "Reads and exports everything, changes nothing",
}


class Act(enum.StrEnum):
    """What a service is about to do, as the rules below know it."""

    MANAGE_USERS = "manage user accounts"
    CHANGE_SETTINGS = "change the store's settings"
    RESTORE = "restore a backup"
    COPY_STORE = "copy the whole store into another database"
    MANAGE_KEYS = "manage signing keys"
    EDIT_NETWORK = "change hubs"
    EDIT_CATALOGUE = "change the course catalogue or role requirements"
    EDIT_HUB_DATA = "change facilities, trainers, cohorts, trainees, runs or plans"
    ENROL = "enrol or withdraw trainees"
    RECORD_TRAINING = "record attendance, assessments or completions"
    ISSUE_CERTIFICATES = "issue or revoke certificates"
    BACK_UP = "back up the database"
    EXPORT = "export records"


# Acts a coordinator may do within their hubs, and a trainer for the runs they teach.
_COORDINATOR_ACTS = frozenset(
    {
        Act.EDIT_HUB_DATA,
        Act.ENROL,
        Act.RECORD_TRAINING,
        Act.ISSUE_CERTIFICATES,
        Act.BACK_UP,
        Act.EXPORT,
    }
)
_TRAINER_ACTS = frozenset({Act.RECORD_TRAINING, Act.EXPORT})
_AUDITOR_ACTS = frozenset({Act.EXPORT})


class NotPermitted(DomainError):
    """The signed-in person's role (or hubs) does not allow what was asked; nothing changed."""


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf a service acts: who is named in the audit trail, and what
    their role lets them do. ``hubs`` are a coordinator's hubs (ids); ``trainer_id`` is the
    trainer record a trainer's account belongs to."""

    username: str
    display_name: str = ""
    role: Role = Role.AUDITOR  # least privilege unless a role is given
    hubs: frozenset[int] = field(default_factory=frozenset)
    trainer_id: int | None = None
    hub_codes: tuple[str, ...] = ()  # for messages: the hubs' codes, in the user's words

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def title(self) -> str:
        """ "Amara Okafor (coordinator, LON)" — who is signed in, as the window shows it."""
        scope = f", {', '.join(self.hub_codes)}" if self.hub_codes else ""
        return f"{self} ({self.role.value}{scope})"

    def may(
        self,
        act: Act,
        *,
        hubs: Collection[int | None] = (),
        trainers: Collection[int | None] = (),
    ) -> bool:
        """Whether this person may do ``act`` to records of ``hubs`` (ids; ``None`` for a
        record of the whole network) or, for a trainer, of the runs taught by ``trainers``."""
        if self.role is Role.ADMINISTRATOR:
            return True
        if self.role is Role.AUDITOR:
            return act in _AUDITOR_ACTS
        if self.role is Role.TRAINER:
            if act not in _TRAINER_ACTS:
                return False
            return act is Act.EXPORT or (
                self.trainer_id is not None
                and bool(trainers)
                and all(t == self.trainer_id for t in trainers)
            )
        if act not in _COORDINATOR_ACTS:
            return False
        return all(h is not None and h in self.hubs for h in hubs)

    def require(
        self,
        act: Act,
        *,
        hubs: Collection[int | None] = (),
        trainers: Collection[int | None] = (),
        what: str = "",
    ) -> None:
        """Refuse (``NotPermitted``, in words) unless ``may`` allows it."""
        if self.may(act, hubs=hubs, trainers=trainers):
            return
        thing = what or act.value
        if self.role is Role.AUDITOR:
            why = "auditors read and export everything and change nothing"
        elif self.role is Role.TRAINER and act in _TRAINER_ACTS:
            why = "trainers record attendance and assessments only for the runs they teach"
        elif self.role is Role.COORDINATOR and act in _COORDINATOR_ACTS:
            mine = ", ".join(self.hub_codes) or "none"
            why = (
                "coordinators change only the records of their own hubs "
                f"({mine}); network-wide records are changed by an administrator"
            )
        else:
            why = f"only an administrator may {act.value}"
        raise NotPermitted(
            f"{self} ({self.role.value}) may not {thing}: {why}. Nothing was changed"
        )


LOCAL_ACTOR = Actor("local", "Local user", Role.ADMINISTRATOR)
"""The installation itself, before a store has any user account (and for building the demo)."""


# ----- accounts -----------------------------------------------------------------------------

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_FAILED_SIGN_INS = 5  # consecutive failures before an account is locked
LOCKOUT_MINUTES = 15
IDLE_LOCK_DEFAULT_MINUTES = 15
IDLE_LOCK_MAX_MINUTES = 240


@dataclass(frozen=True)
class AccountFields:
    """What an administrator types for an account (the password is set separately)."""

    username: str
    full_name: str
    role: Role
    hubs: frozenset[int] = frozenset()
    trainer_id: int | None = None
    active: bool = True

    def validated(self) -> AccountFields:
        problems: list[FieldError] = []
        username = self.username.strip().lower()
        if not USERNAME.match(username):
            problems.append(
                FieldError(
                    "username",
                    "User name: 2–32 characters, lower-case letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit",
                )
            )
        # A name shown on signatures and in the trail: the same hygiene as every name (no
        # control or bidirectional-override characters, no piles of combining marks).
        full_name = check_name(self.full_name, "full_name", "Full name", problems, limit=120)
        if self.role is Role.COORDINATOR and not self.hubs:
            problems.append(FieldError("hubs", "Hubs: a coordinator needs at least one hub"))
        if self.role is not Role.COORDINATOR and self.hubs:
            problems.append(FieldError("hubs", "Hubs: only coordinators are limited to hubs"))
        if self.role is Role.TRAINER and self.trainer_id is None:
            problems.append(
                FieldError("trainer_id", "Trainer: a trainer's account belongs to a trainer")
            )
        if self.role is not Role.TRAINER and self.trainer_id is not None:
            problems.append(
                FieldError("trainer_id", "Trainer: only a trainer's account names a trainer")
            )
        if problems:
            raise ValidationError(problems, subject="Account")
        return AccountFields(
            username, full_name, self.role, self.hubs, self.trainer_id, self.active
        )


def password_problem(password: str, *, username: str = "", full_name: str = "") -> str | None:
    """Why ``password`` cannot be used, in words; None when it can."""
    if len(password) < MIN_PASSWORD:
        return f"Password: at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"Password: at most {MAX_PASSWORD} characters"
    if password != password.strip():
        return "Password: no spaces at the start or the end"
    folded = password.casefold()
    for name in (username, *full_name.split()):
        if len(name) >= 3 and name.casefold() in folded:
            return "Password: must not contain your user name or your name"
    if len(set(password)) < 4:
        return "Password: use more different characters"
    return None
