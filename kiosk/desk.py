"""The staff desk: what an agent or a technician sees and does at the kiosk. No Qt.

Signing in (staff number + PIN), the dashboard (queue by state, sync, rejected items
with their reasons, today's submissions and their receipts, printer, service state),
and the actions, each through the privileged gate (role checked in the core, audited):
send now, reprint a receipt, put the kiosk out of service and back, start an assisted
session. Everything shown is rendered here in the desk's language; nothing personal is
in it (tracking numbers, procedures, times, states).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, Message, format_datetime, format_number, format_time, gettext
from .privileged import Gate
from .staff import Actor, Forbidden, LockedOut, StaffError, WrongPin

#: the messages an agent can put on the Welcome screen of a kiosk out of service
SERVICE_REASONS = {
    "see_agent": N_("This kiosk is out of service. Please see an agent at the counter."),
    "maintenance": N_("This kiosk is under maintenance. Please come back a little later."),
    "closed": N_("The office is closed. This kiosk works during opening hours."),
}
STATE_LABELS = {
    "queued": N_("Waiting to be sent"),
    "sending": N_("Being sent"),
    "acknowledged": N_("Received by the office"),
    "rejected": N_("Refused by the office"),
}
PRINT_FAILURES = {
    "media-empty": N_("Out of paper"),
    "media-jam": N_("Paper jammed"),
    "door-open": N_("Printer cover open"),
    "offline": N_("Printer not answering"),
    "paused": N_("Printer paused"),
    "rejected": N_("Printer refused the receipt"),
    "timeout": N_("Printing took too long"),
    "not-configured": N_("No printer configured"),
    "error": N_("Printer error"),
}


@dataclass(frozen=True)
class ServiceState:
    in_service: bool = True
    reason: str = ""
    since: str = ""
    by: str = ""

    def message(self, lang: str) -> str:
        return "" if self.in_service else gettext(lang, SERVICE_REASONS.get(self.reason, SERVICE_REASONS["see_agent"]))


def load_service(path: Path) -> ServiceState:
    try:
        raw = json.loads(path.read_text())
        state = ServiceState(bool(raw["in_service"]), str(raw.get("reason", "")),
                             str(raw.get("since", "")), str(raw.get("by", "")))
    except FileNotFoundError:
        return ServiceState()
    except (ValueError, KeyError, TypeError):
        # A damaged file must not silently open a kiosk an agent closed: stay closed.
        return ServiceState(False, "see_agent")
    return state


def save_service(path: Path, state: ServiceState) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state.__dict__))
    os.replace(tmp, path)


class Desk:
    def __init__(self, services, clock=None):
        self.services = services
        self.gate = Gate(services.paths)
        self.actor: Actor | None = None
        self.error: Message | None = None
        self.notice: Message | None = None
        self._clock = clock or (lambda: dt.datetime.now().astimezone())
        #: the sign-in keypad: which box it types into, and what was typed (wiped after)
        self.field = "id"
        self.typed_id = ""
        self.typed_pin = ""
        #: the last `kiosk doctor` run on the desk (technicians)
        self.checks: list[dict] = []
        # Asked of devices, not of memory: read at most every few seconds, never at each
        # redraw (an unreachable printer answers only at its timeout).
        self._printers: list[dict] | None = None
        self._printer_status = (0.0, None)

    # --- the sign-in keypad (staff number, then PIN) ----------------------------------
    def type_digit(self, digit: str) -> None:
        if not (len(digit) == 1 and digit.isdigit()):
            return
        if self.field == "id" and len(self.typed_id) < 8:
            self.typed_id += digit
        elif self.field == "pin" and len(self.typed_pin) < 12:
            self.typed_pin += digit

    def erase(self) -> None:
        if self.field == "pin" and self.typed_pin:
            self.typed_pin = self.typed_pin[:-1]
        elif self.field == "pin":
            self.field = "id"
        else:
            self.typed_id = self.typed_id[:-1]

    def confirm(self) -> bool:
        """OK on the keypad: from the number to the PIN, then sign in (the PIN is wiped)."""
        if self.field == "id":
            if len(self.typed_id) >= 2:
                self.field = "pin"
            return False
        pin, self.typed_pin = self.typed_pin, ""
        ok = self.sign_in(self.typed_id, pin)
        if ok:
            self.typed_id, self.field = "", "id"
        return ok

    def sign_in_view(self, lang: str) -> dict:
        return {"field": self.field, "id": self.typed_id, "pin": "•" * len(self.typed_pin),
                "error": _render(self.error, lang), "ready": self.set_up}

    # --- signing in and out ---------------------------------------------------------
    def sign_in(self, staff_id: str, pin: str) -> bool:
        self.error = self.notice = None
        try:
            self.actor = self.gate.staff.authenticate(staff_id, pin)
        except LockedOut as e:
            self.error = Message(N_("Too many wrong PINs. Try again in {seconds} seconds."),
                                 {"seconds": int(e.seconds + 0.999)})
        except WrongPin as e:
            self.error = Message(N_("Wrong staff number or PIN. Tries left before a pause: {count}"),
                                 {"count": e.tries_left})
        except StaffError:
            self.error = Message(N_("Staff accounts cannot be read. Please call the technician."))
        return self.actor is not None

    def sign_out(self) -> None:
        self.actor = None
        self.checks = []
        self._printers = None
        self.error = self.notice = None
        self.field, self.typed_id, self.typed_pin = "id", "", ""

    @property
    def set_up(self) -> bool:
        """Whether any staff account exists (before that, staff mode cannot open)."""
        try:
            return self.gate.staff.is_set_up()
        except StaffError:
            return False

    # --- actions --------------------------------------------------------------------
    def _act(self, permission: str, action: str, details: dict, fn, done: str | None = None):
        self.error = self.notice = None
        if self.actor is None:
            raise Forbidden(Actor("-", "none"), permission)
        try:
            result = self.gate.run(self.actor, permission, action, details, fn)
        except Forbidden:
            self.error = Message(N_("Your role does not allow this."))
            return None
        if done:
            self.notice = Message(done)
        return result

    def guarded(self, permission: str, action: str, details: dict, fn):
        """Run ``fn`` through the gate as the signed-in staff member; None when refused
        (screens of other modules, e.g. the catalog, use it for their actions)."""
        if self.actor is None:
            return None
        return self._act(permission, action, details, fn)

    def send_now(self) -> None:
        def go():
            self.services.outbox.make_due()
            worker = self.services.sync_worker
            if worker is not None:
                worker.poke()
            return worker is not None
        if self._act("sync.now", "sync.now", {}, go) is False:
            self.error = Message(N_("Sending is not configured on this kiosk. Please call the technician."))
        elif self.error is None:
            self.notice = Message(N_("Sending now."))

    def set_service(self, in_service: bool, reason: str = "see_agent") -> None:
        if not in_service and reason not in SERVICE_REASONS:
            raise ValueError(reason)
        state = ServiceState(in_service, "" if in_service else reason,
                             self._clock().isoformat(timespec="seconds"), self.actor.id if self.actor else "")
        self._act("service.toggle", "service.on" if in_service else "service.off",
                  {"reason": state.reason}, lambda: save_service(self.services.service_file, state),
                  N_("The kiosk is back in service.") if in_service else N_("The kiosk is out of service."))

    def start_assisted(self) -> str | None:
        """The staff number an assisted session records, or None when not allowed."""
        ok = self._act("session.assist", "session.assist", {}, lambda: True)
        return self.actor.id if ok else None

    def reprint(self, tracking: str) -> None:
        row = self.services.outbox.by_tracking(tracking)
        if row is None or row["day"] != self._clock().date().isoformat():
            self.error = Message(N_("Only today's receipts can be reprinted."))
            return
        outcome = self._act("receipt.reprint", "receipt.reprint", {"tracking": tracking},
                            lambda: self.services.print_receipt(tracking))
        if outcome is None:
            return
        self._printer_status = (0.0, None)  # the print just told us about the printer
        if outcome.ok:
            self.notice = Message(N_("Receipt {tracking} printed."), {"tracking": tracking})
        else:
            self.error = _PrintError(tracking, outcome.code)

    # --- the technician's printer choice ---------------------------------------------
    def printer_choices(self) -> list[dict]:
        """The printers to choose from: every CUPS queue, the ESC/POS printer of the
        settings, and the PDF folder; the one in use is marked. CUPS is asked once per
        sign-in and after each choice."""
        if self._printers is None:
            self._printers = self._find_printers()
        return self._printers

    def _find_printers(self) -> list[dict]:
        from .printing.discover import cups_queues

        st = self.services.settings
        kind = st["printer.kind"]
        out = [{"kind": "cups", "queue": q["queue"], "label": q["queue"] + (f" · {q['info']}" if q["info"] else ""),
                "selected": kind == "cups" and st["printer.queue"] == q["queue"]}
               for q in cups_queues(st["printer.cups_server"] or None)]
        out.append({"kind": "escpos", "queue": "", "label": "ESC/POS " + st["printer.address"],
                    "selected": kind == "escpos"})
        out.append({"kind": "file", "queue": "", "label": "PDF", "selected": kind == "file"})
        return out

    def choose_printer(self, kind: str, queue: str = "") -> None:
        def go():
            st = self.services.settings
            if kind == "cups":
                st.set("printer.queue", queue)
            st.set("printer.kind", kind)
            self.services._printer = None
            self._printers = None
            self._printer_status = (0.0, None)
        self._act("config.write", "printer.choose", {"kind": kind, "queue": queue}, go,
                  N_("Printer chosen."))

    def test_print(self) -> None:
        outcome = self._act("printer.test", "printer.test", {}, self.services.print_test)
        if outcome is not None and outcome.ok:
            self.notice = Message(N_("Test receipt printed."))
        elif outcome is not None:
            self.error = _PrintError("TEST", outcome.code)

    def _printer_state(self, ttl: float = 3.0):
        import time
        at, status = self._printer_status
        if status is None or time.monotonic() - at > ttl:
            status = self.services.printer_status()
            self._printer_status = (time.monotonic(), status)
        return status

    # --- staff accounts (technicians) --------------------------------------------------
    def unlock(self, staff_id: str) -> None:
        """Clear an agent's wrong-PIN lockout (the staff core checks the role and records it)."""
        self.error = self.notice = None
        try:
            self.gate.staff.unlock(self.actor, staff_id)
        except Forbidden:
            self.error = Message(N_("Your role does not allow this."))
        except StaffError:
            self.error = Message(N_("Staff accounts cannot be read. Please call the technician."))
        else:
            self.notice = Message(N_("Staff member {staff} can sign in again."), {"staff": staff_id})

    def _staff_rows(self) -> list[dict]:
        if not (self.actor and self.actor.can("staff.manage")):
            return []
        try:
            return self.gate.staff.listing()
        except StaffError:
            return []

    # --- the technician's diagnostics ------------------------------------------------
    def run_doctor(self) -> None:
        """`kiosk doctor` on the desk: one line per check, for the technician."""
        from .doctor import run_checks

        def go():
            self.checks = [{"name": c.name, "status": c.status, "found": c.found, "fix": c.fix}
                           for c in run_checks(self.services.paths)]
        self._act("diagnostics.export", "doctor", {}, go)

    def export_diagnostics(self, target: Path | None = None) -> None:
        """The diagnostic bundle (no personal data) onto ``target``, by default the first
        USB stick mounted."""
        from .doctor import export_bundle
        from .procedures.admin import USB_ROOTS

        target = target or _usb_folder(USB_ROOTS)
        if target is None:
            self.error = Message(N_("No USB stick found. Plug one in and try again."))
            return
        bundle = self._act("diagnostics.export", "diagnostics.export", {"folder": str(target)},
                           lambda: export_bundle(self.services.paths, target))
        if bundle is not None:
            self.notice = Message(N_("Diagnostics written to {path}."), {"path": str(bundle.path)})

    # --- what the dashboard shows ----------------------------------------------------
    def view(self, lang: str) -> dict:
        t = lambda m: gettext(lang, m)  # noqa: E731
        outbox = self.services.outbox
        counts = outbox.counts()
        age = outbox.oldest_pending_age(self._clock())
        worker = self.services.sync_worker
        status = worker.status if worker is not None else None
        service = self.services.service_state()
        today = outbox.today(self._clock().date())
        titles = {}

        def title(pid: str) -> str:
            if pid not in titles:
                try:
                    titles[pid] = self.services.catalog.get(pid).title(lang)
                except KeyError:
                    titles[pid] = pid
            return titles[pid]

        def when(iso: str) -> str:
            return format_time(dt.datetime.fromisoformat(iso), lang)

        oldest = ""
        if age is not None:
            oldest = format_datetime(self._clock() - dt.timedelta(seconds=age), lang, "short")
        if worker is None:
            sync_line = t(N_("Sending is not configured: submissions wait on the kiosk."))
        elif status.last_error and status.online is False:
            sync_line = t(N_("No connection to the office: submissions wait and will be sent."))
        elif status.last_error:
            sync_line = t(N_("The office did not accept the last sending; it will be tried again."))
        else:
            sync_line = t(N_("Connected to the office."))
        printer = self._printer_state()
        return {
            "actor": {"id": self.actor.id, "name": self.actor.name, "role": self.actor.role,
                      "technician": self.actor.role == "technician"} if self.actor else {},
            "error": _render(self.error, lang),
            "notice": _render(self.notice, lang),
            "counts": [{"state": s, "label": t(STATE_LABELS[s]), "count": format_number(n, lang),
                        "n": n} for s, n in counts.items()],
            "oldest": oldest,
            "sync": {"line": sync_line, "configured": worker is not None,
                     "ok": worker is not None and not (status and status.last_error),
                     "last_success": format_datetime(status.last_success, lang, "short")
                     if status and status.last_success else "",
                     "detail": (status.last_error or "") if status else ""},
            "rejected": [{"tracking": r["tracking"], "procedure": title(r["procedure_id"]),
                          "time": format_datetime(dt.datetime.fromisoformat(r["created_at"]), lang, "short"),
                          "reason": r["last_error"] or ""}
                         for r in outbox.list("rejected", 50)],
            "today": [{"tracking": r["tracking"], "procedure": title(r["procedure_id"]),
                       "time": when(r["created_at"]), "state": r["state"],
                       "state_label": t(STATE_LABELS.get(r["state"], N_("Waiting to be sent"))),
                       "assisted": bool(r["assisted_by"]),
                       "printed": r["printed_at"] is not None,
                       "print_problem": t(PRINT_FAILURES.get(r["print_error"], PRINT_FAILURES["error"]))
                       if r["print_error"] and r["printed_at"] is None else ""} for r in today],
            "unprinted": sum(1 for r in today if r["printed_at"] is None),
            "printer": {"ready": printer.ready, "name": printer.name, "kind": printer.kind,
                        "problem": "" if printer.ready else t(PRINT_FAILURES.get(
                            _main_reason(printer), PRINT_FAILURES["error"])),
                        "low": any(r.startswith("media-low") for r in printer.reasons)},
            "service": {"in_service": service.in_service, "reason": service.reason,
                        "message": service.message(lang)},
            "reasons": [{"id": k, "text": t(v)} for k, v in SERVICE_REASONS.items()],
            "printers": self.printer_choices() if self.actor and self.actor.can("config.write") else [],
            "checks": self.checks,
            "staff": self._staff_rows(),
        }


@dataclass(frozen=True)
class _PrintError:
    tracking: str
    code: str

    def render(self, lang: str) -> str:
        return Message(N_("Receipt {tracking} did not print: {reason}"),
                       {"tracking": self.tracking,
                        "reason": gettext(lang, PRINT_FAILURES.get(self.code, PRINT_FAILURES["error"]))}).render(lang)


def _usb_folder(roots) -> Path | None:
    """The first writable folder of a mounted stick under the usual mount roots."""
    for root in roots:
        root = Path(root)
        if not root.is_dir():
            continue
        for candidate in sorted([root, *root.glob("*"), *root.glob("*/*")]):
            if candidate.is_dir() and candidate != root and os.access(candidate, os.W_OK) \
                    and os.path.ismount(candidate):
                return candidate
    return None


def _render(message, lang: str) -> str:
    return message.render(lang) if message is not None else ""


def _main_reason(status) -> str:
    from .printing.base import FAILURE_CODES
    for reason in status.reasons:
        base = reason.rsplit("-", 1)[0] if reason.endswith(("-error", "-warning", "-report")) else reason
        if base in FAILURE_CODES:
            return base
    return "offline" if status.state == "unreachable" else "error"
