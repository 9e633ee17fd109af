"""Users and roles, through the services (no window): who may do what, sign-in and lockout.

Each refusal must change nothing; each sign-in, failed sign-in and account change is in the
audit trail under the person who did it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.helpers import builders
from tests.integration.test_enrolment import MONDAY, World, publish_run, world
from trainer_app.domain.access import AccountFields, Act, Actor, NotPermitted, Role
from trainer_app.domain.errors import ValidationError
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.records import AttendanceFields, Mark
from trainer_app.services.context import ServiceContext
from trainer_app.services.users import SignInRefused, UserService

# Only the tests where the store matters run on both stores (both_stores below): the rest
# check permissions, the same on either, and each makes five accounts (argon2: seconds).

__all__ = ["world"]

PASSWORD = "correct horse battery"


@dataclass
class Team:
    w: World
    bristol: int  # a second hub, with a trainee of its own
    bristol_trainee: int
    admin: ServiceContext
    coordinator: ServiceContext  # London only
    trainer: ServiceContext  # Dr Amara Okafor, who teaches the run
    other_trainer: ServiceContext  # Dr Kofi Mensah, who does not
    auditor: ServiceContext

    def audit_rows(self) -> list[tuple[str, str, str, str]]:
        with self.w.ctx.store.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT actor, action, entity_type, reason FROM audit_entries ORDER BY id")
            )
            return [(actor, action, entity, reason) for actor, action, entity, reason in rows]


@pytest.fixture
def team(world: World) -> Iterator[Team]:
    ctx = world.ctx
    bristol = builders.hub(ctx, "BRS", "Bristol").id
    bristol_trainee = builders.trainee(ctx, bristol, "TR-000100", "Ffion Evans").id
    trainers = sorted(ctx.trainers.list(), key=lambda t: t.id)
    admin = ctx.users.create_first_administrator(
        AccountFields("admin", "Grace Adeyemi", Role.ADMINISTRATOR), PASSWORD
    )
    as_admin = ctx.signed_in(admin)
    accounts = [
        AccountFields("coord", "Hannah Price", Role.COORDINATOR, frozenset({world.hub_id})),
        AccountFields("amara", "Dr Amara Okafor", Role.TRAINER, trainer_id=trainers[0].id),
        AccountFields("kofi", "Dr Kofi Mensah", Role.TRAINER, trainer_id=trainers[1].id),
        AccountFields("audit", "Olu Bankole", Role.AUDITOR),
    ]
    signed = []
    for fields in accounts:
        as_admin.users.create(fields, PASSWORD)
        signed.append(ctx.signed_in(ctx.users.sign_in(fields.username, PASSWORD)))
    return Team(world, bristol, bristol_trainee, as_admin, *signed)


def trainee(hub_id: int, reference: str) -> TraineeFields:
    return TraineeFields(reference=reference, name="Ngozi Eze", hub_id=hub_id)


# ----- roles --------------------------------------------------------------------------------


@pytest.mark.both_stores
def test_a_coordinator_changes_their_own_hub_and_nothing_of_another(team: Team) -> None:
    w, coordinator = team.w, team.coordinator
    added = coordinator.trainees.create(trainee(w.hub_id, "TR-000200"))
    assert added.hub_id == w.hub_id
    with pytest.raises(NotPermitted, match=r"Hannah Price \(coordinator\) may not add trainee"):
        coordinator.trainees.create(trainee(team.bristol, "TR-000201"))
    theirs = coordinator.trainees.get(team.bristol_trainee)
    with pytest.raises(NotPermitted, match="only the records of their own hubs \\(LON\\)"):
        coordinator.trainees.update(
            theirs.id, theirs.row_version, dataclasses.replace(theirs, name="Changed")
        )
    # Moving one of their own trainees to another hub is a change to that hub too.
    with pytest.raises(NotPermitted):
        coordinator.trainees.update(
            added.id, added.row_version, dataclasses.replace(added, hub_id=team.bristol)
        )
    with pytest.raises(NotPermitted):
        coordinator.trainees.delete(theirs.id, theirs.row_version)
    with pytest.raises(NotPermitted, match="only an administrator may change hubs"):
        coordinator.hubs.delete(team.bristol, 1)
    assert w.ctx.trainees.get(team.bristol_trainee).name == "Ffion Evans"
    assert [t.reference for t in w.ctx.trainees.list()].count("TR-000201") == 0
    # An import is all or nothing: one row of another hub refuses every row.
    with pytest.raises(NotPermitted):
        coordinator.trainees.bulk_create(
            [trainee(w.hub_id, "TR-000300"), trainee(team.bristol, "TR-000301")]
        )
    assert "TR-000300" not in {t.reference for t in w.ctx.trainees.list()}


def test_an_auditor_reads_everything_and_changes_nothing(team: Team) -> None:
    w, auditor = team.w, team.auditor
    before = len(team.audit_rows())
    assert len(auditor.trainees.list()) == len(w.ctx.trainees.list())
    attempts = [
        lambda: auditor.trainees.create(trainee(w.hub_id, "TR-000400")),
        lambda: auditor.hubs.create(dataclasses.replace(w.ctx.hubs.get(team.bristol), code="X")),
        lambda: auditor.courses.delete(w.gown.id, w.gown.row_version),
        lambda: auditor.matrix.set_expiring_days(30),
        lambda: auditor.users.set_idle_lock_minutes(5),
        lambda: auditor.backups.set_backups_to_keep(3),
        auditor.certificates.rotate_key,
        lambda: auditor.users.create(AccountFields("x1", "X", Role.AUDITOR), PASSWORD),
    ]
    for attempt in attempts:
        with pytest.raises(NotPermitted, match="auditors read and export everything"):
            attempt()
    assert len(team.audit_rows()) == before


def test_a_trainer_records_attendance_only_for_the_runs_they_teach(team: Team) -> None:
    w = team.w
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)], trainer_index=0)
    w.ctx.enrolment.enrol(run.id, w.people[0])
    w.clock.day = MONDAY + timedelta(days=1)
    (session,) = w.ctx.training.register(run.id).sessions
    mark = AttendanceFields(session_id=session.id, trainee_id=w.people[0], mark=Mark.PRESENT)
    with pytest.raises(NotPermitted, match="only for the runs they teach"):
        team.other_trainer.training.record_attendance([mark])
    assert w.ctx.training.register(run.id).marks == {}
    team.trainer.training.record_attendance([mark])
    assert w.ctx.training.register(run.id).marks
    # A trainer enrols nobody, even on their own run.
    with pytest.raises(NotPermitted, match="may not enrol trainees on GOWN-2027-01"):
        team.trainer.enrolment.enrol(run.id, w.people[1])
    assert team.audit_rows()[-1][0] == "amara"


@pytest.mark.both_stores
def test_every_entry_names_the_signed_in_person(team: Team) -> None:
    team.coordinator.trainees.create(trainee(team.w.hub_id, "TR-000500"))
    actor, action, entity, _ = team.audit_rows()[-1]
    assert (actor, action, entity) == ("coord", "create", "trainee")


# ----- accounts and signing in --------------------------------------------------------------


@pytest.mark.both_stores
def test_sign_in_is_refused_in_words_and_audited_and_locks_after_five_failures(
    team: Team,
) -> None:
    users = team.w.ctx.users
    with pytest.raises(SignInRefused, match="The user name or the password is wrong"):
        users.sign_in("nobody", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused, match="wrong$"):
            users.sign_in("coord", "not the password")
    with pytest.raises(SignInRefused, match="locked for 15 minutes"):
        users.sign_in("coord", "not the password")
    # Locked: even the right password is refused until the time is up or an admin unlocks.
    with pytest.raises(SignInRefused, match="is locked after 5 wrong passwords until"):
        users.sign_in("coord", PASSWORD)
    refused = [r for r in team.audit_rows() if r[1] == "sign_in_refused"]
    assert [r[3] for r in refused] == [
        "unknown user name",
        *["wrong password"] * 4,
        "wrong password; locked for 15 minutes",
        "account locked",
    ]
    assert refused[0][0] == "nobody"
    with pytest.raises(NotPermitted):
        team.coordinator.users.unlock(users.by_username("coord").id)
    team.admin.users.unlock(users.by_username("coord").id)
    assert users.sign_in("Coord ", PASSWORD).role is Role.COORDINATOR


def test_the_lockout_ends_by_itself(team: Team) -> None:
    later = [datetime.now(UTC)]
    service = UserService(team.w.ctx.store, team.w.ctx.actor, lambda: later[0])
    for _ in range(5):
        with pytest.raises(SignInRefused):
            service.sign_in("audit", "wrong password!")
    later[0] += timedelta(minutes=16)
    assert service.sign_in("audit", PASSWORD).username == "audit"


def test_an_inactive_account_cannot_sign_in_and_the_last_administrator_stays(team: Team) -> None:
    users = team.admin.users
    account = users.by_username("kofi")
    users.update(account.id, account.row_version, dataclasses.replace(account.fields, active=False))
    with pytest.raises(SignInRefused, match="no longer active"):
        users.sign_in("kofi", PASSWORD)
    admin = users.by_username("admin")
    with pytest.raises(ValidationError, match="at least one active administrator"):
        users.update(
            admin.id, admin.row_version, dataclasses.replace(admin.fields, role=Role.AUDITOR)
        )
    assert users.by_username("admin").role is Role.ADMINISTRATOR


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (AccountFields("A", "Ann", Role.AUDITOR), "User name: 2–32 characters"),
        (AccountFields("ann", "  ", Role.AUDITOR), "Full name must not be empty"),
        (AccountFields("ann", "Ann\u202eeL", Role.AUDITOR), "Full name"),
        (AccountFields("ann", "A" * 121, Role.AUDITOR), "the limit is 120"),
        (AccountFields("ann\x00", "Ann", Role.AUDITOR), "User name: 2–32 characters"),
        (AccountFields("ann", "Ann", Role.COORDINATOR), "a coordinator needs at least one hub"),
        (AccountFields("ann", "Ann", Role.TRAINER), "a trainer's account belongs to a trainer"),
        (AccountFields("coord", "Ann", Role.AUDITOR), "'coord' is already taken"),
    ],
)
def test_bad_accounts_are_refused_field_by_field(
    team: Team, fields: AccountFields, message: str
) -> None:
    count = len(team.admin.users.list())
    with pytest.raises(ValidationError, match=message):
        team.admin.users.create(fields, PASSWORD)
    assert len(team.admin.users.list()) == count


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("aaaaaaaaaaaa", "more different characters"),
        ("annie-password-1", "must not contain your user name"),
        (" padded password ", "no spaces at the start or the end"),
    ],
)
def test_weak_passwords_are_refused(team: Team, password: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        team.admin.users.create(AccountFields("annie", "Annie Lee", Role.AUDITOR), password)


def test_the_first_account_is_made_once_and_is_an_administrator(team: Team) -> None:
    with pytest.raises(Exception, match="already has user accounts"):
        team.w.ctx.users.create_first_administrator(
            AccountFields("second", "Second Admin", Role.ADMINISTRATOR), PASSWORD
        )


@pytest.mark.both_stores
def test_passwords_are_stored_only_as_argon2id_hashes(team: Team) -> None:
    with team.w.ctx.store.engine.connect() as connection:
        hashes = [h for (h,) in connection.execute(text("SELECT password_hash FROM users"))]
    assert hashes and all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_changing_your_own_password_needs_the_current_one(team: Team) -> None:
    users = team.auditor.users
    with pytest.raises(SignInRefused):
        users.change_own_password("wrong password!", "a new long passphrase")
    users.change_own_password(PASSWORD, "a new long passphrase")
    assert team.w.ctx.users.sign_in("audit", "a new long passphrase").username == "audit"


def test_a_person_without_a_role_given_may_only_read_and_export() -> None:
    nobody = Actor("x")
    assert nobody.may(Act.EXPORT)
    assert not any(nobody.may(act) for act in Act if act is not Act.EXPORT)


@pytest.mark.parametrize(
    "username",
    ["", "x" * 10_000, "ad\x00min", "\u202eadmin", "admin' OR '1'='1", "ADMIN\n"],
)
def test_hostile_user_names_are_refused_in_words_and_audited(team: Team, username: str) -> None:
    with pytest.raises(SignInRefused):
        team.w.ctx.users.sign_in(username, "x" * 100_000)
    actor, action, entity, reason = team.audit_rows()[-1]
    assert (action, entity) == ("sign_in_refused", "user") and len(actor) <= 64
    # ADMIN with a newline is the administrator's name, typed untidily: a wrong password.
    assert reason in ("unknown user name", "wrong password")
