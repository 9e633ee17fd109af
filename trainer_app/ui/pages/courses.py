"""Courses: the GMP catalogue, each category with its own colour."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from trainer_app.services.tables import Cell
from trainer_app.ui.pages.base import Page
from trainer_app.ui.palette import category_colour_for_label
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.records import COURSE


def category_chip(key: str, value: Cell) -> object:
    return category_colour_for_label(value) if key == "category" else None


class CoursesPage(Page):
    key = "courses"
    title = "Courses"
    icon = "course"

    def build(self) -> QWidget:
        table = RecordTable("courses", self.context.courses, COURSE, decorator=category_chip)
        table.empty_hint = "No courses yet — Add course (Ctrl+N) to build the catalogue"
        return self.add_table(table)
