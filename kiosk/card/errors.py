"""Typed errors of the card stack. Every failure a chip, a reader or a parser can
cause ends as one of these, never as a bare exception; messages name what failed
(file, tag, status word) and never carry personal data (no MRZ, CAN, names)."""

from __future__ import annotations


class CardError(Exception):
    """Base of every card-stack error. ``code`` is the stable failure code
    (docs/failure-codes.md) the session maps to a citizen message."""

    code = "CARD-READ-FAILED"


class TransportError(CardError):
    """The reader or the link to it failed (reader unplugged, pcscd gone, timeout)."""


class CardRemovedError(TransportError):
    code = "CARD-REMOVED"


class StatusError(CardError):
    """The chip answered a command with an error status word."""

    def __init__(self, sw: int, command: str = ""):
        self.sw = sw
        self.command = command
        super().__init__(f"{command or 'command'} failed with SW {sw:04X}")


class ParseError(CardError):
    """Bytes from outside (TLV, ASN.1, MRZ, image) are malformed."""


class SecureMessagingError(CardError):
    """A secure-messaging response failed its MAC, its padding or its structure,
    or the chip answered without secure messaging after access control."""


class AccessDeniedError(CardError):
    """Access control failed: wrong CAN or MRZ (the chip rejected the key).
    ``tries_left`` is set when the chip reports it (SW 63Cx)."""

    code = "CARD-WRONG-ACCESS"

    def __init__(self, message: str, tries_left: int | None = None):
        self.tries_left = tries_left
        super().__init__(message)


class UnsupportedCardError(CardError):
    """Not an ICAO 9303 chip, or one using a protocol or curve we do not implement."""

    code = "CARD-UNSUPPORTED"


class VerificationError(CardError):
    """Passive or active authentication failed: the data or the chip is not genuine."""

    code = "CARD-NOT-VERIFIED"
