"""BER-TLV as used by ISO/IEC 7816-4 and ICAO Doc 9303 (LDS files, DG2 templates).

Tags are handled as integers made of their raw bytes (``0x5F1F``, ``0x7F61``),
the way Doc 9303 writes them. Lengths: short form and long form with 1 to 4
length bytes; the indefinite form (``80``) is rejected, as are truncated values.
Every error is a ``ParseError`` naming the tag and the offset, never the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from ..errors import ParseError

#: Longest tag accepted, in bytes (ISO/IEC 7816-4 uses at most 3).
MAX_TAG_BYTES = 4
#: Longest long-form length field accepted, in bytes after the 8x byte.
MAX_LENGTH_BYTES = 4


def tag_hex(tag: int) -> str:
    """'5F1F' for 0x5F1F: how messages name a tag."""
    n = max(1, (tag.bit_length() + 7) // 8)
    return tag.to_bytes(n, "big").hex().upper()


def is_constructed(tag: int) -> bool:
    """Bit 6 of the first tag byte."""
    n = max(1, (tag.bit_length() + 7) // 8)
    first = tag >> (8 * (n - 1))
    return bool(first & 0x20)


@dataclass(frozen=True)
class TLV:
    tag: int
    value: bytes
    #: offset of the tag's first byte in the buffer it was decoded from
    offset: int = 0
    #: offset of the value's first byte in that buffer
    value_offset: int = 0

    def __repr__(self) -> str:  # the value may be personal data: length only
        return f"TLV(tag={tag_hex(self.tag)}, length={len(self.value)}, offset={self.offset})"

    __str__ = __repr__

    @property
    def constructed(self) -> bool:
        return is_constructed(self.tag)

    def children(self) -> list["TLV"]:
        """The value decoded as a sequence of TLVs (offsets stay relative to the
        outer buffer, so messages point at the right byte)."""
        return decode_all(self.value, base=self.value_offset)

    def child(self, tag: int) -> "TLV":
        """The first child with ``tag``; ParseError if absent."""
        for c in self.children():
            if c.tag == tag:
                return c
        raise ParseError(f"tag {tag_hex(tag)} missing inside tag {tag_hex(self.tag)} "
                         f"at offset {self.offset}")

    def encode(self) -> bytes:
        return encode(self.tag, self.value)


def read_tag(data: bytes, offset: int, base: int = 0) -> tuple[int, int]:
    """Decode the tag at ``offset``: (tag, offset after it)."""
    if offset >= len(data):
        raise ParseError(f"TLV truncated: tag expected at offset {base + offset}")
    first = data[offset]
    if first in (0x00, 0xFF):
        raise ParseError(f"invalid tag byte {first:02X} at offset {base + offset}")
    tag = first
    i = offset + 1
    if first & 0x1F == 0x1F:
        while True:
            if i >= len(data):
                raise ParseError(f"TLV truncated inside a multi-byte tag at offset {base + offset}")
            b = data[i]
            tag = (tag << 8) | b
            i += 1
            if i - offset > MAX_TAG_BYTES:
                raise ParseError(f"tag longer than {MAX_TAG_BYTES} bytes at offset {base + offset}")
            if not b & 0x80:
                break
    return tag, i


def read_length(data: bytes, offset: int, tag: int = 0, base: int = 0) -> tuple[int, int]:
    """Decode the length at ``offset``: (length, offset after it)."""
    where = f"tag {tag_hex(tag)} " if tag else ""
    if offset >= len(data):
        raise ParseError(f"TLV truncated: length of {where}expected at offset {base + offset}")
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    if first == 0x80:
        raise ParseError(f"indefinite length not allowed for {where}at offset {base + offset}")
    n = first & 0x7F
    if n > MAX_LENGTH_BYTES:
        raise ParseError(f"length field of {n} bytes too long for {where}at offset {base + offset}")
    if offset + 1 + n > len(data):
        raise ParseError(f"TLV truncated inside the length of {where}at offset {base + offset}")
    return int.from_bytes(data[offset + 1:offset + 1 + n], "big"), offset + 1 + n


def decode_one(data: bytes, offset: int = 0, base: int = 0) -> tuple[TLV, int]:
    """Decode one TLV at ``offset``: (tlv, offset after it)."""
    if not isinstance(data, bytes):
        data = bytes(data)
    tag, i = read_tag(data, offset, base)
    length, j = read_length(data, i, tag, base)
    end = j + length
    if end > len(data):
        raise ParseError(f"tag {tag_hex(tag)} at offset {base + offset} declares {length} bytes, "
                         f"only {len(data) - j} present")
    return TLV(tag, data[j:end], base + offset, base + j), end


def iter_decode(data: bytes, base: int = 0) -> Iterator[TLV]:
    if not isinstance(data, bytes):
        data = bytes(data)
    i = 0
    while i < len(data):
        tlv, i = decode_one(data, i, base)
        yield tlv


def decode_all(data: bytes, base: int = 0) -> list[TLV]:
    """Decode a concatenation of TLVs that must use every byte."""
    return list(iter_decode(data, base))


def decode(data: bytes, expected_tag: int | None = None, allow_trailing: bool = False,
           what: str = "") -> TLV:
    """Decode exactly one TLV (a whole LDS file). ``expected_tag`` checks its tag;
    bytes after it are an error unless ``allow_trailing`` (some chips pad files)."""
    label = f"{what}: " if what else ""
    try:
        tlv, end = decode_one(data)
    except ParseError as e:
        raise ParseError(f"{label}{e}") from None
    if expected_tag is not None and tlv.tag != expected_tag:
        raise ParseError(f"{label}expected tag {tag_hex(expected_tag)}, found {tag_hex(tlv.tag)} "
                         f"at offset 0")
    if end != len(data) and not allow_trailing:
        raise ParseError(f"{label}{len(data) - end} trailing bytes after tag {tag_hex(tlv.tag)} "
                         f"at offset {end}")
    return tlv


def file_length(header: bytes) -> int:
    """Total length (tag + length + value) of the TLV whose first bytes are
    ``header``: how a reader knows how much of a file to read. ParseError when
    ``header`` is too short to tell."""
    tag, i = read_tag(header, 0)
    length, j = read_length(header, i, tag)
    return j + length


def encode_tag(tag: int) -> bytes:
    if tag <= 0:
        raise ValueError(f"invalid tag {tag}")
    raw = tag.to_bytes((tag.bit_length() + 7) // 8, "big")
    # A consistent multi-byte tag: first byte xx11111, then 1xxxxxxx..., last 0xxxxxxx.
    if len(raw) > 1:
        ok = raw[0] & 0x1F == 0x1F and all(b & 0x80 for b in raw[1:-1]) and not raw[-1] & 0x80
    else:
        ok = raw[0] & 0x1F != 0x1F
    if not ok or len(raw) > MAX_TAG_BYTES:
        raise ValueError(f"not a valid BER tag: {tag_hex(tag)}")
    return raw


def encode_length(n: int) -> bytes:
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if len(raw) > MAX_LENGTH_BYTES:
        raise ValueError("length too large")
    return bytes([0x80 | len(raw)]) + raw


def encode(tag: int, value: bytes | Iterable[bytes]) -> bytes:
    """Encode one TLV; ``value`` may be bytes or an iterable of encoded children."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        value = b"".join(value)
    value = bytes(value)
    return encode_tag(tag) + encode_length(len(value)) + value
