"""Active Authentication, ICAO 9303-11 §6.1: the chip proves it holds the private
key of DG15 by signing a terminal challenge with INTERNAL AUTHENTICATE.

RSA: ISO/IEC 9796-2 digital signature scheme 1 with partial message recovery,
verified with the raw public operation; trailer ``BC`` means SHA-1, ``xx CC``
names the hash (ISO/IEC 10118-3 identifier ``xx``). ECDSA: plain ``r || s``
signature (BSI TR-03111), hash from DG14's ActiveAuthenticationInfo or SHA-256.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Callable

from asn1crypto import keys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .apdu import EXTENDED_MAX_LE, SHORT_MAX_LE, SW_OK, Command, Response, Transmit
from .crypto.ec import CURVES_BY_OID, Curve
from .errors import ParseError, StatusError, UnsupportedCardError, VerificationError

INS_INTERNAL_AUTHENTICATE = 0x88
CHALLENGE_LENGTH = 8

#: ISO/IEC 10118-3 dedicated hash-function identifiers used in the ``xx CC`` trailer
_HASH_IDS = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
_HASH_ID_OF = {v: k for k, v in _HASH_IDS.items()}

#: signatureAlgorithm OIDs of ActiveAuthenticationInfo (X9.62 and BSI TR-03111 plain)
SIGNATURE_OID_HASHES = {
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
}


def normalize_hash(name_or_oid: str) -> str:
    """Normalize ``"SHA-256"``, ``"sha256"`` or a signature-algorithm OID to a hashlib name."""
    if name_or_oid in SIGNATURE_OID_HASHES:
        return SIGNATURE_OID_HASHES[name_or_oid]
    name = name_or_oid.lower().replace("-", "")
    if name not in _HASH_ID_OF:
        raise UnsupportedCardError(f"unsupported Active Authentication hash {name_or_oid!r}")
    return name


# --- public keys (DG15) ----------------------------------------------------------------

@dataclass(frozen=True)
class _RsaKey:
    n: int
    e: int

    @property
    def signature_length(self) -> int:
        return (self.n.bit_length() + 7) // 8

    def verify(self, challenge: bytes, signature: bytes, _hash: str | None) -> None:
        n = self.n
        s = int.from_bytes(signature, "big")
        if not signature or len(signature) > self.signature_length or not 0 < s < n:
            raise VerificationError("Active Authentication: RSA signature out of range")
        m = pow(s, self.e, n)
        if m & 0x0F != 0x0C:  # the signer may have sent n - s (ISO/IEC 9796-2 §B)
            m = n - m
        size = (n.bit_length() + 6) // 8  # the representative F has |n| - 1 bits
        if m & 0x0F != 0x0C or m >> (8 * size):
            raise VerificationError("Active Authentication: no ISO/IEC 9796-2 trailer")
        f = m.to_bytes(size, "big")
        if f[-1] == 0xBC:
            name, trailer = "sha1", 1
        elif f[-1] == 0xCC and f[-2] in _HASH_IDS:
            name, trailer = _HASH_IDS[f[-2]], 2
        else:
            raise VerificationError(f"Active Authentication: unknown hash identifier {f[-2]:02X}")
        # header 01, more-data bit 1 (partial recovery: M2 = the challenge), then
        # padding nibbles B...BA, the last one ending the first byte(s)
        if f[0] & 0xF0 != 0x60 or f[0] & 0x0F not in (0x0A, 0x0B):
            raise VerificationError("Active Authentication: bad ISO/IEC 9796-2 header")
        start = 1
        if f[0] & 0x0F == 0x0B:
            while start < len(f) and f[start] == 0xBB:
                start += 1
            if start >= len(f) or f[start] != 0xBA:
                raise VerificationError("Active Authentication: bad ISO/IEC 9796-2 padding")
            start += 1
        hlen = hashlib.new(name).digest_size
        end = len(f) - trailer - hlen
        if end < start:
            raise VerificationError("Active Authentication: signature too short for its hash")
        m1, digest = f[start:end], f[end:end + hlen]
        if not hmac.compare_digest(hashlib.new(name, m1 + challenge).digest(), digest):
            raise VerificationError("Active Authentication: RSA signature does not verify")


@dataclass(frozen=True)
class _EcKey:
    curve: Curve
    point: tuple[int, int]

    @property
    def signature_length(self) -> int:
        return 2 * self.curve.order_size

    def verify(self, challenge: bytes, signature: bytes, hash_: str | None) -> None:
        c, n = self.curve, self.curve.n
        half = c.order_size
        if len(signature) != 2 * half:
            raise VerificationError(f"Active Authentication: ECDSA signature of {len(signature)} bytes")
        r = int.from_bytes(signature[:half], "big")
        s = int.from_bytes(signature[half:], "big")
        if not (0 < r < n and 0 < s < n):
            raise VerificationError("Active Authentication: ECDSA signature out of range")
        digest = hashlib.new(normalize_hash(hash_ or "sha256"), challenge).digest()
        e = int.from_bytes(digest, "big")
        excess = 8 * len(digest) - n.bit_length()
        if excess > 0:
            e >>= excess
        try:
            w = pow(s, -1, n)
            R = c.add(c.mul(e * w % n, c.G), c.mul(r * w % n, self.point))
        except (ValueError, ZeroDivisionError):  # explicit parameters with a composite p or n
            raise VerificationError("Active Authentication: EC arithmetic failed (bad domain parameters)") from None
        if R is None or R[0] % n != r:
            raise VerificationError("Active Authentication: ECDSA signature does not verify")


def _explicit_curve(spec) -> Curve:
    """A curve from SpecifiedECDomain (DG15 keys often carry explicit parameters)."""
    if spec["field_id"]["field_type"].native != "prime_field":
        raise UnsupportedCardError("Active Authentication: EC key over a binary field")
    p = spec["field_id"]["parameters"].native
    a = int.from_bytes(spec["curve"]["a"].native, "big")
    b = int.from_bytes(spec["curve"]["b"].native, "big")
    n = spec["order"].native
    h = spec["cofactor"].native if spec["cofactor"].native is not None else 1
    if h != 1:
        raise UnsupportedCardError("Active Authentication: EC cofactor other than 1")
    if not (p > 3 and p & 1 and n > 1 and n & 1):
        raise ParseError("Active Authentication: implausible EC domain parameters")
    base = spec["base"].native
    probe = Curve("explicit", None, p, a % p, b % p, 0, 0, n)
    g = probe.decode_point(base)
    return Curve("explicit", None, p, a % p, b % p, g[0], g[1], n)


def parse_public_key(public_key_info_der: bytes) -> _RsaKey | _EcKey:
    """The Active Authentication key of DG15 (a SubjectPublicKeyInfo)."""
    try:
        pki = keys.PublicKeyInfo.load(bytes(public_key_info_der), strict=True)
        algorithm = pki["algorithm"]["algorithm"].native
        if algorithm == "rsa":
            parsed = pki["public_key"].parsed
            n, e = parsed["modulus"].native, parsed["public_exponent"].native
            if not (n > 3 and n & 1 and e > 1):
                raise ParseError("Active Authentication: implausible RSA key")
            return _RsaKey(n, e)
        if algorithm == "ec":
            params = pki["algorithm"]["parameters"]
            if params.name == "named":
                oid = params.chosen.dotted
                if oid not in CURVES_BY_OID:
                    raise UnsupportedCardError(f"Active Authentication: curve {oid}")
                curve = CURVES_BY_OID[oid]
            elif params.name == "specified":
                curve = _explicit_curve(params.chosen)
            else:
                raise UnsupportedCardError("Active Authentication: implicit EC parameters")
            return _EcKey(curve, curve.decode_point(pki["public_key"].native))
        raise UnsupportedCardError(f"Active Authentication: key algorithm {algorithm}")
    except (ParseError, UnsupportedCardError):
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as e:
        raise ParseError(f"Active Authentication: malformed public key ({type(e).__name__})") from None


# --- terminal side -------------------------------------------------------------------

def active_authenticate(transmit: Transmit, public_key_info_der: bytes,
                        rng: Callable[[int], bytes] = os.urandom, hash_name: str | None = None) -> None:
    """Challenge the chip and verify its signature with the DG15 key (§6.1).

    ``hash_name`` (ECDSA only): a hash name or the signatureAlgorithm OID of DG14's
    ActiveAuthenticationInfo; SHA-256 when absent. Raises ``VerificationError`` when
    the signature does not verify, ``StatusError`` when the chip refuses."""
    key = parse_public_key(public_key_info_der)
    hash_ = normalize_hash(hash_name) if hash_name else None
    challenge = bytes(rng(CHALLENGE_LENGTH))
    le = SHORT_MAX_LE if key.signature_length <= SHORT_MAX_LE else EXTENDED_MAX_LE
    resp = transmit(Command(0x00, INS_INTERNAL_AUTHENTICATE, 0x00, 0x00, challenge, le))
    if resp.sw != SW_OK:
        raise StatusError(resp.sw, "INTERNAL AUTHENTICATE")
    key.verify(challenge, resp.data, hash_)


# --- chip side -----------------------------------------------------------------------

_HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
           "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class AaChip:
    """Signs INTERNAL AUTHENTICATE challenges for the emulator.

    RSA (modulus a multiple of 8 bits): ISO/IEC 9796-2 scheme 1, SHA-1 with
    trailer BC unless ``hash_name`` asks for another hash (trailer ``xx CC``).
    EC: plain ECDSA with ``hash_name`` (default SHA-256). ``handle`` never raises."""

    def __init__(self, private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
                 hash_name: str | None = None, rng: Callable[[int], bytes] = os.urandom):
        self._key = private_key
        default = "sha1" if isinstance(private_key, rsa.RSAPrivateKey) else "sha256"
        self._hash = normalize_hash(hash_name or default)
        self._rng = rng

    def __repr__(self) -> str:
        return "AaChip()"

    def handle(self, cmd: Command) -> Response:
        if cmd.cla != 0x00:
            return Response(b"", 0x6E00)
        if cmd.ins != INS_INTERNAL_AUTHENTICATE:
            return Response(b"", 0x6D00)
        if cmd.p1 or cmd.p2:
            return Response(b"", 0x6A86)
        if not cmd.data or len(cmd.data) > 64:
            return Response(b"", 0x6700)
        if isinstance(self._key, rsa.RSAPrivateKey):
            return Response(self._sign_rsa(cmd.data), SW_OK)
        return Response(self._sign_ec(cmd.data), SW_OK)

    def _sign_rsa(self, challenge: bytes) -> bytes:
        numbers = self._key.private_numbers()
        n = numbers.public_numbers.n
        size = (n.bit_length() + 6) // 8
        digest_size = hashlib.new(self._hash).digest_size
        trailer = b"\xBC" if self._hash == "sha1" else bytes((_HASH_ID_OF[self._hash], 0xCC))
        m1 = bytes(self._rng(size - 1 - digest_size - len(trailer)))
        f = b"\x6A" + m1 + hashlib.new(self._hash, m1 + challenge).digest() + trailer
        x = int.from_bytes(f, "big")
        # CRT: F^d mod n from F^dp mod p and F^dq mod q
        sp = pow(x, numbers.dmp1, numbers.p)
        sq = pow(x, numbers.dmq1, numbers.q)
        sig = sq + numbers.q * (numbers.iqmp * (sp - sq) % numbers.p)
        return sig.to_bytes((n.bit_length() + 7) // 8, "big")

    def _sign_ec(self, challenge: bytes) -> bytes:
        der = self._key.sign(challenge, ec.ECDSA(_HASHES[self._hash]()))
        r, s = decode_dss_signature(der)
        size = (self._key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
