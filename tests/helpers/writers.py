"""Writer processes for the reliability tests: each opens the store named by
``TRAINER_APP_DATABASE_URL`` (and ``TRAINER_APP_DATA_DIR``) through the services, as the app
does, and says on standard output, one line each, what it was told was saved.

``python -m tests.helpers.writers stream HUB_ID PREFIX``: creates trainees PREFIX-000001, ...
without end, then gives each an e-mail address; prints ``created REF`` and ``updated REF``
after each commit (kill it to stop it).

``python -m tests.helpers.writers edit TRAINER_ID WHO COUNT``: COUNT edits of one trainer's
notes, each from the version read just before (a coordinator's form); prints ``saved NOTES
VERSION`` for an edit saved, ``stale`` for one refused as a conflict, ``error MESSAGE`` for
anything else a user would see as a failure."""

from __future__ import annotations

import dataclasses
import sys

from trainer_app.config import Settings
from trainer_app.domain.errors import DomainError, StaleEdit
from trainer_app.domain.people import TraineeFields
from trainer_app.services.context import ServiceContext


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def stream(context: ServiceContext, hub_id: int, prefix: str) -> None:
    n = 0
    while True:
        n += 1
        reference = f"{prefix}-{n:06d}"
        made = context.trainees.create(
            TraineeFields(reference=reference, name=f"Trainee {n}", hub_id=hub_id)
        )
        say(f"created {reference}")
        context.trainees.update(
            made.id,
            made.row_version,
            dataclasses.replace(made, email=f"{reference.lower()}@example.org"),
        )
        say(f"updated {reference}")


def edit(context: ServiceContext, trainer_id: int, who: str, count: int) -> None:
    for n in range(count):
        trainer = context.trainers.get(trainer_id)
        notes = f"{who} {n}"
        try:
            saved = context.trainers.update(
                trainer.id, trainer.row_version, dataclasses.replace(trainer, notes=notes)
            )
        except StaleEdit:
            say("stale")
        except DomainError as error:  # what the user would be shown as a failure
            say(f"error {type(error).__name__}: {error}")
        else:
            say(f"saved {notes} {saved.row_version}")


def main(argv: list[str]) -> None:
    with ServiceContext.open(Settings.resolve(None), create=False) as context:
        if argv[0] == "stream":
            stream(context, int(argv[1]), argv[2])
        elif argv[0] == "edit":
            edit(context, int(argv[1]), argv[2], int(argv[3]))
        else:
            raise SystemExit(f"unknown writer {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
