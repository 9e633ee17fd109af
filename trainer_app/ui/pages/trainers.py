"""Trainers: who may teach what, where and when."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.records import TRAINER


class TrainersPage(Page):
    key = "trainers"
    title = "Trainers"
    icon = "trainer"

    def build(self) -> QWidget:
        table = RecordTable("trainers", self.context.trainers, TRAINER)
        table.empty_hint = "No trainers yet — Add trainer (Ctrl+N)"
        return self.add_table(table)
