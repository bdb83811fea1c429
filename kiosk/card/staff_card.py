"""Staff badges: the kiosk's side of the GUICHET staff applet (``docs/staff-card.md``).

A badge is a smart card holding a small applet (AID ``F0 47 55 49 43 48 45 54 01``,
"GUICHET" + version 1) with the staff number it was personalised for and a P-256 key
pair generated on the card. ``probe_staff_card(transmit)`` selects the applet (one
APDU: anything but 9000, a CNIE's 6A82 say, means "not a badge" and it returns
None), reads the staff number and the public key, sends a fresh random 32-byte
challenge with INTERNAL AUTHENTICATE and verifies the card's ECDSA-P256/SHA-256
signature (DER, as JavaCard's ``ALG_ECDSA_SHA_256`` gives it) over
``b"GUICHET-STAFF-v1" || challenge``. The result, a ``StaffCardProof``, proves that
the card holds the private key of that public key, now; which account the key
belongs to is for ``kiosk.staff.Staff.identify_card`` to decide.

Every challenge is issued by a ``ChallengeBook`` and can be redeemed once, within
``CHALLENGE_LIFETIME`` seconds: a proof replayed later (or a proof over a challenge
this kiosk never issued) is refused.

Everything the card sends is parsed here and raises only ``CardError`` subclasses.
Nothing here logs a key, a signature or a staff number.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from .apdu import SW_OK, Command, Transmit
from .crypto import tlv
from .errors import CardError, ParseError, VerificationError
from .status import check

#: "GUICHET" in ASCII after the proprietary-AID byte F0, then the applet's version
STAFF_AID = bytes.fromhex("F0") + b"GUICHET" + b"\x01"
#: the signed message is DOMAIN || challenge: a badge's signature cannot be passed off
#: as a signature of any other protocol, nor of another version of this one
DOMAIN = b"GUICHET-STAFF-v1"
CHALLENGE_LENGTH = 32
#: GET DATA tags (P1 P2), private class: the staff number, the public key
TAG_STAFF_NUMBER = 0xDF01
TAG_PUBLIC_KEY = 0xDF02
INS_SELECT, INS_GET_DATA, INS_INTERNAL_AUTHENTICATE = 0xA4, 0xCA, 0x88
#: an uncompressed P-256 point: 04 || X || Y
PUBLIC_KEY_LENGTH = 65
#: DER SEQUENCE of two INTEGERs of at most 33 bytes
MAX_SIGNATURE_LENGTH = 72
STAFF_NUMBER_LENGTHS = range(2, 9)
#: seconds within which a proof must be redeemed by ``Staff.identify_card``
CHALLENGE_LIFETIME = 60.0

_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 n


# --- errors ------------------------------------------------------------------------------

class StaffCardError(CardError):
    """A card that selected the staff applet answered something else than a badge should."""


class MalformedStaffNumber(StaffCardError, ParseError):
    """GET DATA of the staff number did not give DF01 with 2-8 ASCII digits."""


class MalformedPublicKey(StaffCardError, ParseError):
    """GET DATA of the public key did not give DF02 with a P-256 point (uncompressed)."""


class MalformedSignature(StaffCardError, ParseError):
    """INTERNAL AUTHENTICATE did not give a strict DER ECDSA signature."""


class BadStaffSignature(StaffCardError, VerificationError):
    """The signature does not verify with the badge's key over this challenge:
    the card does not hold the private key (a clone), or replays an old answer."""


# --- the proof ----------------------------------------------------------------------------

def fingerprint(public_key: bytes) -> str:
    """``sha256:`` and the hex SHA-256 of the uncompressed point: what the staff file keeps."""
    return "sha256:" + hashlib.sha256(bytes(public_key)).hexdigest()


def short_fingerprint(public_key_or_fingerprint: bytes | str) -> str:
    """The first 12 hex digits of the fingerprint, grouped by 4: for screens and listings."""
    fp = public_key_or_fingerprint
    if isinstance(fp, (bytes, bytearray)):
        fp = fingerprint(fp)
    digits = fp.split(":", 1)[-1][:12]
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


@dataclass(frozen=True, repr=False)
class StaffCardProof:
    """What a badge showed: its staff number and public key, and its signature over a
    challenge the kiosk chose. ``probe_staff_card`` verified the signature; whoever
    receives a proof checks it again (``verify_proof``) and redeems its challenge."""

    staff_number: str
    public_key: bytes      # 65 bytes, 04 || X || Y
    challenge: bytes       # 32 bytes, issued by a ChallengeBook
    signature: bytes       # DER ECDSA-P256 over DOMAIN || challenge

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def __repr__(self) -> str:  # no staff number, no key material
        return f"StaffCardProof(badge {short_fingerprint(self.public_key)})"


# --- parsers of what the card sends --------------------------------------------------------

def parse_staff_number(data: bytes) -> str:
    try:
        value = tlv.parse_single(bytes(data), TAG_STAFF_NUMBER).value
    except ParseError as e:
        raise MalformedStaffNumber(f"staff number: {e}") from None
    if len(value) not in STAFF_NUMBER_LENGTHS or not all(0x30 <= b <= 0x39 for b in value):
        raise MalformedStaffNumber(f"staff number: {len(value)} bytes, not 2-8 ASCII digits")
    return value.decode("ascii")


def load_public_key(point: bytes) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of an uncompressed point (checked on the curve)."""
    point = bytes(point)
    if len(point) != PUBLIC_KEY_LENGTH or point[0] != 0x04:
        raise MalformedPublicKey(f"public key: {len(point)} bytes, not an uncompressed P-256 point")
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise MalformedPublicKey("public key: the point is not on P-256") from None


def parse_public_key(data: bytes) -> bytes:
    try:
        value = tlv.parse_single(bytes(data), TAG_PUBLIC_KEY).value
    except ParseError as e:
        raise MalformedPublicKey(f"public key: {e}") from None
    load_public_key(value)
    return value


def _der_integer(data: bytes, pos: int) -> tuple[int, int]:
    if pos + 2 > len(data) or data[pos] != 0x02:
        raise MalformedSignature("signature: INTEGER expected")
    length = data[pos + 1]
    if length == 0 or length > 33 or pos + 2 + length > len(data):
        raise MalformedSignature(f"signature: INTEGER of length {length}")
    body = data[pos + 2:pos + 2 + length]
    if body[0] & 0x80:
        raise MalformedSignature("signature: negative INTEGER")
    if length > 1 and body[0] == 0 and not body[1] & 0x80:
        raise MalformedSignature("signature: INTEGER not minimally encoded")
    value = int.from_bytes(body, "big")
    if not 0 < value < _ORDER:
        raise MalformedSignature("signature: value out of range")
    return value, pos + 2 + length


def parse_signature(data: bytes) -> tuple[int, int]:
    """(r, s) of a strict DER ``SEQUENCE { INTEGER r, INTEGER s }`` (short lengths only,
    as for any P-256 signature), each in 1..n-1, nothing after it."""
    data = bytes(data)
    if not 8 <= len(data) <= MAX_SIGNATURE_LENGTH:
        raise MalformedSignature(f"signature: {len(data)} bytes")
    if data[0] != 0x30 or data[1] != len(data) - 2:
        raise MalformedSignature("signature: not one DER SEQUENCE")
    r, pos = _der_integer(data, 2)
    s, pos = _der_integer(data, pos)
    if pos != len(data):
        raise MalformedSignature("signature: bytes after the second INTEGER")
    return r, s


def verify_proof(proof: StaffCardProof) -> None:
    """Raise unless ``proof`` is well formed and its signature verifies with its key."""
    if len(proof.challenge) != CHALLENGE_LENGTH:
        raise StaffCardError(f"challenge of {len(proof.challenge)} bytes")
    if len(proof.staff_number) not in STAFF_NUMBER_LENGTHS or not proof.staff_number.isascii() \
            or not proof.staff_number.isdigit():
        raise MalformedStaffNumber("staff number: not 2-8 digits")
    key = load_public_key(proof.public_key)
    r, s = parse_signature(proof.signature)
    try:
        key.verify(encode_dss_signature(r, s), DOMAIN + proof.challenge, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise BadStaffSignature("the badge's signature does not verify over this challenge") from None


# --- challenges ---------------------------------------------------------------------------

class ChallengeBook:
    """Challenges this kiosk sent to badges, each redeemable once within ``lifetime``
    seconds. Only the last ``keep`` are remembered."""

    def __init__(self, lifetime: float = CHALLENGE_LIFETIME, keep: int = 32,
                 clock: Callable[[], float] = time.monotonic, rng: Callable[[int], bytes] = os.urandom):
        self.lifetime, self.keep, self.clock, self.rng = lifetime, keep, clock, rng
        self._issued: dict[bytes, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> bytes:
        challenge = self.rng(CHALLENGE_LENGTH)
        if len(challenge) != CHALLENGE_LENGTH:
            raise ValueError("the random source gave a short challenge")
        with self._lock:
            self._issued[challenge] = self.clock()
            while len(self._issued) > self.keep:
                self._issued.pop(next(iter(self._issued)))
        return challenge

    def redeem(self, challenge: bytes) -> bool:
        """True once for a challenge issued here less than ``lifetime`` seconds ago."""
        with self._lock:
            at = self._issued.pop(bytes(challenge), None)
        return at is not None and self.clock() - at <= self.lifetime


#: the kiosk process's challenges (the card reader issues, the staff core redeems)
CHALLENGES = ChallengeBook()


# --- the probe ----------------------------------------------------------------------------

def select_staff_applet(transmit: Transmit) -> bool:
    """SELECT the staff applet by AID (no FCI). True when the card has it."""
    return transmit(Command(0x00, INS_SELECT, 0x04, 0x0C, STAFF_AID)).sw == SW_OK


def probe_staff_card(transmit: Transmit, challenges: ChallengeBook | None = None) -> StaffCardProof | None:
    """None for a card without the staff applet (one APDU); else the verified proof of
    the badge. Raises a ``StaffCardError`` subclass, a ``StatusError`` or a transport
    error when a card that has the applet answers wrongly or goes away."""
    if not select_staff_applet(transmit):
        return None
    answer = transmit(Command(0x00, INS_GET_DATA, TAG_STAFF_NUMBER >> 8, TAG_STAFF_NUMBER & 0xFF, le=256))
    if answer.sw != SW_OK:
        # It selected something under our AID but holds no staff number: not one of our
        # badges (a citizen's card must still be read as a document).
        return None
    number = parse_staff_number(answer.data)
    key = parse_public_key(check(transmit(Command(0x00, INS_GET_DATA, TAG_PUBLIC_KEY >> 8,
                                                  TAG_PUBLIC_KEY & 0xFF, le=256)),
                                 "GET DATA public key").data)
    challenge = (challenges if challenges is not None else CHALLENGES).issue()
    signature = check(transmit(Command(0x00, INS_INTERNAL_AUTHENTICATE, 0x00, 0x00, challenge, le=256)),
                      "INTERNAL AUTHENTICATE").data
    proof = StaffCardProof(number, key, challenge, bytes(signature))
    verify_proof(proof)
    return proof


def wait_staff_card(name_filter: str = "", timeout: float = 30.0,
                    challenges: ChallengeBook | None = None) -> tuple[str, StaffCardProof | None]:
    """Wait up to ``timeout`` seconds for a card in a PC/SC reader whose name contains
    ``name_filter``, then probe the cards there: (reader name, proof of the first badge),
    or (a reader name, None) when no card present is a badge.
    For ``kiosk staff card enrol``; the kiosk itself gets badges from its card reader."""
    from smartcard import scard

    from .errors import TransportError
    from .pcsc import Connection, Context

    deadline = time.monotonic() + timeout
    with Context() as ctx:
        while True:
            names = [n for n in ctx.readers() if name_filter in n]
            if names:
                hresult, states = scard.SCardGetStatusChange(
                    ctx.handle, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
                states = states if hresult == scard.SCARD_S_SUCCESS else []
                present = [name for name, state, _atr in states
                           if state & scard.SCARD_STATE_PRESENT and not state & scard.SCARD_STATE_MUTE]
                for name in present:  # a badge wins over an ID card in another reader
                    conn = Connection(ctx, name)
                    try:
                        proof = probe_staff_card(conn.transmit, challenges)
                    finally:
                        conn.close()
                    if proof is not None:
                        return name, proof
                if present:
                    return present[0], None
            if time.monotonic() >= deadline:
                wanted = f" matching {name_filter!r}" if name_filter else ""
                raise TransportError(f"no card in a reader{wanted} within {timeout:.0f} s"
                                     if names else f"no reader{wanted}")
            time.sleep(0.1)
