"""Signing in (target ≤ 0.5 s): the argon2id check of the password, the lockout bookkeeping and
the audit entry, on a store with a few accounts.

Run: .venv/bin/python benchmarks/sign_in.py [--repeat 20]

Timed: ``UserService.sign_in`` with the right password, and with a wrong one (which costs the
same: the hash is checked either way, and an unknown user name is checked against a decoy).
Baseline in the same run: argon2id's ``verify`` alone, so the report says what the service
adds to the hash, and the hash is what the parameters (services/users.py) choose.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import settings_for

from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.services.users import HASHER

PASSWORD = "a long benchmark passphrase"


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(DomainError):  # the refusals are timed too
            action()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(Path(folder) / "users.db")
        with ServiceContext.open(settings) as context:
            admin = context.users.create_first_administrator(
                AccountFields("admin", "Grace Adeyemi", Role.ADMINISTRATOR), PASSWORD
            )
            for n in range(20):
                context.signed_in(admin).users.create(
                    AccountFields(f"user{n}", f"User {n}", Role.AUDITOR), PASSWORD
                )
            stored = HASHER.hash(PASSWORD)
            rows = {
                "argon2id verify alone (baseline)": timed(
                    lambda: HASHER.verify(stored, PASSWORD), args.repeat
                ),
                "sign in, right password": timed(
                    lambda: context.users.sign_in("user1", PASSWORD), args.repeat
                ),
                "sign in, wrong password": timed(
                    lambda: context.users.sign_in("user2", "wrong"),
                    4,  # 5 would lock it
                ),
                "sign in, unknown user": timed(
                    lambda: context.users.sign_in("nobody", PASSWORD), args.repeat
                ),
            }
    base = statistics.median(rows["argon2id verify alone (baseline)"])
    print(f"argon2id: t={HASHER.time_cost}, m={HASHER.memory_cost} KiB, p={HASHER.parallelism}")
    for name, times in rows.items():
        median = statistics.median(times)
        print(
            f"{name:36} median {median * 1000:6.0f} ms  max {max(times) * 1000:6.0f} ms  "
            f"{median / base:4.2f}×"
        )


if __name__ == "__main__":
    main()
