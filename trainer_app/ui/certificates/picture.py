"""A certificate drawn as it prints, scaled to fit: the preview before anything is printed.

The picture is the certificate's PDF rasterised (`trainer_app.certificates.preview`) in the
background at the widget's size in device pixels; it is drawn again, once the user stops
resizing, when its size changes much. Until a picture arrives the widget says what it is doing.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from trainer_app.certificates.preview import MAX_PIXELS, Picture
from trainer_app.domain.certificates import CertificateContent
from trainer_app.ui.tasks import Latest

Source = Callable[[], CertificateContent]  # runs off the GUI thread
ASPECT = 210 / 297  # A4 landscape, height over width
MARGIN = 10
REDRAW_AFTER_MS = 150


def as_image(picture: Picture) -> QImage:
    """A QImage owning a copy of the picture's pixels."""
    return QImage(
        picture.rgb, picture.width, picture.height, picture.stride, QImage.Format.Format_RGB888
    ).copy()


class CertificatePicture(QWidget):
    drawn = Signal()  # a new picture is on screen
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Certificate preview")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, round(240 * ASPECT))
        self.image: QImage | None = None
        self.message = "No certificate selected"
        self._source: Source | None = None
        self._draft = False
        self._latest = Latest(self, "Drawing the certificate")
        self._latest.finished.connect(self._arrived)
        self._latest.failed.connect(self._failed)
        self._resized = QTimer(self)
        self._resized.setSingleShot(True)
        self._resized.setInterval(REDRAW_AFTER_MS)
        self._resized.timeout.connect(self._redraw_if_needed)

    def sizeHint(self) -> QSize:
        return QSize(640, round(640 * ASPECT))

    # ----- what it shows -------------------------------------------------------------------
    def show_certificate(self, source: Source, *, draft: bool) -> None:
        """Draw the certificate ``source`` gives (called off the GUI thread); a ``draft`` is
        marked as not issued."""
        self._source, self._draft = source, draft
        # The picture shown stays until the new one arrives (tens of milliseconds): moving
        # through a list then does not flash a blank page at every step.
        self.message = "Drawing the certificate…"
        self.setToolTip("")
        self.update()
        self._request()

    def clear(self, message: str) -> None:
        self._source, self.image, self.message = None, None, message
        self.update()

    @property
    def busy(self) -> bool:
        return self._latest.running

    def wait(self) -> None:
        self._latest.wait()

    # ----- drawing in the background -------------------------------------------------------
    def _pixels_wide(self) -> int:
        page = self._page_rect()
        return max(16, min(MAX_PIXELS, round(page.width() * self.devicePixelRatioF())))

    def _request(self) -> None:
        source, draft, width = self._source, self._draft, self._pixels_wide()
        if source is None:
            return

        def draw() -> tuple[Source, QImage]:
            from trainer_app.certificates.preview import preview  # ReportLab: on first use

            return source, as_image(preview(source(), width, draft=draft))

        self._latest.request(draw)

    def _arrived(self, result: object) -> None:
        assert isinstance(result, tuple)
        source, image = result
        assert isinstance(image, QImage)
        if source is not self._source:  # what was asked for has changed since
            return
        image.setDevicePixelRatio(self.devicePixelRatioF())
        self.image = image
        self.update()
        self.drawn.emit()
        if not self._resized.isActive():  # resized while it was drawn: draw it again to fit
            self._redraw_if_needed()

    def _failed(self, message: str) -> None:
        self.image = None
        self.message = f"The certificate cannot be drawn: {message}"
        self.setToolTip(message)
        self.update()
        self.failed.emit(message)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._resized.start()

    def _redraw_if_needed(self) -> None:
        image = self.image
        if self._source is None or image is None:
            return
        if abs(image.width() - self._pixels_wide()) > max(8, image.width() // 10):
            self._request()

    # ----- painting ------------------------------------------------------------------------
    def _page_rect(self) -> QRectF:
        """The page's place: as large as fits, centred, in proportion."""
        width = max(1.0, self.width() - 2 * MARGIN)
        height = max(1.0, self.height() - 2 * MARGIN)
        if height / width < ASPECT:
            width = height / ASPECT
        else:
            height = width * ASPECT
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Mid).lighter(130))
        page = self._page_rect()
        if self.image is None:
            painter.fillRect(page, QColor("white"))
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                page.adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
        else:
            painter.fillRect(page.translated(2, 3), QColor(0, 0, 0, 40))  # a soft shadow
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(page, self.image)
        painter.end()
