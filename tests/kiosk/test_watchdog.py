"""sd_notify over real datagram sockets, the watchdog interval, and the run marker."""

import datetime as dt
import json
import logging
import os
import secrets
import socket
import tempfile
from pathlib import Path

import pytest

from kiosk import watchdog
from kiosk.paths import KioskPaths
from kiosk.watchdog import PreviousRun, RunMarker


def _receiver(address: str) -> socket.socket:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(address)
    s.settimeout(2)
    return s


@pytest.fixture
def path_socket(tmp_path, monkeypatch):
    """A NOTIFY_SOCKET bound to a path (a short one: AF_UNIX paths stop at 107 bytes)."""
    folder = tmp_path if len(str(tmp_path)) < 80 else Path(tempfile.mkdtemp(prefix="wd-"))
    path = folder / "notify"
    s = _receiver(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield s
    s.close()


@pytest.fixture
def abstract_socket(monkeypatch):
    name = f"guichet-test-{secrets.token_hex(6)}"
    s = _receiver("\0" + name)
    monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
    yield s
    s.close()


@pytest.fixture
def paths(tmp_path):
    return KioskPaths.from_env({"KIOSK_HOME": str(tmp_path / "home")}).ensure()


# --- sd_notify ---------------------------------------------------------------------------
def test_notify_delivers_to_a_path_socket(path_socket):
    assert watchdog.ready()
    assert path_socket.recv(4096).decode().split("\n") == ["READY=1", f"MAINPID={os.getpid()}"]
    assert watchdog.ping()
    assert path_socket.recv(4096) == b"WATCHDOG=1"
    assert watchdog.notify("STOPPING=1")
    assert path_socket.recv(4096) == b"STOPPING=1"


def test_notify_delivers_to_an_abstract_socket(abstract_socket):
    assert watchdog.notify("READY=1") and watchdog.ping()
    assert abstract_socket.recv(4096) == b"READY=1"
    assert abstract_socket.recv(4096) == b"WATCHDOG=1"


def test_status_is_one_line(path_socket):
    assert watchdog.status("Welcome\n  queue ok")
    assert path_socket.recv(4096) == b"STATUS=Welcome queue ok"


def test_not_under_systemd_is_false_and_quiet(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert watchdog.notify("READY=1") is False
    assert watchdog.ready() is False and watchdog.ping() is False and watchdog.stopping() is False
    assert not caplog.records


def test_a_socket_that_is_gone_is_false_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    assert watchdog.ping() is False
    monkeypatch.setenv("NOTIFY_SOCKET", "relative/path")
    assert watchdog.ping() is False
    assert watchdog.notify("READY=1", environ={"NOTIFY_SOCKET": "@guichet-test-nobody"}) is False


def test_interval_is_half_the_watchdog_timeout():
    me = os.getpid()
    assert watchdog.interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog.interval({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": str(me)}) == 0.5
    assert watchdog.interval({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog.interval({"WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "x"}) is None
    assert watchdog.interval({}) is None
    assert watchdog.interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog.interval({"WATCHDOG_USEC": "soon"}) is None


def test_systemd_context_records_what_is_there():
    ctx = watchdog.systemd_context({"INVOCATION_ID": "abc", "NOTIFY_SOCKET": "@x",
                                    "SERVICE_RESULT": "watchdog", "EXIT_CODE": "killed",
                                    "EXIT_STATUS": "ABRT", "HOME": "/root"})
    assert ctx == {"invocation_id": "abc", "notify_socket": "set", "service_result": "watchdog",
                   "exit_code": "killed", "exit_status": "ABRT"}
    assert watchdog.systemd_context({}) == {}


# --- the run marker ------------------------------------------------------------------------
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.timezone.utc)


def test_first_start_then_clean_run(paths):
    first = RunMarker(paths, environ={})
    assert first.begin(now=T0).state == "first"
    record = json.loads(first.path.read_text())
    assert record["clean"] is False and record["pid"] == os.getpid()
    first.end(now=T0 + dt.timedelta(hours=1))
    assert json.loads(first.path.read_text())["clean"] is True

    previous = RunMarker(paths, environ={}).begin()
    assert previous.state == "clean" and not previous.unclean
    assert previous.ended_at == "2026-03-02T10:00:00+00:00"
    assert previous.describe().startswith("previous run ended cleanly")


def test_a_crash_leaves_an_unclean_record(paths):
    crashed = RunMarker(paths, environ={"INVOCATION_ID": "inv1"})
    crashed.begin(now=T0)
    assert crashed.alive(now=T0 + dt.timedelta(seconds=10)) is False  # at most every 30 s
    assert crashed.alive(now=T0 + dt.timedelta(seconds=31)) is True
    assert crashed.alive(now=T0 + dt.timedelta(seconds=40)) is False
    # ... and the process dies here: no end()

    previous = RunMarker(paths, environ={}).previous()
    assert previous.unclean and previous.pid == os.getpid()
    assert previous.started_at == "2026-03-02T09:00:00+00:00"
    assert previous.last_alive == "2026-03-02T09:00:31+00:00"
    assert previous.invocation_id == "inv1"
    assert previous.describe() == (
        f"started after an unclean exit (previous run pid {os.getpid()} started "
        "2026-03-02T09:00:00+00:00; last sign of life 2026-03-02T09:00:31+00:00)")


def test_alive_survives_the_clock_going_back(paths):
    m = RunMarker(paths, environ={})
    m.begin(now=T0)
    assert m.alive(now=T0 - dt.timedelta(minutes=5)) is True


def test_end_is_idempotent_and_alive_stops_after_it(paths):
    m = RunMarker(paths, environ={})
    m.begin(now=T0)
    m.end("SIGTERM", now=T0 + dt.timedelta(seconds=5))
    m.end("exit 0", now=T0 + dt.timedelta(seconds=6))
    record = json.loads(m.path.read_text())
    assert record["end_reason"] == "SIGTERM" and record["ended_at"].endswith("09:00:05+00:00")
    assert m.alive(now=T0 + dt.timedelta(minutes=5)) is False


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"pid": 12}', '{"pid": "12", "clean": false}', ""])
def test_a_damaged_record_is_unknown_not_a_crash(paths, content):
    marker = RunMarker(paths, environ={})
    marker.path.write_text(content)
    previous = marker.begin(now=T0)
    assert previous.state == "unknown" and previous.problem
    assert "unreadable" in previous.describe()
    assert json.loads(marker.path.read_text())["clean"] is False  # replaced by this run's record


def test_record_start_logs_the_unclean_exit_and_systemd_context(paths, caplog):
    RunMarker(paths, environ={}).begin(now=T0)  # a run that never ended
    env = {"INVOCATION_ID": "inv2", "NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "30000000"}
    with caplog.at_level(logging.INFO, logger="kiosk.watchdog"):
        marker = watchdog.record_start(paths, environ=env)
    messages = [r.getMessage() for r in caplog.records]
    warning = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warning) == 1 and warning[0].getMessage().startswith(
        f"started after an unclean exit (previous run pid {os.getpid()} started 2026-03-02T09:00:00")
    assert "under systemd: invocation inv2, notify socket set, watchdog ping every 15 s" in messages
    assert json.loads(marker.path.read_text())["invocation_id"] == "inv2"


def test_record_start_without_systemd(paths, caplog):
    with caplog.at_level(logging.INFO, logger="kiosk.watchdog"):
        watchdog.record_start(paths, environ={})
    assert [r.getMessage() for r in caplog.records] == [
        "first start (no record of a previous run)", "not started by systemd: no watchdog"]


def test_what_systemd_said_at_stop_reaches_the_next_start(paths, caplog):
    run = RunMarker(paths, environ={"INVOCATION_ID": "inv3"})
    run.begin(now=T0)
    stop_env = {"INVOCATION_ID": "inv3", "SERVICE_RESULT": "watchdog", "EXIT_CODE": "killed",
                "EXIT_STATUS": "ABRT"}
    assert RunMarker(paths, environ=stop_env).record_systemd_stop() is True

    previous = RunMarker(paths, environ={}).previous()
    assert previous.unclean
    assert previous.describe().startswith("started after an unclean exit")
    assert previous.describe_systemd() == ("previous run's end as systemd saw it: service_result=watchdog "
                                           "exit_code=killed exit_status=ABRT (invocation inv3)")
    with caplog.at_level(logging.INFO, logger="kiosk.watchdog"):
        watchdog.record_start(paths, environ={})
    assert any("service_result=watchdog" in r.getMessage() for r in caplog.records)


def test_a_requested_stop_is_still_reported_as_systemd_saw_it(paths):
    """The kiosk may die before marking a clean exit (a SIGTERM during start-up): the log
    says unclean, and what systemd reported is on the next line."""
    RunMarker(paths, environ={"INVOCATION_ID": "inv4"}).begin(now=T0)
    RunMarker(paths, environ={"INVOCATION_ID": "inv4", "SERVICE_RESULT": "success",
                              "EXIT_CODE": "killed", "EXIT_STATUS": "TERM"}).record_systemd_stop()
    previous = RunMarker(paths, environ={}).previous()
    assert previous.describe().startswith("started after an unclean exit")
    assert "service_result=success exit_code=killed exit_status=TERM" in previous.describe_systemd()


def test_record_stop_command(paths, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_HOME", str(paths.data.parent))
    monkeypatch.setenv("SERVICE_RESULT", "exit-code")
    monkeypatch.setenv("EXIT_CODE", "exited")
    monkeypatch.setenv("EXIT_STATUS", "139")
    assert watchdog.main(["record-stop"]) == 0  # nothing to record to yet: not an error
    RunMarker(paths, environ={}).begin(now=T0)
    assert watchdog.main(["record-stop"]) == 0
    assert "SERVICE_RESULT=exit-code" in capsys.readouterr().out
    assert RunMarker(paths, environ={}).previous().systemd_stop["exit_status"] == "139"
    assert watchdog.main(["bogus"]) == 2


def test_previous_run_describes_every_state():
    assert PreviousRun("first").describe().startswith("first start")
    assert PreviousRun("unknown", problem="JSONDecodeError").describe() == (
        "previous run record unreadable (JSONDecodeError): how it ended is unknown")
    assert PreviousRun("unclean", pid=7, started_at="T").describe() == (
        "started after an unclean exit (previous run pid 7 started T; last sign of life T)")
