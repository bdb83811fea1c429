"""The staff desk: what an agent or a technician sees and does at the kiosk. No Qt.

Signing in (staff number + PIN), the dashboard (queue by state, sync, rejected items
with their reasons, today's submissions and their receipts, printer, service state),
and the actions, each through the privileged gate (role checked in the core, audited):
send now, reprint a receipt, put the kiosk out of service and back, start an assisted
session. Everything shown is rendered here in the desk's language; nothing personal is
in it (tracking numbers, procedures, times, states).

Pages over the dashboard: the card reader (technicians: the readers pcscd sees, the one
``card.reader`` selects, a test read), staff accounts (technicians: add, new PIN,
remove) and "my PIN" (anyone signed in). PINs typed there live only in the form until
it is sent or left, and reach the view as bullets only.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .i18n import N_, Message, format_datetime, format_number, format_time, gettext
from .keyboards import LANGUAGE_KEYBOARDS, apply_key
from .privileged import Gate
from .staff import ROLES, Actor, Forbidden, LockedOut, StaffError, WrongPin

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


ROLE_LABELS = {"agent": N_("Agent"), "technician": N_("Technician")}
#: the desk's pages over the dashboard, and what it takes to open each (None: anyone signed in)
PAGES = {"reader": "config.write", "staff": "staff.manage", "my_pin": None}
#: what a refusal of kiosk/staff.py means on the screen, found by its (English) reason,
#: and the box to type again; a reason not listed is shown as it is
STAFF_REFUSALS = {  # StaffError.code -> (message, the box to type again)
    "number-form": (N_("A staff number is 2 to 8 digits."), "id"),
    "number-taken": (N_("Staff number {staff} exists already. Choose another number."), "id"),
    "name": (N_("Type a name (up to 60 characters)."), "name"),
    "pin-length": (N_("A PIN is 6 to 12 digits."), "pin"),
    "pin-weak": (N_("This PIN is too easy to guess: not one digit repeated, nor a run like 123456."), "pin"),
    "role": (N_("Choose agent or technician."), ""),
    "unknown-number": (N_("There is no staff number {staff}."), ""),
    "last-technician": (N_("The last technician cannot be removed. Add another technician first."), ""),
    "damaged": (N_("Staff accounts cannot be read. Please call the technician."), ""),
    "no-badge": (N_("Staff member {staff} has no staff card."), ""),
    "badge-elsewhere": (N_("This staff card is already enrolled for another account. Remove it there first."), ""),
}
#: a test read of the card reader, by outcome (kiosk/card/probe.py)
CARD_TEST_OUTCOMES = {
    "ok": N_("The card answered."),
    "no-answer": N_("A card is on the reader but does not answer. Put it back on the reader, or try another card."),
    "removed": N_("The card was taken away during the test. Leave it on the reader and test again."),
    "timeout": N_("No card was put on the reader in time."),
    "no-reader": N_("No card reader selected by the setting is connected. Plug the reader in, or choose another."),
    "no-pcscd": N_("The card reader service (pcscd) does not answer. Please check the kiosk."),
    "cancelled": N_("Test stopped."),
    "failed": N_("The test failed."),
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


@dataclass
class StaffForm:
    """A staff form being filled on the desk: ``kind`` is "add" (a new account), "pin" (a
    new PIN for ``target``), "my_pin" (the signed-in member's own PIN) or "remove" (the
    confirmation). Digits go to the box ``field``; the name is typed on the keyboard.
    The PINs are wiped (``wipe``) as soon as they are sent, refused or left."""

    kind: str
    target: str = ""
    target_name: str = ""
    field: str = ""
    staff_id: str = ""
    name: str = ""
    role: str = "agent"
    old: str = ""
    pin: str = ""
    again: str = ""

    FIELDS = {"add": ("id", "name", "pin", "again"), "pin": ("pin", "again"),
              "my_pin": ("old", "pin", "again"), "remove": ()}
    LIMITS = {"id": 8, "old": 12, "pin": 12, "again": 12}

    def __post_init__(self):
        if not self.field and self.fields:
            self.field = self.fields[0]

    @property
    def fields(self) -> tuple[str, ...]:
        return self.FIELDS[self.kind]

    def _get(self, field: str) -> str:
        return self.staff_id if field == "id" else getattr(self, field)

    def _set(self, field: str, value: str) -> None:
        setattr(self, "staff_id" if field == "id" else field, value)

    def digit(self, d: str) -> None:
        if self.field in self.LIMITS and len(d) == 1 and d.isdigit() \
                and len(self._get(self.field)) < self.LIMITS[self.field]:
            self._set(self.field, self._get(self.field) + d)

    def erase(self) -> None:
        if self.field in self.LIMITS or self.field == "name":
            self._set(self.field, self._get(self.field)[:-1])

    def next_field(self) -> bool:
        """To the next box; False at the last one (then the form is sent)."""
        i = self.fields.index(self.field) if self.field in self.fields else -1
        if i + 1 < len(self.fields):
            self.field = self.fields[i + 1]
            return True
        return False

    def wipe(self) -> None:
        self.old = self.pin = self.again = ""



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
        #: the staff number a badge proved (its PIN still to type), or ""
        self.badge_id = ""
        #: on the staff page: the account whose new badge is awaited on the reader, or ""
        self.badge_for = ""
        #: the last `kiosk doctor` run on the desk (technicians)
        self.checks: list[dict] = []
        #: the page shown over the dashboard ("" the dashboard itself; see PAGES)
        self.page = ""
        #: the staff form being filled (staff and my_pin pages)
        self.form: StaffForm | None = None
        #: the card reader page: readers pcscd sees (asked on opening and on Refresh),
        #: the test read waiting for a card, and the last one's result
        self._readers = None
        self.card_probe = None
        self.card_result = None
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
                "error": _render(self.error, lang), "ready": self.set_up,
                "badge": bool(self.badge_id) and self.badge_id == self.typed_id}

    def badge(self, proof) -> bool:
        """A staff badge on the reader (docs/staff-card.md): the card proves the staff
        number, the PIN is still asked. False, with the reason shown, when it is refused."""
        from .staff import BadgeRefused

        self.sign_out()
        if proof is None:
            self.error = Message(N_("This staff card could not be read. Sign in with your number and PIN."))
            return False
        try:
            staff_id = self.gate.staff.identify_card(proof)
        except BadgeRefused:
            self.error = Message(N_("This staff card is not recognised. Sign in with your number and PIN."))
            return False
        except StaffError:
            self.error = Message(N_("Staff accounts cannot be read. Please call the technician."))
            return False
        self.typed_id, self.field, self.badge_id = staff_id, "pin", staff_id
        return True

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
        self.close_page()
        self.actor = None
        self.checks = []
        self._printers = None
        self.error = self.notice = None
        self.field, self.typed_id, self.typed_pin = "id", "", ""
        self.badge_id = ""

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

    # --- pages over the dashboard ----------------------------------------------------
    def open_page(self, page: str) -> bool:
        """Show a page (PAGES); refused, with the reason, when the role does not allow it."""
        self.close_page()
        if self.actor is None or page not in PAGES:
            return False
        need = PAGES[page]
        if need is not None and not self.actor.can(need):
            self.gate.audit.append(self.actor.id, self.actor.role, f"desk.{page}.denied", {})
            self.error = Message(N_("Your role does not allow this."))
            return False
        self.page = page
        if page == "my_pin":
            self.form = StaffForm("my_pin")
        return True

    def close_page(self) -> None:
        """Back to the dashboard: a form is dropped (its PINs wiped), a test read stopped."""
        self.badge_for = ""
        if self.form is not None:
            self.form.wipe()
        self.form = None
        self.cancel_card_test()
        self.page = ""
        self._readers = None
        self.card_result = None
        self.error = self.notice = None

    # --- staff forms: add an account, a new PIN, remove, my own PIN -------------------
    def start_form(self, kind: str, target: str = "") -> None:
        """Open a form of the staff page (technicians); "my_pin" is its own page."""
        self.cancel_form()
        self.error = self.notice = None
        if self.actor is None or kind not in ("add", "pin", "remove"):
            return
        if not self.actor.can("staff.manage"):
            self.gate.audit.append(self.actor.id, self.actor.role, f"staff.{kind}.denied", {"staff": target})
            self.error = Message(N_("Your role does not allow this."))
            return
        if kind == "pin" and target == self.actor.id:
            self.form = StaffForm("my_pin")  # one's own PIN: the current one first
            return
        name = ""
        if kind != "add":
            row = next((r for r in self._staff_rows() if r["id"] == target), None)
            if row is None:
                self.error = Message(N_("There is no staff number {staff}."), {"staff": target})
                return
            name = row["name"]
        if kind == "remove" and target == self.actor.id:
            self.error = Message(N_("You cannot remove your own account."))
            return
        self.form = StaffForm(kind, target=target, target_name=name)

    def cancel_form(self) -> None:
        if self.form is not None:
            self.form.wipe()
        self.form = None if self.page != "my_pin" or self.actor is None else StaffForm("my_pin")

    def form_focus(self, field: str) -> None:
        if self.form is not None and field in self.form.fields:
            self.form.field = field

    def form_digit(self, digit: str) -> None:
        if self.form is not None:
            self.form.digit(digit)

    def form_erase(self) -> None:
        if self.form is not None:
            self.form.erase()

    def form_key(self, key: dict) -> None:
        """A key of the on-screen keyboard, for the name; its "done" key goes on."""
        if self.form is None or self.form.field != "name":
            return
        if key.get("action") == "done":
            self.form_next()
        else:
            self.form.name = apply_key(self.form.name, key, 60)

    def form_role(self, role: str) -> None:
        if self.form is not None and self.form.kind == "add" and role in ROLES:
            self.form.role = role

    def form_next(self) -> bool:
        """OK on the keypad: the next box, or, at the last one, send the form."""
        if self.form is None:
            return False
        if self.form.next_field():
            return False
        return self.submit_form()

    def submit_form(self) -> bool:
        form = self.form
        if form is None or self.actor is None:
            return False
        self.error = self.notice = None
        try:
            if form.kind in ("add", "pin", "my_pin") and form.pin != form.again:
                self.error = Message(N_("The two new PINs are different. Type the new PIN again."))
                form.field = "pin"
                return False
            if form.kind == "add":
                return self._staff_change(
                    "staff.add", {"staff": form.staff_id, "role": form.role},
                    lambda: self.gate.staff.add(self.actor, form.staff_id, form.name, form.role, form.pin),
                    Message(N_("Account {staff} added: {name}."), {"staff": form.staff_id,
                                                                    "name": form.name.strip()}))
            if form.kind == "pin":
                return self._staff_change(
                    "staff.pin", {"staff": form.target},
                    lambda: self.gate.staff.set_pin(self.actor, form.target, form.pin),
                    Message(N_("New PIN saved for {staff}. Tell it to {name} in person."),
                            {"staff": form.target, "name": form.target_name}))
            if form.kind == "remove":
                if form.target == self.actor.id:
                    self.error = Message(N_("You cannot remove your own account."))
                    return False
                return self._staff_change(
                    "staff.remove", {"staff": form.target},
                    lambda: self.gate.staff.remove(self.actor, form.target),
                    Message(N_("Account {staff} removed."), {"staff": form.target}))
            return self._change_my_pin(form)
        finally:
            form.wipe()
            if self.form is form and self.error is None:  # done: the form goes
                self.form = None
                if self.page == "my_pin":
                    self.page = ""

    def _change_my_pin(self, form: StaffForm) -> bool:
        """The member's own PIN: the current one first (a wrong one counts as at sign-in)."""
        try:
            self.gate.staff.authenticate(self.actor.id, form.old, purpose="pin_check")
        except LockedOut as e:
            self.error = Message(N_("Too many wrong PINs. Try again in {seconds} seconds."),
                                 {"seconds": int(e.seconds + 0.999)})
            form.field = "old"
            return False
        except WrongPin as e:
            self.error = Message(N_("The current PIN is wrong. Tries left before a pause: {count}"),
                                 {"count": e.tries_left})
            form.field = "old"
            return False
        except StaffError as e:
            self.error, _ = _staff_refusal(e, self.actor.id)
            return False
        return self._staff_change("staff.pin", {"staff": self.actor.id},
                                  lambda: self.gate.staff.set_pin(self.actor, self.actor.id, form.pin),
                                  Message(N_("Your PIN is changed. Use the new one from now on.")))

    def _staff_change(self, action: str, details: dict, fn, done: Message) -> bool:
        """A change through kiosk/staff.py, which checks the role and records what it did;
        what it refuses is recorded here, as the gate records it (….denied, ….failed)."""
        actor = self.actor
        try:
            fn()
        except Forbidden:
            self.gate.audit.append(actor.id, actor.role, action + ".denied", details)
            self.error = Message(N_("Your role does not allow this."))
            return False
        except StaffError as e:
            self.gate.audit.append(actor.id, actor.role, action + ".failed",
                                   {**details, "error": type(e).__name__})
            self.error, field = _staff_refusal(e, details.get("staff", ""))
            if self.form is not None and field in self.form.fields:
                self.form.field = field
            return False
        self.notice = done
        return True

    def _form_view(self, lang: str) -> dict:
        f = self.form
        if f is None:
            return {}
        return {"kind": f.kind, "target": f.target, "target_name": f.target_name, "field": f.field,
                "fields": list(f.fields), "id": f.staff_id, "name": f.name, "role": f.role,
                "roles": [{"id": r, "label": gettext(lang, ROLE_LABELS[r])} for r in ROLES],
                # PINs as bullets only
                "old": "•" * len(f.old), "pin": "•" * len(f.pin), "again": "•" * len(f.again),
                # the name's keyboard (the view model gives QML its layout)
                "keyboard": LANGUAGE_KEYBOARDS[lang] if f.field == "name" else "",
                "last": f.fields.index(f.field) == len(f.fields) - 1 if f.field in f.fields else True}

    # --- the card reader page (technicians) ---------------------------------------------
    def reader_names(self):
        """The readers pcscd sees: asked when the page opens and on Refresh, not at each
        redraw."""
        from .card.probe import list_readers

        if self._readers is None:
            self._readers = list_readers()
        return self._readers

    def refresh_readers(self) -> None:
        self._readers = None

    def choose_reader(self, name: str) -> None:
        """Set ``card.reader`` (empty: every reader); used from the next start."""
        def go():
            self.services.settings.set("card.reader", name)
        self._act("config.write", "config.set", {"key": "card.reader", "value": name}, go,
                  N_("Saved. It takes effect when the kiosk restarts."))

    def begin_card_test(self, timeout: float | None = None):
        """Start a test read (through the gate): returns the probe to run on a worker
        thread, or None when refused or one is already waiting."""
        from .card.probe import TEST_SECONDS, CardProbe

        if self.card_probe is not None:
            return None
        wanted = self.services.settings["card.reader"]
        job = CardProbe(wanted, TEST_SECONDS if timeout is None else timeout)
        if self._act("diagnostics.export", "card.test", {"reader": wanted}, lambda: job) is None:
            return None
        self.card_probe, self.card_result = job, None
        return job

    def finish_card_test(self, job, result) -> None:
        """The result of ``job`` (on the UI thread); a stale job's result is dropped."""
        if job is not self.card_probe:
            return
        self.card_probe, self.card_result = None, result
        self._readers = None  # a reader may have been plugged in meanwhile

    def cancel_card_test(self) -> None:
        job, self.card_probe = self.card_probe, None
        if job is not None:
            job.cancel()

    def _reader_view(self, lang: str) -> dict:
        from .card.probe import NO_PCSCD, OK, selects

        t = lambda m: gettext(lang, m)  # noqa: E731
        wanted = self.services.settings["card.reader"]
        found = self.reader_names()
        readers = [{"name": n, "selected": bool(wanted) and selects(wanted, n)} for n in found.names]
        test: dict = {"state": "waiting" if self.card_probe is not None else
                      ("done" if self.card_result is not None else "idle"),
                      "seconds": format_number(int(self.card_probe.timeout), lang) if self.card_probe else ""}
        r = self.card_result
        if r is not None:
            yes, no = t(N_("yes")), t(N_("no"))
            rows = [{"key": "reader", "label": t(N_("Reader")), "value": r.reader or "—"},
                    {"key": "card", "label": t(N_("Card answered")), "value": yes if r.answered else no}]
            if r.atr:
                rows.append({"key": "atr", "label": "ATR", "value": r.atr_hex})
            if r.answered:
                rows.append({"key": "pace", "label": t(N_("PACE (ICAO identity card or passport, like the CNIE)")),
                             "value": yes if r.pace else no})
            if r.ms is not None:
                rows.append({"key": "ms", "label": t(N_("Response time")),
                             "value": Message(N_("{ms} ms"), {"ms": round(r.ms)}).render(lang)})
            test.update(ok=r.outcome == OK and r.pace, outcome=r.outcome,
                        text=t(CARD_TEST_OUTCOMES.get(r.outcome, CARD_TEST_OUTCOMES["failed"]))
                        + ("" if r.outcome != OK or r.pace else " " + t(N_(
                            "It does not announce PACE: the kiosk cannot read it with the CAN."))),
                        rows=rows, detail=r.detail)
        return {"readers": readers, "setting": wanted, "every": not wanted,
                "missing": bool(wanted) and not any(x["selected"] for x in readers),
                "pcscd": t(CARD_TEST_OUTCOMES["no-pcscd"]) if found.error == NO_PCSCD else "",
                "test": test}

    # --- staff badges, enrolled on the staff page (technicians) ---------------------------
    def wait_badge(self, staff_id: str) -> None:
        """The next badge put on the reader is enrolled for ``staff_id``."""
        self.error = self.notice = None
        if not (self.actor and self.actor.can("staff.manage")):
            if self.actor is not None:
                self.gate.audit.append(self.actor.id, self.actor.role, "staff.card_enrol.denied",
                                       {"staff": staff_id})
            self.error = Message(N_("Your role does not allow this."))
            return
        self.badge_for = staff_id

    def enrol_badge(self, proof) -> None:
        """The badge on the reader, for the account waiting for it: it must hold that staff
        number and prove its key again here (a fresh challenge of this kiosk)."""
        from .card.errors import CardError
        from .card.staff_card import CHALLENGES, verify_proof

        staff_id, self.badge_for = self.badge_for, ""
        self.error = self.notice = None
        if not staff_id or self.actor is None:
            return
        try:
            if proof is None:
                raise CardError("unreadable badge")
            verify_proof(proof)
            if not CHALLENGES.redeem(proof.challenge):
                raise CardError("replayed badge proof")
        except (CardError, AttributeError, TypeError):
            self.error = Message(N_("This staff card could not be read. Put it on the reader again."))
            self.badge_for = staff_id
            return
        if proof.staff_number != staff_id:
            self.error = Message(N_("This staff card holds staff number {number}, not {staff}."),
                                 {"number": proof.staff_number, "staff": staff_id})
            return
        try:
            self.gate.staff.enrol_card(self.actor, staff_id, proof.public_key)
        except Forbidden:
            self.error = Message(N_("Your role does not allow this."))
        except StaffError as e:
            self.gate.audit.append(self.actor.id, self.actor.role, "staff.card_enrol.failed",
                                   {"staff": staff_id, "error": type(e).__name__})
            self.error, _ = _staff_refusal(e, staff_id)
        else:
            self.notice = Message(N_("Staff card enrolled for {staff}."), {"staff": staff_id})

    def remove_badge(self, staff_id: str) -> None:
        self.error = self.notice = None
        try:
            self.gate.staff.remove_card(self.actor, staff_id)
        except Forbidden:
            self.error = Message(N_("Your role does not allow this."))
        except StaffError as e:
            self.error, _ = _staff_refusal(e, staff_id)
        else:
            self.notice = Message(N_("Staff card removed for {staff}."), {"staff": staff_id})

    def page_view(self, lang: str) -> dict:
        """What the page over the dashboard shows (``view`` is the dashboard's)."""
        out = {"page": self.page,
               "actor": {"id": self.actor.id, "name": self.actor.name, "role": self.actor.role,
                         "technician": self.actor.role == "technician"} if self.actor else {},
               "error": _render(self.error, lang), "notice": _render(self.notice, lang),
               "form": self._form_view(lang)}
        if self.page == "reader":
            out["reader"] = self._reader_view(lang)
        elif self.page == "staff":
            out["staff"] = [{**r, "role_label": gettext(lang, ROLE_LABELS.get(r["role"], r["role"])),
                             "me": bool(self.actor and r["id"] == self.actor.id),
                             "waiting_badge": r["id"] == self.badge_for}
                            for r in self._staff_rows()]
        return out

    # --- the technician's diagnostics ------------------------------------------------
    def run_doctor(self) -> None:
        """`kiosk doctor` on the desk: one line per check, for the technician."""
        from .doctor import run_checks

        def go():  # the Checks keep their messages: view(lang) renders them
            self.checks = run_checks(self.services.paths)
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
            "checks": [c.to_json(lang) for c in self.checks],
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


def _staff_refusal(error: StaffError, staff: str) -> tuple[Message, str]:
    """A refusal of kiosk/staff.py as a translated message, and the box to type again."""
    if error.code in STAFF_REFUSALS:
        msgid, field = STAFF_REFUSALS[error.code]
        return Message(msgid, {"staff": staff} if "{staff}" in msgid else {}), field
    return Message(N_("Refused: {reason}"), {"reason": str(error)}), ""


def _render(message, lang: str) -> str:
    return message.render(lang) if message is not None else ""


def _main_reason(status) -> str:
    from .printing.base import FAILURE_CODES
    for reason in status.reasons:
        base = reason.rsplit("-", 1)[0] if reason.endswith(("-error", "-warning", "-report")) else reason
        if base in FAILURE_CODES:
            return base
    return "offline" if status.state == "unreachable" else "error"
