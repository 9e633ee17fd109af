from __future__ import annotations

from trainer_app.ui import icons


def test_every_registered_icon_resolves(qapp) -> None:
    for name in icons.names():
        assert not icons.icon(name).isNull(), name
