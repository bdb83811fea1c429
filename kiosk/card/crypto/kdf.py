"""Key derivation of ICAO 9303-11 §9.7.1: ``KDF(K, c) = H(K || c)`` truncated to
the key length, with SHA-1 for 3DES and AES-128 and SHA-256 for AES-192/256;
the BAC document basic access keys (§9.7.2) and the PACE password key K_pi
(§9.7.3, §4.4.3.1).
"""

from __future__ import annotations

import hashlib

from .cipher import Cipher

KDF_ENC = 1
KDF_MAC = 2
KDF_PI = 3

PASSWORD_REFERENCES = {"MRZ": 1, "CAN": 2, "PIN": 3, "PUK": 4}  # MSE:Set AT tag 83 (§4.4.4.1)


def adjust_parity(key: bytes) -> bytes:
    """Set the least significant bit of every byte so it has odd parity (DES keys)."""
    out = bytearray(key)
    for i, b in enumerate(out):
        out[i] = (b & 0xFE) | (1 ^ (bin(b >> 1).count("1") & 1))
    return bytes(out)


def kdf(secret: bytes, counter: int, cipher: Cipher) -> bytes:
    """``KDF(K, c)`` (§9.7.1). 3DES keys come back parity-adjusted, as published."""
    data = bytes(secret) + counter.to_bytes(4, "big")
    if cipher in (Cipher.TDES, Cipher.AES128):
        digest = hashlib.sha1(data).digest()
    else:
        digest = hashlib.sha256(data).digest()
    key = digest[:cipher.key_length]
    return adjust_parity(key) if cipher is Cipher.TDES else key


def session_keys(secret: bytes, cipher: Cipher) -> tuple[bytes, bytes]:
    """(KS_enc, KS_mac) from a key seed (BAC) or a shared secret (PACE)."""
    return kdf(secret, KDF_ENC, cipher), kdf(secret, KDF_MAC, cipher)


def _mrz_bytes(mrz_information: str | bytes) -> bytes:
    data = mrz_information.encode("ascii") if isinstance(mrz_information, str) else bytes(mrz_information)
    if not data:
        raise ValueError("empty MRZ information")
    return data


def bac_key_seed(mrz_information: str | bytes) -> bytes:
    """K_seed: the first 16 bytes of SHA-1(MRZ_information) (§9.7.2).

    ``mrz_information`` is document number + check digit, date of birth + check
    digit, date of expiry + check digit, as formed by the MRZ parser."""
    return hashlib.sha1(_mrz_bytes(mrz_information)).digest()[:16]


def bac_keys(mrz_information: str | bytes) -> tuple[bytes, bytes]:
    """(K_enc, K_mac) of Basic Access Control, parity-adjusted 2-key 3DES."""
    return session_keys(bac_key_seed(mrz_information), Cipher.TDES)


def password_bytes(password: str | bytes, kind: str) -> bytes:
    """K = f(π) (§4.4.3.1): SHA-1(MRZ_information) for the MRZ, the ISO 8859-1
    characters themselves for CAN (and PIN/PUK)."""
    if kind not in PASSWORD_REFERENCES:
        raise ValueError(f"unknown password kind {kind!r}")
    raw = password.encode("latin-1") if isinstance(password, str) else bytes(password)
    if not raw:
        raise ValueError("empty password")
    return hashlib.sha1(raw).digest() if kind == "MRZ" else raw


def k_pi(password: str | bytes, kind: str, cipher: Cipher) -> bytes:
    """K_pi = KDF(f(π), 3), the key that encrypts the PACE nonce."""
    return kdf(password_bytes(password, kind), KDF_PI, cipher)
