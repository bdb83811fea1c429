"""``kiosk doctor`` and the technician's diagnostic bundle, for a kiosk with no network.

``run_checks(paths)`` looks at everything a field technician sets up and returns one
``Check`` per subject: ``ok``, ``warn`` or ``fail``, what was found (short, precise) and
how to fix it (the exact command or setting; empty when ok). The checks run side by
side, each isolated: an exception becomes a FAIL naming its type and message, a check
still running when the wait is over becomes a FAIL too; one never stops another.
Nothing here changes the kiosk: no draft is cleaned up, no database is created.

What a check found and its fix are translatable messages (``Text``: msgids marked with
``N_``, paths, numbers, commands and setting names as parameters), rendered in the
technician's language on the desk and in English by default on the command line. Texts
that come from elsewhere (an exception's message, a library's error) stay as they are,
as parameters.

``export_bundle(paths, folder)`` writes ``guichet-diag-<kiosk.id>-<time>/`` for a USB
stick: the doctor's result, the settings file, the queue's metadata (never a payload),
the audit chain's verification, versions, and the logs passed through ``scrub`` first.
The kiosk's logs should hold no personal data of citizens (law 09-08); ``scrub`` is the
second barrier, and the bundle's manifest says how many values it had to remove.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .audit import AuditLog
from .durable import fsync_dir
from .config import DEFAULT_KEPT, KEYS, UNKNOWN_SETTING, UNREADABLE, Settings, Text, render
from .i18n import N_
from .paths import KioskPaths

OK, WARN, FAIL = "ok", "warn", "fail"
STATUSES = (OK, WARN, FAIL)

MB = 10**6
#: free space on the data or spool disk below which the doctor warns, and fails
DISK_WARN_BYTES = 500 * MB
DISK_FAIL_BYTES = 100 * MB
#: a system clock before this cannot be right (the software is newer)
EARLIEST_CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
#: a submission not acknowledged after this long means sync is not working
PENDING_WARN_SECONDS = 24 * 3600
#: how long the doctor waits for all checks beyond ``timeout`` before calling one hung
HANG_MARGIN = 6.0


def _t(msgid: str, **params: Any) -> Text:
    return Text(msgid, params)


@dataclass(frozen=True)
class _Joined:
    """Several texts shown as one line, each rendered in the language asked for."""

    items: tuple
    separator: str = "; "

    def render(self, lang: str | None = None) -> str:
        return self.separator.join(render(i, lang) for i in self.items)

    def __str__(self) -> str:
        return self.render(None)


_GENERIC_FIX = _t(N_("unexpected: run {doctor} again; if it stays, export the diagnostics "
                     "({export}) and report it"),
                  doctor="`kiosk doctor`", export="`kiosk diagnostics export DIR`")

#: what the desk shows for each check (the check's name is its stable identifier)
TITLES = {
    "config": N_("Settings"),
    "identity": N_("Kiosk identity"),
    "kiosk-key": N_("Kiosk signing key"),
    "sealing-key": N_("Back office key"),
    "staff": N_("Staff accounts"),
    "card-reader": N_("Card reader"),
    "card-trust": N_("Card certificates"),
    "printer": N_("Printer"),
    "disk": N_("Disk space"),
    "clock": N_("Clock"),
    "database": N_("Submission queue"),
    "audit-log": N_("Audit log"),
    "catalog": N_("Catalog"),
    "sync": N_("Sending to the office"),
}


@dataclass(frozen=True)
class Check:
    """One check: ``name`` is its stable identifier (JSON, scripts); what it found and the
    fix are messages, rendered by ``found_in(lang)`` and ``fix_in(lang)``; ``found`` and
    ``fix`` are their English text."""

    name: str
    status: str   # ok, warn or fail
    found_message: Any           # a Text (or a _Joined list of them): what was found
    fix_message: Any = None      # what to do (a command or a setting); None when ok

    @property
    def label(self) -> str:
        return {OK: "ok", WARN: "warn", FAIL: "FAIL"}[self.status]

    @property
    def title(self) -> Text:
        if self.name in TITLES:
            return _t(TITLES[self.name])
        return _t("{name}", name=self.name)  # a check added on the fly (tests): its name

    def found_in(self, lang: str | None = None) -> str:
        return _one_line(render(self.found_message, lang))

    def fix_in(self, lang: str | None = None) -> str:
        if self.status == OK or self.fix_message is None:
            return ""
        return _one_line(render(self.fix_message, lang))

    @property
    def found(self) -> str:
        return self.found_in()

    @property
    def fix(self) -> str:
        return self.fix_in()

    def line(self, lang: str | None = None) -> str:
        found, fix = self.found_in(lang), self.fix_in(lang)
        return f"{self.label:<4}  {self.name}: {found}" + (f" — {fix}" if fix else "")

    def to_json(self, lang: str | None = None) -> dict:
        """The check in ``lang`` (English by default): name, status, found, fix, title."""
        return {"name": self.name, "status": self.status, "found": self.found_in(lang),
                "fix": self.fix_in(lang), "title": render(self.title, lang)}


Result = tuple[str, Any, Any]  # (status, found, fix): found and fix are Texts


def _ok(found: Any) -> Result:
    return OK, found, None


def _warn(found: Any, fix: Any) -> Result:
    return WARN, found, fix


def _fail(found: Any, fix: Any) -> Result:
    return FAIL, found, fix


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _seconds(value: float) -> Decimal:
    """A number of seconds as a parameter: ``2`` or ``0.5`` (formatted per language)."""
    return Decimal(f"{value:g}")


def _no_answer(program: str, seconds: float) -> Text:
    return _t(N_("{program} did not answer within {seconds} s"), program=program,
              seconds=_seconds(seconds))


def _bounded(fn: Callable[[], Any], seconds: float, what: str) -> Any:
    """``fn()`` on a daemon thread; its result, its exception, or TimeoutError after
    ``seconds`` (the thread is left behind: a hung pcscd or driver cannot hold us)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 (handed to the caller)
            box["error"] = e

    t = threading.Thread(target=run, name=f"doctor-{what}", daemon=True)
    t.start()
    t.join(seconds)
    if t.is_alive():
        raise TimeoutError(f"{what} did not answer within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


@dataclass
class _Context:
    paths: KioskPaths
    settings: Settings
    now: dt.datetime
    timeout: float

    @property
    def production(self) -> bool:
        return self.settings["kiosk.mode"] == "production"

    @property
    def mode(self) -> str:
        return self.settings["kiosk.mode"]


# --- the checks ---------------------------------------------------------------------
_SET_AGAIN = "`kiosk config set KEY VALUE`"
_SHOW = "`kiosk config show`"


def _check_config(ctx: _Context) -> Result:
    s, path = ctx.settings, ctx.paths.config_file
    unknown = [str(p.params["key"]) for p in s.problems if p.msgid == UNKNOWN_SETTING]
    unreadable = [p for p in s.problems if p.msgid == UNREADABLE]
    invalid = [p for p in s.problems if p.msgid == DEFAULT_KEPT]
    if unreadable:
        return _fail(_t(N_("{problem}: the kiosk runs on defaults, in demo mode"),
                        problem=unreadable[0]),
                     _t(N_("repair the TOML in {path} (or delete it and set each value again "
                           "with {command})"), path=str(path), command=_SET_AGAIN))
    if invalid:
        return _fail(_t(N_("{mode} mode; {count} invalid value(s) in {path}: {problems}"),
                        mode=ctx.mode, count=len(invalid), path=str(path),
                        problems=_Joined(tuple(invalid))),
                     _t(N_("set each one again with {command} ({show} lists every setting and "
                           "its rule)"), command=_SET_AGAIN, show=_SHOW))
    if unknown:
        return _warn(_t(N_("{mode} mode; unknown setting(s) in {path}, ignored: {keys}"),
                        mode=ctx.mode, path=str(path), keys=", ".join(unknown)),
                     _t(N_("remove or correct them in {path} (a misspelt key leaves the "
                           "default in use; {show} lists the known keys)"),
                        path=str(path), show=_SHOW))
    if path.exists():
        return _ok(_t(N_("{mode} mode, {path}"), mode=ctx.mode, path=str(path)))
    return _ok(_t(N_("{mode} mode, no {path} (every setting at its default)"),
                  mode=ctx.mode, path=str(path)))


def _check_identity(ctx: _Context) -> Result:
    s = ctx.settings
    kid, code, office = s["kiosk.id"], s["kiosk.code"], s["kiosk.office"]
    found = _t(N_("{settings}, office {office}"),
               settings=f"kiosk.id {kid}, kiosk.code {code}", office=repr(office))
    demo_defaults = [k for k in ("kiosk.id", "kiosk.code") if s[k] == KEYS[k].default]
    if ctx.production and demo_defaults:
        fixes = {"kiosk.id": _t(N_("{command} (unique in the fleet, as enrolled on the intake)"),
                                command="`kiosk config set kiosk.id ID`"),
                 "kiosk.code": _t(N_("{command} ({low}-{high} capitals or digits, unique: it "
                                     "starts every tracking number)"),
                                  command="`kiosk config set kiosk.code CODE`", low=3, high=8)}
        if len(demo_defaults) > 1:
            which = _t(N_("{found}: {first} and {second} are still the demo default in "
                          "production mode"), found=found, first=demo_defaults[0],
                       second=demo_defaults[1])
        else:
            which = _t(N_("{found}: {setting} is still the demo default in production mode"),
                       found=found, setting=demo_defaults[0])
        return _fail(which, _Joined(tuple(fixes[k] for k in demo_defaults)))
    if ctx.production and office == KEYS["kiosk.office"].default:
        return _warn(_t(N_("{found}: the demo office name is printed on receipts"), found=found),
                     _t(N_("set the office's name: {command}"),
                        command='`kiosk config set kiosk.office "NAME OF THE OFFICE"`'))
    if demo_defaults:
        return _ok(_t(N_("{found} (the demo defaults)"), found=found))
    return _ok(found)


def _check_kiosk_key(ctx: _Context) -> Result:
    from . import keys

    path = keys.key_path(ctx.paths)
    enrol = {"show": "`kiosk keys show --public`", "enrol": "`kiosk intake enrol`"}
    new_key = _t(N_("{command}, then enrol it on the intake: {show} and {enrol}"),
                 command="`kiosk keys init`", **enrol)
    try:
        key = keys.load(ctx.paths)
    except keys.KioskKeyError as e:
        if path.exists():
            return _fail(_t(N_("the key file cannot be used: {error}"), error=_one_line(str(e))),
                         _t(N_("restore the key file from the technician's backup, or make a "
                               "new one with {command}, then enrol it on the intake: {show} "
                               "and {enrol}"), command="`kiosk keys init --force`", **enrol))
        if ctx.production:
            return _fail(_t(N_("no kiosk signing key at {path}: no signed receipt QR code, no "
                               "sync"), path=str(path)), new_key)
        if ctx.settings["sync.endpoint"]:
            return _warn(_t(N_("no kiosk signing key at {path}: sync cannot authenticate"),
                            path=str(path)), new_key)
        return _ok(_t(N_("no key yet at {path} (a demo kiosk makes one at its first receipt)"),
                      path=str(path)))
    except OSError as e:
        return _fail(_t(N_("{path} cannot be read ({error})"), path=str(path),
                        error=str(e.strerror or e)),
                     _t(N_("give it to the kiosk's user, readable by it alone: {command}"),
                        command=f"`chmod 600 {path}`"))
    mode = stat.S_IMODE(path.stat().st_mode)
    public = keys.public_text(key.public_key())
    if mode & 0o077:
        return _warn(_t(N_("{key} in {path}, but the private key file is mode {mode}"),
                        key=public, path=str(path), mode=f"{mode:03o}"),
                     _t(N_("make it private: {command}"), command=f"`chmod 600 {path}`"))
    return _ok(_t(N_("{key} in {path}"), key=public, path=str(path)))


def _check_sealing_key(ctx: _Context) -> Result:
    from .keys import parse_x25519
    from .queue.sealing import is_demo_key

    configured = ctx.settings["sync.backoffice_key"]
    setting = "sync.backoffice_key"
    fix = _t(N_("{command} (the back office's key: the first line {init} prints)"),
             command="`kiosk config set sync.backoffice_key x25519:…`",
             init="`kiosk intake init`")
    if configured:
        try:
            demo = is_demo_key(parse_x25519(configured))
        except ValueError as e:
            return _fail(_t(N_("{setting} is not a valid key: {error}"), setting=setting,
                            error=str(e)), fix)
        what = _t(N_("the DEMO back-office key ({setting})"), setting=setting)
    else:
        demo, what = True, _t(N_("the DEMO back-office key ({setting} is empty)"), setting=setting)
    if not demo:
        return _ok(_t(N_("{key} (the back office's key)"), key=configured))
    if ctx.production:
        return _fail(_t(N_("{what}: production mode refuses to seal with it; no submission can "
                           "be saved"), what=what), fix)
    return _ok(_t(N_("{what}; demo mode: test data only"), what=what))


def _pcsc_readers() -> list[str]:
    from .card.pcsc import Context

    with Context() as c:
        return c.readers()


def _check_card_reader(ctx: _Context) -> Result:
    from .card.emulator.pcscd import VIRTUAL_READER

    s = ctx.settings
    source = s["card.source"]
    used = ("pcsc" if ctx.production else "emulator") if source == "auto" else source
    label = f"card.source {source}" + (f" ({used})" if source == "auto" else "")
    to_pcsc = _t(N_("{command} (real readers)"), command="`kiosk config set card.source pcsc`")
    readers_cmd = "`kiosk card readers`"
    if used == "demo":
        if ctx.production:  # every citizen would be the sample person
            return _fail(_t(N_("{label}: the sample identity, no card is read"), label=label),
                         to_pcsc)
        return _ok(_t(N_("{label}: the sample identity (demo mode)"), label=label))
    if used == "emulator":
        try:
            readers = _bounded(_pcsc_readers, ctx.timeout, "pcscd")
        except Exception:  # noqa: BLE001 (no pcscd: the emulator runs in memory)
            readers = []
        via = (_t(N_("through {programs}"), programs="pcscd + vpcd") if VIRTUAL_READER in readers
               else _t(N_("in memory")))
        if ctx.production:
            return _fail(_t(N_("{label}: the TEST-ONLY emulated chip {via}, no real card is "
                               "read"), label=label, via=via), to_pcsc)
        return _ok(_t(N_("{label}: the TEST-ONLY emulated chip {via}"), label=label, via=via))
    try:
        readers = _bounded(_pcsc_readers, ctx.timeout, "pcscd")
    except TimeoutError:
        return _fail(_t(N_("{label}: {problem}"), label=label,
                        problem=_no_answer("pcscd", ctx.timeout)),
                     _t(N_("restart it: {command}, then {readers}"),
                        command="`sudo systemctl restart pcscd`", readers=readers_cmd))
    except Exception as e:  # noqa: BLE001 (TransportError from pyscard: the message says it)
        return _fail(_t(N_("{label}: {problem}"), label=label, problem=_one_line(str(e))),
                     _t(N_("start pcscd: {command} (package {package}), then {readers}"),
                        command="`sudo systemctl enable --now pcscd.socket`", package="pcscd",
                        readers=readers_cmd))
    if not readers:
        return _fail(_t(N_("{label}: pcscd answers but no reader is connected"), label=label),
                     _t(N_("plug the card reader in (USB) and check {readers}; a reader that "
                           "stays absent needs its driver (package {package})"),
                        readers=readers_cmd, package="libccid"))
    wanted = s["card.reader"]
    used_readers = [r for r in readers if wanted in r]
    if not used_readers:
        return _fail(_t(N_("{label}: no reader name contains {setting} {value} (readers: "
                           "{readers})"), label=label, setting="card.reader", value=repr(wanted),
                        readers=", ".join(readers)),
                     _t(N_("{command}, or empty for every reader"),
                        command='`kiosk config set card.reader "PART OF A NAME"`'))
    if ctx.production and all(r == VIRTUAL_READER for r in used_readers):
        return _fail(_t(N_("{label}: only the emulator's {reader} reader, no real one"),
                        label=label, reader=repr(VIRTUAL_READER)),
                     _t(N_("plug the kiosk's card reader in; stop {command} and vpcd"),
                        command="`kiosk card emulate`"))
    return _ok(_t(N_("{label}: {count} reader(s): {readers}"), label=label,
                  count=len(used_readers),
                  readers=", ".join(used_readers) + (f" (card.reader {wanted!r})" if wanted else "")))


def _check_card_trust(ctx: _Context) -> Result:
    s = ctx.settings
    if s["card.source"] == "demo":
        return _ok(_t(N_("not used ({setting}: no chip is read)"), setting="card.source demo"))
    from .card.trust import load_trust_store

    fix = _t(N_("{command} (a folder of CSCA certificates and ICAO master lists)"),
             command="`kiosk config set card.trust_store DIR`")
    try:
        store = load_trust_store(settings=s)
    except Exception as e:  # noqa: BLE001 (TrustStoreError, or a certificate that does not parse)
        return _fail(_t(N_("{error}: every card fails passive authentication"),
                        error=_one_line(str(e))), fix)
    folder = s["card.trust_store"]
    if not folder:
        return _ok(_t(N_("the TEST PKI's CSCA (demo mode: only the TEST-ONLY chip verifies)")))
    return _ok(_t(N_("{count} CSCA certificate(s) from {folder}"), count=len(store), folder=folder))


_PRINTER_PROBLEMS = {"media-empty": "media-empty", "media-needed": "media-empty",
                     "media-jam": "media-jam", "door-open": "door-open", "cover-open": "door-open"}


def _printer_fix(code: str, s: Settings, st) -> Text:
    kind, queue, address = s["printer.kind"], s["printer.queue"], s["printer.address"]
    if code == "offline":
        if kind == "file":
            fix = _t(N_("make {folder} a writable folder for the kiosk's user, or choose "
                        "another: {command}"),
                     folder=getattr(st, "name", None) or s["printer.folder"] or "printer.folder",
                     command="`kiosk config set printer.folder DIR`")
        elif kind == "cups":
            fix = _t(N_("start CUPS and switch the printer on; {command} shows the queue"),
                     command=f"`lpstat -p {queue}`")
        elif address.startswith("usb:"):
            fix = _t(N_("check the printer's power and USB cable, and {setting} ({lsusb}; "
                        "{command})"), setting="printer.address usb:VID:PID", lsusb="`lsusb`",
                     command="`kiosk config set printer.address usb:VID:PID`")
        else:
            fix = _t(N_("switch the printer on and check its cable and address {address} "
                        "({command})"), address=address,
                     command="`kiosk config set printer.address tcp:HOST:9100`")
    elif code == "media-empty":
        fix = _t(N_("load a paper roll ({width} mm)"), width=s["receipt.paper_width"])
    elif code == "media-jam":
        fix = _t(N_("open the cover, remove the jammed paper, close it"))
    elif code == "door-open":
        fix = _t(N_("close the printer's cover"))
    elif code == "paused":
        fix = _t(N_("resume the queue: {command}"), command=f"`cupsenable {queue}`")
    elif code == "rejected":
        fix = _t(N_("let the queue accept jobs: {command}"), command=f"`cupsaccept {queue}`")
    elif code == "not-configured" and kind == "cups":
        fix = _t(N_("no CUPS queue {queue}: {list} lists them; {command}"), queue=repr(queue),
                 list="`lpstat -p`", command="`kiosk config set printer.queue NAME`")
    elif code == "not-configured":
        fix = _t(N_("check {setting} ({command})"), setting="printer.address",
                 command="`kiosk config set printer.address …`")
    else:
        fix = _t(N_("see the printer's panel and {command}"), command="`kiosk printer status`")
    return _t(N_("{fix}; then {command}"), fix=fix, command="`kiosk printer test`")


def _check_printer(ctx: _Context) -> Result:
    from .printing.cups import base_reason, blocking_code
    from .services import Services

    s = ctx.settings
    services = Services(ctx.paths, s, None)  # not open(): no draft is cleaned up, no catalog
    try:
        printer = services.printer
    except ValueError as e:
        return _fail(_t(N_("{setting}: the printer cannot be set up ({error})"),
                        setting=f"printer.kind {s['printer.kind']}", error=str(e)),
                     _t(N_("{command} ({list} lists the CUPS queues)"),
                        command="`kiosk config set printer.queue NAME`", list="`lpstat -p`"))
    # A status question must not take longer than the doctor's timeout.
    if isinstance(getattr(printer, "timeout", None), (int, float)):
        printer.timeout = min(printer.timeout, ctx.timeout)
    ipp = getattr(printer, "_ipp", None)
    if ipp is not None:
        ipp.timeout = min(ipp.timeout, ctx.timeout)
    try:
        st = _bounded(services.printer_status, ctx.timeout + 1.0, "the printer")
    except TimeoutError:
        return _fail(_t(N_("{kind}: the printer did not answer within {seconds} s"),
                        kind=s["printer.kind"], seconds=_seconds(ctx.timeout + 1.0)),
                     _printer_fix("offline", s, None))
    where = f"{st.kind} {st.name}"
    reasons = ", ".join(st.reasons) or _t(N_("no reason given"))
    if st.ready:
        low = [r for r in st.reasons if base_reason(r) in ("media-low", "toner-low",
                                                           "marker-supply-low")]
        if low:
            return _warn(_t(N_("{printer}: ready, but {reasons}"), printer=where,
                            reasons=", ".join(low)),
                         _t(N_("put a new paper roll ({width} mm) in soon"),
                            width=s["receipt.paper_width"]))
        return _ok(_t(N_("{printer}: ready ({state})"), printer=where, state=st.state))
    if st.kind == "cups":
        code = blocking_code(st) or "error"
    else:
        found = [_PRINTER_PROBLEMS[base_reason(r)] for r in st.reasons
                 if base_reason(r) in _PRINTER_PROBLEMS]
        code = found[0] if found else (
            "offline" if st.state == "unreachable" or "offline" in st.reasons else "error")
    if st.detail:
        return _fail(_t(N_("{printer}: not ready ({state}; {reasons}): {detail}"), printer=where,
                        state=st.state, reasons=reasons, detail=_one_line(st.detail, 200)),
                     _printer_fix(code, s, st))
    return _fail(_t(N_("{printer}: not ready ({state}; {reasons})"), printer=where,
                    state=st.state, reasons=reasons), _printer_fix(code, s, st))


def _size(n: float) -> Text:
    if n >= 10**9:
        return _t(N_("{n} GB"), n=Decimal(f"{n / 10**9:.1f}"))
    if n >= 10**6:
        return _t(N_("{n} MB"), n=Decimal(f"{n / 10**6:.1f}"))
    if n >= 10**3:
        return _t(N_("{n} kB"), n=Decimal(f"{n / 10**3:.1f}"))
    return _t(N_("{n} B"), n=int(n))


def _check_disk(ctx: _Context) -> Result:
    worst, parts, devices = OK, [], {}
    for label, folder in (("data", ctx.paths.data), ("spool", ctx.paths.spool)):
        device = os.stat(folder).st_dev
        if device in devices:
            parts[devices[device]]["labels"].append(label)
            continue
        usage = shutil.disk_usage(folder)
        devices[device] = len(parts)
        parts.append({"labels": [label], "free": _size(usage.free), "total": _size(usage.total),
                      "folder": str(folder)})
        if usage.free < DISK_FAIL_BYTES:
            worst = FAIL
        elif usage.free < DISK_WARN_BYTES and worst == OK:
            worst = WARN
    found = _Joined(tuple(
        _t(N_("{label}: {free} free of {total} ({folder})"), label=" + ".join(p["labels"]),
           free=p["free"], total=p["total"], folder=p["folder"]) for p in parts))
    if worst == OK:
        return _ok(found)
    limit = DISK_FAIL_BYTES if worst == FAIL else DISK_WARN_BYTES
    return worst, _t(N_("{found}: below {limit}"), found=found, limit=_size(limit)), _t(
        N_("free space on that disk: old receipt PDFs in {receipts} can go (reprints need "
           "none), {command} drops acknowledged payloads; never delete {database}"),
        receipts=str(ctx.paths.receipts), command="`kiosk sync run`",
        database=str(ctx.paths.database))


def _ntp(timeout: float) -> tuple[bool | None, Any]:
    tool = shutil.which("timedatectl")
    if tool is None:
        return None, _t(N_("{program} is not installed"), program="timedatectl")
    try:
        r = subprocess.run([tool, "show", "-p", "NTPSynchronized", "--value"],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, _no_answer("timedatectl", timeout)
    except OSError as e:
        return None, f"timedatectl: {e.strerror or e}"
    answer = r.stdout.strip()
    if r.returncode != 0 or answer not in ("yes", "no"):
        why = (r.stderr.strip().splitlines() or [answer or f"exit {r.returncode}"])[0]
        return None, f"timedatectl: {_one_line(why, 120)}"
    return answer == "yes", ""


def _check_clock(ctx: _Context) -> Result:
    now = ctx.now
    shown = now.isoformat(timespec="seconds")
    set_it = "`sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS'`"
    ntp_on = "`sudo timedatectl set-ntp true`"
    zone = "Africa/Casablanca"
    synced, why = _ntp(ctx.timeout)
    if synced is None:
        ntp = _t(N_("NTP unknown ({why})"), why=why)
    else:
        ntp = _t(N_("NTP synchronised")) if synced else _t(N_("NTP not synchronised"))
    if now < EARLIEST_CLOCK:  # wrong dates on tracking numbers, receipts and signatures
        return _fail(_t(N_("the system clock says {now}, before {earliest}: tracking numbers, "
                           "receipts and signatures carry a wrong date; {ntp}"),
                        now=shown, earliest=EARLIEST_CLOCK.date(), ntp=ntp),
                     _t(N_("set the date and time: {command} ({zone}), or with a network "
                           "{ntp}"), command=set_it, zone=zone, ntp=ntp_on))
    found = _t(N_("{now}, {ntp}"), now=shown, ntp=ntp)
    if synced:
        return _ok(found)
    if synced is False:
        return _warn(found, _t(N_("compare with a watch; offline, set it with {command}; with "
                                  "a network: {ntp}"), command=set_it, ntp=ntp_on))
    return _warn(found, _t(N_("compare with a watch (time zone {zone}); set it with {command} "
                              "if it is wrong"), zone=zone, command=set_it))


def _duration(seconds: float) -> Text:
    if seconds < 120:
        return _t(N_("{n} s"), n=round(seconds))
    if seconds < 7200:
        return _t(N_("{n} min"), n=round(seconds / 60))
    if seconds < 172800:
        return _t(N_("{n} h"), n=Decimal(f"{seconds / 3600:.1f}"))
    return _t(N_("{n} days"), n=Decimal(f"{seconds / 86400:.1f}"))


def _outbox(paths: KioskPaths, settings: Settings):
    """The outbox for reading (its key only seals, and nothing is sealed here)."""
    from .keys import parse_x25519
    from .queue.outbox import Outbox
    from .queue.sealing import DEMO_PUBLIC_KEY, load_public_key

    try:
        key = parse_x25519(settings["sync.backoffice_key"])
    except ValueError:
        key = load_public_key(DEMO_PUBLIC_KEY)
    return Outbox(paths.database, settings["kiosk.code"], key)


def _check_database(ctx: _Context) -> Result:
    from .queue.outbox import OutboxDamaged, OutboxError

    path = ctx.paths.database
    if not path.exists():
        return _ok(_t(N_("no database yet at {path} (made at the first submission)"),
                      path=str(path)))
    try:
        outbox = _outbox(ctx.paths, ctx.settings)
    except OutboxDamaged as e:
        reason = str(e).split("; run `kiosk queue recover`")[0]
        return _fail(_t(N_("damaged: {error}"), error=_one_line(reason)),
                     _t(N_("{command} (keeps the damaged file aside, copies every readable "
                           "submission to a new one)"), command="`kiosk queue recover`"))
    except OutboxError as e:
        return _fail(_t(N_("the database cannot be used: {error}"), error=_one_line(str(e))),
                     _t(N_("update the kiosk software")))
    try:
        counts = outbox.counts()
        age = outbox.oldest_pending_age(ctx.now)
    finally:
        outbox.close()
    states = ", ".join(f"{n} {state}" for state, n in counts.items())
    if age is None:
        found = _t(N_("integrity ok; {counts}"), counts=states)
    else:
        found = _t(N_("integrity ok; {counts}; oldest pending {age}"), counts=states,
                   age=_duration(age))
    if age is not None and age > PENDING_WARN_SECONDS:
        return _warn(found, _t(N_("submissions are not reaching the intake: see the sync check, "
                                  "{sync}, or carry them on USB: {export}"),
                               sync="`kiosk sync run`", export="`kiosk queue export DIR`"))
    return _ok(found)


def _check_audit_log(ctx: _Context) -> Result:
    audit = AuditLog(ctx.paths.audit_log)
    if not audit.path.exists() and not audit.head_path.exists():
        return _ok(_t(N_("no record yet (no privileged action so far)")))
    report = audit.verify()
    if report.ok:
        return _ok(_t(N_("{count} records, hash chain intact"), count=report.records))
    if len(report.problems) > 1:
        found = _t(N_("TAMPERED: {problem} (+{more} more)"), problem=report.problems[0],
                   more=len(report.problems) - 1)
    else:
        found = _t(N_("TAMPERED: {problem}"), problem=report.problems[0])
    return _fail(found, _t(N_("do not edit or delete {file}: {verify} lists every problem; keep "
                              "a copy ({export}) and report it to the office's security "
                              "officer"), file=audit.path.name, verify="`kiosk audit verify`",
                           export="`kiosk diagnostics export DIR`"))


def _check_staff(ctx: _Context) -> Result:
    from .staff import Staff, StaffError

    staff = Staff(ctx.paths.staff_file, AuditLog(ctx.paths.audit_log))
    add = "`kiosk staff add --id N --name NAME --role technician`"
    try:
        rows = staff.listing()
    except StaffError as e:
        return _fail(_t(N_("the staff accounts cannot be read: {error}"), error=_one_line(str(e))),
                     _t(N_("restore {path} from the backup"), path=str(ctx.paths.staff_file)))
    if not rows:
        if ctx.production:
            return _fail(_t(N_("no staff account: every privileged command is open to anyone "
                               "at the keyboard")),
                         _t(N_("add a technician: {command}"), command=add))
        return _ok(_t(N_("no staff account (demo mode: privileged commands are open)")))
    roles = {r: sum(a["role"] == r for a in rows) for r in ("technician", "agent")}
    locked = [a["id"] for a in rows if a["locked_for"]]
    found = _t(N_("{technicians} technician(s), {agents} agent(s)"),
               technicians=roles["technician"], agents=roles["agent"])
    if locked:
        return _warn(_t(N_("{found}; locked out after wrong PINs: {staff}"), found=found,
                        staff=", ".join(locked)),
                     _t(N_("{command} (or wait for the lockout to end)"),
                        command="`kiosk staff unlock STAFF`"))
    return _ok(found)


def _catalog_fix(paths: KioskPaths, edition: int) -> Text:
    from .procedures import package as pkg

    root = pkg.store_dir(paths)
    older = [e.edition for e in pkg.installed(paths) if e.edition < edition]
    if older:
        return _t(N_("reinstall it: {rollback} (to edition {edition}), then {command} with the "
                     "signed package (the altered copy is replaced)"),
                  rollback="`kiosk catalog rollback`", edition=str(max(older)),
                  command="`kiosk catalog import FILE`")
    return _t(N_("no earlier edition to roll back to: delete {folder} (the bundled catalog is "
                 "used), then {command} with the signed package"),
              folder=str(root / "active"), command="`kiosk catalog import FILE`")


def _check_catalog(ctx: _Context) -> Result:
    from .procedures import package as pkg

    root = pkg.store_dir(ctx.paths)
    keys_fix = _t(N_("{command} (a folder of the catalog publishers' .pem public keys)"),
                  command="`kiosk config set catalog.trusted_keys DIR`")
    try:
        trusted, keys_problem = pkg.load_trusted_keys(ctx.settings), ""
    except pkg.PackageError as e:
        trusted, keys_problem = [], e.message
    try:
        edition = pkg._pointer(root)
    except ValueError as e:
        return _fail(_t(N_("{pointer} {error}: the bundled catalog (edition {edition}) is used "
                           "instead"), pointer=str(root / pkg.POINTER), error=str(e),
                        edition=str(pkg.bundled_edition())),
                     _t(N_("{installed}, then {rollback}, or {command} again"),
                        installed="`kiosk catalog installed`",
                        rollback="`kiosk catalog rollback --to EDITION`",
                        command="`kiosk catalog import FILE`"))
    if edition is None:
        found = _t(N_("the bundled catalog (edition {edition}), no installed edition"),
                   edition=str(pkg.bundled_edition()))
        if keys_problem:
            return _fail(_t(N_("{found}; {problem}"), found=found, problem=keys_problem), keys_fix)
        if ctx.production:
            return _warn(found, _t(N_("install the office's signed package: {command} (or "
                                      "{usb})"), command="`kiosk catalog import FILE`",
                                   usb="`kiosk technician --usb DIR`"))
        return _ok(found)
    folder = root / str(edition)
    if keys_problem:
        return _fail(_t(N_("edition {edition} cannot be verified: {problem}"),
                        edition=str(edition), problem=keys_problem), keys_fix)
    try:
        manifest = pkg._check_signature((folder / pkg.MANIFEST).read_bytes(),
                                        (folder / pkg.SIGNATURE).read_bytes(), trusted)
    except FileNotFoundError as e:
        return _fail(_t(N_("edition {edition}: {file} is missing from {folder}"),
                        edition=str(edition), file=Path(e.filename).name, folder=str(folder)),
                     _catalog_fix(ctx.paths, edition))
    except pkg.PackageError as e:
        if e.code == "unknown-key":
            return _fail(_t(N_("edition {edition}: {problem}"), edition=str(edition),
                            problem=e.message),
                         _t(N_("add the publisher's public key to {setting} if it is genuine, "
                               "else import an edition signed by a trusted publisher "
                               "({command})"), setting="catalog.trusted_keys",
                            command="`kiosk catalog import FILE`"))
        return _fail(_t(N_("edition {edition}: {problem}"), edition=str(edition),
                        problem=_one_line(e.message)), _catalog_fix(ctx.paths, edition))
    try:
        pkg._check_installed(folder)
    except pkg.PackageError as e:
        problems = f" ({'; '.join(e.problems[:2])})" if e.problems else ""
        return _fail(_t(N_("edition {edition}: {problem}"), edition=str(edition),
                        problem=_one_line(e.message + problems)),
                     _catalog_fix(ctx.paths, edition))
    return _ok(_t(N_("edition {edition}: signature by publisher key {key} and {count} file "
                     "hashes verified"), edition=str(edition), key=manifest.key_id,
                  count=len(manifest.files)))


def _check_sync(ctx: _Context) -> Result:
    import httpx

    from .sync.client import tls_context

    s = ctx.settings
    url = s["sync.endpoint"]
    offline = _t(N_("{command} carries the queue on a USB stick meanwhile"),
                 command="`kiosk queue export DIR`")
    if not url:
        return _warn(_t(N_("{setting} is empty: submissions wait on the kiosk"),
                        setting="sync.endpoint"),
                     _t(N_("{command} and {setting}; without a network, {offline}"),
                        command="`kiosk config set sync.endpoint https://…`",
                        setting="sync.intake_key", offline=offline))
    if not s["sync.intake_key"]:
        return _fail(_t(N_("{setting} {url} but {key} is empty: the sync worker does not start"),
                        setting="sync.endpoint", url=url, key="sync.intake_key"),
                     _t(N_("{command} (the second line {init} prints)"),
                        command="`kiosk config set sync.intake_key ed25519:…`",
                        init="`kiosk intake init`"))
    try:
        verify = tls_context(s["sync.ca_file"])
    except RuntimeError as e:
        return _fail(_t(N_("the intake's CA cannot be used: {error}"), error=_one_line(str(e))),
                     _t(N_("{command} (PEM), or empty for the public CAs"),
                        command="`kiosk config set sync.ca_file /path/office-ca.pem`"))
    health = url.rstrip("/") + "/v1/health"
    start = time.monotonic()
    try:
        with httpx.Client(timeout=httpx.Timeout(ctx.timeout), verify=verify) as client:
            response = client.get(health)
    except httpx.TimeoutException:
        return _warn(_t(N_("{url}: no answer within {seconds} s (the kiosk works offline, the "
                           "queue waits)"), url=health, seconds=_seconds(ctx.timeout)),
                     _t(N_("check the network and the intake; {offline}"), offline=offline))
    except httpx.HTTPError as e:
        text = _one_line(f"{type(e).__name__}: {e}", 200)
        if "CERTIFICATE_VERIFY_FAILED" in str(e) or "certificate verify failed" in str(e):
            return _fail(_t(N_("{url}: the intake's TLS certificate is not trusted ({error})"),
                            url=health, error=text),
                         _t(N_("{command} (the office CA that signed it), and check the host "
                               "name in {setting}"),
                            command="`kiosk config set sync.ca_file /path/office-ca.pem`",
                            setting="sync.endpoint"))
        if isinstance(e, httpx.TransportError):
            return _warn(_t(N_("{url}: unreachable ({error}); the kiosk works offline, the "
                               "queue waits"), url=health, error=text),
                         _t(N_("check the network cable or Wi-Fi and the intake's address; "
                               "{offline}"), offline=offline))
        return _fail(_t(N_("{url}: the request failed ({error})"), url=health, error=text),
                     _t(N_("check {setting} (the intake's base URL)"), setting="sync.endpoint"))
    ms = round((time.monotonic() - start) * 1000)
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and body.get("status") == "ok":
        if ctx.production and url.startswith("http://"):
            return _warn(_t(N_("{url} answers in {ms} ms, but over plain http"), url=health,
                            ms=ms),
                         _t(N_("serve the intake over https and {command}"),
                            command="`kiosk config set sync.endpoint https://…`"))
        return _ok(_t(N_("{url} answers in {ms} ms (protocol {protocol})"), url=health, ms=ms,
                      protocol=str(body.get("protocol", "?"))))
    if response.status_code >= 500:
        return _warn(_t(N_("{url}: the intake answers HTTP {status} (its own problem; the queue "
                           "waits)"), url=health, status=str(response.status_code)),
                     _t(N_("tell the back office; {command} once it is fixed"),
                        command="`kiosk sync run`"))
    return _fail(_t(N_("{url}: HTTP {status}, not a Guichet intake's health answer"),
                    url=health, status=str(response.status_code)),
                 _t(N_("check {setting}: the intake's base URL, without {suffix} ({command})"),
                    setting="sync.endpoint", suffix="/v1",
                    command="`kiosk config set sync.endpoint https://HOST[:PORT]`"))


CHECKS: tuple[tuple[str, Callable[[_Context], Result]], ...] = (
    ("config", _check_config),
    ("identity", _check_identity),
    ("kiosk-key", _check_kiosk_key),
    ("sealing-key", _check_sealing_key),
    ("staff", _check_staff),
    ("card-reader", _check_card_reader),
    ("card-trust", _check_card_trust),
    ("printer", _check_printer),
    ("disk", _check_disk),
    ("clock", _check_clock),
    ("database", _check_database),
    ("audit-log", _check_audit_log),
    ("catalog", _check_catalog),
    ("sync", _check_sync),
)


def _run_one(name: str, fn: Callable[[_Context], Result], ctx: _Context) -> Check:
    try:
        status, found, fix = fn(ctx)
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
    except Exception as e:  # noqa: BLE001 (one check never stops the others)
        return Check(name, FAIL, _t(N_("the check failed: {error}"),
                                    error=_one_line(f"{type(e).__name__}: {e}")), _GENERIC_FIX)
    return Check(name, status, found, None if status == OK else fix)


def _load_settings(paths: KioskPaths) -> Settings:
    try:
        return Settings.load(paths.config_file)
    except Exception as e:  # noqa: BLE001 (the config check reports it)
        s = Settings(paths.config_file)
        s.problems.append(_t(UNREADABLE, path=str(paths.config_file),
                             error=f"{type(e).__name__}: {e}"))
        return s


def run_checks(paths: KioskPaths, *, now: dt.datetime | None = None,
               timeout: float = 2.0) -> list[Check]:
    """Every check, in a fixed order; they run side by side, each on its own thread, so
    the whole takes about as long as the slowest (network ones are bounded by ``timeout``)."""
    now = (now or dt.datetime.now()).astimezone()
    ctx = _Context(paths, _load_settings(paths), now, timeout)
    results: list[Check | None] = [None] * len(CHECKS)

    def run(i: int, name: str, fn) -> None:
        results[i] = _run_one(name, fn, ctx)

    threads = [threading.Thread(target=run, args=(i, name, fn), name=f"doctor-{name}",
                                daemon=True) for i, (name, fn) in enumerate(CHECKS)]
    for t in threads:
        t.start()
    limit = timeout + HANG_MARGIN
    deadline = time.monotonic() + limit
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    out = []
    for (name, _), result in zip(CHECKS, list(results)):
        out.append(result or Check(name, FAIL, _t(N_("no result within {seconds} s: the check "
                                                      "hangs"), seconds=_seconds(limit)),
                                   _GENERIC_FIX))
    return out


# --- the scrubber -------------------------------------------------------------------
REMOVED = "[removed]"
_DATE_SEP = r"[/.\-]"
_SCRUB_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    # MRZ lines (TD1 30, TD2 36, TD3 44 characters), and longer runs of the same alphabet
    ("mrz", re.compile(r"(?<![A-Z0-9<])[A-Z0-9<]{30,}(?![A-Z0-9<])")),
    ("email", re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")),
    # IBAN (MA + 2 check digits + the 24-digit RIB), then a bare RIB (24 digits, any grouping)
    ("iban", re.compile(r"\bMA\d{2}(?:[ ]?[0-9]{4}){6}\b")),
    ("rib", re.compile(r"(?<!\d)\d(?: ?\d){23}(?!\d)")),
    # Moroccan phone numbers: +212 / 00212 then 9 digits, or 0[5-7] then 8 digits
    ("phone", re.compile(r"(?:\+|\b00)212[ .\-]?(?:\(0\)[ .\-]?)?[5-7](?:[ .\-]?\d){8}(?!\d)")),
    ("phone", re.compile(r"(?<![\d+])0[5-7](?:[ .\-]?\d\d){4}(?!\d)")),
    # dates of birth: DD/MM/YYYY (any separator), and YYYY-MM-DD not followed by a time
    # (a log line's own timestamp, and ISO times, are followed by one)
    ("date", re.compile(rf"(?<!\d)(?:0?[1-9]|[12]\d|3[01]){_DATE_SEP}(?:0?[1-9]|1[0-2])"
                        rf"{_DATE_SEP}(?:19|20)\d\d(?!\d)")),
    ("date", re.compile(rf"(?<![\d\-])(?:19|20)\d\d{_DATE_SEP}(?:0[1-9]|1[0-2]){_DATE_SEP}"
                        r"(?:0[1-9]|[12]\d|3[01])(?![\d]|[T ]\d\d:\d\d)")),
    # CIN (one or two letters, 5 or 6 digits) and passport numbers (two letters, 7 digits)
    ("cin", re.compile(r"\b[A-Z]{1,2}\d{5,7}\b")),
    # values of fields named like personal data: name=…, "surname": "…", cin: …
    ("field", re.compile(r"(?i)(?<![A-Za-z_])((?:sur|first[_-]?|last[_-]?|given[_-]?|family[_-]?)?"
                         r"names?|nom|pr[ée]nom|birth(?:[_-]?date)?|date[_-]?of[_-]?birth|dob|"
                         r"naissance|cin|cnie|mrz|can|address|adresse|phone|t[ée]l[ée]phone|"
                         r"mobile|e-?mail|iban|rib)[\"']?\s*[=:]\s*(\[removed\]|\"[^\"]*\"|'[^']*'|[^\s,;}\]]+)")),
)
#: tokens of the kiosk's own vocabulary the CIN pattern would otherwise take
_KEEP = {"X25519", "ED25519", "X448", "ED448"}


#: tracking numbers (CODE-YYMMDD-NNNN-C) are kept whole: a kiosk code may look like a CIN
_TRACKING = re.compile(r"(?<![A-Za-z0-9\-])[A-Z0-9]{3,8}-\d{6}-\d{4,6}-[0-9A-Z](?![A-Za-z0-9\-])")


def scrub(line: str, counts: dict[str, int] | None = None) -> str:
    """The line with anything that looks like a citizen's personal data replaced by
    ``[removed]``; tracking numbers and the log's own timestamps are kept. ``counts``
    (optional) collects how many of each kind were removed."""
    kept: list[str] = []

    def keep(m: re.Match) -> str:
        kept.append(m.group(0))
        return chr(0xE000) + chr(0xE100 + len(kept) - 1)  # no letter, digit or separator

    line = _TRACKING.sub(keep, line)

    def sub(kind: str):
        def replace(m: re.Match) -> str:
            if kind == "cin" and m.group(0).upper() in _KEEP:
                return m.group(0)
            if kind == "field":
                if m.group(2) == REMOVED:
                    return m.group(0)
                if counts is not None:
                    counts[kind] = counts.get(kind, 0) + 1
                return m.group(0)[:m.start(2) - m.start(0)] + REMOVED
            if counts is not None:
                counts[kind] = counts.get(kind, 0) + 1
            return REMOVED
        return replace

    for kind, pattern in _SCRUB_PATTERNS:
        line = pattern.sub(sub(kind), line)
    for i, number in enumerate(kept):
        line = line.replace(chr(0xE000) + chr(0xE100 + i), number)
    return line


# --- the diagnostic bundle ----------------------------------------------------------
_QUEUE_COLUMNS = ("tracking", "procedure_id", "procedure_version", "state", "created_at",
                  "acknowledged_at", "attempts", "next_attempt_at", "last_error", "printed_at",
                  "print_error")


def queue_report(paths: KioskPaths, settings: Settings, now: dt.datetime | None = None) -> dict:
    """The queue's metadata: counts, oldest pending age and one row per submission
    (tracking number, procedure, state, times, attempts, errors). Never a payload, the
    receipt data, the language or the assisting agent."""
    path = paths.database
    if not path.exists():
        return {"database": str(path), "exists": False, "counts": {}, "oldest_pending_seconds": None,
                "submissions": []}
    outbox = _outbox(paths, settings)
    try:
        age = outbox.oldest_pending_age(now)
        cur = outbox.db.execute(f"SELECT {', '.join(_QUEUE_COLUMNS)} FROM submissions "
                                "ORDER BY created_at, sequence")
        rows = [dict(zip(_QUEUE_COLUMNS, r)) for r in cur.fetchall()]
        counts = outbox.counts()
    finally:
        outbox.close()
    for r in rows:
        for k in ("last_error", "print_error"):
            if r[k]:
                r[k] = scrub(r[k])
    return {"database": str(path), "exists": True, "counts": counts,
            "oldest_pending_seconds": None if age is None else round(age, 1), "submissions": rows}


def versions() -> dict:
    from importlib import metadata

    from . import __version__

    names = ["guichet"]
    try:
        for req in metadata.requires("guichet") or []:
            if "extra ==" in req:
                continue
            m = re.match(r"[A-Za-z0-9][A-Za-z0-9._\-]*", req)
            if m and m.group(0) not in names:
                names.append(m.group(0))
    except metadata.PackageNotFoundError:
        names += ["pyscard", "sqlite-utils", "reportlab", "cryptography", "httpx", "starlette",
                  "uvicorn", "python-escpos", "pydantic", "click", "platformdirs"]
    packages = {}
    for name in names:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {"kiosk": __version__, "python": sys.version.split()[0],
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "machine": platform.machine(), "packages": packages}


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _write_json(path: Path, data: Any) -> None:
    _write(path, (json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n").encode())


def _scrub_file(source: Path, target: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, encoding="utf-8", errors="replace", newline="") as f_in, \
            open(target, "x", encoding="utf-8", newline="") as f_out:
        for line in f_in:
            f_out.write(scrub(line, counts))
        f_out.flush()
        os.fsync(f_out.fileno())
    return counts


@dataclass(frozen=True)
class Bundle:
    path: Path
    checks: list[Check]
    #: log file (relative name) -> values the scrubber removed, by kind
    scrubbed: dict[str, dict[str, int]]
    errors: dict[str, str]


def export_bundle(paths: KioskPaths, folder: Path | str, *, now: dt.datetime | None = None,
                  timeout: float = 2.0) -> Bundle:
    """Write ``guichet-diag-<kiosk.id>-<YYYYmmdd-HHMMSS>/`` into ``folder`` atomically (a
    hidden temporary folder, renamed once complete) and return it. A part that cannot be
    made (a damaged database...) is replaced by its error in ``manifest.json``: the bundle
    is most needed when something is broken."""
    now = (now or dt.datetime.now()).astimezone()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    settings = _load_settings(paths)
    name = f"guichet-diag-{settings['kiosk.id']}-{now.strftime('%Y%m%d-%H%M%S')}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder))
    errors: dict[str, str] = {}
    scrubbed: dict[str, dict[str, int]] = {}
    checks: list[Check] = []

    def part(file: str, make: Callable[[], None]) -> None:
        try:
            make()
        except Exception as e:  # noqa: BLE001 (the rest of the bundle is still made)
            errors[file] = _one_line(f"{type(e).__name__}: {scrub(str(e))}")

    try:
        def doctor() -> None:
            checks.extend(run_checks(paths, now=now, timeout=timeout))
            _write_json(tmp / "doctor.json", [c.to_json() for c in checks])

        def config() -> None:
            if paths.config_file.exists():
                _write(tmp / "config.toml", paths.config_file.read_bytes())
            else:
                _write(tmp / "config.toml", f"# no {paths.config_file}: every setting has its "
                       "default\n".encode())

        def logs() -> None:
            (tmp / "logs").mkdir()
            if not paths.logs.is_dir():
                return
            for source in sorted(paths.logs.rglob("*")):
                if source.is_symlink() or not source.is_file():
                    continue
                rel = source.relative_to(paths.logs)
                scrubbed[rel.as_posix()] = _scrub_file(source, tmp / "logs" / rel)

        part("doctor.json", doctor)
        part("config.toml", config)
        part("queue.json", lambda: _write_json(tmp / "queue.json",
                                               queue_report(paths, settings, now)))
        part("audit-verify.json", lambda: _write_json(
            tmp / "audit-verify.json", AuditLog(paths.audit_log).verify().to_json()))
        part("versions.json", lambda: _write_json(tmp / "versions.json", versions()))
        part("logs", logs)
        _write_json(tmp / "manifest.json", {
            "kiosk_id": settings["kiosk.id"], "created": now.isoformat(timespec="seconds"),
            "files": sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()),
            "scrubbed": {k: v for k, v in scrubbed.items() if v}, "errors": errors,
            "note": "no citizen's personal data: queue metadata only (no payload), logs "
                    f"scrubbed (values replaced by {REMOVED})"})
        for d in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            try:  # readable on the technician's own machine (mkdtemp made it 0700)
                os.chmod(d, 0o755)
            except OSError:  # FAT sticks have no modes
                pass
        target, n = folder / name, 1
        while True:
            try:
                if target.exists():
                    raise FileExistsError(target)
                os.rename(tmp, target)
                break
            except FileExistsError:
                n += 1
                target = folder / f"{name}-{n}"
        fsync_dir(folder, tolerant=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Bundle(target, checks, scrubbed, errors)
