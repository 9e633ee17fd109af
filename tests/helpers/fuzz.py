"""Hypothesis settings shared by the fuzz suites (the scenario reader, the importers, the
certificate verifier).

In CI each property tries a fixed, repeatable set of examples (derandomised: a CI run never
fails on luck). ``TRAINER_APP_FUZZ_EXAMPLES=N`` runs N random examples per property instead, for
the long runs docs/reliability.md reports."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

LONG_RUN = int(os.environ.get("TRAINER_APP_FUZZ_EXAMPLES", "0"))


def fuzz_settings(in_ci: int) -> settings:
    """``in_ci`` examples per property in CI, ``TRAINER_APP_FUZZ_EXAMPLES`` in a long run."""
    return settings(
        max_examples=LONG_RUN or in_ci,
        deadline=None,
        database=None,
        derandomize=not LONG_RUN,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
