"""The inactivity clock's two Qt ends: any press or touch on the window tells the
session the citizen is there, and a timer ticks the session a few times a second (the
core decides when to warn, count down and end: ``Session.touch`` / ``Session.tick``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer

TICK_MS = 100  # the idle wipe happens within a tick of the timeout
_ACTIVITY = {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress}


class ActivityWatch(QObject):
    def __init__(self, window, session, parent=None):
        super().__init__(parent)
        self._session = session
        window.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(session.tick)
        self._timer.start()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _ACTIVITY:
            self._session.touch()
        return False  # never swallows: the touch goes on to the screen

    def stop(self) -> None:
        self._timer.stop()
