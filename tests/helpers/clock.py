"""A calendar the test moves by hand, for services that ask what day it is."""

from __future__ import annotations

from datetime import date


class Clock:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day
