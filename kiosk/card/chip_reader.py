"""The kiosk's card reader: ICAO 9303 chips, through PC/SC or the in-process emulator.

Implements the ``CardReader`` interface of ``reader.py``. On insertion it first
asks whether the card is a staff badge (one SELECT of the staff applet,
``staff_card.py``): a badge is reported as STAFF_CARD with its verified proof and
never read as a document. Otherwise it checks that the chip offers PACE (the CNIE
does) and asks the session for the card access number; with it, it reads and
verifies the chip on a worker thread and reports the identity or a typed error.
The first card presented wins: a card put in a second reader while one is being
used is ignored.

Where the chip comes from is a ``Link``: ``PcscLink`` (real readers through
pcscd) or ``EmulatorLink`` (the test chip in memory, inserted by a button).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from .apdu import Command, Response, Transmit
from .errors import (AccessDeniedError, CardError, CardRemovedError, TransportError,
                     UnsupportedCardError, VerificationError)
from .lds.identity_from_lds import identity_from_lds
from .pace import parse_card_access, select_pace_info
from .passive import TrustStore
from .reader import CardErrorCode, CardEvent, CardEventKind, Listener
from .reading import AccessKey, Reader
from .staff_card import probe_staff_card

log = logging.getLogger(__name__)


class Link(Protocol):
    def start(self, on_insert: Callable[[str], None], on_remove: Callable[[str], None]) -> None: ...
    def stop(self) -> None: ...
    def open(self, slot: str) -> tuple[Transmit, Callable[[], None]]:
        """A transmit function to the card in ``slot`` and a function that closes it."""


class PcscLink:
    def __init__(self, name_filter: str = ""):
        self.name_filter = name_filter
        self._watcher = None
        self._local = threading.local()

    def start(self, on_insert, on_remove) -> None:
        from .pcsc import Watcher

        keep = lambda name: self.name_filter in name  # noqa: E731
        self._watcher = Watcher(lambda n: keep(n) and on_insert(n), lambda n: keep(n) and on_remove(n))
        self._watcher.start()

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None

    def open(self, slot: str):
        from .pcsc import Connection, Context

        ctx = Context()
        try:
            conn = Connection(ctx, slot)
        except CardError:
            ctx.close()
            raise

        def close():
            conn.close()
            ctx.close()

        return conn.transmit, close


class EmulatorLink:
    """The emulated chip in memory: ``insert()`` and ``remove()`` play the citizen.
    A removal makes the next APDU fail as a real reader's would. ``chip`` may be
    swapped while no card is in (an ``EmulatedBadge`` instead of the CNIE, say)."""

    SLOT = "emulator"

    def __init__(self, chip):
        self.chip = chip
        self._present = threading.Event()
        self._on_insert = self._on_remove = None

    def start(self, on_insert, on_remove) -> None:
        self._on_insert, self._on_remove = on_insert, on_remove

    def stop(self) -> None:
        self._on_insert = self._on_remove = None
        self._present.clear()

    @property
    def card_present(self) -> bool:
        return self._present.is_set()

    def insert(self) -> None:
        if self._present.is_set():
            return
        self.chip.power_on()
        self._present.set()
        if self._on_insert:
            self._on_insert(self.SLOT)

    def remove(self) -> None:
        if not self._present.is_set():
            return
        self._present.clear()
        if self._on_remove:
            self._on_remove(self.SLOT)

    def open(self, slot: str):
        def transmit(cmd: Command) -> Response:
            if not self._present.is_set():
                raise CardRemovedError("card removed from the emulator")
            return self.chip.transmit(cmd)

        return transmit, lambda: None


@dataclass
class Policy:
    trust: TrustStore | None
    #: accept a card that fails passive authentication, marked "unverified"
    #: (demo only; the caller decides from the settings)
    accept_unverified: bool = False
    today: Callable[[], dt.date] = dt.date.today


class ChipCardReader:
    def __init__(self, link: Link, policy: Policy):
        self.link = link
        self.policy = policy
        self._listener: Listener | None = None
        self._lock = threading.Lock()
        self._active: str | None = None
        self._generation = 0
        #: the card in use is a staff badge: it is never read as a document
        self._badge = False
        self._worker: threading.Thread | None = None

    # -- CardReader interface -------------------------------------------------------------
    def start(self, listener: Listener) -> None:
        self._listener = listener
        try:
            self.link.start(self._inserted, self._removed)
        except TransportError as e:
            log.error("card reader unavailable: %s", e)
            self._emit(CardEvent(CardEventKind.ERROR, error=CardErrorCode.READER_UNAVAILABLE, detail=str(e)))

    def stop(self) -> None:
        self.link.stop()
        self._listener = None

    def provide_access(self, can: str) -> None:
        with self._lock:
            slot, generation = self._active, self._generation
            badge = self._badge
        if slot is None or badge:
            return
        self._spawn(self._read, slot, generation, AccessKey(can=can))

    # Demo controls, when the link is the emulator.
    def insert(self, chip=None) -> None:
        """Put the emulated card in; with ``chip`` (an ``EmulatedChip`` or an
        ``EmulatedBadge``), that card instead of the previous one, which is taken
        out first if it was in."""
        if not hasattr(self.link, "insert"):
            return
        if chip is not None and chip is not getattr(self.link, "chip", None):
            if getattr(self.link, "card_present", False) or self._active is not None:
                self.link.remove()
                deadline = time.monotonic() + 5.0  # through pcscd the removal is seen later
                while self._active is not None and time.monotonic() < deadline:
                    time.sleep(0.01)
            self.link.chip = chip
        self.link.insert()

    def remove(self) -> None:
        if hasattr(self.link, "remove"):
            self.link.remove()

    @property
    def card_present(self) -> bool:
        return self._active is not None

    # -- events ---------------------------------------------------------------------------
    def _emit(self, event: CardEvent) -> None:
        listener = self._listener
        if listener is not None:
            listener(event)

    def _current(self, generation: int) -> bool:
        with self._lock:
            return self._generation == generation and self._active is not None

    def _inserted(self, slot: str) -> None:
        with self._lock:
            if self._active is not None:
                return  # first card presented wins
            self._active = slot
            self._generation += 1
            self._badge = False
            generation = self._generation
        self._emit(CardEvent(CardEventKind.INSERTED))
        self._spawn(self._probe, slot, generation)

    def _removed(self, slot: str) -> None:
        with self._lock:
            if self._active != slot:
                return
            self._active = None
            self._generation += 1
            self._badge = False
        self._emit(CardEvent(CardEventKind.REMOVED))

    def _spawn(self, target, *args) -> None:
        self._worker = threading.Thread(target=target, args=args, name="card-read", daemon=True)
        self._worker.start()

    def _error(self, generation: int, code: CardErrorCode, detail: str, tries_left=None) -> None:
        if self._current(generation):
            self._emit(CardEvent(CardEventKind.ERROR, error=code, detail=detail, tries_left=tries_left))

    # -- work on the card thread ----------------------------------------------------------
    def _probe(self, slot: str, generation: int) -> None:
        """A staff badge? (one SELECT; anything else answers it with an error.) If not,
        is it a chip we can open with a CAN? (EF.CardAccess announces PACE.)"""
        try:
            transmit, close = self.link.open(slot)
            try:
                badge = self._probe_badge(transmit, generation)
                if badge:
                    return
                probe = Reader(transmit, AccessKey())
                card_access = probe.read_card_access()
            finally:
                close()
            info = select_pace_info(parse_card_access(card_access)) if card_access else None
        except CardRemovedError:
            return  # the removal event says it
        except CardError as e:
            self._error(generation, CardErrorCode.UNSUPPORTED if isinstance(e, UnsupportedCardError)
                        else CardErrorCode.READ_FAILED, f"probe: {e}")
            return
        if info is None:
            # BAC-only documents (older passports) need the MRZ typed by an agent.
            self._error(generation, CardErrorCode.UNSUPPORTED, "no PACE in EF.CardAccess (BAC-only document)")
            return
        if self._current(generation):
            self._emit(CardEvent(CardEventKind.NEED_ACCESS))

    def _probe_badge(self, transmit: Transmit, generation: int) -> bool:
        """True when the card is a staff badge: STAFF_CARD is reported (with its proof, or
        with an error for a badge that answered wrongly or did not prove its key)."""
        try:
            proof = probe_staff_card(transmit)
        except TransportError:
            raise
        except CardError as e:  # the card has the staff applet but is no good badge
            code = CardErrorCode.NOT_VERIFIED if isinstance(e, VerificationError) else CardErrorCode.READ_FAILED
            log.warning("staff badge refused: %s", type(e).__name__)
            with self._lock:
                if self._generation == generation:
                    self._badge = True
            if self._current(generation):
                self._emit(CardEvent(CardEventKind.STAFF_CARD, error=code, detail=f"staff badge: {e}"))
            return True
        if proof is None:
            return False
        log.info("staff badge presented")
        with self._lock:
            if self._generation == generation:
                self._badge = True
        if self._current(generation):
            self._emit(CardEvent(CardEventKind.STAFF_CARD, staff_card=proof))
        return True

    def _read(self, slot: str, generation: int, key: AccessKey) -> None:
        def progress(_phase: str, fraction: float) -> None:
            if self._current(generation):
                self._emit(CardEvent(CardEventKind.PROGRESS, progress=fraction))

        today = self.policy.today()
        try:
            transmit, close = self.link.open(slot)
            try:
                result = Reader(transmit, key, trust=self.policy.trust, today=today,
                                progress=progress).read()
            finally:
                close()
        except AccessDeniedError as e:
            self._error(generation, CardErrorCode.WRONG_ACCESS, str(e), e.tries_left)
            return
        except CardRemovedError as e:
            self._error(generation, CardErrorCode.REMOVED_EARLY, str(e))
            return
        except UnsupportedCardError as e:
            self._error(generation, CardErrorCode.UNSUPPORTED, str(e))
            return
        except CardError as e:
            self._error(generation, CardErrorCode.READ_FAILED, f"{type(e).__name__}: {e}")
            return
        timing = ", ".join(f"{p.name} {p.ms:.0f} ms/{p.apdus}" for p in result.phases)
        log.info("chip read: %s, passive %s, active %s, %s", result.protocol, result.passive.status,
                 result.active, timing)
        if result.active.startswith("failed"):
            self._error(generation, CardErrorCode.NOT_VERIFIED, f"active authentication {result.active}")
            return
        verification = "verified"
        if not result.passive.verified:
            if not self.policy.accept_unverified:
                self._error(generation, CardErrorCode.NOT_VERIFIED,
                            f"passive authentication failed: {result.passive.reason}")
                return
            verification = "unverified"
        try:
            identity = identity_from_lds(result.mrz, photo_png=result.photo_png or b"",
                                         verification=verification, today=today,
                                         dg11=result.dg11_raw)
        except CardError as e:
            self._error(generation, CardErrorCode.READ_FAILED, f"identity: {e}")
            return
        if identity.is_expired(today):
            identity.wipe()
            self._error(generation, CardErrorCode.EXPIRED, "document expired")
            return
        if self._current(generation):
            self._emit(CardEvent(CardEventKind.IDENTITY, identity=identity))
        else:
            identity.wipe()
