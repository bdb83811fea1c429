"""Basic Access Control, ICAO 9303-11 §4.3 (worked example: Appendix D).

Terminal side: :func:`run_bac` authenticates with keys derived from the MRZ
information and returns the 3DES secure-messaging channel. Chip side:
:class:`BacChip` answers GET CHALLENGE and EXTERNAL AUTHENTICATE for the emulator.
"""

from __future__ import annotations

import hmac
import os
from typing import Callable

from .apdu import SW_OK, Command, Response, Transmit
from .crypto.cipher import Cipher, decrypt_cbc, encrypt_cbc, pad, retail_mac
from .crypto.kdf import bac_keys, session_keys
from .crypto.sm import SecureMessaging
from .errors import AccessDeniedError, ParseError, SecureMessagingError, StatusError
from .status import (ACCESS_DENIED_SW, SW_CLA, SW_CONDITIONS, SW_INS, SW_WRONG_LENGTH,
                     SW_WRONG_PARAMETERS)

INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTHENTICATE = 0x82


_CRYPTOGRAM_LEN = 32  # E(RND.A || RND.B || K.A) with 2-key 3DES
_AUTH_LEN = _CRYPTOGRAM_LEN + 8


def _cryptogram(k_enc: bytes, k_mac: bytes, plain: bytes) -> bytes:
    """E(K_enc, S) || MAC(K_mac, E(K_enc, S)) (§4.3.3.1/§4.3.3.2)."""
    e = encrypt_cbc(Cipher.TDES, k_enc, plain)
    return e + retail_mac(k_mac, pad(e, 8))


def _open(k_enc: bytes, k_mac: bytes, data: bytes) -> bytes | None:
    """Check the MAC and decrypt; None when the MAC does not verify."""
    e, m = data[:_CRYPTOGRAM_LEN], data[_CRYPTOGRAM_LEN:]
    if not hmac.compare_digest(retail_mac(k_mac, pad(e, 8)), m):
        return None
    return decrypt_cbc(Cipher.TDES, k_enc, e)


def _session(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SecureMessaging:
    """KS_seed = K.IFD xor K.IC; SSC = RND.IC[4:8] || RND.IFD[4:8] (§9.7.4, §9.8.2)."""
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic))
    ks_enc, ks_mac = session_keys(seed, Cipher.TDES)
    return SecureMessaging(ks_enc, ks_mac, rnd_ic[4:] + rnd_ifd[4:], Cipher.TDES)


def run_bac(transmit: Transmit, mrz_information: str, rng: Callable[[int], bytes] = os.urandom) -> SecureMessaging:
    """Authenticate with BAC and return the secure-messaging channel (§4.3.4).

    ``mrz_information``: document number, date of birth, date of expiry, each with
    its check digit, as formed by the MRZ parser. ``rng`` draws RND.IFD (8 bytes)
    then K.IFD (16 bytes).

    Raises ``AccessDeniedError`` when the chip rejects the keys (SW 6300/6982/6988),
    ``StatusError`` on other status words, ``ParseError`` on malformed answers and
    ``SecureMessagingError`` when the chip's own cryptogram does not verify."""
    k_enc, k_mac = bac_keys(mrz_information)

    resp = transmit(Command(0x00, INS_GET_CHALLENGE, 0x00, 0x00, le=8))
    if resp.sw != SW_OK:
        raise StatusError(resp.sw, "GET CHALLENGE")
    if len(resp.data) != 8:
        raise ParseError(f"GET CHALLENGE returned {len(resp.data)} bytes, expected 8")
    rnd_ic = resp.data

    rnd_ifd = bytes(rng(8))
    k_ifd = bytes(rng(16))
    if len(rnd_ifd) != 8 or len(k_ifd) != 16:
        raise ValueError("rng returned the wrong number of bytes")
    cmd_data = _cryptogram(k_enc, k_mac, rnd_ifd + rnd_ic + k_ifd)
    resp = transmit(Command(0x00, INS_EXTERNAL_AUTHENTICATE, 0x00, 0x00, cmd_data, le=_AUTH_LEN))
    if resp.sw in ACCESS_DENIED_SW:
        raise AccessDeniedError(f"BAC: chip rejected the access key (SW {resp.sw:04X})")
    if resp.sw != SW_OK:
        raise StatusError(resp.sw, "EXTERNAL AUTHENTICATE")
    if len(resp.data) != _AUTH_LEN:
        raise ParseError(f"EXTERNAL AUTHENTICATE returned {len(resp.data)} bytes, expected {_AUTH_LEN}")
    r = _open(k_enc, k_mac, resp.data)
    if r is None:
        raise SecureMessagingError("BAC: the chip's MAC does not verify")
    if not (hmac.compare_digest(r[:8], rnd_ic) and hmac.compare_digest(r[8:16], rnd_ifd)):
        raise SecureMessagingError("BAC: the chip's cryptogram does not echo the challenges")
    return _session(k_ifd, r[16:32], rnd_ic, rnd_ifd)


class BacChip:
    """The chip's half of BAC. ``handle`` answers every command with a
    ``Response`` (never raises); ``sm`` is set once the terminal authenticated."""

    def __init__(self, mrz_information: str, rng: Callable[[int], bytes] = os.urandom):
        self._k_enc, self._k_mac = bac_keys(mrz_information)
        self._rng = rng
        self._rnd_ic: bytes | None = None
        self.sm: SecureMessaging | None = None

    def __repr__(self) -> str:
        return "BacChip()"

    def handle(self, cmd: Command) -> Response:
        if cmd.cla != 0x00:
            return Response(b"", SW_CLA)
        if cmd.ins == INS_GET_CHALLENGE:
            return self._get_challenge(cmd)
        if cmd.ins == INS_EXTERNAL_AUTHENTICATE:
            return self._external_authenticate(cmd)
        return Response(b"", SW_INS)

    def _get_challenge(self, cmd: Command) -> Response:
        if cmd.p1 or cmd.p2:
            return Response(b"", SW_WRONG_PARAMETERS)
        if cmd.data or cmd.le != 8:
            return Response(b"", SW_WRONG_LENGTH)
        self._rnd_ic = bytes(self._rng(8))
        self.sm = None
        return Response(self._rnd_ic, SW_OK)

    def _external_authenticate(self, cmd: Command) -> Response:
        rnd_ic, self._rnd_ic = self._rnd_ic, None  # one attempt per challenge
        if rnd_ic is None:
            return Response(b"", SW_CONDITIONS)
        if cmd.p1 or cmd.p2:
            return Response(b"", SW_WRONG_PARAMETERS)
        if len(cmd.data) != _AUTH_LEN:
            return Response(b"", SW_WRONG_LENGTH)
        s = _open(self._k_enc, self._k_mac, cmd.data)
        if s is None or not hmac.compare_digest(s[8:16], rnd_ic):
            return Response(b"", 0x6300)
        rnd_ifd, k_ifd = s[:8], s[16:32]
        k_ic = bytes(self._rng(16))
        data = _cryptogram(self._k_enc, self._k_mac, rnd_ic + rnd_ifd + k_ic)
        self.sm = _session(k_ifd, k_ic, rnd_ic, rnd_ifd)
        return Response(data, SW_OK)
