"""Each hub's look on its certificates: display name, colours, wording, signatory and mark.

One JSON file per hub code in ``resources/certificates`` (``LON.json`` …); a hub without one
uses ``default.json``. The marks shipped are neutral placeholders (see the README there).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from trainer_app import resources

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True, kw_only=True)
class Branding:
    """How one hub's certificates look. Empty text means "use what the certificate says"."""

    hub_code: str  # "default" for the fallback
    display_name: str
    primary: str  # "#RRGGBB": frame, title, the trainee's name
    accent: str  # "#RRGGBB": rules and ornaments
    wording: str  # the line between the name and the course: "has successfully completed"
    signatory: str
    signatory_role: str
    logo: Path


@functools.cache
def branding(hub_code: str) -> Branding:
    """The branding of ``hub_code`` (case-insensitive), or the default one."""
    code = hub_code.strip().upper()
    name = code if _CODE.match(code) and _exists(f"{code}.json") else "default"
    return _load(name)


def _exists(file: str) -> bool:
    try:
        resources.path("certificates", file)
    except FileNotFoundError:
        return False
    return True


def _load(name: str) -> Branding:
    source = resources.path("certificates", f"{name}.json")
    data = json.loads(source.read_text(encoding="utf-8"))
    for key in ("primary", "accent"):
        if not _COLOUR.match(data[key]):
            raise ValueError(f"{source.name}: {key} must be a colour like #1F3A5F")
    return Branding(
        hub_code=name,
        display_name=str(data["display_name"]),
        primary=data["primary"],
        accent=data["accent"],
        wording=str(data["wording"]),
        signatory=str(data["signatory"]),
        signatory_role=str(data["signatory_role"]),
        logo=resources.path("certificates", str(data["logo"])),
    )
