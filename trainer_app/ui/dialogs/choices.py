"""Lists of records to choose from, as the dialogs show them."""

from __future__ import annotations

from trainer_app.services.context import ServiceContext


def hubs(context: ServiceContext) -> list[tuple[int, str]]:
    return [(hub.id, f"{hub.code} — {hub.name}") for hub in context.hubs.list()]


def courses(context: ServiceContext, *, excluding: int | None = None) -> list[tuple[int, str]]:
    return [
        (course.id, f"{course.code}  {course.title}")
        for course in context.courses.list()
        if course.id != excluding
    ]


def cohorts(context: ServiceContext) -> list[tuple[int, str]]:
    return [(cohort.id, cohort.name) for cohort in context.cohorts.list()]
