"""An ICAO 9303 chip in software: file system, access control, secure messaging.

It answers the APDUs a reader sends to an eMRTD: SELECT (the eMRTD application
and EFs by identifier), READ BINARY (by offset or short EF identifier, short and
extended Le), GET CHALLENGE / EXTERNAL AUTHENTICATE (BAC), MSE:Set AT / GENERAL
AUTHENTICATE (PACE), INTERNAL AUTHENTICATE (Active Authentication). After access
control every command must come under secure messaging; a plain command ends the
secure session, as on real chips. ``process(bytes) -> bytes`` is the wire
interface (vpcd); ``transmit(Command) -> Response`` is the in-process one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..aa import AaChip
from ..apdu import Command, Response
from ..bac import BacChip
from ..errors import CardError
from ..lds.files import AID_EMRTD, EF_CARD_ACCESS
from ..pace import PaceChip, build_card_access
from ..status import (SW_INCORRECT_P1P2, SW_INS, SW_NO_EF, SW_NOT_FOUND, SW_OK, SW_SECURITY,
                      SW_SM_MISSING, SW_SM_WRONG, SW_WRONG_LENGTH, SW_WRONG_PARAMETERS)


def _atr(extended: bool) -> bytes:
    """A T=1 ATR whose historical bytes hold "card capabilities" (compact TLV 73):
    the third byte's bit 0x40 announces extended Lc/Le, as many eMRTD chips do."""
    hist = bytes((0x80, 0x73, 0x00, 0x00, 0x40 if extended else 0x00))
    body = bytes((0x80 | len(hist), 0x80, 0x01)) + hist  # T0 (TD1, K), TD1 (TD2), TD2 (T=1)
    tck = 0
    for b in body:
        tck ^= b
    return b"\x3B" + body + bytes((tck,))


ATR_EXTENDED = _atr(True)
ATR_SHORT = _atr(False)


def decode_apdu(raw: bytes) -> Command | None:
    """The command an emulated card received over the wire; None when it does not parse
    (the card then answers wrong length, as a real one would)."""
    try:
        return Command.decode(raw)
    except (CardError, ValueError):
        return None


@dataclass
class ChipOptions:
    extended_length: bool = True
    #: the most bytes one READ BINARY returns (a chip's buffer size)
    max_read: int = 65536
    #: short-only chips cap at 256 anyway
    bac: bool = True
    pace: bool = True


class EmulatedChip:
    def __init__(self, files: dict[int, bytes], *, mrz_information: str | None, can: str | None,
                 pace_infos=(), aa_private_key=None, options: ChipOptions | None = None,
                 rng=os.urandom):
        self.options = options or ChipOptions()
        self._files = dict(files)
        self._pace_infos = list(pace_infos) if self.options.pace else []
        if self._pace_infos:
            self._files[EF_CARD_ACCESS] = build_card_access(self._pace_infos)
        self._mrz_information = mrz_information
        self._can = can
        self._aa_key = aa_private_key
        self._rng = rng
        self.atr = ATR_EXTENDED if self.options.extended_length else ATR_SHORT
        self.apdus = 0
        self.power_on()

    def __repr__(self) -> str:
        return f"EmulatedChip(files={sorted(hex(f) for f in self._files)})"

    # -- state -------------------------------------------------------------------
    def power_on(self) -> None:
        self._selected: int | None = None
        self._app_selected = False
        self._sm = None
        self._bac = BacChip(self._mrz_information, rng=self._rng) if (
            self.options.bac and self._mrz_information) else None
        passwords = {}
        if self._can:
            passwords["CAN"] = self._can
        if self._mrz_information:
            passwords["MRZ"] = self._mrz_information
        self._pace = PaceChip(self._pace_infos, passwords, rng=self._rng) if self._pace_infos else None
        self._aa = AaChip(self._aa_key) if self._aa_key is not None else None
        self._auth_in_progress = None

    # -- wire --------------------------------------------------------------------
    def process(self, raw: bytes) -> bytes:
        self.apdus += 1
        cmd = decode_apdu(raw)
        if cmd is None or (cmd.needs_extended and not self.options.extended_length):
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        return self.transmit(cmd).encode()

    def transmit(self, cmd: Command) -> Response:
        if cmd.cla & 0x0C == 0x0C:  # secure messaging
            if self._sm is None:
                return Response(b"", SW_SM_MISSING)
            try:
                inner = self._sm.unprotect_command(cmd)
            except CardError:
                self._sm = None  # a bad MAC ends the secure session
                return Response(b"", SW_SM_WRONG)
            return self._sm.protect_response(self._dispatch(inner, secure=True))
        self._sm = None  # a plain command after access control ends the secure session
        return self._dispatch(cmd, secure=False)

    # -- commands ----------------------------------------------------------------
    def _dispatch(self, cmd: Command, secure: bool) -> Response:
        ins = cmd.ins
        if ins == 0xA4:
            return self._select(cmd, secure)
        if ins == 0xB0:
            return self._read_binary(cmd, secure)
        if ins == 0x84 and self._bac is not None and not secure:
            return self._bac.handle(cmd)
        if ins == 0x82 and self._bac is not None and not secure:
            resp = self._bac.handle(cmd)
            if resp.ok and self._bac.sm is not None:
                self._sm = self._bac.sm
            return resp
        if ins in (0x22, 0x86) and self._pace is not None and not secure:
            resp = self._pace.handle(cmd)
            if resp.ok and self._pace.sm is not None and ins == 0x86 and not cmd.cla & 0x10:
                self._sm = self._pace.sm
            return resp
        if ins == 0x88:
            if not secure or self._aa is None:
                return Response(b"", SW_SECURITY if self._aa is not None else SW_INS)
            return self._aa.handle(cmd)
        return Response(b"", SW_INS)

    def _readable(self, fid: int, secure: bool) -> bool:
        return fid == EF_CARD_ACCESS or (secure and self._app_selected)

    def _select(self, cmd: Command, secure: bool) -> Response:
        if cmd.p1 == 0x04:
            if cmd.data != AID_EMRTD:
                return Response(b"", SW_NOT_FOUND)
            self._app_selected = True
            self._selected = None
            return Response(b"", SW_OK)
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
            if fid not in self._files:
                return Response(b"", SW_NOT_FOUND)
            if not self._readable(fid, secure):
                return Response(b"", SW_SECURITY)
            self._selected = fid
            return Response(b"", SW_OK)
        if cmd.p1 == 0x00 and not cmd.data:  # select MF
            self._selected = None
            return Response(b"", SW_OK)
        return Response(b"", SW_INCORRECT_P1P2)

    def _read_binary(self, cmd: Command, secure: bool) -> Response:
        if cmd.p1 & 0x80:  # short EF identifier in P1, offset in P2
            sfi = cmd.p1 & 0x1F
            fid = next((f for f in self._files if f & 0x1F == sfi and f >> 8 == 0x01), None)
            if fid is None:
                return Response(b"", SW_NOT_FOUND)
            if not self._readable(fid, secure):
                return Response(b"", SW_SECURITY)
            self._selected = fid
            offset = cmd.p2
        else:
            if self._selected is None:
                return Response(b"", SW_NO_EF)
            if not self._readable(self._selected, secure):
                return Response(b"", SW_SECURITY)
            offset = (cmd.p1 << 8) | cmd.p2
        content = self._files[self._selected]
        if offset > len(content):
            return Response(b"", SW_WRONG_PARAMETERS)
        n = min(cmd.le or 256, self.options.max_read)
        return Response(content[offset:offset + n], SW_OK)


def profile_path(name: str):
    """``cnie`` and ``passport`` are the bundled profiles; anything else is a file."""
    from pathlib import Path

    from .document import CNIE_PROFILE, PASSPORT_PROFILE

    return {"cnie": CNIE_PROFILE, "passport": PASSPORT_PROFILE}.get(name, Path(name))


def chip_for(document, options: ChipOptions | None = None, rng=os.urandom) -> EmulatedChip:
    """A chip holding an ``EmulatedDocument``, offering the access methods of its profile."""
    from ..pace import PaceInfo

    access = set(document.access)
    options = options or ChipOptions()
    options.bac = options.bac and "bac" in access
    pace_kinds = {a for a in access if a.startswith("pace-")}
    options.pace = options.pace and bool(pace_kinds)
    infos = [PaceInfo(p.protocol, p.version, p.parameter_id) for p in document.pace_infos]
    mrz_ok = "bac" in access or "pace-mrz" in access
    return EmulatedChip(document.files,
                        mrz_information=document.mrz_information if mrz_ok else None,
                        can=document.can if "pace-can" in access else None,
                        pace_infos=infos, aa_private_key=document.aa_private_key,
                        options=options, rng=rng)


def describe_access(document) -> str:
    """The access data a tester types (TEST-ONLY documents, not a citizen's)."""
    from ..lds.mrz import parse_mrz

    m = parse_mrz(document.mrz)
    parts = [f"{m.format} {m.document_code}"]
    if any(a.startswith("pace-") for a in document.access) and document.can:
        parts.append(f"CAN {document.can}")
    parts.append(f"MRZ key {m.document_number},{m.birth_date_raw},{m.expiry_date_raw}")
    parts.append("access " + "/".join(document.access))
    return "; ".join(parts)
