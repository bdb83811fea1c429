"""The citizen session: an explicit state machine from Welcome to Done. No Qt.

The session is the one owner of the citizen's personal data (identity, answers,
tracking number). Every way a session ends goes through ``end()``, which wipes it.
Listeners are told of every change; the UI re-reads what it shows from here.

Threads: methods are called from one thread (the UI's). Slow work is handed out:
card reading happens in the reader's thread and comes back as ``on_card_event``;
``begin_submit()`` returns a job whose ``run()`` may execute on a worker thread,
then ``complete_submit(job)`` applies its result on the session's thread.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable

from .card.identity import Identity
from .card.reader import CardErrorCode, CardEvent, CardEventKind
from .i18n import LANGUAGES, Message, N_, check_language
from .procedures.model import Catalog, Procedure
from .procedures.wizard import Wizard
from .services import Services, SubmitResult

log = logging.getLogger(__name__)


class State(enum.Enum):
    WELCOME = "welcome"
    IDENTIFY = "identify"        # waiting for the card
    ACCESS = "access"            # card present, the citizen types its access number (CAN)
    READING = "reading"          # card present, chip being read
    CARD_ERROR = "card_error"
    CONFIRM = "confirm"          # "this is me" / "not me"
    CATALOG = "catalog"
    INTRO = "intro"              # what you need, cost, delay
    WIZARD = "wizard"
    REVIEW = "review"            # answers, consent, submit
    SUBMITTING = "submitting"
    DONE = "done"
    SUBMIT_FAILED = "submit_failed"


class EndReason(enum.Enum):
    COMPLETED = "completed"
    CARD_REMOVED = "card_removed"
    NOT_ME = "not_me"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


class TransitionError(RuntimeError):
    """An event that is not allowed in the current state (a bug in the caller)."""


CARD_MESSAGES = {
    CardErrorCode.REMOVED_EARLY: N_("The card was removed too early. Place it again and leave it until the end."),
    CardErrorCode.UNSUPPORTED: N_("This card is not supported. Use your national ID card (CNIE) or your passport."),
    CardErrorCode.EXPIRED: N_("This document has expired. Please see an agent."),
    CardErrorCode.NOT_VERIFIED: N_("This card could not be verified. Please see an agent."),
    CardErrorCode.READ_FAILED: N_("The card could not be read. Place it again."),
    CardErrorCode.WRONG_ACCESS: N_("This number does not match your card. Check the 6 digits and type them again."),
    CardErrorCode.READER_UNAVAILABLE: N_("The card reader is not working. Please see an agent."),
}

CAN_LENGTH = 6
#: where a card taken out is given time to come back (after it was read, before Done)
GRACE_STATES = frozenset({State.CONFIRM, State.CATALOG, State.INTRO, State.WIZARD, State.REVIEW,
                          State.SUBMIT_FAILED})
#: seconds a returning card may take to be proven beyond the grace itself
CHECK_ALLOWANCE = 10.0


def _same_document(a: Identity, b: Identity) -> bool:
    """The same document: type, number and holder's birth date (read from a chip the
    session's access number opened, and verified as the first read was)."""
    return (a.document_type, a.document_number, a.birth_date) == (b.document_type, b.document_number, b.birth_date) \
        and bool(a.document_number)


def date_digits(value: str) -> str:
    """A date answer as the digits typed on the keypad: DDMMYYYY (the Moroccan order)."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        return value[8:10] + value[5:7] + value[0:4]
    return value
LAST_TRY = N_("Careful: this is your last try. If the number is wrong again, your card will be "
              "blocked. If you are not sure, please see an agent.")
TRIES_LEFT = N_("Tries left: %(count)s")


@dataclass
class SubmitJob:
    """What a submission needs, detached from the session so it can run on a worker."""

    services: Services
    procedure: Procedure
    language: str
    payload: dict
    assisted_by: str | None = None
    result: SubmitResult | None = None
    error: Message | None = None

    def run(self) -> "SubmitJob":
        try:
            self.result = self.services.submit(self.procedure, self.language, self.payload,
                                               assisted_by=self.assisted_by)
        except Exception as e:  # reported to the citizen as a message, to the log as a type
            log.error("submission failed: %s", type(e).__name__)
            self.error = Message(N_("Your request could not be saved. Nothing was sent. Please see an agent."))
        finally:
            self.payload = {}
        return self


@dataclass
class PrintJob:
    """Printing the receipt of a saved submission, detached so it can run on a worker."""

    services: Services
    result: SubmitResult
    outcome: object | None = None

    def run(self) -> "PrintJob":
        self.outcome = self.services.print_receipt(self.result.tracking,
                                                   rendered=self.result.rendered)
        return self


@dataclass
class Session:
    services: Services
    catalog: Catalog
    default_language: str = "ar"
    state: State = State.WELCOME
    language: str = field(init=False)
    identity: Identity | None = None
    procedure: Procedure | None = None
    wizard: Wizard | None = None
    consent: bool = False
    result: SubmitResult | None = None
    error: Message | None = None
    last_end: EndReason | None = None
    #: digits of the card access number being typed; wiped with the session
    can_entry: str = ""
    #: what the citizen typed in the catalog's search box
    search_text: str = ""
    #: the field (or "search") the on-screen keyboard types into; None: no keyboard
    focus: str | None = None
    tries_left: int | None = None
    read_progress: float = 0.0
    #: the staff number of the agent assisting this session (recorded with the submission)
    assisted_by: str | None = None
    #: the receipt on the Done screen: "" (not asked), "printing", "printed" or "failed"
    print_state: str = ""
    #: inactivity: seconds before the warning, of the countdown, and on the Done screen
    idle_warning: float = 60.0
    idle_countdown: float = 20.0
    done_timeout: float = 30.0
    #: whole seconds left on the visible countdown, or None when no warning is shown
    idle_left: int | None = None
    #: seconds a card taken out mid-procedure may be put back (0: the session ends at once)
    card_grace: float = 20.0
    #: the card is out during the grace: None (card in), "waiting" or "checking" (a card
    #: came back and is being proven to be the same one)
    card_away: str | None = None
    #: whole seconds left to put the card back, while ``card_away``
    card_away_left: int | None = None
    #: how the session gives the reader the access number to prove a returning card
    #: (set by whoever owns the reader: the UI's view model, a test)
    provide_access: Callable[[str], None] | None = field(default=None, repr=False)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.language = check_language(self.default_language)
        self._listeners: list[Callable[["Session"], None]] = []
        self._last_touch = self.clock()
        #: the access number this session's card was opened with (wiped at the end):
        #: a card put back during the grace must open with it, then show the same document
        self._access = ""
        self._away_since = 0.0

    # --- inactivity ------------------------------------------------------------
    def touch(self) -> None:
        """The citizen did something (any touch): the idle timer starts again."""
        self._last_touch = self.clock()
        if self.idle_left is not None:
            self.idle_left = None
            self._changed()

    def tick(self) -> None:
        """Called a few times a second by the UI: warn, count down, then end the session.
        Nothing runs on Welcome (no session) or while a submission is being saved."""
        if self.state in (State.WELCOME, State.SUBMITTING):
            return
        if self.card_away is not None:
            self._tick_card_away()
            return
        idle = self.clock() - self._last_touch
        if self.state is State.DONE:
            if idle >= self.done_timeout:
                self.end(EndReason.TIMEOUT)
            return
        if idle >= self.idle_warning + self.idle_countdown:
            self.end(EndReason.TIMEOUT)
        elif idle >= self.idle_warning:
            left = math.ceil(self.idle_warning + self.idle_countdown - idle)
            if left != self.idle_left:
                self.idle_left = left
                self._changed()

    def _tick_card_away(self) -> None:
        away = self.clock() - self._away_since
        # A card being proven gets a few more seconds (a PACE and a read take about 2 s).
        limit = self.card_grace + (CHECK_ALLOWANCE if self.card_away == "checking" else 0.0)
        if away >= limit:
            log.info("card not put back within %.0f s", self.card_grace)
            self.end(EndReason.CARD_REMOVED)
            return
        left = max(0, math.ceil(self.card_grace - away))
        if left != self.card_away_left:
            self.card_away_left = left
            self._changed()

    # --- observers ------------------------------------------------------------
    def subscribe(self, listener: Callable[["Session"], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _require(self, *states: State) -> None:
        if self.state not in states:
            raise TransitionError(f"not allowed in state {self.state.value}")
        if self.card_away is not None:
            # Only the card coming back, the End button or the language resume anything:
            # nothing is answered or submitted for a citizen whose card is out.
            raise TransitionError("the card is out")

    def _journal(self) -> None:
        """Keep the sealed draft of the procedure in progress (see procedures.drafts)."""
        journal = getattr(self.services, "journal", None)
        if journal is None or self.wizard is None:
            return
        try:
            import datetime as dt
            journal.save(self.wizard.snapshot(), dt.datetime.now().astimezone().isoformat(timespec="seconds"))
        except OSError as e:  # a full disk must not stop the citizen
            log.warning("draft not saved: %s", type(e).__name__)

    def _discard_draft(self) -> None:
        journal = getattr(self.services, "journal", None)
        if journal is not None:
            journal.discard()

    def _go(self, state: State) -> None:
        log.info("session: %s -> %s", self.state.value, state.value)
        self.state = state
        if state in (State.SUBMITTING, State.DONE):
            self._access = ""  # past the procedure no card is proven again: drop the CAN
        self._last_touch = self.clock()  # every new screen gets the whole delay
        self.idle_left = None
        self._changed()

    # --- language: any time, everything kept ----------------------------------
    def set_language(self, lang: str) -> None:
        self.language = check_language(lang)
        self._changed()

    # --- welcome and card ---------------------------------------------------------
    def start(self, lang: str | None = None, assisted_by: str | None = None) -> None:
        self._require(State.WELCOME)
        if not self.services.service_state().in_service:
            raise TransitionError("the kiosk is out of service")
        self.assisted_by = assisted_by
        if lang is not None:
            self.language = check_language(lang)
        self._go(State.IDENTIFY)

    def on_card_event(self, event: CardEvent) -> None:
        kind = event.kind
        if kind is CardEventKind.STAFF_CARD:
            # A staff badge is no citizen's card (the desk handles it on Welcome): a session
            # waiting for a card keeps waiting, a card being proven is still away.
            if self.state is State.READING:
                self._go(State.IDENTIFY)
            elif self.card_away == "checking":
                self._set_away("waiting")
            return
        if self.card_away is not None:
            self._card_back(event)
            return
        if kind is CardEventKind.REMOVED and self.state in GRACE_STATES and self.card_grace > 0:
            # Mid-procedure: the citizen may have pulled the card by mistake. Everything is
            # kept (hidden behind an opaque screen) until the same card is back, or the grace ends.
            log.info("card removed: %.0f s to put it back", self.card_grace)
            self.card_away = "waiting"
            self._away_since = self.clock()
            self.card_away_left = math.ceil(self.card_grace)
            self.idle_left = None
            self._changed()
            return
        if kind is CardEventKind.REMOVED:
            if self.state in (State.WELCOME, State.IDENTIFY, State.CARD_ERROR):
                return
            if self.state is State.SUBMITTING:
                return  # the submission is being saved: finish it, the Done screen ends it
            self.end(EndReason.CARD_REMOVED)
            return
        if kind is CardEventKind.INSERTED:
            if self.state in (State.IDENTIFY, State.CARD_ERROR):
                self.error = None
                self.read_progress = 0.0
                self._go(State.READING)
            return
        if kind is CardEventKind.NEED_ACCESS:
            if self.state in (State.IDENTIFY, State.READING, State.CARD_ERROR):
                self.error = None
                self.can_entry = ""
                self._go(State.ACCESS)
            return
        if kind is CardEventKind.PROGRESS:
            if self.state is State.READING:
                self.read_progress = max(self.read_progress, min(1.0, event.progress))
                self._changed()
            return
        if kind is CardEventKind.IDENTITY:
            if self.state is not State.READING or event.identity is None:
                if event.identity is not None:
                    event.identity.wipe()  # nobody asked for it: do not keep it
                return
            self.identity = event.identity
            self.tries_left = None
            self._go(State.CONFIRM)
            return
        if kind is CardEventKind.ERROR and self.state in (State.IDENTIFY, State.ACCESS, State.READING):
            code = event.error or CardErrorCode.READ_FAILED
            log.warning("card error %s: %s", code.value, event.detail)
            self.error = Message(CARD_MESSAGES[code])
            if code is CardErrorCode.WRONG_ACCESS:
                # Wrong CAN: the card stays, the citizen types it again.
                self.tries_left = event.tries_left
                self.can_entry = ""
                self._go(State.ACCESS)
                return
            self._go(State.CARD_ERROR)

    def _card_back(self, event: CardEvent) -> None:
        """Card events while the card is out: only the same document resumes the session."""
        kind = event.kind
        if kind is CardEventKind.REMOVED:
            self._set_away("waiting")
        elif kind is CardEventKind.INSERTED:
            self._set_away("checking")
        elif kind is CardEventKind.NEED_ACCESS and self.card_away == "checking":
            if not (self._access and self.provide_access):
                log.info("returning card cannot be proven: no access number")
                self.end(EndReason.CARD_REMOVED)
                return
            self.provide_access(self._access)  # the reader opens it on its own thread
        elif kind is CardEventKind.IDENTITY:
            back = event.identity
            if back is None:
                return
            same = self.card_away == "checking" and self.identity is not None and _same_document(back, self.identity)
            back.wipe()  # the session keeps the identity it already has
            if same:
                log.info("the same card is back: session resumed")
                self.card_away = self.card_away_left = None
                self._last_touch = self.clock()
                self._changed()
            elif self.card_away == "checking":
                log.info("another document was put in: session ended")
                self.end(EndReason.CARD_REMOVED)
        elif kind is CardEventKind.ERROR and self.card_away == "checking":
            if event.error is CardErrorCode.WRONG_ACCESS:
                # The session's access number does not open it: it is another card.
                log.info("another card was put in: session ended")
                self.end(EndReason.CARD_REMOVED)
            else:  # taken out too early, unreadable: the citizen may try again in the time left
                self._set_away("waiting")

    def _set_away(self, how: str) -> None:
        if how != self.card_away:
            self.card_away = how
            self._changed()

    # --- the card access number --------------------------------------------------
    def type_can(self, digit: str) -> None:
        self._require(State.ACCESS)
        if digit.isdigit() and len(digit) == 1 and len(self.can_entry) < CAN_LENGTH:
            self.can_entry += digit
            self._changed()

    def erase_can(self) -> None:
        self._require(State.ACCESS)
        self.can_entry = self.can_entry[:-1]
        self._changed()

    @property
    def can_complete(self) -> bool:
        return len(self.can_entry) == CAN_LENGTH

    def submit_can(self) -> str:
        """The typed number, for the reader; the session goes on to READING."""
        self._require(State.ACCESS)
        if not self.can_complete:
            raise TransitionError("the access number has 6 digits")
        can, self.can_entry = self.can_entry, ""
        # Kept only to prove a card put back during the grace (none: nothing kept).
        self._access = can if self.card_grace > 0 else ""
        self.error = None
        self.read_progress = 0.0
        self._go(State.READING)
        return can

    def confirm_identity(self, is_me: bool) -> None:
        self._require(State.CONFIRM)
        if not is_me:
            self.end(EndReason.NOT_ME)
            return
        self._go(State.CATALOG)

    # --- catalog and wizard ---------------------------------------------------
    def choose(self, procedure_id: str) -> None:
        self._require(State.CATALOG)
        self.procedure = self.catalog.get(procedure_id)
        self.focus = None
        self._go(State.INTRO)

    def search(self, text: str) -> None:
        self._require(State.CATALOG)
        self.search_text = text[:60]
        self._changed()

    # --- the on-screen keyboard ------------------------------------------------------
    def focus_on(self, target: str | None) -> None:
        """Open the keyboard for a field of the step (or "search"); None closes it."""
        if target == "search":
            self._require(State.CATALOG)
        elif target is not None:
            self._require(State.WIZARD)
            assert self.wizard is not None
            self.wizard.field(target)  # raises for an unknown field
        self.focus = target
        self._changed()

    def type_key(self, key: dict) -> None:
        """One key of the on-screen keyboard, applied to the focused text."""
        from .keyboards import apply_key

        if self.card_away is not None:
            raise TransitionError("the card is out")

        if key.get("action") == "done":
            self.focus = None
            self._changed()
            return
        if self.focus == "search" and self.state is State.CATALOG:
            self.search(apply_key(self.search_text, key, 60))
            return
        if self.focus is None or self.state is not State.WIZARD:
            return
        assert self.wizard is not None
        field = self.wizard.field(self.focus)
        current = self.wizard.value(field)
        if not isinstance(current, str):
            return
        if field.type == "date":
            current = date_digits(current)
        elif field.type == "amount":
            from .keyboards import decimal_symbol
            current = current.replace(".", decimal_symbol(self.language))
        limit = {"date": 8, "rib": 24, "phone": 14, "cin": 8, "email": 254, "number": 12,
                 "amount": 15}.get(field.type, getattr(field, "max_length", None))
        self.answer(field.id, apply_key(current, key, limit))

    def begin_procedure(self) -> None:
        self._require(State.INTRO)
        assert self.procedure is not None and self.identity is not None
        if self.wizard is None or self.wizard.procedure is not self.procedure:
            self.wizard = Wizard(self.procedure, self.identity.prefill())
        self._journal()
        self._go(State.WIZARD)

    def leave_procedure(self) -> None:
        """Back to the catalog from anywhere in a procedure (not eligible, changed mind):
        the procedure's answers are wiped."""
        self._require(State.INTRO, State.WIZARD, State.REVIEW)
        self.procedure = None
        self.wizard = self._wiped(self.wizard)
        self._discard_draft()
        self.focus = None
        self.consent = False
        self.error = None
        self._go(State.CATALOG)

    def answer(self, field_id: str, value) -> object:
        self._require(State.WIZARD)
        assert self.wizard is not None
        error = self.wizard.set_answer(field_id, value)
        self._changed()
        return error

    def answer_step(self, answers: dict) -> None:
        """Answer the current step from a dict of answers (see ``Wizard.answer_step``)."""
        self._require(State.WIZARD)
        assert self.wizard is not None
        self.wizard.answer_step(answers)
        self._changed()

    def toggle(self, field_id: str, option: str) -> object:
        """Select or unselect an option of a multichoice."""
        self._require(State.WIZARD)
        assert self.wizard is not None
        error = self.wizard.toggle(field_id, option)
        self._changed()
        return error

    def next(self) -> bool:
        self._require(State.WIZARD)
        assert self.wizard is not None
        moved = self.wizard.next()
        if moved:
            self.focus = None
            self._journal()
        if moved and self.wizard.at_review:
            self.consent = False
            self._go(State.REVIEW)
        else:
            self._changed()
        return moved

    def back(self) -> None:
        """Back is always possible, up to the catalog (not while the card is out)."""
        if self.card_away is not None:
            raise TransitionError("the card is out")
        if self.state is State.INTRO:
            self.procedure = None
            self.wizard = self._wiped(self.wizard)
            self._discard_draft()
            self._go(State.CATALOG)
        elif self.state is State.WIZARD:
            assert self.wizard is not None
            self.focus = None
            if self.wizard.back():
                self._journal()
                self._changed()
            else:
                self._go(State.INTRO)
        elif self.state is State.REVIEW:
            assert self.wizard is not None
            self.wizard.back()
            self._go(State.WIZARD)
        elif self.state is State.CATALOG:
            self.search_text = ""
            self.focus = None
            self._go(State.CONFIRM)
        else:
            raise TransitionError(f"no back from {self.state.value}")

    def edit(self, step_id: str) -> None:
        self._require(State.REVIEW)
        assert self.wizard is not None
        self.wizard.go_to(step_id)
        self._go(State.WIZARD)

    def set_consent(self, given: bool) -> None:
        self._require(State.REVIEW)
        self.consent = bool(given)
        self._changed()

    # --- submission -----------------------------------------------------------
    def begin_submit(self) -> SubmitJob:
        self._require(State.REVIEW)
        assert self.wizard is not None and self.procedure is not None
        if not self.consent:
            self.error = Message(N_("Please accept the personal data notice to send your request."))
            self._changed()
            raise TransitionError("consent not given")
        if not self.wizard.complete():
            raise TransitionError("answers incomplete")
        self.error = None
        job = SubmitJob(self.services, self.procedure, self.language, self.wizard.payload(),
                        assisted_by=self.assisted_by)
        self._go(State.SUBMITTING)
        return job

    def complete_submit(self, job: SubmitJob) -> None:
        if self.state is not State.SUBMITTING:
            return  # the session ended meanwhile; the submission itself is saved
        if job.result is not None:
            self.result = job.result
            if self.wizard is not None:
                self.wizard.wipe()  # answers are sealed in the outbox; drop them here
            self._discard_draft()
            self._go(State.DONE)
        else:
            self.error = job.error
            self._go(State.SUBMIT_FAILED)

    def begin_print(self) -> PrintJob | None:
        """On Done: print the receipt (the Done screen says it is printing)."""
        if self.state is not State.DONE or self.result is None or self.print_state:
            return None
        self.print_state = "printing"
        self._changed()
        return PrintJob(self.services, self.result)

    def complete_print(self, job: PrintJob) -> None:
        if self.state is not State.DONE or self.result is not job.result:
            return  # the citizen left meanwhile; the outbox row says whether it printed
        self.print_state = "printed" if job.outcome.ok else "failed"
        self._changed()

    def submit(self) -> SubmitResult | None:
        """Synchronous submission (CLI, tests): begin, run, complete."""
        job = self.begin_submit()
        self.complete_submit(job.run())
        return self.result

    def retry_card(self) -> None:
        self._require(State.CARD_ERROR)
        self.error = None
        self._go(State.IDENTIFY)

    # --- end ------------------------------------------------------------------
    @staticmethod
    def _wiped(obj):
        if obj is not None:
            obj.wipe()
        return None

    def end(self, reason: EndReason = EndReason.COMPLETED) -> None:
        """End the session whatever its state: wipe everything, back to Welcome."""
        log.info("session ended: %s", reason.value)
        self.identity = self._wiped(self.identity)
        self.wizard = self._wiped(self.wizard)
        self._discard_draft()
        self.procedure = None
        self.consent = False
        self.result = None
        self.error = None
        self.can_entry = ""
        self._access = ""
        self.card_away = self.card_away_left = None
        self.search_text = ""
        self.focus = None
        self.tries_left = None
        self.read_progress = 0.0
        self.last_end = reason
        self.assisted_by = None
        self.print_state = ""
        self.idle_left = None
        self._last_touch = self.clock()
        self.language = self.default_language
        self.state = State.WELCOME
        self._changed()


__all__ = ["Session", "State", "EndReason", "SubmitJob", "TransitionError", "LANGUAGES"]
