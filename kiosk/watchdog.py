"""The appliance's link to systemd, and the record of how the last run ended.

**sd_notify.** Under systemd (``Type=notify``) the service manager gives the process
``NOTIFY_SOCKET``: a datagram socket, a path or an abstract name written ``@name``.
``ready()`` says the kiosk is up (after its first frame), ``status()`` sets the line
``systemctl status`` shows, ``ping()`` (``WATCHDOG=1``) keeps the watchdog quiet. The UI
thread pings (a Qt timer, ``ui/main.py``), so a frozen UI stops the pings and systemd
kills and restarts the kiosk. Outside systemd every call returns False and does nothing.

Under cage the kiosk is the compositor's child, not the service's main process: the unit
needs ``NotifyAccess=all`` and ``UnsetEnvironment=WATCHDOG_PID`` (systemd would name
cage's pid, and ``interval()`` would then rightly say the watchdog is not ours), and
``ready()`` hands the main process role to the kiosk (``MAINPID=``). See
``deploy/README.md``.

**The run marker.** ``paths.data/run.json`` says whether the last run ended cleanly:
``begin()`` writes ``clean: false`` at start, ``alive()`` records the last sign of life
(at most every 30 s), ``end()`` sets ``clean: true`` on a clean exit. The next start reads
it first and logs one line when the previous run did not end cleanly. The unit's
``ExecStopPost=`` runs ``python -m kiosk.watchdog record-stop``, which adds what systemd
knows about the end (``$SERVICE_RESULT``, ``$EXIT_CODE``, ``$EXIT_STATUS``: only defined
for ``ExecStop=``/``ExecStopPost=``), so the next start can log why it was restarted.
Nothing here holds personal data: pids, times, versions, systemd's result codes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .paths import KioskPaths

log = logging.getLogger(__name__)

#: Systemd's view of how the service ended, given to ExecStop=/ExecStopPost= only.
STOP_VARIABLES = ("SERVICE_RESULT", "EXIT_CODE", "EXIT_STATUS")
_warned: set[str] = set()


# --- sd_notify --------------------------------------------------------------------------
def _address(value: str) -> str | None:
    if value.startswith("@"):
        return "\0" + value[1:]  # abstract namespace
    if value.startswith("/"):
        return value
    return None  # e.g. vsock: addresses (VMs): not for a kiosk


def notify(message: str, environ=None) -> bool:
    """Send one sd_notify message (``READY=1``, ``WATCHDOG=1``, ``STATUS=...``); False
    when not under systemd or when the message could not be sent. Never raises."""
    env = os.environ if environ is None else environ
    value = env.get("NOTIFY_SOCKET", "")
    if not value:
        return False
    address = _address(value)
    if address is None:
        _warn_once("address", "sd_notify: unsupported NOTIFY_SOCKET address form")
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(address)
            s.sendall(message.encode("utf-8"))
        return True
    except OSError as e:
        # The watchdog will restart the kiosk if this goes on: say so once, not every ping.
        _warn_once(type(e).__name__, f"sd_notify failed: {type(e).__name__} (errno {e.errno})")
        return False


def _warn_once(key: str, text: str) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning("%s", text)


def ready() -> bool:
    """``READY=1``, with ``MAINPID=`` our pid: under cage the kiosk is the compositor's
    child, and becoming the service's main process means ``systemctl stop`` signals the
    kiosk (which exits cleanly; cage then ends by itself) rather than cage, and the
    watchdog's SIGABRT lands in the kiosk (``KillMode=mixed`` in the unit). When the kiosk
    already is the main process the line changes nothing."""
    return notify(f"READY=1\nMAINPID={os.getpid()}")


def status(text: str) -> bool:
    """The one line ``systemctl status`` shows (never personal data)."""
    return notify("STATUS=" + " ".join(str(text).split()))


def ping() -> bool:
    return notify("WATCHDOG=1")


def stopping() -> bool:
    return notify("STOPPING=1")


def interval(environ=None, pid: int | None = None) -> float | None:
    """Seconds between watchdog pings: half of ``WATCHDOG_USEC``, when the watchdog is on
    and meant for this process (``WATCHDOG_PID`` unset or ours, as sd_watchdog_enabled);
    None otherwise."""
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    owner = env.get("WATCHDOG_PID", "")
    if owner:
        try:
            if int(owner) != (os.getpid() if pid is None else pid):
                return None
        except ValueError:
            return None
    return usec / 2 / 1_000_000


def systemd_context(environ=None) -> dict[str, str]:
    """What systemd tells this process about the run, as far as it is available:
    ``INVOCATION_ID`` (every start, restarts included, gets a new one), the watchdog, and
    the stop variables (only present in ExecStop=/ExecStopPost= commands)."""
    env = os.environ if environ is None else environ
    names = ("INVOCATION_ID", "WATCHDOG_USEC", "WATCHDOG_PID") + STOP_VARIABLES
    out = {n.lower(): env[n] for n in names if env.get(n)}
    if env.get("NOTIFY_SOCKET"):
        out["notify_socket"] = "set"
    return out


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def _stamp(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


# --- the run marker ---------------------------------------------------------------------
@dataclass(frozen=True)
class PreviousRun:
    """How the previous run ended, as ``run.json`` tells it."""

    #: "first" (no record), "clean", "unclean", or "unknown" (the record is unreadable)
    state: str
    pid: int | None = None
    started_at: str | None = None
    last_alive: str | None = None
    ended_at: str | None = None
    version: str | None = None
    invocation_id: str | None = None
    #: what systemd said at ExecStopPost (result, exit_code, exit_status, invocation_id)
    systemd_stop: dict | None = None
    #: why the record could not be read (an exception type), for "unknown"
    problem: str | None = None

    @property
    def unclean(self) -> bool:
        return self.state == "unclean"

    def describe(self) -> str:
        if self.state == "first":
            return "first start (no record of a previous run)"
        if self.state == "unknown":
            return f"previous run record unreadable ({self.problem}): how it ended is unknown"
        if self.state == "clean":
            return (f"previous run ended cleanly (pid {self.pid} started {self.started_at}; "
                    f"ended {self.ended_at})")
        return (f"started after an unclean exit (previous run pid {self.pid} started "
                f"{self.started_at}; last sign of life {self.last_alive or self.started_at})")

    def describe_systemd(self) -> str | None:
        if not self.systemd_stop:
            return None
        s = self.systemd_stop
        parts = [f"{k}={s[k]}" for k in ("service_result", "exit_code", "exit_status") if s.get(k)]
        line = "previous run's end as systemd saw it: " + (" ".join(parts) or "no result given")
        inv = s.get("invocation_id")
        if inv and self.invocation_id and inv != self.invocation_id:
            line += f" (invocation {inv}, a later start than the recorded run {self.invocation_id})"
        elif inv:
            line += f" (invocation {inv})"
        return line


class RunMarker:
    """``paths.data/run.json``: begun at start, ended at a clean exit, kept alive between."""

    #: at most one write of the last sign of life per this many seconds
    ALIVE_EVERY = 30.0

    def __init__(self, paths: KioskPaths, environ=None):
        self.path: Path = paths.data / "run.json"
        self._env = os.environ if environ is None else environ
        self._record: dict | None = None
        self._last_write: dt.datetime | None = None

    # reading
    def _load(self) -> dict:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data

    def previous(self) -> PreviousRun:
        """How the run recorded in the file ended (read before ``begin()`` replaces it)."""
        if not self.path.exists():
            return PreviousRun("first")
        try:
            data = self._load()
            pid = data["pid"]
            clean = data["clean"]
            if not isinstance(pid, int) or not isinstance(clean, bool):
                raise ValueError("bad field types")
            stop = data.get("systemd_stop")
            return PreviousRun(
                "clean" if clean else "unclean", pid=pid,
                started_at=_text(data.get("started_at")), last_alive=_text(data.get("last_alive")),
                ended_at=_text(data.get("ended_at")), version=_text(data.get("version")),
                invocation_id=_text(data.get("invocation_id")),
                systemd_stop={k: str(v) for k, v in stop.items()} if isinstance(stop, dict) else None)
        except (OSError, ValueError, KeyError, TypeError) as e:
            return PreviousRun("unknown", problem=type(e).__name__)

    # writing
    def _write(self, record: dict) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def begin(self, now: dt.datetime | None = None) -> PreviousRun:
        """Start a run: returns how the previous one ended, then records this one as
        running (``clean: false``)."""
        previous = self.previous()
        when = now or _now()
        self._record = {"pid": os.getpid(), "started_at": _stamp(when), "version": __version__,
                        "clean": False, "last_alive": _stamp(when),
                        "invocation_id": self._env.get("INVOCATION_ID") or None}
        self._last_write = when
        self._write(self._record)
        return previous

    def alive(self, now: dt.datetime | None = None) -> bool:
        """Record a sign of life (the watchdog ping); written at most every 30 s."""
        if self._record is None or self._record["clean"]:
            return False
        when = now or _now()
        if self._last_write is not None and 0 <= (when - self._last_write).total_seconds() < self.ALIVE_EVERY:
            return False
        self._record["last_alive"] = _stamp(when)
        self._last_write = when
        try:
            self._write(self._record)
        except OSError as e:  # a full disk must not stop the kiosk
            _warn_once("alive", f"run marker not updated: {type(e).__name__}")
            return False
        return True

    def end(self, reason: str = "exit", now: dt.datetime | None = None) -> None:
        """The run ends cleanly (a normal exit, SIGTERM). Idempotent."""
        if self._record is None or self._record["clean"]:
            return
        when = now or _now()
        self._record.update(clean=True, ended_at=_stamp(when), end_reason=reason,
                            last_alive=_stamp(when))
        try:
            self._write(self._record)
        except OSError as e:
            log.error("run marker: clean exit not recorded: %s", type(e).__name__)

    def record_systemd_stop(self, environ=None) -> bool:
        """What ``ExecStopPost=`` knows about the end, added to the record for the next
        start. False when there is nothing to add to (no readable record)."""
        env = self._env if environ is None else environ
        try:
            data = self._load()
        except (OSError, ValueError):
            return False
        stop = {k.lower(): env[k] for k in STOP_VARIABLES if env.get(k)}
        if env.get("INVOCATION_ID"):
            stop["invocation_id"] = env["INVOCATION_ID"]
        stop["at"] = _stamp(_now())
        data["systemd_stop"] = stop
        self._write(data)
        return True


def _text(value) -> str | None:
    return None if value is None else str(value)


def record_start(paths: KioskPaths, environ=None) -> RunMarker:
    """At ``kiosk run`` start: log how the previous run ended and what systemd says about
    this one, and begin the new record."""
    marker = RunMarker(paths, environ)
    previous = marker.begin()
    if previous.state in ("unclean", "unknown"):
        log.warning("%s", previous.describe())
    else:
        log.info("%s", previous.describe())
    line = previous.describe_systemd()
    if line:
        log.info("%s", line)
    ctx = systemd_context(environ)
    if "notify_socket" in ctx or "invocation_id" in ctx:
        every = interval(environ)
        log.info("under systemd: invocation %s, notify socket %s, watchdog %s",
                 ctx.get("invocation_id", "-"), "set" if "notify_socket" in ctx else "unset",
                 f"ping every {every:g} s" if every else "off")
    else:
        log.info("not started by systemd: no watchdog")
    return marker


def main(argv: list[str] | None = None) -> int:
    """``python -m kiosk.watchdog record-stop``: the unit's ExecStopPost= command."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["record-stop"]:
        print("usage: python -m kiosk.watchdog record-stop", file=sys.stderr)
        return 2
    marker = RunMarker(KioskPaths.from_env())
    if not marker.record_systemd_stop():
        print(f"no readable run record at {marker.path}: nothing recorded", file=sys.stderr)
        return 0
    ctx = systemd_context()
    print("recorded: " + " ".join(f"{k}={ctx[k.lower()]}" for k in STOP_VARIABLES if k.lower() in ctx))
    return 0


if __name__ == "__main__":
    sys.exit(main())
