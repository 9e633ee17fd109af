"""The composition root of the services: one object the CLI and the GUI are handed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from trainer_app.config import Settings
from trainer_app.domain.audit import LOCAL_ACTOR, Actor
from trainer_app.domain.courses import find_prerequisite_cycle
from trainer_app.persistence.chain import AuditChain
from trainer_app.persistence.db import (
    Store,
    integrity_problems,
    new_store,
    open_store,
    schema_revision,
)
from trainer_app.services.audit import AuditService
from trainer_app.services.backup import BackupService
from trainer_app.services.base import Now, now_utc
from trainer_app.services.certificates import CertificateService
from trainer_app.services.changes import ChangeFeed
from trainer_app.services.courses import CourseService
from trainer_app.services.enrolment import EnrolmentService
from trainer_app.services.exports import ExportService
from trainer_app.services.matrix import MatrixService
from trainer_app.services.network import FacilityService, HubService
from trainer_app.services.people import CohortService, TraineeService
from trainer_app.services.planning import PlanningService
from trainer_app.services.runs import RunService
from trainer_app.services.schedules import ScheduleService
from trainer_app.services.signatures import SignatureService
from trainer_app.services.trainers import TrainerService
from trainer_app.services.training import TrainingService
from trainer_app.services.users import UserService


@dataclass
class ServiceContext:
    settings: Settings
    store: Store
    actor: Actor
    hubs: HubService
    facilities: FacilityService
    trainers: TrainerService
    courses: CourseService
    cohorts: CohortService
    trainees: TraineeService
    runs: RunService
    planning: PlanningService
    audit: AuditService
    enrolment: EnrolmentService
    training: TrainingService
    matrix: MatrixService
    certificates: CertificateService
    backups: BackupService
    exports: ExportService
    users: UserService
    signatures: SignatureService
    schedules: ScheduleService
    changes: ChangeFeed  # what others changed since a window last looked
    today: Callable[[], date] = date.today  # the calendar the services read
    now: Now = now_utc  # the clock that stamps what they record

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        actor: Actor = LOCAL_ACTOR,
        create: bool = True,
        upgrade: bool = True,
        extra_migrations: tuple[Path, ...] = (),
        today: Callable[[], date] = date.today,
        now: Now = now_utc,
        thorough: bool | None = None,
        new: bool = False,
    ) -> ServiceContext:
        """Open (creating or upgrading) the configured store and build every service on it.

        A damaged, empty, foreign or unknown store is refused untouched (``StoreRefused``);
        ``thorough`` forces the full integrity check on open, ``new`` asks for a new store in a
        missing or empty file (see ``trainer_app.persistence.db.open_store``). ``today`` is the
        calendar the training rules read, ``now`` the clock that stamps what is recorded
        (tests and the demo's history fix them)."""
        sealing = AuditChain.load(settings.key_folder)
        store = open_store(
            settings.database_url,
            create=create,
            upgrade=upgrade,
            extra_migrations=extra_migrations,
            thorough=thorough,
            new=new,
            audit_key=sealing.key,
        )
        store.chain = sealing
        return cls._on(settings, store, actor, today, now)

    @classmethod
    @contextmanager
    def creating(cls, settings: Settings) -> Iterator[ServiceContext]:
        """Services on a new store for the settings' file, which must not exist yet: what is
        done inside the ``with`` appears under that name only once it has all been done (a
        failed or killed build leaves nothing there; see ``persistence.db.new_store``)."""
        sealing = AuditChain.load(settings.key_folder)
        with new_store(settings.database_url) as store:
            store.chain = sealing
            yield cls._on(settings, store, LOCAL_ACTOR, date.today, now_utc)

    @classmethod
    def _on(
        cls, settings: Settings, store: Store, actor: Actor, today: Callable[[], date], now: Now
    ) -> ServiceContext:
        return cls(
            settings=settings,
            store=store,
            actor=actor,
            hubs=HubService(store, actor, now),
            facilities=FacilityService(store, actor, now),
            trainers=TrainerService(store, actor, now),
            courses=CourseService(store, actor, now, today),
            cohorts=CohortService(store, actor, now),
            trainees=TraineeService(store, actor, now),
            runs=RunService(store, actor, now),
            planning=PlanningService(store, actor, now),
            audit=AuditService(store),
            enrolment=EnrolmentService(store, actor, today, now),
            training=TrainingService(store, actor, today, now),
            matrix=MatrixService(store, actor, today, now),
            certificates=CertificateService(store, actor, settings.key_folder, today, now),
            backups=BackupService(store, actor, settings, now),
            exports=ExportService(store, actor, now),
            users=UserService(store, actor, now),
            signatures=SignatureService(store, actor, now),
            schedules=ScheduleService(store, actor, today, now),
            changes=ChangeFeed(store),
            today=today,
            now=now,
        )

    def signed_in(self, actor: Actor) -> ServiceContext:
        """The same services on the same store acting for ``actor`` (as ``UserService.sign_in``
        returned them). Close this context, not the one returned."""
        return self._on(self.settings, self.store, actor, self.today, self.now)

    def recording(self, today: Callable[[], date], now: Now) -> ServiceContext:
        """The same services on the same store with another calendar and clock: how the
        past is recorded (the demo's history). Close this context, not the one returned."""
        return self._on(self.settings, self.store, self.actor, today, now)

    @property
    def database_name(self) -> str:
        return self.store.display_name

    @property
    def upgrade_backup(self) -> Path | None:
        return self.store.backup

    @property
    def schema_revision(self) -> str | None:
        return schema_revision(self.store)

    def check(self) -> list[str]:
        """Integrity problems of the store and of the data's own rules; empty when healthy."""
        problems = integrity_problems(self.store)
        courses = self.courses.list()
        graph = {c.id: set(c.prerequisites) for c in courses}
        codes = {c.id: c.code for c in courses}
        for course in courses:
            cycle = find_prerequisite_cycle(graph, course.id)
            if cycle:
                problems.append("Prerequisite cycle: " + " → ".join(codes[c] for c in cycle))
        return problems

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> ServiceContext:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
