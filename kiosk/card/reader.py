"""The card reader interface the session uses, and the events it reports.

A reader runs its slow work (waiting for cards, APDUs, verification) on its own
thread and reports through a listener callback; the UI turns those calls into Qt
signals. Error codes are stable and documented in docs/failure-codes.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Protocol

from .identity import Identity

if TYPE_CHECKING:
    from .staff_card import StaffCardProof


class CardEventKind(enum.Enum):
    INSERTED = "inserted"
    #: the chip needs its access number (CAN) before it can be read
    NEED_ACCESS = "need_access"
    #: reading goes on: ``progress`` in 0..1
    PROGRESS = "progress"
    REMOVED = "removed"
    IDENTITY = "identity"
    ERROR = "error"
    #: a staff badge (docs/staff-card.md), not an identity document: ``staff_card`` is
    #: its verified proof, or None with ``error`` set when the badge answered wrongly.
    #: For the staff desk; the citizen's session ignores it.
    STAFF_CARD = "staff_card"


class CardErrorCode(enum.Enum):
    REMOVED_EARLY = "CARD-REMOVED"
    UNSUPPORTED = "CARD-UNSUPPORTED"
    EXPIRED = "CARD-EXPIRED"
    NOT_VERIFIED = "CARD-NOT-VERIFIED"
    READ_FAILED = "CARD-READ-FAILED"
    WRONG_ACCESS = "CARD-WRONG-ACCESS"
    READER_UNAVAILABLE = "CARD-READER-UNAVAILABLE"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    identity: Identity | None = None
    error: CardErrorCode | None = None
    detail: str = ""  # for the technician's log: never personal data
    progress: float = 0.0
    #: tries the chip still allows for the access number, when it says (SW 63Cx)
    tries_left: int | None = None
    #: STAFF_CARD: what the badge proved (staff number, public key, challenge, signature);
    #: the desk gives it to ``Staff.identify_card``, once
    staff_card: StaffCardProof | None = None


Listener = Callable[[CardEvent], None]


class CardReader(Protocol):
    def start(self, listener: Listener) -> None:
        """Begin watching for cards; events go to ``listener`` from a worker thread."""

    def stop(self) -> None:
        """Stop watching and release the reader."""

    def provide_access(self, can: str) -> None:
        """The citizen typed the card's access number: read the chip with it."""
