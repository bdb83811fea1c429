"""The appliance: system shortcuts swallowed, close refused in production, the watchdog
pinged from the UI thread, and `kiosk run` through a kill and a restart."""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtTest import QTest

from kiosk.paths import ROOT

pytestmark = pytest.mark.gui

K = Qt.Key
M = Qt.KeyboardModifier
#: QTest.keyClick presses the modifiers first: those key events are not shortcuts
MODIFIER_KEYS = {K.Key_Alt, K.Key_Control, K.Key_Shift, K.Key_Meta}


class KeyRecorder(QObject):
    """Installed on the window: sees the key events the application filter let through."""

    def __init__(self):
        super().__init__()
        self.pressed = []

    def eventFilter(self, obj, event):  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and event.key() not in MODIFIER_KEYS:
            self.pressed.append((event.key(), event.modifiers()))
        return False


@pytest.fixture
def blocked_kiosk(kiosk):
    from ui.appliance import ShortcutBlocker

    blocker = ShortcutBlocker()
    recorder = KeyRecorder()
    kiosk.app.installEventFilter(blocker)
    kiosk.window.installEventFilter(recorder)
    kiosk.window.requestActivate()
    yield kiosk, blocker, recorder
    kiosk.window.removeEventFilter(recorder)
    kiosk.app.removeEventFilter(blocker)


def _short_socket(tmp_path: Path) -> tuple[socket.socket, str]:
    folder = tmp_path if len(str(tmp_path)) < 80 else Path(tempfile.mkdtemp(prefix="wd-"))
    path = str(folder / "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    return s, path


def test_which_keys_are_system_shortcuts():
    from ui.appliance import is_system_shortcut as sys_key

    for key, mods in [(K.Key_F4, M.AltModifier), (K.Key_Tab, M.AltModifier),
                      (K.Key_Backtab, M.AltModifier | M.ShiftModifier), (K.Key_Q, M.ControlModifier),
                      (K.Key_W, M.ControlModifier), (K.Key_W, M.ControlModifier | M.ShiftModifier),
                      (K.Key_Escape, M.ControlModifier), (K.Key_Escape, M.AltModifier),
                      (K.Key_F11, M.NoModifier), (K.Key_F4, M.AltModifier | M.KeypadModifier)]:
        assert sys_key(key, mods), (key, mods)
    for key, mods in [(K.Key_A, M.NoModifier), (K.Key_Q, M.NoModifier), (K.Key_W, M.ShiftModifier),
                      (K.Key_F4, M.NoModifier), (K.Key_Tab, M.NoModifier), (K.Key_Escape, M.NoModifier),
                      (K.Key_Return, M.NoModifier), (K.Key_Backspace, M.NoModifier),
                      (0x0628, M.NoModifier), (0x2D30, M.AltModifier)]:  # Arabic beh, Tifinagh ya
        assert not sys_key(key, mods), (key, mods)


def test_the_filter_swallows_system_shortcuts_and_lets_letters_through(blocked_kiosk):
    kiosk, blocker, recorder = blocked_kiosk
    for key, mods in [(K.Key_F4, M.AltModifier), (K.Key_Q, M.ControlModifier),
                      (K.Key_Tab, M.AltModifier), (K.Key_W, M.ControlModifier), (K.Key_F11, M.NoModifier)]:
        QTest.keyClick(kiosk.window, key, mods)
    assert recorder.pressed == []
    assert blocker.swallowed == 5
    QTest.keyClick(kiosk.window, K.Key_A, M.NoModifier)
    assert [k for k, _ in recorder.pressed] == [K.Key_A]
    assert kiosk.window.isVisible()


def test_the_on_screen_keyboard_sends_no_key_events():
    """The filter only sees key events; the on-screen keyboard reports touches to the
    view model instead (a signal), so nothing it types can be mistaken for a shortcut."""
    qml = (ROOT / "ui" / "qml" / "Keyboard.qml").read_text(encoding="utf-8")
    assert "signal key(var keyData)" in qml
    for sending in ("sendEvent", "postEvent", "keyClick", "Keys."):
        assert sending not in qml


def test_a_windowed_kiosk_closes_and_a_production_one_refuses(services, qapp):
    from kiosk.card.demo import DemoCardReader
    from ui.app import Kiosk
    from ui.main import configure_qt

    configure_qt()
    production = Kiosk(services, fullscreen=True, demo=True, size=(1080, 1920), animations=False,
                       reader=DemoCardReader(delay=0.05))
    try:
        production.window.show()
        QTest.qWait(50)
        assert production.window.isVisible()
        production.window.close()
        QTest.qWait(50)
        assert production.window.isVisible()
    finally:
        production.close()


def test_windowed_close_still_works(kiosk):
    kiosk.window.close()
    QTest.qWait(50)
    assert not kiosk.window.isVisible()


def test_heartbeat_and_ready_notify_from_the_ui_thread(kiosk, tmp_path, monkeypatch):
    from kiosk.watchdog import RunMarker
    from ui import appliance

    receiver, path = _short_socket(tmp_path)
    receiver.settimeout(3)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert appliance.heartbeat_period() == 0.1
    marker = RunMarker(kiosk.services.paths)
    marker.begin()
    beat = appliance.Heartbeat(marker, appliance.heartbeat_period())
    ready = appliance.ReadyAfterFirstFrame(kiosk.window, status="Welcome")
    try:
        beat.start()
        kiosk.window.requestUpdate()
        got = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (got.count("WATCHDOG=1") < 3 or "READY=1" not in got):
            QTest.qWait(20)
            receiver.setblocking(False)
            try:
                while True:
                    got += receiver.recv(4096).decode().split("\n")
            except BlockingIOError:
                pass
        assert "READY=1" in got and "STATUS=Welcome" in got
        assert got.count("WATCHDOG=1") >= 3
        assert got.count("READY=1") == 1 and ready.done
        assert f"MAINPID={os.getpid()}" in got
    finally:
        beat.stop()
        receiver.close()


def _read(receiver: socket.socket, until, timeout: float) -> list[str]:
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until(got):
        receiver.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            got += receiver.recv(4096).decode().split("\n")
        except socket.timeout:
            break
    return got


def test_kiosk_run_pings_restarts_after_a_kill_and_stops_cleanly(tmp_path):
    """`kiosk run --windowed` offscreen under a fake systemd: READY=1, pings; SIGKILL; the
    next start logs the unclean exit; SIGTERM: STOPPING=1 and a clean record."""
    receiver, path = _short_socket(tmp_path)
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("WATCHDOG_PID", "INVOCATION_ID")}
    env.update(QT_QPA_PLATFORM="offscreen", KIOSK_HOME=str(home), NOTIFY_SOCKET=path,
               WATCHDOG_USEC="1000000")
    command = [sys.executable, "-c", "from kiosk.cli import main; main()", "run", "--windowed"]
    log_file = home / "logs" / "kiosk.log"
    errors = open(tmp_path / "stderr.txt", "w+")  # noqa: SIM115 (closed below)
    procs = []
    try:
        first = subprocess.Popen(command, env=env, cwd=ROOT, stderr=errors)
        procs.append(first)
        got = _read(receiver, lambda g: "READY=1" in g and g[g.index("READY=1"):].count("WATCHDOG=1") >= 2, 30)
        assert "READY=1" in got and f"MAINPID={first.pid}" in got, got
        assert got[got.index("READY=1"):].count("WATCHDOG=1") >= 2, got
        first.send_signal(signal.SIGKILL)
        assert first.wait(10) == -signal.SIGKILL

        second = subprocess.Popen(command, env=env, cwd=ROOT, stderr=errors)
        procs.append(second)
        got = _read(receiver, lambda g: "READY=1" in g, 30)
        assert "READY=1" in got, got
        log = log_file.read_text(encoding="utf-8")
        assert f"started after an unclean exit (previous run pid {first.pid} started " in log
        assert "; last sign of life " in log

        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
        got = _read(receiver, lambda g: "STOPPING=1" in g, 5)
        assert "STOPPING=1" in got, got
        record = json.loads((home / "data" / "run.json").read_text())
        assert record["clean"] is True and record["pid"] == second.pid
        assert record["end_reason"] == "SIGTERM"
        assert "SIGTERM received: stopping" in log_file.read_text(encoding="utf-8")
        errors.seek(0)
        assert "Traceback" not in errors.read()  # e.g. a log line written from a signal handler
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        receiver.close()
        errors.close()
