"""Who a change to required training affects, as the Roles and Course dialogs show it before
saving: the sentences, a short list of people, and the question to confirm."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from trainer_app.services.matrix import AffectedPerson, Impact

LISTED = 6  # people named under the impact sentence; the rest are counted


def impact_text(impact: Impact) -> str:
    """The impact sentences, then the first few people affected."""
    lines = list(impact.sentences) or [impact.summary()]
    lines += [f"  {_person(p)}" for p in impact.people[:LISTED]]
    if len(impact.people) > LISTED:
        lines.append(f"  … and {len(impact.people) - LISTED} more")
    return "\n".join(lines)


def ask_to_confirm(
    parent: QWidget, title: str, impact: Impact, confirmed: Callable[[], None]
) -> QMessageBox:
    """A window-modal question (it does not block): Save calls ``confirmed``."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        f"{impact.summary()}\n\n{title}?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setAccessibleName("Confirm change")
    box.setDetailedText("\n".join(_person(p) for p in impact.people))
    box.accepted.connect(confirmed)
    box.finished.connect(box.deleteLater)
    box.open()
    return box


def _person(person: AffectedPerson) -> str:
    return f"{person.name} ({person.reference}, {person.hub}) · {person.course_code}"
