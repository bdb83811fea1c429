"""An in-process virtual card for the demo and tests: no hardware, same interface.

``insert()`` behaves like a citizen placing the card: INSERTED at once, then the
identity after ``delay`` seconds, read on a worker thread as a real card would be.
The identity is demo data (assets/demo/identity.json), marked unverified.
``insert(badge)`` places a TEST-ONLY staff badge (``emulator.badge.EmulatedBadge``)
instead: INSERTED, then STAFF_CARD with the badge's verified proof.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

from ..paths import ASSETS
from .errors import CardRemovedError
from .identity import Identity
from .reader import CardErrorCode, CardEvent, CardEventKind, Listener

DEMO_IDENTITY = ASSETS / "demo" / "identity.json"


def load_demo_identity(path: Path = DEMO_IDENTITY) -> Identity:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("_comment", None)
    photo = path.parent / data.pop("photo")
    for k in ("birth_date", "expiry_date"):
        data[k] = dt.date.fromisoformat(data[k])
    return Identity(**data, photo=bytearray(photo.read_bytes()), verification="demo")


class DemoCardReader:
    def __init__(self, delay: float = 0.6, identity_file: Path = DEMO_IDENTITY):
        self.delay = delay
        self.identity_file = identity_file
        self._listener: Listener | None = None
        self._present = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()

    def start(self, listener: Listener) -> None:
        self._listener = listener

    def stop(self) -> None:
        self._listener = None
        self._present.clear()

    @property
    def card_present(self) -> bool:
        return self._present.is_set()

    def _emit(self, event: CardEvent) -> None:
        if self._listener is not None:
            self._listener(event)

    def insert(self, badge=None) -> None:
        """The demo card; with ``badge`` (an ``EmulatedBadge``), that staff badge instead
        (a card already in is taken out first)."""
        if badge is not None and self._present.is_set():
            self.remove()
        with self._lock:
            if self._present.is_set():
                return
            self._present.set()
            self._generation += 1
            generation = self._generation
        self._emit(CardEvent(CardEventKind.INSERTED))
        target, args = (self._read, (generation,)) if badge is None else (self._read_badge, (generation, badge))
        threading.Thread(target=target, args=args, name="demo-card", daemon=True).start()

    def _read_badge(self, generation: int, badge) -> None:
        from .errors import CardError, VerificationError
        from .staff_card import probe_staff_card

        def transmit(cmd):
            if not (self._present.is_set() and self._generation == generation):
                raise CardRemovedError("badge removed from the demo reader")
            return badge.transmit(cmd)

        badge.power_on()
        try:
            proof = probe_staff_card(transmit)
        except CardRemovedError:
            return  # the removal event says it
        except CardError as e:
            code = CardErrorCode.NOT_VERIFIED if isinstance(e, VerificationError) else CardErrorCode.READ_FAILED
            self._emit(CardEvent(CardEventKind.STAFF_CARD, error=code, detail=f"staff badge: {e}"))
            return
        if proof is None:
            self._emit(CardEvent(CardEventKind.ERROR, error=CardErrorCode.UNSUPPORTED,
                                 detail="the demo reader reads its sample identity and staff badges only"))
            return
        if self._present.is_set() and self._generation == generation:
            self._emit(CardEvent(CardEventKind.STAFF_CARD, staff_card=proof))

    def _read(self, generation: int) -> None:
        # A removal during the read ends it, as with a real chip.
        time.sleep(self.delay)
        if not (self._present.is_set() and self._generation == generation):
            self._emit(CardEvent(CardEventKind.ERROR, error=CardErrorCode.REMOVED_EARLY,
                                 detail="card removed during demo read"))
            return
        try:
            identity = load_demo_identity(self.identity_file)
        except (OSError, ValueError, KeyError, TypeError) as e:
            self._emit(CardEvent(CardEventKind.ERROR, error=CardErrorCode.READ_FAILED,
                                 detail=f"demo identity unreadable: {type(e).__name__}"))
            return
        if identity.is_expired():
            identity.wipe()
            self._emit(CardEvent(CardEventKind.ERROR, error=CardErrorCode.EXPIRED))
            return
        self._emit(CardEvent(CardEventKind.IDENTITY, identity=identity))

    def remove(self) -> None:
        with self._lock:
            if not self._present.is_set():
                return
            self._present.clear()
            self._generation += 1
        self._emit(CardEvent(CardEventKind.REMOVED))
