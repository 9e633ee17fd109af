"""Others' changes in the window without a restart: when it is activated, when asked (F5) and,
on PostgreSQL, as soon as the server tells of a commit (``services.changes``).

``StoreWatcher`` holds the window's mark on the store's change counter and says what changed
since; notifications arrive on the listener's thread and reach the GUI thread through a queued
signal, and a burst of them is folded into one look by a short single-shot timer.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from trainer_app.domain.errors import DomainError
from trainer_app.services.changes import ChangeListener, Changes
from trainer_app.services.context import ServiceContext

COALESCE_MS = 300  # a burst of notifications (an import, a plan published) is one refresh


class StoreWatcher(QObject):
    """Looks for committed changes since the window last looked and reports them."""

    changed = Signal(object)  # Changes since the last look, not empty
    # Someone else changed a record: entity type, id, who ("Amara Okafor (coordinator, BRI)");
    # for a dialog editing that record to say so before its save meets the conflict.
    record_changed = Signal(str, int, str)
    failed = Signal(str)  # the store could not be read just now, in words
    _notified = Signal()  # from the listener's thread: queued to this object's thread

    def __init__(self, context: ServiceContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._feed = context.changes
        self._me = context.actor.username
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self.look)
        self._notified.connect(self._timer.start)
        self._listener: ChangeListener | None = None
        self._mark: int | None = None  # None: the store could not be read yet
        self._note_mark()

    @property
    def listening(self) -> bool:
        """Whether the store tells of changes as they commit (PostgreSQL)."""
        return self._listener is not None

    @property
    def listener(self) -> ChangeListener | None:
        return self._listener

    def start_listening(self) -> None:
        if self._listener is None:
            self._listener = self._feed.listen(self._notified.emit)

    def look(self) -> Changes | None:
        """One small query; when something was committed since the last look, who changed
        what (emitted as ``changed``). None when the store cannot be read just now."""
        self._timer.stop()
        if self._mark is None:  # the first look that can read the store only notes where it is
            mark = self._note_mark()
            return Changes(mark) if mark is not None else None
        try:
            changes = self._feed.since(self._mark)
        except DomainError as error:
            self.failed.emit(str(error))
            return None
        self._mark = changes.mark
        if changes:
            for record in changes.by_others(self._me).records:
                self.record_changed.emit(
                    record.entity_type, record.entity_id, changes.who(record.actor)
                )
            self.changed.emit(changes)
        return changes

    def _note_mark(self) -> int | None:
        try:
            self._mark = self._feed.mark()
        except DomainError as error:
            self.failed.emit(str(error))
        return self._mark

    def stop(self) -> None:
        """Stop listening (joins the listener's thread) and forget pending looks."""
        self._timer.stop()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
