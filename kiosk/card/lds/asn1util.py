"""Small ASN.1 helpers shared by the LDS modules: a parse boundary that turns any
asn1crypto failure into a ParseError, and DER building blocks."""

from __future__ import annotations

from typing import Callable, TypeVar

from asn1crypto import core

from ..errors import CardError, ParseError

T = TypeVar("T")


def guarded(what: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` (asn1crypto parsing, which is lazy and raises ValueError,
    TypeError, KeyError... on malformed input) and turn any failure into a
    ParseError naming ``what``. The original message is not kept: asn1crypto may
    quote the bytes it choked on."""
    try:
        return fn()
    except CardError:
        raise
    except RecursionError:
        raise ParseError(f"{what}: nested too deeply") from None
    except Exception as e:  # noqa: BLE001 - a parse boundary: malformed outside bytes
        raise ParseError(f"{what}: malformed ASN.1 ({type(e).__name__})") from None


def load_strict(spec: type, data: bytes, what: str):
    """``spec.load(data, strict=True)`` with everything parsed eagerly (``.native``
    walks the whole tree), so malformed inner values fail here and not later."""

    def go():
        obj = spec.load(bytes(data), strict=True)
        obj.native  # noqa: B018 - force the lazy parse
        return obj

    return guarded(what, go)


def oid_der(dotted: str) -> bytes:
    return core.ObjectIdentifier(dotted).dump()


def int_der(n: int) -> bytes:
    return core.Integer(n).dump()


def seq_der(*items: bytes) -> bytes:
    from .tlv import encode

    return encode(0x30, b"".join(items))


def set_of_der(*items: bytes) -> bytes:
    """DER SET OF: elements sorted by their encodings."""
    from .tlv import encode

    return encode(0x31, b"".join(sorted(items)))
