"""The one place that knows where ``resources/`` is: beside the package in a checkout, or
inside the wheel (``trainer_app/_resources``) once installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path:
    installed = _PACKAGE / "_resources"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources"


def path(*parts: str) -> Path:
    """Absolute path of a resource, e.g. ``path("fonts", "NotoSans-Regular.ttf")``."""
    found = root().joinpath(*parts)
    if not found.exists():
        raise FileNotFoundError(f"trainer-app resource missing: {'/'.join(parts)}")
    return found


def fonts() -> list[Path]:
    """Every shipped font file, in fallback order (Latin first, CJK last)."""
    return sorted(root().joinpath("fonts").glob("*.ttf"), key=_font_order)


def _font_order(font: Path) -> tuple[int, str]:
    order = (
        "NotoSans-",
        "NotoSansArabic",
        "NotoSansHebrew",
        "NotoSansDevanagari",
        "Droid",
        "Nanum",
    )
    rank = next((i for i, prefix in enumerate(order) if font.name.startswith(prefix)), len(order))
    return rank, font.name
