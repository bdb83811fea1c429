"""A TEST-ONLY staff badge: the GUICHET staff applet (``docs/staff-card.md``) in software.

It answers as the JavaCard applet would: SELECT by AID, GET DATA of the staff number
(DF01) and of the public key (DF02), INTERNAL AUTHENTICATE (ECDSA-P256/SHA-256, DER,
over ``DOMAIN || challenge``). The key pair is generated when the badge is created
(``EmulatedBadge.create``); the private key never leaves the object except through
``private_pem()``, which the emulator's ``--key`` file uses so that one TEST-ONLY
badge can be enrolled once and served again. A badge opens nothing until a technician
enrols its key for an account on a kiosk (``kiosk staff card enrol``).

Like ``EmulatedChip``: ``process(bytes) -> bytes`` is the wire interface (vpcd),
``transmit(Command) -> Response`` the in-process one, ``power_on()`` a reset.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..apdu import Command, Response
from ..staff_card import (CHALLENGE_LENGTH, DOMAIN, INS_GET_DATA, INS_INTERNAL_AUTHENTICATE,
                          INS_SELECT, STAFF_AID, STAFF_NUMBER_LENGTHS, TAG_PUBLIC_KEY,
                          TAG_STAFF_NUMBER, fingerprint, short_fingerprint)
from ..crypto import tlv
from ..status import (SW_CLA, SW_CONDITIONS, SW_INCORRECT_P1P2, SW_INS, SW_NOT_FOUND, SW_OK,
                      SW_REF_NOT_FOUND, SW_WRONG_LENGTH)
from .chip import ATR_SHORT, decode_apdu


class EmulatedBadge:
    """A staff badge personalised for ``staff_number`` with ``private_key`` (P-256)."""

    def __init__(self, staff_number: str, private_key: ec.EllipticCurvePrivateKey):
        if len(staff_number) not in STAFF_NUMBER_LENGTHS or not (staff_number.isascii() and staff_number.isdigit()):
            raise ValueError("a badge's staff number is 2 to 8 digits")
        if not isinstance(private_key, ec.EllipticCurvePrivateKey) or private_key.curve.name != "secp256r1":
            raise ValueError("a badge's key is a P-256 private key")
        self.staff_number = staff_number
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.atr = ATR_SHORT
        self.apdus = 0
        self.power_on()

    @classmethod
    def create(cls, staff_number: str) -> "EmulatedBadge":
        """A new TEST-ONLY badge; its key pair is generated here, as on the card."""
        return cls(staff_number, ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, staff_number: str, pem: bytes) -> "EmulatedBadge":
        try:
            key = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as e:
            raise ValueError(f"not a PEM private key ({type(e).__name__})") from None
        return cls(staff_number, key)

    def private_pem(self) -> bytes:
        """TEST-ONLY: the emulator keeps its badge's key in a file between runs."""
        return self._key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def __repr__(self) -> str:
        return f"EmulatedBadge(TEST-ONLY, key {short_fingerprint(self.public_key)})"

    # -- state -------------------------------------------------------------------
    def power_on(self) -> None:
        self._selected = False

    # -- wire --------------------------------------------------------------------
    def process(self, raw: bytes) -> bytes:
        self.apdus += 1
        cmd = decode_apdu(raw)
        if cmd is None:
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        return self.transmit(cmd).encode()

    def transmit(self, cmd: Command) -> Response:
        if cmd.cla != 0x00:
            return Response(b"", SW_CLA)
        if cmd.ins == INS_SELECT:
            return self._select(cmd)
        if cmd.ins not in (INS_GET_DATA, INS_INTERNAL_AUTHENTICATE):
            return Response(b"", SW_INS)
        if not self._selected:
            return Response(b"", SW_CONDITIONS)
        if cmd.ins == INS_GET_DATA:
            return self._get_data(cmd)
        return self._internal_authenticate(cmd)

    # -- commands ----------------------------------------------------------------
    def _select(self, cmd: Command) -> Response:
        if cmd.p1 != 0x04 or cmd.p2 not in (0x00, 0x0C):
            return Response(b"", SW_INCORRECT_P1P2)
        if cmd.data != STAFF_AID:
            return Response(b"", SW_NOT_FOUND)  # the selection stays as it was
        self._selected = True
        if cmd.p2 == 0x0C:
            return Response(b"", SW_OK)
        return self._out(cmd, tlv.encode(0x6F, tlv.encode(0x84, STAFF_AID)))  # FCI: the AID

    def _get_data(self, cmd: Command) -> Response:
        if cmd.data:
            return Response(b"", SW_WRONG_LENGTH)
        tag = (cmd.p1 << 8) | cmd.p2
        if tag == TAG_STAFF_NUMBER:
            return self._out(cmd, tlv.encode(tag, self.staff_number.encode("ascii")))
        if tag == TAG_PUBLIC_KEY:
            return self._out(cmd, tlv.encode(tag, self.public_key))
        return Response(b"", SW_REF_NOT_FOUND)

    def _internal_authenticate(self, cmd: Command) -> Response:
        if cmd.p1 or cmd.p2:
            return Response(b"", SW_INCORRECT_P1P2)
        if len(cmd.data) != CHALLENGE_LENGTH:
            return Response(b"", SW_WRONG_LENGTH)
        signature = self._key.sign(DOMAIN + cmd.data, ec.ECDSA(hashes.SHA256()))
        return self._out(cmd, signature)

    @staticmethod
    def _out(cmd: Command, data: bytes) -> Response:
        """Response data within Le: a shorter Le gets 6Cxx (the exact length), as T=0 cards do."""
        if cmd.le is not None and cmd.le < len(data):
            return Response(b"", 0x6C00 | len(data))
        return Response(data, SW_OK)
