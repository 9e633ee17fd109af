"""The certificate preview keeps up with its widget's size."""

from __future__ import annotations

import threading

from tests.unit.certificates.test_render import make_content
from trainer_app.domain.certificates import CertificateContent
from trainer_app.ui.certificates.picture import REDRAW_AFTER_MS, CertificatePicture

WAIT = 10_000


def test_a_resize_while_the_picture_is_being_drawn_is_followed(qtbot) -> None:
    """Opened small, enlarged at once (the reprint dialog does so), the first picture arrives
    after the resize settled: it is drawn again at the new size, not left blurred."""
    content, slow = make_content(), threading.Event()

    def drawn_slowly() -> CertificateContent:
        slow.wait(WAIT / 1000)  # a busy computer: the drawing outlasts the resize
        return content

    picture = CertificatePicture()
    qtbot.addWidget(picture)
    picture.resize(320, 240)
    picture.show()
    picture.show_certificate(drawn_slowly, draft=False)
    picture.resize(1300, 940)
    qtbot.wait(3 * REDRAW_AFTER_MS)
    with qtbot.waitSignal(picture.drawn, timeout=WAIT):
        slow.set()
    assert picture.image is not None and picture.image.width() < 400  # the size asked first
    qtbot.waitUntil(
        lambda: picture.image is not None and picture.image.width() > 1200, timeout=WAIT
    )
    picture.wait()
