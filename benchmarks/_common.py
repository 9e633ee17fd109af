"""Helpers shared by the benchmark scripts: timing and a demo or large database on disk."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from trainer_app.config import Settings
from trainer_app.domain.people import TraineeFields, TraineeType
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo


def median_ms(run: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def settings_for(path: Path) -> Settings:
    return Settings.resolve(path, environ={"TRAINER_APP_DATA_DIR": str(path.parent / "data")})


def settings_at(url: str, data_dir: Path) -> Settings:
    """Settings for the store at a database URL (PostgreSQL), its key kept in ``data_dir``."""
    return Settings.resolve(
        None, environ={"TRAINER_APP_DATA_DIR": str(data_dir), "TRAINER_APP_DATABASE_URL": url}
    )


def demo_database(folder: Path, trainees: int = 300) -> Path:
    path = folder / f"demo-{trainees}.db"
    if not path.exists():
        build_demo_store(settings_for(path), trainees)
    return path


def build_demo_store(settings: Settings, trainees: int = 300) -> None:
    """The demo network in the new store of ``settings``, with synthetic trainees added up
    to ``trainees`` (the demo itself has at most 300)."""
    with ServiceContext.open(settings) as context:
        build_demo(context, trainees=min(trainees, 300))
        extra = trainees - 300
        if extra > 0:
            add_trainees(context, extra)


def add_trainees(context: ServiceContext, count: int) -> None:
    """Synthetic trainees with varied names, added through the normal audited service."""
    hubs = [hub.id for hub in context.hubs.list()]
    given = [
        "Zoë",
        "Siobhán",
        "Łukasz",
        "Amara",
        "Chidi",
        "Sofía",
        "Björn",
        "Ελένη",
        "Дмитрий",
        "李",
        "Priya",
        "Mohammed",
        "Aoife",
        "Oluwaseun",
        "Hannah",
        "Tomasz",
        "Mei",
        "Yusuf",
    ]
    family = [
        "Clarke",
        "Ní Bhriain",
        "Wiśniewski",
        "Okafor",
        "Eze",
        "García",
        "Lindqvist",
        "Παπαδοπούλου",
        "Соколов",
        "伟",
        "Sharma",
        "Al-Hassan",
        "Murphy",
        "Adeyemi",
    ]
    offset = context.trainees.count()
    batch = [
        TraineeFields(
            reference=f"BM-{offset + i:07d}",
            name=f"{given[i % len(given)]} {family[(i // len(given)) % len(family)]} {i}",
            hub_id=hubs[i % len(hubs)],
            trainee_type=list(TraineeType)[i % len(TraineeType)],
            organisation=f"Organisation {i % 97}",
            role="Manufacturing scientist" if i % 3 else "QC analyst",
        )
        for i in range(count)
    ]
    for start in range(0, count, 10_000):
        context.trainees.bulk_create(batch[start : start + 10_000], reason="Benchmark data")
