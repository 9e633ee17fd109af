"""Colours the exports share. Status colours always come with the status in words; they are
light tints with dark text so they still read when printed in grey."""

from __future__ import annotations

from trainer_app.domain.records import MatrixStatus

INK = "#1F2933"
MUTED = "#5B6675"
ACCENT = "#1F3A5F"
RULE = "#AEB7C2"
SHADE = "#F2F4F7"
BAND = "#E6ECF3"

# status: (background tint, text colour)
STATUS: dict[MatrixStatus, tuple[str, str]] = {
    MatrixStatus.VALID: ("#DCEFE2", "#1B5E36"),
    MatrixStatus.EXPIRING: ("#FCEFD2", "#7A4A00"),
    MatrixStatus.DUE: ("#FCEFD2", "#7A4A00"),
    MatrixStatus.ENROLLED: ("#DCE7F5", "#1D4778"),
    MatrixStatus.RETRAIN: ("#FBE2D0", "#8A3A0C"),
    MatrixStatus.EXPIRED: ("#F7D9D9", "#8E1B1B"),
    MatrixStatus.MISSING: ("#F7D9D9", "#8E1B1B"),
}

ABSENT = "#8E1B1B"
LATE = "#7A4A00"
