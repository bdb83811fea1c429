"""``kiosk doctor`` and the technician's diagnostic bundle, for a kiosk with no network.

``run_checks(paths)`` looks at everything a field technician sets up and returns one
``Check`` per subject: ``ok``, ``warn`` or ``fail``, what was found (short, precise) and
how to fix it (the exact command or setting; empty when ok). The checks run side by
side, each isolated: an exception becomes a FAIL naming its type and message, a check
still running when the wait is over becomes a FAIL too; one never stops another.
Nothing here changes the kiosk: no draft is cleaned up, no database is created.

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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from .audit import AuditLog
from .config import KEYS, Settings
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

_GENERIC_FIX = ("unexpected: run `kiosk doctor` again; if it stays, export the diagnostics "
                "(`kiosk diagnostics export DIR`) and report it")


@dataclass(frozen=True)
class Check:
    name: str
    status: str   # ok, warn or fail
    found: str    # what was found, for the technician
    fix: str = ""  # what to do (a command or a setting); empty when ok

    @property
    def label(self) -> str:
        return {OK: "ok", WARN: "warn", FAIL: "FAIL"}[self.status]

    def line(self) -> str:
        return f"{self.label:<4}  {self.name}: {self.found}" + (f" — {self.fix}" if self.fix else "")

    def to_json(self) -> dict:
        return asdict(self)


Result = tuple[str, str, str]  # (status, found, fix)


def _ok(found: str) -> Result:
    return OK, found, ""


def _warn(found: str, fix: str) -> Result:
    return WARN, found, fix


def _fail(found: str, fix: str) -> Result:
    return FAIL, found, fix


def _one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


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
def _check_config(ctx: _Context) -> Result:
    s, path = ctx.settings, ctx.paths.config_file
    unknown = [p.split(":", 1)[0] for p in s.problems if p.endswith("unknown setting (ignored)")]
    unreadable = [p for p in s.problems if "cannot be read" in p]
    invalid = [p for p in s.problems if p.endswith("(default kept)")]
    where = str(path) if path.exists() else f"no {path} (every setting at its default)"
    if unreadable:
        return _fail(f"{unreadable[0]}: the kiosk runs on defaults, in demo mode",
                     f"repair the TOML in {path} (or delete it and set each value again with "
                     "`kiosk config set KEY VALUE`)")
    if invalid:
        return _fail(f"{ctx.mode} mode; {len(invalid)} invalid value(s) in {path}: "
                     + "; ".join(invalid), "set each one again with `kiosk config set KEY VALUE` "
                     "(`kiosk config show` lists every setting and its rule)")
    if unknown:
        return _warn(f"{ctx.mode} mode; unknown setting(s) in {path}, ignored: "
                     + ", ".join(unknown), f"remove or correct them in {path} (a misspelt key "
                     "leaves the default in use; `kiosk config show` lists the known keys)")
    return _ok(f"{ctx.mode} mode, {where}")


def _check_identity(ctx: _Context) -> Result:
    s = ctx.settings
    kid, code, office = s["kiosk.id"], s["kiosk.code"], s["kiosk.office"]
    found = f"kiosk.id {kid}, kiosk.code {code}, office {office!r}"
    demo_defaults = [k for k in ("kiosk.id", "kiosk.code") if s[k] == KEYS[k].default]
    if ctx.production and demo_defaults:
        fixes = {"kiosk.id": "`kiosk config set kiosk.id ID` (unique in the fleet, as enrolled "
                             "on the intake)",
                 "kiosk.code": "`kiosk config set kiosk.code CODE` (3-8 capitals or digits, "
                               "unique: it starts every tracking number)"}
        which = (" and ".join(demo_defaults) + (" are" if len(demo_defaults) > 1 else " is"))
        return _fail(f"{found}: {which} still the demo default in production mode",
                     "; ".join(fixes[k] for k in demo_defaults))
    if ctx.production and office == KEYS["kiosk.office"].default:
        return _warn(f"{found}: the demo office name is printed on receipts",
                     '`kiosk config set kiosk.office "NAME OF THE OFFICE"`')
    return _ok(found + (" (the demo defaults)" if demo_defaults else ""))


def _check_kiosk_key(ctx: _Context) -> Result:
    from . import keys

    path = keys.key_path(ctx.paths)
    enrol = "then enrol it on the intake: `kiosk keys show --public` and `kiosk intake enrol`"
    try:
        key = keys.load(ctx.paths)
    except keys.KioskKeyError as e:
        if path.exists():
            return _fail(_one_line(str(e)), "restore the key file from the technician's backup, "
                         f"or make a new one with `kiosk keys init --force` and {enrol}")
        if ctx.production:
            return _fail(f"no kiosk signing key at {path}: no signed receipt QR code, no sync",
                         f"`kiosk keys init`, {enrol}")
        if ctx.settings["sync.endpoint"]:
            return _warn(f"no kiosk signing key at {path}: sync cannot authenticate",
                         f"`kiosk keys init`, {enrol}")
        return _ok(f"no key yet at {path} (a demo kiosk makes one at its first receipt)")
    except OSError as e:
        return _fail(f"{path} cannot be read ({e.strerror or e})",
                     f"give it to the kiosk's user, mode 600: `chmod 600 {path}`")
    mode = stat.S_IMODE(path.stat().st_mode)
    public = keys.public_text(key.public_key())
    if mode & 0o077:
        return _warn(f"{public} in {path}, but the private key file is mode {mode:03o}",
                     f"`chmod 600 {path}`")
    return _ok(f"{public} ({path})")


def _check_sealing_key(ctx: _Context) -> Result:
    from .keys import parse_x25519
    from .queue.sealing import is_demo_key

    configured = ctx.settings["sync.backoffice_key"]
    fix = ("`kiosk config set sync.backoffice_key x25519:…` (the back office's key: the first "
           "line `kiosk intake init` prints)")
    if configured:
        try:
            demo = is_demo_key(parse_x25519(configured))
        except ValueError as e:
            return _fail(f"sync.backoffice_key: {e}", fix)
        what = "the DEMO back-office key (sync.backoffice_key)"
    else:
        demo, what = True, "the DEMO back-office key (sync.backoffice_key is empty)"
    if not demo:
        return _ok(f"{configured} (the back office's key)")
    if ctx.production:
        return _fail(f"{what}: production mode refuses to seal with it; no submission can be "
                     "saved", fix)
    return _ok(f"{what}; demo mode: test data only")


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
    to_pcsc = "`kiosk config set card.source pcsc` (real readers)"
    if used == "demo":
        if ctx.production:  # every citizen would be the sample person
            return _fail(f"{label}: the sample identity, no card is read", to_pcsc)
        return _ok(f"{label}: the sample identity (demo mode)")
    if used == "emulator":
        try:
            readers = _bounded(_pcsc_readers, ctx.timeout, "pcscd")
        except Exception:  # noqa: BLE001 (no pcscd: the emulator runs in memory)
            readers = []
        via = "through pcscd + vpcd" if VIRTUAL_READER in readers else "in memory"
        if ctx.production:
            return _fail(f"{label}: the TEST-ONLY emulated chip {via}, no real card is read",
                         to_pcsc)
        return _ok(f"{label}: the TEST-ONLY emulated chip {via}")
    try:
        readers = _bounded(_pcsc_readers, ctx.timeout, "pcscd")
    except TimeoutError as e:
        return _fail(f"{label}: {e}", "restart it: `sudo systemctl restart pcscd`, then "
                     "`kiosk card readers`")
    except Exception as e:  # noqa: BLE001 (TransportError from pyscard: the message says it)
        return _fail(f"{label}: {_one_line(str(e))}", "start pcscd: `sudo systemctl enable --now "
                     "pcscd.socket` (package pcscd), then `kiosk card readers`")
    if not readers:
        return _fail(f"{label}: pcscd answers but no reader is connected",
                     "plug the card reader in (USB) and check `kiosk card readers`; a reader "
                     "that stays absent needs its driver (package libccid)")
    wanted = s["card.reader"]
    used_readers = [r for r in readers if wanted in r]
    if not used_readers:
        return _fail(f"{label}: no reader name contains card.reader {wanted!r} (readers: "
                     f"{', '.join(readers)})", '`kiosk config set card.reader "PART OF A NAME"`, '
                     "or empty for every reader")
    if ctx.production and all(r == VIRTUAL_READER for r in used_readers):
        return _fail(f"{label}: only the emulator's {VIRTUAL_READER!r} reader, no real one",
                     "plug the kiosk's card reader in; stop `kiosk card emulate` and vpcd")
    return _ok(f"{label}: {len(used_readers)} reader(s): {', '.join(used_readers)}"
               + (f" (card.reader {wanted!r})" if wanted else ""))


def _check_card_trust(ctx: _Context) -> Result:
    s = ctx.settings
    if s["card.source"] == "demo":
        return _ok("not used (card.source demo: no chip is read)")
    from .card.trust import load_trust_store

    fix = ("`kiosk config set card.trust_store DIR` (a folder of CSCA certificates and ICAO "
           "master lists)")
    try:
        store = load_trust_store(settings=s)
    except Exception as e:  # noqa: BLE001 (TrustStoreError, or a certificate that does not parse)
        return _fail(f"{_one_line(str(e))}: every card fails passive authentication", fix)
    folder = s["card.trust_store"]
    if not folder:
        return _ok("the TEST PKI's CSCA (demo mode: only the TEST-ONLY chip verifies)")
    return _ok(f"{len(store)} CSCA certificate(s) from {folder}")


_PRINTER_PROBLEMS = {"media-empty": "media-empty", "media-needed": "media-empty",
                     "media-jam": "media-jam", "door-open": "door-open", "cover-open": "door-open"}


def _printer_fix(code: str, s: Settings, st) -> str:
    kind, queue, address = s["printer.kind"], s["printer.queue"], s["printer.address"]
    if code == "offline":
        if kind == "file":
            fix = (f"make {st.name} a writable folder for the kiosk's user, or choose another: "
                   "`kiosk config set printer.folder DIR`")
        elif kind == "cups":
            fix = f"start CUPS and switch the printer on; `lpstat -p {queue}` shows the queue"
        elif address.startswith("usb:"):
            fix = ("check the printer's power and USB cable, and printer.address usb:VID:PID "
                   "(`lsusb`; `kiosk config set printer.address usb:VID:PID`)")
        else:
            fix = (f"switch the printer on and check its cable and address {address} "
                   "(`kiosk config set printer.address tcp:HOST:9100`)")
    else:
        fix = {
            "media-empty": f"load a paper roll ({s['receipt.paper_width']} mm)",
            "media-jam": "open the cover, remove the jammed paper, close it",
            "door-open": "close the printer's cover",
            "paused": f"`cupsenable {queue}`",
            "rejected": f"`cupsaccept {queue}`",
            "not-configured": (f"no CUPS queue {queue!r}: `lpstat -p` lists them; "
                               "`kiosk config set printer.queue NAME`" if kind == "cups" else
                               "check printer.address (`kiosk config set printer.address …`)"),
        }.get(code, "see the printer's panel and `kiosk printer status`")
    return fix + "; then `kiosk printer test`"


def _check_printer(ctx: _Context) -> Result:
    from .printing.cups import base_reason, blocking_code
    from .services import Services

    s = ctx.settings
    services = Services(ctx.paths, s, None)  # not open(): no draft is cleaned up, no catalog
    try:
        printer = services.printer
    except ValueError as e:
        return _fail(f"printer.kind {s['printer.kind']}: {e}",
                     "`kiosk config set printer.queue NAME` (`lpstat -p` lists the CUPS queues)")
    # A status question must not take longer than the doctor's timeout.
    if isinstance(getattr(printer, "timeout", None), (int, float)):
        printer.timeout = min(printer.timeout, ctx.timeout)
    ipp = getattr(printer, "_ipp", None)
    if ipp is not None:
        ipp.timeout = min(ipp.timeout, ctx.timeout)
    try:
        st = _bounded(services.printer_status, ctx.timeout + 1.0, "the printer")
    except TimeoutError as e:
        return _fail(f"{s['printer.kind']}: {e}", _printer_fix("offline", s, None))
    where = f"{st.kind} {st.name}"
    reasons = ", ".join(st.reasons) or "no reason given"
    if st.ready:
        low = [r for r in st.reasons if base_reason(r) in ("media-low", "toner-low",
                                                           "marker-supply-low")]
        if low:
            return _warn(f"{where}: ready, but {', '.join(low)}",
                         f"put a new paper roll ({s['receipt.paper_width']} mm) in soon")
        return _ok(f"{where}: ready ({st.state})")
    if st.kind == "cups":
        code = blocking_code(st) or "error"
    else:
        found = [_PRINTER_PROBLEMS[base_reason(r)] for r in st.reasons
                 if base_reason(r) in _PRINTER_PROBLEMS]
        code = found[0] if found else (
            "offline" if st.state == "unreachable" or "offline" in st.reasons else "error")
    detail = f": {_one_line(st.detail, 200)}" if st.detail else ""
    return _fail(f"{where}: not ready ({st.state}; {reasons}){detail}",
                 _printer_fix(code, s, st))


def _size(n: float) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{int(n)} B"


def _check_disk(ctx: _Context) -> Result:
    worst, parts, devices = OK, [], {}
    for label, folder in (("data", ctx.paths.data), ("spool", ctx.paths.spool)):
        device = os.stat(folder).st_dev
        if device in devices:
            parts[devices[device]] = parts[devices[device]].replace(":", f" and {label}:", 1)
            continue
        usage = shutil.disk_usage(folder)
        devices[device] = len(parts)
        parts.append(f"{label}: {_size(usage.free)} free of {_size(usage.total)} ({folder})")
        if usage.free < DISK_FAIL_BYTES:
            worst = FAIL
        elif usage.free < DISK_WARN_BYTES and worst == OK:
            worst = WARN
    found = "; ".join(parts)
    if worst == OK:
        return _ok(found)
    limit = DISK_FAIL_BYTES if worst == FAIL else DISK_WARN_BYTES
    return worst, f"{found}: below {_size(limit)}", (
        f"free space on that disk: old receipt PDFs in {ctx.paths.receipts} can go (reprints "
        "need none), `kiosk sync run` drops acknowledged payloads; never delete "
        f"{ctx.paths.database}")


def _ntp(timeout: float) -> tuple[bool | None, str]:
    tool = shutil.which("timedatectl")
    if tool is None:
        return None, "timedatectl is not installed"
    try:
        r = subprocess.run([tool, "show", "-p", "NTPSynchronized", "--value"],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timedatectl did not answer within {timeout:g} s"
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
    synced, why = _ntp(ctx.timeout)
    ntp = {True: "NTP synchronised", False: "NTP not synchronised"}.get(synced, f"NTP unknown ({why})")
    if now < EARLIEST_CLOCK:  # wrong dates on tracking numbers, receipts and signatures
        return _fail(f"the system clock says {shown}, before {EARLIEST_CLOCK.date()}: tracking "
                     f"numbers, receipts and signatures carry a wrong date; {ntp}",
                     f"set the date and time: {set_it} (Africa/Casablanca), or with a network "
                     "`sudo timedatectl set-ntp true`")
    if synced:
        return _ok(f"{shown}, {ntp}")
    if synced is False:
        return _warn(f"{shown}, {ntp}", "compare with a watch; offline, set it with "
                     f"{set_it}; with a network: `sudo timedatectl set-ntp true`")
    return _warn(f"{shown}, {ntp}", f"compare with a watch (time zone Africa/Casablanca); set "
                 f"it with {set_it} if it is wrong")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


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
        return _ok(f"no database yet at {path} (made at the first submission)")
    try:
        outbox = _outbox(ctx.paths, ctx.settings)
    except OutboxDamaged as e:
        reason = str(e).split("; run `kiosk queue recover`")[0]
        return _fail(f"damaged: {_one_line(reason)}", "`kiosk queue recover` (keeps the damaged "
                     "file aside, copies every readable submission to a new one)")
    except OutboxError as e:
        return _fail(_one_line(str(e)), "update the kiosk software")
    try:
        counts = outbox.counts()
        age = outbox.oldest_pending_age(ctx.now)
    finally:
        outbox.close()
    found = ("integrity ok; " + ", ".join(f"{n} {state}" for state, n in counts.items())
             + (f"; oldest pending {_duration(age)}" if age is not None else ""))
    if age is not None and age > PENDING_WARN_SECONDS:
        return _warn(found, "submissions are not reaching the intake: see the sync check, "
                     "`kiosk sync run`, or carry them on USB: `kiosk queue export DIR`")
    return _ok(found)


def _check_audit_log(ctx: _Context) -> Result:
    audit = AuditLog(ctx.paths.audit_log)
    if not audit.path.exists() and not audit.head_path.exists():
        return _ok("no record yet (no privileged action so far)")
    report = audit.verify()
    if report.ok:
        return _ok(f"{report.records} records, hash chain intact")
    more = f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
    return _fail(f"TAMPERED: {report.problems[0]}{more}",
                 f"do not edit or delete {audit.path.name}: `kiosk audit verify` lists every "
                 "problem; keep a copy (`kiosk diagnostics export DIR`) and report it to the "
                 "office's security officer")


def _check_staff(ctx: _Context) -> Result:
    from .staff import Staff, StaffError

    staff = Staff(ctx.paths.staff_file, AuditLog(ctx.paths.audit_log))
    add = "`kiosk staff add --id N --name NAME --role technician`"
    try:
        rows = staff.listing()
    except StaffError as e:
        return _fail(_one_line(str(e)), f"restore {ctx.paths.staff_file} from the backup")
    if not rows:
        if ctx.production:
            return _fail("no staff account: every privileged command is open to anyone at "
                         "the keyboard", add)
        return _ok("no staff account (demo mode: privileged commands are open)")
    roles = {r: sum(a["role"] == r for a in rows) for r in ("technician", "agent")}
    locked = [a["id"] for a in rows if a["locked_for"]]
    found = f"{roles['technician']} technician(s), {roles['agent']} agent(s)"
    if locked:
        return _warn(f"{found}; locked out after wrong PINs: {', '.join(locked)}",
                     "`kiosk staff unlock STAFF` (or wait for the lockout to end)")
    return _ok(found)


def _catalog_fix(paths: KioskPaths, edition: int) -> str:
    from .procedures import package as pkg

    root = pkg.store_dir(paths)
    older = [e.edition for e in pkg.installed(paths) if e.edition < edition]
    if older:
        return ("reinstall it: `kiosk catalog rollback` (to edition "
                f"{max(older)}), then `kiosk catalog import FILE` with the signed package "
                "(the altered copy is replaced)")
    return (f"no earlier edition to roll back to: delete {root / 'active'} (the bundled "
            "catalog is used), then `kiosk catalog import FILE` with the signed package")


def _check_catalog(ctx: _Context) -> Result:
    from .procedures import package as pkg

    root = pkg.store_dir(ctx.paths)
    keys_fix = ("`kiosk config set catalog.trusted_keys DIR` (a folder of the catalog "
                "publishers' .pem public keys)")
    try:
        trusted, keys_problem = pkg.load_trusted_keys(ctx.settings), ""
    except pkg.PackageError as e:
        trusted, keys_problem = [], e.message
    try:
        edition = pkg._pointer(root)
    except ValueError as e:
        return _fail(f"{root / pkg.POINTER} {e}: the bundled catalog (edition "
                     f"{pkg.bundled_edition()}) is used instead",
                     "`kiosk catalog installed`, then `kiosk catalog rollback --to EDITION`, "
                     "or `kiosk catalog import FILE` again")
    if edition is None:
        found = f"the bundled catalog (edition {pkg.bundled_edition()}), no installed edition"
        if keys_problem:
            return _fail(f"{found}; {keys_problem}", keys_fix)
        if ctx.production:
            return _warn(found, "install the office's signed package: `kiosk catalog import "
                         "FILE` (or `kiosk technician --usb DIR`)")
        return _ok(found)
    folder = root / str(edition)
    if keys_problem:
        return _fail(f"edition {edition} cannot be verified: {keys_problem}", keys_fix)
    try:
        manifest = pkg._check_signature((folder / pkg.MANIFEST).read_bytes(),
                                        (folder / pkg.SIGNATURE).read_bytes(), trusted)
    except FileNotFoundError as e:
        return _fail(f"edition {edition}: {Path(e.filename).name} is missing from {folder}",
                     _catalog_fix(ctx.paths, edition))
    except pkg.PackageError as e:
        if e.code == "unknown-key":
            return _fail(f"edition {edition}: {e.message}",
                         "add the publisher's public key to catalog.trusted_keys if it is "
                         "genuine, else import an edition signed by a trusted publisher "
                         "(`kiosk catalog import FILE`)")
        return _fail(f"edition {edition}: {_one_line(e.message)}",
                     _catalog_fix(ctx.paths, edition))
    try:
        pkg._check_installed(folder)
    except pkg.PackageError as e:
        problems = f" ({'; '.join(e.problems[:2])})" if e.problems else ""
        return _fail(f"edition {edition}: {_one_line(e.message + problems)}",
                     _catalog_fix(ctx.paths, edition))
    return _ok(f"edition {edition}: signature by publisher key {manifest.key_id} and "
               f"{len(manifest.files)} file hashes verified")


def _check_sync(ctx: _Context) -> Result:
    import httpx

    from .sync.client import tls_context

    s = ctx.settings
    url = s["sync.endpoint"]
    offline = "`kiosk queue export DIR` carries the queue on a USB stick meanwhile"
    if not url:
        return _warn("sync.endpoint is empty: submissions wait on the kiosk",
                     "`kiosk config set sync.endpoint https://…` and sync.intake_key; "
                     f"without a network, {offline}")
    if not s["sync.intake_key"]:
        return _fail(f"sync.endpoint {url} but sync.intake_key is empty: the sync worker does "
                     "not start", "`kiosk config set sync.intake_key ed25519:…` (the second "
                     "line `kiosk intake init` prints)")
    try:
        verify = tls_context(s["sync.ca_file"])
    except RuntimeError as e:
        return _fail(_one_line(str(e)), "`kiosk config set sync.ca_file /path/office-ca.pem` "
                     "(PEM), or empty for the public CAs")
    health = url.rstrip("/") + "/v1/health"
    start = time.monotonic()
    try:
        with httpx.Client(timeout=httpx.Timeout(ctx.timeout), verify=verify) as client:
            response = client.get(health)
    except httpx.TimeoutException:
        return _warn(f"{health}: no answer within {ctx.timeout:g} s (the kiosk works offline, "
                     "the queue waits)", f"check the network and the intake; {offline}")
    except httpx.HTTPError as e:
        text = _one_line(f"{type(e).__name__}: {e}", 200)
        if "CERTIFICATE_VERIFY_FAILED" in str(e) or "certificate verify failed" in str(e):
            return _fail(f"{health}: the intake's TLS certificate is not trusted ({text})",
                         "`kiosk config set sync.ca_file /path/office-ca.pem` (the office CA "
                         "that signed it), and check the host name in sync.endpoint")
        if isinstance(e, httpx.TransportError):
            return _warn(f"{health}: unreachable ({text}); the kiosk works offline, the queue "
                         "waits", f"check the network cable or Wi-Fi and the intake's address; "
                         f"{offline}")
        return _fail(f"{health}: {text}", "check sync.endpoint (the intake's base URL)")
    ms = (time.monotonic() - start) * 1000
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, dict) and body.get("status") == "ok":
        if ctx.production and url.startswith("http://"):
            return _warn(f"{health} answers in {ms:.0f} ms, but over plain http",
                         "serve the intake over https and `kiosk config set sync.endpoint "
                         "https://…`")
        return _ok(f"{health} answers in {ms:.0f} ms (protocol {body.get('protocol', '?')})")
    if response.status_code >= 500:
        return _warn(f"{health}: the intake answers HTTP {response.status_code} (its own "
                     "problem; the queue waits)", "tell the back office; `kiosk sync run` once "
                     "it is fixed")
    return _fail(f"{health}: HTTP {response.status_code}, not a Guichet intake's health answer",
                 "check sync.endpoint: the intake's base URL, without /v1 "
                 "(`kiosk config set sync.endpoint https://HOST[:PORT]`)")


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
        return Check(name, FAIL, _one_line(f"the check failed: {type(e).__name__}: {e}"),
                     _GENERIC_FIX)
    return Check(name, status, _one_line(found), "" if status == OK else _one_line(fix))


def _load_settings(paths: KioskPaths) -> Settings:
    try:
        return Settings.load(paths.config_file)
    except Exception as e:  # noqa: BLE001 (the config check reports it)
        s = Settings(paths.config_file)
        s.problems.append(f"{paths.config_file}: cannot be read ({type(e).__name__}: {e}); "
                          "defaults in use")
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
        out.append(result or Check(name, FAIL, f"no result within {limit:g} s: the check hangs",
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


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # some USB file systems refuse it; the files themselves were fsynced
        pass


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
        _fsync_dir(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Bundle(target, checks, scrubbed, errors)
