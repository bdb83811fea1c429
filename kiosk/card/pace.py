"""PACE (Password Authenticated Connection Establishment), ICAO 9303-11 §4.4,
Generic Mapping (§4.4.3.3.1) with ECDH and DH; worked examples in Appendix G.

- :func:`parse_card_access` / :func:`build_card_access`: EF.CardAccess (§9.2.1) to
  and from :class:`PaceInfo`.
- :func:`run_pace`: the terminal side, returning the secure-messaging channel.
- :class:`PaceChip`: the chip side, for the emulator.

Protocol (§4.4.4): MSE:Set AT, then four GENERAL AUTHENTICATE commands whose
dynamic authentication data (tag 7C) carry: 1. encrypted nonce (80), 2. mapping
data (81 → 82), 3. ephemeral public keys (83 → 84), 4. authentication tokens
(85 → 86, optionally 87/88 certification authority references).
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from .apdu import EXTENDED_MAX_LE, SHORT_MAX_LE, SW_OK, Command, Response, Transmit
from .crypto import tlv
from .crypto.cipher import Cipher, aes_cmac, decrypt_cbc, encrypt_cbc, pad, retail_mac
from .crypto.ec import Curve, ModpGroup, Point, random_scalar, standard_domain_parameters
from .crypto.kdf import PASSWORD_REFERENCES, k_pi, session_keys
from .crypto.sm import SecureMessaging
from .errors import AccessDeniedError, CardError, ParseError, SecureMessagingError, StatusError, UnsupportedCardError
from .status import (ACCESS_DENIED_SW, SW_CLA, SW_CONDITIONS, SW_INCORRECT_P1P2, SW_INS,
                     SW_REF_NOT_FOUND, SW_WRONG_DATA, tries_left)

Rng = Callable[[int], bytes]

ID_PACE = "0.4.0.127.0.7.2.2.4"
_KEY_AGREEMENT_MAPPING = {1: ("DH", "GM"), 2: ("ECDH", "GM"), 3: ("DH", "IM"), 4: ("ECDH", "IM"), 6: ("ECDH", "CAM")}
_CIPHERS = {1: Cipher.TDES, 2: Cipher.AES128, 3: Cipher.AES192, 4: Cipher.AES256}

INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86
CLA_CHAINING = 0x10

TAG_DYNAMIC_AUTH = 0x7C
TAG_PUBLIC_KEY = 0x7F49



def pace_oid(key_agreement: str, mapping: str, cipher: Cipher) -> str:
    """The PACE protocol OID, e.g. ``pace_oid("ECDH", "GM", Cipher.AES128)`` is
    id-PACE-ECDH-GM-AES-CBC-CMAC-128 (§9.2.1)."""
    ka = {v: k for k, v in _KEY_AGREEMENT_MAPPING.items()}[(key_agreement, mapping)]
    ci = {v: k for k, v in _CIPHERS.items()}[cipher]
    return f"{ID_PACE}.{ka}.{ci}"


@dataclass(frozen=True)
class PaceInfo:
    """PACEInfo ::= SEQUENCE { protocol OID, version INTEGER, parameterId INTEGER OPTIONAL }."""

    oid: str
    version: int = 2
    parameter_id: int | None = None

    def _arcs(self) -> tuple[int, int]:
        prefix = ID_PACE + "."
        tail = self.oid[len(prefix):].split(".") if self.oid.startswith(prefix) else []
        if len(tail) != 2 or not all(t.isdigit() for t in tail):
            raise UnsupportedCardError(f"not a PACE protocol: {self.oid}")
        ka, ci = int(tail[0]), int(tail[1])
        if ka not in _KEY_AGREEMENT_MAPPING or ci not in _CIPHERS:
            raise UnsupportedCardError(f"unknown PACE protocol: {self.oid}")
        return ka, ci

    @property
    def key_agreement(self) -> str:
        """``"ECDH"`` or ``"DH"``."""
        return _KEY_AGREEMENT_MAPPING[self._arcs()[0]][0]

    @property
    def mapping(self) -> str:
        """``"GM"`` (generic), ``"IM"`` (integrated) or ``"CAM"`` (chip authentication mapping)."""
        return _KEY_AGREEMENT_MAPPING[self._arcs()[0]][1]

    @property
    def cipher(self) -> Cipher:
        return _CIPHERS[self._arcs()[1]]

    @property
    def domain_parameters(self) -> Curve | ModpGroup:
        if self.parameter_id is None:
            raise UnsupportedCardError("PACE with proprietary domain parameters")
        params = standard_domain_parameters(self.parameter_id)
        if isinstance(params, Curve) != (self.key_agreement == "ECDH"):
            raise UnsupportedCardError(f"parameter id {self.parameter_id} does not fit {self.key_agreement}")
        return params

    @property
    def supported(self) -> bool:
        """True when :func:`run_pace` can run this PACEInfo (version 2, generic mapping,
        standardized domain parameters)."""
        try:
            return self.version == 2 and self.mapping == "GM" and self.domain_parameters is not None
        except UnsupportedCardError:
            return False


# --- EF.CardAccess -------------------------------------------------------------------

def parse_card_access(data: bytes) -> list[PaceInfo]:
    """The PACEInfos of EF.CardAccess (a DER SET OF SecurityInfo, §9.2.1).

    Other SecurityInfos (chip authentication, PACEDomainParameterInfo, ...) and
    PACEInfos whose fields are malformed are ignored; bytes after the SET (file
    padding) are ignored. A file that is not a SET of SEQUENCEs raises ParseError."""
    outer, _ = tlv.parse_one(bytes(data))
    if outer.tag != 0x31:
        raise ParseError(f"EF.CardAccess: expected a SET, found tag {outer.tag:X}")
    infos = []
    for item in tlv.parse(outer.value):
        if item.tag != 0x30:
            raise ParseError(f"EF.CardAccess: SecurityInfo with tag {item.tag:X}")
        fields = tlv.parse(item.value)
        if not fields or fields[0].tag != 0x06:
            raise ParseError("EF.CardAccess: SecurityInfo without a protocol OID")
        oid = tlv.decode_oid(fields[0].value)
        if not oid.startswith(ID_PACE + ".") or oid.count(".") != ID_PACE.count(".") + 2:
            continue  # not a PACEInfo (other protocol or PACEDomainParameterInfo)
        rest = fields[1:]
        if not 1 <= len(rest) <= 2 or any(f.tag != 0x02 or len(f.value) > 8 for f in rest):
            continue
        version = tlv.decode_int(rest[0].value)
        param = tlv.decode_int(rest[1].value) if len(rest) == 2 else None
        infos.append(PaceInfo(oid, version, param))
    return infos


def build_card_access(infos: Iterable[PaceInfo]) -> bytes:
    """DER EF.CardAccess holding these PACEInfos (SET OF sorted as DER requires)."""
    items = []
    for info in infos:
        body = tlv.encode(0x06, tlv.encode_oid(info.oid)) + tlv.encode(0x02, tlv.encode_uint(info.version))
        if info.parameter_id is not None:
            body += tlv.encode(0x02, tlv.encode_uint(info.parameter_id))
        items.append(tlv.encode(0x30, body))
    return tlv.encode(0x31, b"".join(sorted(items)))


def select_pace_info(infos: Iterable[PaceInfo]) -> PaceInfo | None:
    """The first PACEInfo that :func:`run_pace` supports, or None (then use BAC)."""
    return next((i for i in infos if i.supported), None)


# --- the two kinds of group --------------------------------------------------------

class _EcGroup:
    """ECDH generic mapping: G' = s·G + H, H = sk_map·PK_map (§4.4.3.3.1)."""

    tag_in_key = 0x86

    def __init__(self, curve: Curve):
        self.curve = curve
        self.order = curve.n
        self.generator: Point = curve.G

    def public(self, sk: int, gen: Point) -> Point:
        return self.curve.mul(sk, gen)

    def encode(self, element: Point) -> bytes:
        return self.curve.encode_point(element)

    def decode(self, data: bytes) -> Point:
        return self.curve.decode_point(data)

    def map_generator(self, s: int, h: Point) -> Point:
        g2 = self.curve.add(self.curve.mul(s, self.curve.G), h)
        if g2 is None:
            raise SecureMessagingError("PACE mapping gave the point at infinity")
        return g2

    def shared_secret(self, sk: int, peer: Point) -> bytes:
        k = self.curve.mul(sk, peer)
        if k is None:
            raise SecureMessagingError("PACE key agreement gave the point at infinity")
        return self.curve.encode_field(k[0])


class _DhGroup:
    """DH generic mapping: g' = g^s · h, h = PK_map^sk_map mod p (§4.4.3.3.1)."""

    tag_in_key = 0x84

    def __init__(self, group: ModpGroup):
        self.group = group
        self.order = group.q
        self.generator = group.g

    def public(self, sk: int, gen: int) -> int:
        return pow(gen, sk, self.group.p)

    def encode(self, element: int) -> bytes:
        return self.group.encode_element(element)

    def decode(self, data: bytes) -> int:
        return self.group.decode_element(data)

    def map_generator(self, s: int, h: int) -> int:
        p = self.group.p
        g2 = pow(self.group.g, s, p) * h % p
        if g2 <= 1:
            raise SecureMessagingError("PACE mapping gave a trivial generator")
        return g2

    def shared_secret(self, sk: int, peer: int) -> bytes:
        return self.encode(pow(peer, sk, self.group.p))


def _group(info: PaceInfo) -> _EcGroup | _DhGroup:
    if info.version != 2:
        raise UnsupportedCardError(f"PACE version {info.version}")
    if info.mapping != "GM":
        raise UnsupportedCardError(f"PACE {info.mapping} mapping is not supported")
    params = info.domain_parameters
    return _EcGroup(params) if isinstance(params, Curve) else _DhGroup(params)


def _token(info: PaceInfo, group, ks_mac: bytes, public_key: bytes) -> bytes:
    """Authentication token over the public key data object 7F49 {06 OID, 86/84 key}
    (§4.4.3.4, §9.4.1): AES-CMAC, or the retail MAC for 3DES."""
    body = tlv.encode(0x06, tlv.encode_oid(info.oid)) + tlv.encode(group.tag_in_key, public_key)
    data = tlv.encode(TAG_PUBLIC_KEY, body)
    cipher = info.cipher
    return aes_cmac(ks_mac, data) if cipher.is_aes else retail_mac(ks_mac, pad(data, 8))


def _dynamic_auth(tag: int | None = None, value: bytes = b"") -> bytes:
    return tlv.encode(TAG_DYNAMIC_AUTH, tlv.encode(tag, value) if tag is not None else b"")


def _parse_dynamic_auth(data: bytes) -> dict[int, bytes]:
    outer = tlv.parse_single(data, TAG_DYNAMIC_AUTH)
    return {t.tag: t.value for t in tlv.as_dict(tlv.parse(outer.value)).values()}


def _mse_set_at_data(info: PaceInfo, kind: str, include_parameter_id: bool) -> bytes:
    data = tlv.encode(0x80, tlv.encode_oid(info.oid)) + tlv.encode(0x83, bytes((PASSWORD_REFERENCES[kind],)))
    if include_parameter_id and info.parameter_id is not None:
        data += tlv.encode(0x84, tlv.encode_uint(info.parameter_id).lstrip(b"\x00") or b"\x00")
    return data


# --- terminal side -------------------------------------------------------------------

def run_pace(transmit: Transmit, info: PaceInfo, password: str, kind: str, rng: Rng = os.urandom,
             *, include_parameter_id: bool = False) -> SecureMessaging:
    """Run PACE with the generic mapping and return the secure-messaging channel
    (SSC zero). ``kind`` is ``"CAN"`` or ``"MRZ"`` (``password`` is then the MRZ
    information string) — ``"PIN"``/``"PUK"`` work the same way.

    ``rng`` draws the mapping private key then the ephemeral private key.
    ``include_parameter_id`` adds ``84 <parameterId>`` to MSE:Set AT, which the
    chip needs only when EF.CardAccess offers several domain parameters.

    Raises ``AccessDeniedError`` (with ``tries_left`` for SW 63Cx) when the chip
    rejects the password, ``UnsupportedCardError`` for protocols not implemented,
    ``StatusError``/``ParseError``/``SecureMessagingError`` for other failures."""
    if kind not in PASSWORD_REFERENCES:
        raise ValueError(f"unknown password kind {kind!r}")
    group = _group(info)
    cipher = info.cipher
    key_pi = k_pi(password, kind, cipher)
    le = EXTENDED_MAX_LE if len(group.encode(group.generator)) > 240 else SHORT_MAX_LE

    def step(cla: int, data: bytes, what: str, expect: int) -> tuple[bytes, dict[int, bytes]]:
        resp = transmit(Command(cla, INS_GENERAL_AUTHENTICATE, 0x00, 0x00, data, le))
        tries = tries_left(resp.sw)
        if tries is not None or (cla == 0x00 and resp.sw in ACCESS_DENIED_SW):
            raise AccessDeniedError(f"PACE: chip rejected the password (SW {resp.sw:04X})", tries)
        if resp.sw != SW_OK:
            raise StatusError(resp.sw, f"GENERAL AUTHENTICATE ({what})")
        fields = _parse_dynamic_auth(resp.data)
        if expect not in fields:
            raise ParseError(f"GENERAL AUTHENTICATE ({what}): no tag {expect:X} in the response")
        return fields[expect], fields

    resp = transmit(Command(0x00, INS_MSE, 0xC1, 0xA4, _mse_set_at_data(info, kind, include_parameter_id)))
    tries = tries_left(resp.sw)
    if tries == 0:
        raise AccessDeniedError(f"PACE: password blocked (SW {resp.sw:04X})", 0)
    if resp.sw != SW_OK and tries is None:  # 63Cx, x > 0, is a retry-counter warning
        raise StatusError(resp.sw, "MSE:Set AT")

    # 1. encrypted nonce
    z, _ = step(CLA_CHAINING, _dynamic_auth(), "encrypted nonce", 0x80)
    if not z or len(z) % cipher.block_size:
        raise ParseError(f"PACE: encrypted nonce of {len(z)} bytes")
    s = int.from_bytes(decrypt_cbc(cipher, key_pi, z), "big")

    # 2. map the nonce
    sk_map = random_scalar(group.order, rng)
    pk_map = group.encode(group.public(sk_map, group.generator))
    chip_map, _ = step(CLA_CHAINING, _dynamic_auth(0x81, pk_map), "map nonce", 0x82)
    if chip_map == pk_map:
        raise SecureMessagingError("PACE: chip mapping key equals the terminal's")
    h = group.public(sk_map, group.decode(chip_map))
    generator = group.map_generator(s, h)

    # 3. key agreement on the mapped generator
    sk_eph = random_scalar(group.order, rng)
    pk_ifd = group.encode(group.public(sk_eph, generator))
    pk_ic, _ = step(CLA_CHAINING, _dynamic_auth(0x83, pk_ifd), "key agreement", 0x84)
    if pk_ic == pk_ifd:
        raise SecureMessagingError("PACE: chip ephemeral key equals the terminal's")
    shared = group.shared_secret(sk_eph, group.decode(pk_ic))
    ks_enc, ks_mac = session_keys(shared, cipher)

    # 4. mutual authentication
    t_ifd = _token(info, group, ks_mac, pk_ic)
    t_ic, _fields = step(0x00, _dynamic_auth(0x85, t_ifd), "mutual authentication", 0x86)
    if not hmac.compare_digest(t_ic, _token(info, group, ks_mac, pk_ifd)):
        raise SecureMessagingError("PACE: the chip's authentication token does not verify")
    return SecureMessaging(ks_enc, ks_mac, 0, cipher)


# --- chip side -----------------------------------------------------------------------

class _Reset(Exception):
    """Abort the running PACE with this status word."""

    def __init__(self, sw: int):
        self.sw = sw


class PaceChip:
    """The chip's half of PACE-GM for the emulator and the tests.

    ``infos``: the PACEInfos it offers (see :func:`build_card_access`);
    ``passwords``: kind (``"CAN"``, ``"MRZ"`` = MRZ information, ...) → password.
    ``handle`` answers every command with a ``Response`` and never raises; ``sm``
    is set after a successful run. A wrong password fails the mutual-authentication
    step with SW 6300 and resets the protocol."""

    def __init__(self, infos: Sequence[PaceInfo], passwords: dict[str, str], rng: Rng = os.urandom):
        self.infos = list(infos)
        self._passwords = dict(passwords)
        self._rng = rng
        self._run: dict | None = None
        self.sm: SecureMessaging | None = None

    def __repr__(self) -> str:
        return f"PaceChip({len(self.infos)} PACEInfos)"

    def handle(self, cmd: Command) -> Response:
        try:
            if cmd.cla not in (0x00, CLA_CHAINING):
                return Response(b"", SW_CLA)
            if cmd.ins == INS_MSE:
                return self._mse(cmd)
            if cmd.ins == INS_GENERAL_AUTHENTICATE:
                return self._general_authenticate(cmd)
            return Response(b"", SW_INS)
        except _Reset as r:
            self._run = None
            return Response(b"", r.sw)
        except CardError:
            self._run = None
            return Response(b"", SW_WRONG_DATA)

    def _mse(self, cmd: Command) -> Response:
        self._run = None
        if cmd.cla != 0x00 or (cmd.p1, cmd.p2) != (0xC1, 0xA4):
            raise _Reset(SW_INCORRECT_P1P2)
        fields = {t.tag: t.value for t in tlv.as_dict(tlv.parse(cmd.data)).values()}
        if 0x80 not in fields or 0x83 not in fields or len(fields[0x83]) != 1:
            raise _Reset(SW_WRONG_DATA)
        oid = tlv.decode_oid(fields[0x80])
        param = tlv.decode_int(fields[0x84]) if 0x84 in fields and len(fields[0x84]) <= 8 else None
        if 0x84 in fields and param is None:
            raise _Reset(SW_WRONG_DATA)
        candidates = [i for i in self.infos if i.oid == oid and i.supported
                      and (param is None or i.parameter_id == param)]
        if not candidates:
            raise _Reset(SW_WRONG_DATA)
        kinds = {v: k for k, v in PASSWORD_REFERENCES.items()}
        kind = kinds.get(fields[0x83][0])
        if kind not in self._passwords:
            raise _Reset(SW_REF_NOT_FOUND)
        info = candidates[0]
        self.sm = None
        self._run = {"info": info, "group": _group(info), "step": 1,
                     "k_pi": k_pi(self._passwords[kind], kind, info.cipher)}
        return Response(b"", SW_OK)

    def _general_authenticate(self, cmd: Command) -> Response:
        run = self._run
        if run is None:
            raise _Reset(SW_CONDITIONS)
        if cmd.p1 or cmd.p2:
            raise _Reset(SW_INCORRECT_P1P2)
        step = run["step"]
        if (cmd.cla == CLA_CHAINING) != (step < 4):
            raise _Reset(SW_CONDITIONS)
        fields = _parse_dynamic_auth(cmd.data)
        info, group = run["info"], run["group"]
        cipher = info.cipher
        if step == 1:
            if fields:
                raise _Reset(SW_WRONG_DATA)
            nonce = bytes(self._rng(cipher.block_size))
            run["s"] = int.from_bytes(nonce, "big")
            out = _dynamic_auth(0x80, encrypt_cbc(cipher, run["k_pi"], nonce))
        elif step == 2:
            if 0x81 not in fields:
                raise _Reset(SW_WRONG_DATA)
            peer = group.decode(fields[0x81])
            sk = random_scalar(group.order, self._rng)
            run["generator"] = group.map_generator(run["s"], group.public(sk, peer))
            out = _dynamic_auth(0x82, group.encode(group.public(sk, group.generator)))
        elif step == 3:
            if 0x83 not in fields:
                raise _Reset(SW_WRONG_DATA)
            pk_ifd = fields[0x83]
            peer = group.decode(pk_ifd)
            sk = random_scalar(group.order, self._rng)
            pk_ic = group.encode(group.public(sk, run["generator"]))
            if pk_ic == pk_ifd:
                raise _Reset(SW_WRONG_DATA)
            run["keys"] = session_keys(group.shared_secret(sk, peer), cipher)
            run["pk_ifd"], run["pk_ic"] = pk_ifd, pk_ic
            out = _dynamic_auth(0x84, pk_ic)
        else:
            ks_enc, ks_mac = run["keys"]
            expected = _token(info, group, ks_mac, run["pk_ic"])
            if not hmac.compare_digest(fields.get(0x85, b""), expected):
                raise _Reset(0x6300)
            self._run = None
            self.sm = SecureMessaging(ks_enc, ks_mac, 0, cipher)
            return Response(_dynamic_auth(0x86, _token(info, group, ks_mac, run["pk_ifd"])), SW_OK)
        run["step"] = step + 1
        return Response(out, SW_OK)
