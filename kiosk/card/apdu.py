"""ISO 7816-4 command and response APDUs, short and extended length.

``Transmit`` is what every protocol layer talks to: a callable taking a
``Command`` and returning a ``Response``. The PC/SC transport, the in-process
emulator and the secure-messaging channel all provide one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import ParseError

SW_OK = 0x9000

SHORT_MAX_LC = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_LE = 65536


@dataclass(frozen=True)
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    #: expected response length: None = no Le field, 256 (short) or 65536
    #: (extended) = "as many as available"
    le: int | None = None

    def __post_init__(self):
        for name in ("cla", "ins", "p1", "p2"):
            v = getattr(self, name)
            if not 0 <= v <= 0xFF:
                raise ValueError(f"{name} out of range: {v}")
        if len(self.data) > 65535:
            raise ValueError("command data longer than 65535 bytes")
        if self.le is not None and not 0 < self.le <= EXTENDED_MAX_LE:
            raise ValueError(f"Le out of range: {self.le}")

    @property
    def needs_extended(self) -> bool:
        return len(self.data) > SHORT_MAX_LC or (self.le is not None and self.le > SHORT_MAX_LE)

    def encode(self, extended: bool | None = None) -> bytes:
        """Bytes on the wire. ``extended`` forces the length encoding; by default
        extended is used only when the lengths need it."""
        ext = self.needs_extended if extended is None else extended
        if not ext and self.needs_extended:
            raise ValueError("lengths need an extended APDU")
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        if ext:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = 0 if self.le == EXTENDED_MAX_LE else self.le
                out += (b"" if self.data else b"\x00") + le.to_bytes(2, "big")
        else:
            if self.data:
                out += bytes((len(self.data),)) + self.data
            if self.le is not None:
                out += bytes((0 if self.le == SHORT_MAX_LE else self.le,))
        return bytes(out)

    @classmethod
    def decode(cls, raw: bytes) -> "Command":
        """Parse a command APDU (cases 1-4, short and extended); the chip side uses it."""
        raw = bytes(raw)
        if len(raw) < 4:
            raise ParseError(f"APDU shorter than a header ({len(raw)} bytes)")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or SHORT_MAX_LE)
        if body[0] != 0:  # short
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, body[1:])
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, body[1:1 + lc], body[-1] or SHORT_MAX_LE)
            raise ParseError(f"short APDU length mismatch (Lc {lc}, body {len(body)})")
        # extended
        if len(body) == 3:
            le = int.from_bytes(body[1:3], "big")
            return cls(cla, ins, p1, p2, le=le or EXTENDED_MAX_LE)
        if len(body) < 3:
            raise ParseError("truncated extended APDU")
        lc = int.from_bytes(body[1:3], "big")
        if lc == 0:
            raise ParseError("extended Lc of zero")
        rest = body[3:]
        if len(rest) == lc:
            return cls(cla, ins, p1, p2, rest)
        if len(rest) == lc + 2:
            le = int.from_bytes(rest[lc:], "big")
            return cls(cla, ins, p1, p2, rest[:lc], le or EXTENDED_MAX_LE)
        raise ParseError(f"extended APDU length mismatch (Lc {lc}, rest {len(rest)})")


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    def encode(self) -> bytes:
        return bytes(self.data) + self.sw.to_bytes(2, "big")

    @classmethod
    def decode(cls, raw: bytes) -> "Response":
        if len(raw) < 2:
            raise ParseError(f"response shorter than a status word ({len(raw)} bytes)")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))


Transmit = Callable[[Command], Response]
