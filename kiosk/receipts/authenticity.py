"""The receipt's QR code: tracking number, time and kiosk, signed by the kiosk's key.

Text (what an agent's scanner types), ASCII, no personal data::

    GR1|DEMO1-261122-0001-K|20261122T103105Z|CNSS-RABAT-03|<Ed25519 signature, base64url>

The signature covers everything before the last ``|``. ``verify()`` says valid, or
invalid and why: malformed, unknown kiosk, or a signature that does not match (any
changed character).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..sync.protocol import b64, unb64

PREFIX = "GR1"
_TIME = "%Y%m%dT%H%M%SZ"
_SHAPE = re.compile(r"GR1\|([A-Z0-9-]{6,40})\|(\d{8}T\d{6}Z)\|([A-Za-z0-9_.-]{3,64})\|([A-Za-z0-9_-]{86})")


def qr_text(tracking: str, created_at: dt.datetime, kiosk_id: str, key: Ed25519PrivateKey) -> str:
    when = created_at.astimezone(dt.timezone.utc).strftime(_TIME)
    body = f"{PREFIX}|{tracking}|{when}|{kiosk_id}"
    return f"{body}|{b64(key.sign(body.encode()))}"


@dataclass(frozen=True)
class Verdict:
    valid: bool
    reason: str
    tracking: str = ""
    time: dt.datetime | None = None
    kiosk_id: str = ""

    def to_json(self) -> dict:
        return {"valid": self.valid, "reason": self.reason, "tracking": self.tracking,
                "time": self.time.isoformat() if self.time else None, "kiosk_id": self.kiosk_id}


def verify(text: str, key_for: Callable[[str], Ed25519PublicKey | None]) -> Verdict:
    """``key_for(kiosk_id)`` gives the kiosk's public key, or None when it is unknown."""
    m = _SHAPE.fullmatch(text.strip())
    if m is None:
        return Verdict(False, "not a Guichet receipt code (malformed or truncated)")
    tracking, when, kiosk_id, sig = m.groups()
    try:
        time = dt.datetime.strptime(when, _TIME).replace(tzinfo=dt.timezone.utc)
    except ValueError:
        return Verdict(False, "not a Guichet receipt code (bad time)")
    key = key_for(kiosk_id)
    if key is None:
        return Verdict(False, f"unknown kiosk {kiosk_id}: its public key is not known here",
                       tracking, time, kiosk_id)
    body = text.strip().rsplit("|", 1)[0]
    try:
        raw = unb64(sig)
        if b64(raw) != sig:  # one encoding only: a changed padding bit is a change
            raise ValueError("non-canonical base64")
        key.verify(raw, body.encode())
    except (InvalidSignature, ValueError):
        return Verdict(False, "the signature does not match: the code was altered or not "
                       "made by this kiosk", tracking, time, kiosk_id)
    return Verdict(True, "signed by the kiosk", tracking, time, kiosk_id)
