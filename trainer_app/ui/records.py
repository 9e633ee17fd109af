"""What the GUI needs to know about each kind of record: its words, service and fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trainer_app.domain.courses import CourseFields
from trainer_app.domain.network import FacilityFields, HubFields
from trainer_app.domain.people import CohortFields, TraineeFields
from trainer_app.domain.trainers import TrainerFields
from trainer_app.services.context import ServiceContext


@dataclass(frozen=True)
class RecordKind:
    entity_type: str  # as the audit trail names it
    noun: str  # lower case, as in "Delete trainer Dr Amara Okafor?"
    plural: str
    icon: str
    fields_class: type[Any]
    service_of: Callable[[ServiceContext], Any]
    label: Callable[[Any], str]

    @property
    def title(self) -> str:
        return self.noun.capitalize()

    def service(self, context: ServiceContext) -> Any:
        return self.service_of(context)

    def fields_of(self, record: Any) -> Any:
        """The editable part of a record (drops id, row_version and derived values)."""
        names = [f.name for f in dataclasses.fields(self.fields_class)]
        return self.fields_class(**{name: getattr(record, name) for name in names})

    def describe(self, record: Any) -> str:
        """Mid-sentence: "trainer Dr Amara Okafor"."""
        return f"{self.noun} {self.label(record)}"

    def heading(self, record: Any) -> str:
        """At the start: "Trainer Dr Amara Okafor"."""
        return f"{self.title} {self.label(record)}"


HUB = RecordKind("hub", "hub", "hubs", "hub", HubFields, lambda c: c.hubs, lambda r: r.name)
FACILITY = RecordKind(
    "facility",
    "facility",
    "facilities",
    "facility",
    FacilityFields,
    lambda c: c.facilities,
    lambda r: f"{r.code} {r.name}",
)
TRAINER = RecordKind(
    "trainer",
    "trainer",
    "trainers",
    "trainer",
    TrainerFields,
    lambda c: c.trainers,
    lambda r: r.name,
)
COURSE = RecordKind(
    "course",
    "course",
    "courses",
    "course",
    CourseFields,
    lambda c: c.courses,
    lambda r: f"{r.code} {r.title}",
)
COHORT = RecordKind(
    "cohort", "cohort", "cohorts", "cohort", CohortFields, lambda c: c.cohorts, lambda r: r.name
)
TRAINEE = RecordKind(
    "trainee",
    "trainee",
    "trainees",
    "trainee",
    TraineeFields,
    lambda c: c.trainees,
    lambda r: f"{r.name} ({r.reference})",
)
