"""Minimal BER-TLV for the secure-messaging data objects, the PACE dynamic
authentication data and EF.CardAccess (ISO/IEC 7816-4 §5.2, X.690 definite
lengths only; ICAO 9303-11 §9.8, §4.4.4).

Everything read from a card goes through :func:`parse`, which raises only
:class:`~kiosk.card.errors.ParseError`.
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import ParseError

MAX_TAG_BYTES = 3
MAX_LENGTH_BYTES = 3  # 16 MiB: far beyond any APDU or EF


class Tlv(NamedTuple):
    tag: int
    value: bytes
    raw: bytes  # the complete encoding as received (MACs cover it verbatim)

    @property
    def constructed(self) -> bool:
        return is_constructed(self.tag)


def is_constructed(tag: int) -> bool:
    first = tag
    while first > 0xFF:
        first >>= 8
    return bool(first & 0x20)


def encode_tag(tag: int) -> bytes:
    if not 0 <= tag < 1 << (8 * MAX_TAG_BYTES):
        raise ValueError(f"tag out of range: {tag:X}")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(body) > MAX_LENGTH_BYTES:
        raise ValueError(f"length too large: {n}")
    return bytes((0x80 | len(body),)) + body


def encode(tag: int, value: bytes) -> bytes:
    """One DER-style TLV (minimal length encoding)."""
    return encode_tag(tag) + encode_length(len(value)) + bytes(value)


def parse_one(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """Parse the TLV starting at ``pos``; return it and the position after it."""
    start = pos
    end = len(data)
    if pos >= end:
        raise ParseError("TLV: no data")
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # multi-byte tag
        while True:
            if pos >= end:
                raise ParseError("TLV: truncated tag")
            if pos - start >= MAX_TAG_BYTES:
                raise ParseError("TLV: tag too long")
            b = data[pos]
            pos += 1
            tag = (tag << 8) | b
            if not b & 0x80:
                break
    if pos >= end:
        raise ParseError(f"TLV {tag:X}: missing length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise ParseError(f"TLV {tag:X}: indefinite length")
    else:
        count = first & 0x7F
        if count > MAX_LENGTH_BYTES:
            raise ParseError(f"TLV {tag:X}: length field too long")
        if pos + count > end:
            raise ParseError(f"TLV {tag:X}: truncated length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise ParseError(f"TLV {tag:X}: value truncated ({length} announced, {end - pos} left)")
    value = bytes(data[pos:pos + length])
    pos += length
    return Tlv(tag, value, bytes(data[start:pos])), pos


def parse(data: bytes) -> list[Tlv]:
    """All consecutive TLVs of ``data`` (which must be consumed exactly)."""
    out = []
    pos = 0
    data = bytes(data)
    while pos < len(data):
        tlv, pos = parse_one(data, pos)
        out.append(tlv)
    return out


def parse_single(data: bytes, tag: int) -> Tlv:
    """``data`` must be exactly one TLV with tag ``tag``."""
    tlv, end = parse_one(bytes(data))
    if tlv.tag != tag:
        raise ParseError(f"expected tag {tag:X}, found {tlv.tag:X}")
    if end != len(data):
        raise ParseError(f"{len(data) - end} trailing bytes after tag {tag:X}")
    return tlv


def as_dict(tlvs: list[Tlv]) -> dict[int, Tlv]:
    """Index TLVs by tag; a repeated tag is malformed in every structure we read."""
    out: dict[int, Tlv] = {}
    for t in tlvs:
        if t.tag in out:
            raise ParseError(f"repeated tag {t.tag:X}")
        out[t.tag] = t
    return out


# --- DER primitives used by EF.CardAccess -------------------------------------------

def encode_oid(dotted: str) -> bytes:
    """Content octets of an OBJECT IDENTIFIER (X.690 §8.19)."""
    arcs = [int(a) for a in dotted.split(".")]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39):
        raise ValueError(f"bad OID {dotted!r}")
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1]] + arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(value: bytes) -> str:
    if not value or value[-1] & 0x80:
        raise ParseError("OID: empty or truncated")
    arcs: list[int] = []
    acc = 0
    fresh = True
    for b in value:
        if fresh and b == 0x80:
            raise ParseError("OID: non-minimal arc")
        acc = (acc << 7) | (b & 0x7F)
        fresh = not b & 0x80
        if fresh:
            arcs.append(acc)
            acc = 0
        if acc.bit_length() > 64:
            raise ParseError("OID: arc too large")
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


def encode_uint(n: int) -> bytes:
    """Content octets of a non-negative INTEGER."""
    if n < 0:
        raise ValueError("negative")
    return n.to_bytes(n.bit_length() // 8 + 1, "big")


def decode_int(value: bytes) -> int:
    """INTEGER content octets (non-minimal encodings tolerated, as chips emit them)."""
    if not value:
        raise ParseError("INTEGER: empty")
    return int.from_bytes(value, "big", signed=True)
