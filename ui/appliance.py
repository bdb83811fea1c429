"""The kiosk as an appliance: what ``kiosk run`` adds around the QML window.

* ``ShortcutBlocker`` (production, ``fullscreen=True`` only): an application-wide event
  filter that swallows the key events of the system shortcuts a USB keyboard plugged into
  the kiosk could send: Alt+F4, Alt+Tab (and Alt+Shift+Tab), Ctrl+Q, Ctrl+W, Escape with
  any modifier, F11. Key events only; other keys go through. The on-screen keyboard
  (``qml/Keyboard.qml``) sends no key events at all: its keys call the view model.
  The window itself refuses close requests in production (``onClosing`` in ``Main.qml``).
* ``Heartbeat``: a timer on the Qt main thread that pings the systemd watchdog and keeps
  the run marker's last sign of life; a frozen UI thread stops the pings, and systemd
  restarts the kiosk (``kiosk/watchdog.py``).
* ``ReadyAfterFirstFrame``: ``READY=1`` once the window has really drawn.
* ``StopOnSignals``: SIGTERM (``systemctl stop``, shutdown) and SIGINT end the event loop
  cleanly, so the run is recorded as a clean exit.

What cannot be intercepted from inside the application:

* VT switching (Ctrl+Alt+F1..F12) is the compositor's: cage switches only when started
  with ``-s``; the unit starts it without, so those keys reach the kiosk as ordinary keys.
* Magic SysRq (Alt+SysRq+key) is handled by the kernel before any compositor: set
  ``kernel.sysrq = 0`` (``deploy/README.md``).
* Ctrl+Alt+Del reaches systemd (``ctrl-alt-del.target``) only from a text console; mask
  the target anyway.
* Power and sleep keys are logind's (``HandlePowerKey=`` and friends in ``logind.conf``).
* Closing the kiosk from outside (``systemctl stop``, a signal): by design.
"""

from __future__ import annotations

import logging
import signal
import socket

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, Qt, QTimer, Slot

from kiosk import watchdog

log = logging.getLogger(__name__)

_MODIFIERS = (Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
              | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride)
_ALT_KEYS = {Qt.Key.Key_F4, Qt.Key.Key_Tab, Qt.Key.Key_Backtab}
_CTRL_KEYS = {Qt.Key.Key_Q, Qt.Key.Key_W}


def is_system_shortcut(key: int, modifiers) -> bool:
    """Alt+F4, Alt+Tab, Alt+Shift+Tab, Ctrl+Q, Ctrl+W, Escape with a modifier, F11."""
    mods = Qt.KeyboardModifier(modifiers) & _MODIFIERS
    key = Qt.Key(key)
    if key == Qt.Key.Key_F11:
        return True
    if key == Qt.Key.Key_Escape:
        return bool(mods)
    if mods & Qt.KeyboardModifier.AltModifier and key in _ALT_KEYS:
        return True
    return bool(mods & Qt.KeyboardModifier.ControlModifier) and key in _CTRL_KEYS


class ShortcutBlocker(QObject):
    """Install on the application: ``app.installEventFilter(ShortcutBlocker(app))``."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.swallowed = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _KEY_EVENTS and is_system_shortcut(event.key(), event.modifiers()):
            if event.type() == QEvent.Type.KeyPress:
                self.swallowed += 1
                log.info("system shortcut ignored (key %#x)", int(event.key()))
            return True
        return False


class Heartbeat(QObject):
    """Pings the watchdog and records a sign of life, from the Qt main thread."""

    def __init__(self, marker: watchdog.RunMarker | None, every: float, parent: QObject | None = None):
        super().__init__(parent)
        self.marker = marker
        self.timer = QTimer(self)
        self.timer.setInterval(max(1, int(every * 1000)))
        self.timer.timeout.connect(self.beat)

    def start(self) -> None:
        self.beat()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def beat(self) -> None:
        watchdog.ping()
        if self.marker is not None:
            self.marker.alive()


def heartbeat_period(default: float = 15.0) -> float:
    """The watchdog's interval when systemd set one (never longer than ``default``: the
    run marker's last sign of life stays fresh), else ``default``."""
    every = watchdog.interval()
    return min(every, default) if every else default


class ReadyAfterFirstFrame(QObject):
    """``READY=1`` and the status line once the window has drawn its first frame
    (``frameSwapped``; ``afterRendering`` too, as the offscreen and software renderers do
    not always emit the former). The render thread emits them: this object lives on the
    main thread, so the slot runs there, once, and then lets go of both signals."""

    def __init__(self, window, status: str = "Welcome", parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.status = status
        self.done = False
        window.frameSwapped.connect(self.first_frame)
        window.afterRendering.connect(self.first_frame)

    @Slot()
    def first_frame(self) -> None:
        if self.done:
            return
        self.done = True
        self.window.frameSwapped.disconnect(self.first_frame)
        self.window.afterRendering.disconnect(self.first_frame)
        if watchdog.ready():
            log.info("systemd notified: ready")
        watchdog.status(self.status)


class StopOnSignals(QObject):
    """SIGTERM and SIGINT end the Qt event loop (``app.exit``, not ``quit``: in Qt 6
    ``quit()`` first asks every window to close, and the production window refuses).

    The Python handler only notes the signal: it may run in the middle of any Python code
    of the main thread (a log line being written, for one), where logging or writing a
    file again is not safe. The signal also writes a byte to a socket pair (the wakeup
    fd), which wakes the Qt event loop; the work (log, ``on_stop``, exit) is done there."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, app, on_stop=None, parent: QObject | None = None):
        super().__init__(parent)
        self.app = app
        self.on_stop = on_stop
        self.received: str | None = None
        self._handled = False
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)
        self._w.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._w.fileno(), warn_on_full_buffer=False)
        self._old = {s: signal.signal(s, self._note) for s in self.SIGNALS}
        self._notifier = QSocketNotifier(self._r.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _note(self, signum, frame) -> None:
        if self.received is None:
            self.received = signal.Signals(signum).name

    @Slot()
    def _woken(self) -> None:
        try:
            while self._r.recv(64):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        if self.received is None or self._handled:
            return
        self._handled = True
        log.info("%s received: stopping", self.received)
        if self.on_stop is not None:
            self.on_stop(self.received)
        self.app.exit(0)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for s, old in self._old.items():
            signal.signal(s, old)
        signal.set_wakeup_fd(self._old_fd)
        self._r.close()
        self._w.close()
