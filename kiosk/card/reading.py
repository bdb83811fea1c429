"""Reading an eMRTD: access control, the data groups, passive and active authentication.

``read_document(transmit, key, ...)`` works over any ``Transmit``: the PC/SC
connection, the in-process emulator, a test double. Phases are timed and their
APDUs counted so a slow read can be told apart from a slow transport.

Reading strategy (fewest APDUs): every EF is read by short EF identifier (no
SELECT), asking first for as much as the chip gives in one response (extended
Le 65536), then, when the TLV header says more is left, READ BINARY by offset
for exactly what remains. A chip or reader that refuses extended length falls
back to short reads of the largest size secure messaging allows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from .aa import active_authenticate
from .apdu import Command, Response, Transmit
from .bac import run_bac
from .crypto.sm import SecureMessaging, SMUnprotectedError
from .errors import (AccessDeniedError, CardError, ParseError, SecureMessagingError,
                     TransportError, UnsupportedCardError, VerificationError)
from .lds import tlv
from .lds.files import (AID_EMRTD, SFI_CARD_ACCESS, SFI_COM, SFI_SOD, dg_sfi, parse_dg1, parse_dg11, parse_dg12, parse_dg15, parse_ef_com)
from .lds.image import decode_face_image
from .lds.face import parse_dg2
from .lds.mrz import MRZ
from .pace import parse_card_access, run_pace, select_pace_info
from .passive import PassiveResult, TrustStore, passive_authenticate
from .status import FileNotFound, WrongLength, check

log = logging.getLogger(__name__)


#: the largest short READ BINARY whose secure-messaging response still fits 256
#: bytes: 223 plain bytes pad to 224, + DO'87' header 4, DO'99' 4, DO'8E' 10.
SHORT_SM_READ = 0xDF
EXTENDED_READ = 65536


@dataclass
class AccessKey:
    """What the citizen or technician gave: the CAN, or the MRZ information
    (document number, birth date, expiry, each with its check digit)."""

    can: str | None = None
    mrz_information: str | None = None

    def __repr__(self) -> str:
        return f"AccessKey(can={'set' if self.can else 'none'}, mrz={'set' if self.mrz_information else 'none'})"


@dataclass
class Phase:
    name: str
    ms: float = 0.0
    apdus: int = 0


@dataclass(repr=False)
class ReadResult:
    protocol: str                      # "PACE-CAN", "PACE-MRZ", "BAC"
    mrz: MRZ
    dg11: object | None                # PersonalDetails
    dg12: object | None                # DocumentDetails
    photo_png: bytes | None
    photo_format: str
    passive: PassiveResult
    active: str                        # "verified", "failed: ...", "not-supported"
    data_groups: tuple[int, ...]
    phases: list[Phase] = field(default_factory=list)
    extended_length: bool = False
    dg11_raw: bytes | None = None

    def __repr__(self) -> str:
        return f"ReadResult({self.protocol}, passive={self.passive.status}, active={self.active})"

    @property
    def apdus(self) -> int:
        return sum(p.apdus for p in self.phases)

    @property
    def elapsed_ms(self) -> float:
        return sum(p.ms for p in self.phases)


class _Counter:
    """Counts APDUs through a Transmit."""

    def __init__(self, transmit: Transmit):
        self._transmit = transmit
        self.count = 0

    def __call__(self, cmd: Command) -> Response:
        self.count += 1
        return self._transmit(cmd)


class SecureChannel:
    """A Transmit that protects every command with secure messaging."""

    def __init__(self, transmit: Transmit, sm: SecureMessaging):
        self._transmit = transmit
        self.sm = sm

    def __call__(self, cmd: Command) -> Response:
        return self.sm.unprotect(self._transmit(self.sm.protect(cmd)))


class Reader:
    """One read of one chip. Not reusable; not thread-safe (one thread per card)."""

    def __init__(self, transmit: Transmit, key: AccessKey, *, trust: TrustStore | None = None,
                 today: dt.date | None = None, extended_length: bool | None = None,
                 progress: Callable[[str, float], None] | None = None):
        self._raw = _Counter(transmit)
        self.key = key
        self.trust = trust
        self.today = today or dt.date.today()
        # None: try extended length and fall back; True/False: as told.
        self._extended = extended_length
        self._progress = progress or (lambda phase, fraction: None)
        self.phases: list[Phase] = []
        self.protocol = ""
        self._channel: SecureChannel | None = None
        self._reauthenticated = False

    @contextmanager
    def _phase(self, name: str):
        phase = Phase(name)
        start_count, start = self._raw.count, time.perf_counter()
        try:
            yield phase
        finally:
            phase.ms = (time.perf_counter() - start) * 1000
            phase.apdus = self._raw.count - start_count
            self.phases.append(phase)

    # -- access control -------------------------------------------------------------
    def read_card_access(self) -> bytes | None:
        """EF.CardAccess, unprotected, at MF level. None when the chip has none."""
        try:
            return self._read_file(SFI_CARD_ACCESS, self._raw, secure=False)
        except FileNotFound:
            return None
        except (TransportError, AccessDeniedError):
            raise
        except CardError:
            return None  # an odd answer to an optional file: go on without PACE

    def authenticate(self) -> None:
        card_access = self.read_card_access()
        info = None
        if card_access:
            try:
                info = select_pace_info(parse_card_access(card_access))
            except ParseError as e:
                log.info("EF.CardAccess unusable (%s), trying BAC", e)
        if info is not None and (self.key.can or self.key.mrz_information):
            kind, password = ("CAN", self.key.can) if self.key.can else ("MRZ", self.key.mrz_information)
            sm = run_pace(self._raw, info, password, kind)
            self.protocol = f"PACE-{kind}"
            self._channel = SecureChannel(self._raw, sm)
            check(self._channel(Command(0x00, 0xA4, 0x04, 0x0C, AID_EMRTD)), "SELECT eMRTD application")
            return
        if not self.key.mrz_information:
            if info is None:
                raise AccessDeniedError("this document has no PACE: BAC needs the MRZ, not the CAN")
            raise AccessDeniedError("no access key given")
        check(self._raw(Command(0x00, 0xA4, 0x04, 0x0C, AID_EMRTD)), "SELECT eMRTD application")
        sm = run_bac(self._raw, self.key.mrz_information)
        self.protocol = "BAC"
        self._channel = SecureChannel(self._raw, sm)

    # -- files ----------------------------------------------------------------------
    def _read_file(self, sfi: int, transmit: Transmit, secure: bool = True) -> bytes:
        """The whole EF with short identifier ``sfi``: first READ BINARY by SFI, then
        by offset for exactly what the TLV header says remains."""
        extended = self._extended is not False
        first_le = EXTENDED_READ if extended else (SHORT_SM_READ if secure else 256)
        try:
            first = self._read(transmit, Command(0x00, 0xB0, 0x80 | sfi, 0x00, le=first_le), "READ BINARY")
        except (WrongLength, SecureMessagingError, TransportError) as e:
            if not extended or self._extended is True or isinstance(e, SMUnprotectedError):
                raise
            # The chip or reader refused extended length: short reads from now on.
            log.info("extended length refused (%s), using short reads", type(e).__name__)
            self._extended = False
            return self._read_file(sfi, transmit, secure)
        if extended and self._extended is None:
            self._extended = True
        data = bytearray(first)
        total = tlv.file_length(bytes(data[:8]))
        chunk = EXTENDED_READ if self._extended else (SHORT_SM_READ if secure else 256)
        while len(data) < total:
            offset = len(data)
            if offset > 0x7FFF:
                raise UnsupportedCardError("file larger than 32 KB needs odd-INS READ BINARY")
            want = min(chunk, total - offset)
            part = self._read(transmit, Command(0x00, 0xB0, offset >> 8, offset & 0xFF, le=want),
                              "READ BINARY")
            if not part:
                raise ParseError(f"EF (SFI {sfi:02X}) ended at {offset} of {total} bytes")
            data += part
        return bytes(data[:total])

    def _read(self, transmit: Transmit, cmd: Command, what: str) -> bytes:
        return check(transmit(cmd), what).data

    def read_dg(self, sfi: int) -> bytes | None:
        """A protected EF, or None when the chip does not have it. An error status
        without secure messaging means the chip dropped the session: redo access
        control once, as field-proven readers do."""
        try:
            return self._read_file(sfi, self._channel)
        except FileNotFound:
            return None
        except SMUnprotectedError as e:
            if self._reauthenticated or e.sw == 0x6A82:
                if e.sw == 0x6A82:
                    return None
                raise
            self._reauthenticated = True
            log.info("chip answered SW %04X without secure messaging: access control again", e.sw)
            self.authenticate()
            return self.read_dg(sfi)

    # -- the whole read -------------------------------------------------------------
    def read(self, photo: bool = True) -> ReadResult:
        self._progress("access", 0.05)
        with self._phase("access"):
            self.authenticate()
        self._progress("read", 0.2)
        dgs: dict[int, bytes] = {}
        with self._phase("read"):
            com = parse_ef_com(self._require(SFI_COM, "EF.COM"))
            listed = set(com.data_groups)
            for n in (1, 11, 12, 14, 15, 2):  # the photo last: the biggest
                if n in listed and (n != 2 or photo):
                    data = self.read_dg(dg_sfi(n))
                    if data is not None:
                        dgs[n] = data
                    self._progress("read", 0.2 + 0.6 * len(dgs) / max(1, len(listed)))
            if 1 not in dgs:
                raise UnsupportedCardError("the chip has no DG1")
            sod = self._require(SFI_SOD, "EF.SOD")
        self._progress("verify", 0.85)
        with self._phase("verify"):
            mrz = parse_dg1(dgs[1], today=self.today)
            passive = passive_authenticate(sod, dgs, self.trust, self.today)
            dg11 = parse_dg11(dgs[11]) if 11 in dgs else None
            dg12 = parse_dg12(dgs[12]) if 12 in dgs else None
            photo_png, photo_format = None, ""
            if 2 in dgs:
                image = decode_face_image(parse_dg2(dgs[2])[0].image)
                photo_png, photo_format = image.png, image.source_format
        active = "not-supported"
        if 15 in dgs:
            with self._phase("active"):
                active = self._active(dgs)
        self._progress("done", 1.0)
        return ReadResult(self.protocol, mrz, dg11, dg12, photo_png, photo_format, passive, active,
                          tuple(sorted(dgs)), self.phases, bool(self._extended), dgs.get(11))

    def _require(self, sfi: int, name: str) -> bytes:
        data = self.read_dg(sfi)
        if data is None:
            raise UnsupportedCardError(f"the chip has no {name}")
        return data

    def _active(self, dgs: dict[int, bytes]) -> str:
        key = parse_dg15(dgs[15])
        try:
            active_authenticate(self._channel, key.spki_der)
        except VerificationError as e:
            return f"failed: {e}"
        return "verified"


def read_document(transmit: Transmit, key: AccessKey, **kwargs) -> ReadResult:
    photo = kwargs.pop("photo", True)
    return Reader(transmit, key, **kwargs).read(photo=photo)
