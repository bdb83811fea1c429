"""LDS1 files of an eMRTD (ICAO Doc 9303 Part 10): identifiers, EF.COM, DG1,
DG11, DG12, DG14 and DG15, parsed and built. DG2 is in ``face``, EF.SOD in ``sod``.

File contents are the bytes as read from the chip: the whole TLV, tag included
(that is also what EF.SOD hashes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import core, keys

from ..errors import ParseError
from . import tlv
from .asn1util import guarded, int_der, load_strict, oid_der, seq_der, set_of_der
from .mrz import MRZ, parse_mrz

# ------------------------------------------------------------ identifiers

#: File identifiers in the eMRTD application (LDS1)
EF_COM = 0x011E
EF_SOD = 0x011D
#: In the master file (outside the eMRTD application)
EF_CARD_ACCESS = 0x011C
EF_CARD_SECURITY = 0x011D
EF_ATR_INFO = 0x2F01
EF_DIR = 0x2F00

#: Short EF identifiers (READ BINARY with P1 = 0x80 | SFI)
SFI_COM = 0x1E
SFI_SOD = 0x1D
SFI_CARD_ACCESS = 0x1C
SFI_CARD_SECURITY = 0x1D

#: The eMRTD application identifier (LDS1)
AID_EMRTD = bytes.fromhex("A0000002471001")

TAG_COM = 0x60
TAG_SOD = 0x77
#: data group number -> tag of its file
DG_TAGS = {1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68,
           9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70}
TAG_DGS = {t: n for n, t in DG_TAGS.items()}


def dg_file_id(n: int) -> int:
    """0x0101 for DG1 ... 0x0110 for DG16."""
    if not 1 <= n <= 16:
        raise ValueError(f"no data group {n}")
    return 0x0100 + n


def dg_sfi(n: int) -> int:
    if not 1 <= n <= 16:
        raise ValueError(f"no data group {n}")
    return n


def dg_of_file_id(fid: int) -> int | None:
    return fid - 0x0100 if 0x0101 <= fid <= 0x0110 else None


def file_name(fid: int) -> str:
    """A readable name for messages: 'DG1', 'EF.COM', 'EF.SOD'."""
    n = dg_of_file_id(fid)
    if n:
        return f"DG{n}"
    return {EF_COM: "EF.COM", EF_SOD: "EF.SOD", EF_CARD_ACCESS: "EF.CardAccess",
            EF_ATR_INFO: "EF.ATR/INFO", EF_DIR: "EF.DIR"}.get(fid, f"EF {fid:04X}")


# ------------------------------------------------------------------- text


def _text(value: bytes, what: str) -> str:
    """LDS text is UTF-8 (Doc 9303 Part 10 §4.6); a few old chips wrote Latin-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def _ascii(value: bytes, what: str) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError(f"{what} is not ASCII") from None


def _full_date(value: bytes, what: str) -> tuple[str, dt.date | None]:
    """YYYYMMDD as 8 ASCII digits or 4 BCD bytes: (raw digits, date or None when
    incomplete, e.g. an unknown day written 00)."""
    if len(value) == 4:
        raw = value.hex()
    elif len(value) == 8:
        raw = _ascii(value, what)
    else:
        raise ParseError(f"{what} must be YYYYMMDD (8 digits or 4 BCD bytes), got {len(value)} bytes")
    if not (raw.isascii() and raw.isdigit()):
        raise ParseError(f"{what} is not YYYYMMDD")
    try:
        return raw, dt.date(int(raw[0:4]), int(raw[4:6]), int(raw[6:8]))
    except ValueError:
        return raw, None


def _tag_list(value: bytes, what: str) -> list[int]:
    """A 5C tag list: concatenated tags."""
    tags, i = [], 0
    while i < len(value):
        try:
            tag, i = tlv.read_tag(value, i)
        except ParseError as e:
            raise ParseError(f"{what} tag list: {e}") from None
        tags.append(tag)
    return tags


def _encode_tag_list(tags: list[int]) -> bytes:
    return tlv.encode(0x5C, b"".join(tlv.encode_tag(t) for t in tags))


# ---------------------------------------------------------------- EF.COM


@dataclass(frozen=True)
class EfCom:
    lds_version: str  # "0107" -> LDS 1.7
    unicode_version: str  # "040000" -> Unicode 4.0.0
    data_groups: tuple[int, ...]

    @property
    def lds_version_text(self) -> str:
        v = self.lds_version
        return f"{int(v[:2])}.{int(v[2:])}" if len(v) == 4 and v.isdigit() else v


def parse_ef_com(data: bytes) -> EfCom:
    top = tlv.decode(data, TAG_COM, what="EF.COM")
    lds = uni = None
    dgs: list[int] = []
    for c in top.children():
        if c.tag == 0x5F01:
            lds = _ascii(c.value, "EF.COM LDS version")
        elif c.tag == 0x5F36:
            uni = _ascii(c.value, "EF.COM Unicode version")
        elif c.tag == 0x5C:
            for t in _tag_list(c.value, "EF.COM"):
                if t not in TAG_DGS:
                    raise ParseError(f"EF.COM lists tag {tlv.tag_hex(t)}, not a data group")
                dgs.append(TAG_DGS[t])
    if lds is None or uni is None:
        raise ParseError("EF.COM lacks its LDS version (5F01) or Unicode version (5F36)")
    if not dgs and not any(c.tag == 0x5C for c in top.children()):
        raise ParseError("EF.COM lacks its tag list (5C)")
    return EfCom(lds, uni, tuple(dgs))


def encode_ef_com(data_groups: list[int] | tuple[int, ...], lds_version: str = "0107",
                  unicode_version: str = "040000") -> bytes:
    return tlv.encode(TAG_COM, [
        tlv.encode(0x5F01, lds_version.encode("ascii")),
        tlv.encode(0x5F36, unicode_version.encode("ascii")),
        tlv.encode(0x5C, bytes(DG_TAGS[n] for n in data_groups)),
    ])


# ------------------------------------------------------------------- DG1


def parse_dg1(data: bytes, today: dt.date | None = None) -> MRZ:
    top = tlv.decode(data, DG_TAGS[1], what="DG1")
    mrz = top.child(0x5F1F)
    return parse_mrz(_ascii(mrz.value, "DG1 MRZ"), today)


def encode_dg1(mrz_text: str) -> bytes:
    """DG1 from an MRZ (lines with or without line breaks)."""
    data = "".join(mrz_text.split()).encode("ascii")
    return tlv.encode(DG_TAGS[1], tlv.encode(0x5F1F, data))


# ------------------------------------------------------------------ DG11


@dataclass(frozen=True, repr=False)
class PersonalDetails:
    """DG11, additional personal details. Text as stored (UTF-8; on the CNIE the
    full name is Arabic). Names use '<<' between primary and secondary identifiers."""

    full_name: str | None = None  # 5F0E
    other_names: tuple[str, ...] = ()  # A0 { 02 count, 5F0F... }
    personal_number: str | None = None  # 5F10
    full_date_of_birth: dt.date | None = None  # 5F2B (None if absent or incomplete)
    full_date_of_birth_raw: str | None = None
    place_of_birth: str | None = None  # 5F11
    address: str | None = None  # 5F42
    telephone: str | None = None  # 5F12
    profession: str | None = None  # 5F13
    title: str | None = None  # 5F14
    personal_summary: str | None = None  # 5F15
    proof_of_citizenship: bytes | None = None  # 5F16 (an image)
    other_td_numbers: str | None = None  # 5F17
    custody_information: str | None = None  # 5F18
    tags: tuple[int, ...] = ()  # the 5C tag list

    def __repr__(self) -> str:
        present = ",".join(tlv.tag_hex(t) for t in self.tags)
        return f"PersonalDetails(tags=[{present}])"

    __str__ = __repr__

    def name_parts(self) -> tuple[str, str]:
        """(primary, secondary) of the full name: split on '<<' as in ICAO (single
        '<' become spaces). Without '<<' the whole name is primary."""
        name = (self.full_name or "").strip()
        if "<<" not in name:
            return " ".join(name.replace("<", " ").split()), ""
        primary, _, secondary = name.partition("<<")
        clean = lambda s: " ".join(s.replace("<", " ").split())  # noqa: E731
        return clean(primary), clean(secondary)


_DG11_TEXT = {0x5F0E: "full_name", 0x5F10: "personal_number", 0x5F11: "place_of_birth",
              0x5F42: "address", 0x5F12: "telephone", 0x5F13: "profession", 0x5F14: "title",
              0x5F15: "personal_summary", 0x5F17: "other_td_numbers", 0x5F18: "custody_information"}
_DG11_NAMES = {v: k for k, v in _DG11_TEXT.items()}


def parse_dg11(data: bytes) -> PersonalDetails:
    top = tlv.decode(data, DG_TAGS[11], what="DG11")
    values: dict = {}
    tags: list[int] = []
    for c in top.children():
        if c.tag == 0x5C:
            tags = _tag_list(c.value, "DG11")
        elif c.tag in _DG11_TEXT:
            values[_DG11_TEXT[c.tag]] = _text(c.value, f"DG11 {tlv.tag_hex(c.tag)}")
        elif c.tag == 0x5F2B:
            raw, d = _full_date(c.value, "DG11 full date of birth")
            values["full_date_of_birth_raw"], values["full_date_of_birth"] = raw, d
        elif c.tag == 0x5F16:
            values["proof_of_citizenship"] = c.value
        elif c.tag == 0xA0:
            names = []
            for o in c.children():
                if o.tag == 0x5F0F:
                    names.append(_text(o.value, "DG11 other name"))
                elif o.tag != 0x02:
                    raise ParseError(f"DG11 other names: unexpected tag {tlv.tag_hex(o.tag)} "
                                     f"at offset {o.offset}")
            values["other_names"] = tuple(names)
        elif c.tag == 0x5F0F:  # some chips put other names without the A0 template
            values["other_names"] = values.get("other_names", ()) + (_text(c.value, "DG11 other name"),)
    return PersonalDetails(**values, tags=tuple(tags))


def encode_dg11(details: PersonalDetails | None = None, **fields) -> bytes:
    """DG11 from a PersonalDetails or keyword fields (same names)."""
    if details is not None:
        fields = {k: getattr(details, k) for k in ("full_name", "other_names", "personal_number",
                                                   "full_date_of_birth", "place_of_birth", "address",
                                                   "telephone", "profession", "title",
                                                   "personal_summary", "proof_of_citizenship",
                                                   "other_td_numbers", "custody_information")}
    items: list[tuple[int, bytes]] = []
    for name, value in fields.items():
        if value in (None, "", ()):
            continue
        if name in _DG11_NAMES:
            items.append((_DG11_NAMES[name], tlv.encode(_DG11_NAMES[name], str(value).encode("utf-8"))))
        elif name == "full_date_of_birth":
            raw = value.strftime("%Y%m%d") if isinstance(value, dt.date) else str(value)
            items.append((0x5F2B, tlv.encode(0x5F2B, raw.encode("ascii"))))
        elif name == "proof_of_citizenship":
            items.append((0x5F16, tlv.encode(0x5F16, bytes(value))))
        elif name == "other_names":
            inner = tlv.encode(0x02, bytes([len(value)])) + b"".join(
                tlv.encode(0x5F0F, n.encode("utf-8")) for n in value)
            items.append((0xA0, tlv.encode(0xA0, inner)))
        elif name in ("full_date_of_birth_raw", "tags"):
            continue
        else:
            raise ValueError(f"unknown DG11 field {name}")
    order = [0x5F0E, 0xA0, 0x5F10, 0x5F2B, 0x5F11, 0x5F42, 0x5F12, 0x5F13, 0x5F14, 0x5F15,
             0x5F16, 0x5F17, 0x5F18]
    items.sort(key=lambda it: order.index(it[0]))
    tags = [t for t, _ in items]
    return tlv.encode(DG_TAGS[11], [_encode_tag_list(tags)] + [b for _, b in items])


# ------------------------------------------------------------------ DG12


@dataclass(frozen=True, repr=False)
class DocumentDetails:
    """DG12, additional document details."""

    issuing_authority: str | None = None  # 5F19
    date_of_issue: dt.date | None = None  # 5F26
    date_of_issue_raw: str | None = None
    other_persons: tuple[str, ...] = ()  # A0 { 02, 5F1A... }
    endorsements: str | None = None  # 5F1B
    tax_exit_requirements: str | None = None  # 5F1C
    front_image: bytes | None = None  # 5F1D
    rear_image: bytes | None = None  # 5F1E
    personalization_time: str | None = None  # 5F55 (YYYYMMDDhhmmss)
    personalization_device: str | None = None  # 5F56
    tags: tuple[int, ...] = ()

    def __repr__(self) -> str:
        present = ",".join(tlv.tag_hex(t) for t in self.tags)
        return f"DocumentDetails(tags=[{present}])"

    __str__ = __repr__


_DG12_TEXT = {0x5F19: "issuing_authority", 0x5F1B: "endorsements", 0x5F1C: "tax_exit_requirements",
              0x5F56: "personalization_device"}
_DG12_NAMES = {v: k for k, v in _DG12_TEXT.items()}


def parse_dg12(data: bytes) -> DocumentDetails:
    top = tlv.decode(data, DG_TAGS[12], what="DG12")
    values: dict = {}
    tags: list[int] = []
    for c in top.children():
        if c.tag == 0x5C:
            tags = _tag_list(c.value, "DG12")
        elif c.tag in _DG12_TEXT:
            values[_DG12_TEXT[c.tag]] = _text(c.value, f"DG12 {tlv.tag_hex(c.tag)}")
        elif c.tag == 0x5F26:
            raw, d = _full_date(c.value, "DG12 date of issue")
            values["date_of_issue_raw"], values["date_of_issue"] = raw, d
        elif c.tag == 0x5F55:
            v = c.value.hex() if len(c.value) == 7 else _ascii(c.value, "DG12 personalization time")
            values["personalization_time"] = v
        elif c.tag == 0x5F1D:
            values["front_image"] = c.value
        elif c.tag == 0x5F1E:
            values["rear_image"] = c.value
        elif c.tag == 0xA0:
            values["other_persons"] = tuple(_text(o.value, "DG12 other person")
                                            for o in c.children() if o.tag == 0x5F1A)
    return DocumentDetails(**values, tags=tuple(tags))


def encode_dg12(issuing_authority: str | None = None, date_of_issue: dt.date | None = None,
                **fields) -> bytes:
    items: list[tuple[int, bytes]] = []
    if issuing_authority:
        items.append((0x5F19, tlv.encode(0x5F19, issuing_authority.encode("utf-8"))))
    if date_of_issue:
        items.append((0x5F26, tlv.encode(0x5F26, date_of_issue.strftime("%Y%m%d").encode("ascii"))))
    for name, value in fields.items():
        if value in (None, "", ()):
            continue
        if name in _DG12_NAMES:
            items.append((_DG12_NAMES[name], tlv.encode(_DG12_NAMES[name], str(value).encode("utf-8"))))
        elif name == "personalization_time":
            items.append((0x5F55, tlv.encode(0x5F55, str(value).encode("ascii"))))
        else:
            raise ValueError(f"unsupported DG12 field {name}")
    order = [0x5F19, 0x5F26, 0xA0, 0x5F1B, 0x5F1C, 0x5F1D, 0x5F1E, 0x5F55, 0x5F56]
    items.sort(key=lambda it: order.index(it[0]))
    return tlv.encode(DG_TAGS[12], [_encode_tag_list([t for t, _ in items])] + [b for _, b in items])


# ------------------------------------------------------------------ DG14

#: id-icao-mrtd-security-aaProtocolObject
OID_AA_PROTOCOL = "2.23.136.1.1.5"
#: id-PACE prefix (BSI TR-03110 / Doc 9303 Part 11 §9.2)
OID_PACE_PREFIX = "0.4.0.127.0.7.2.2.4."
OID_CA_PREFIX = "0.4.0.127.0.7.2.2.3."


@dataclass(frozen=True)
class SecurityInfo:
    protocol: str  # dotted OID
    der: bytes  # the whole SecurityInfo SEQUENCE


@dataclass(frozen=True)
class PaceInfo:
    protocol: str
    version: int
    parameter_id: int | None


@dataclass(frozen=True)
class SecurityInfos:
    """DG14 (or the content of EF.CardAccess): the SecurityInfo list, the Active
    Authentication signature algorithm when an ActiveAuthenticationInfo is there,
    and the PACEInfos."""

    raw: bytes
    infos: tuple[SecurityInfo, ...]
    aa_signature_algorithm: str | None = None  # dotted OID, e.g. 1.2.840.10045.4.3.2
    pace_infos: tuple[PaceInfo, ...] = ()

    @property
    def protocols(self) -> tuple[str, ...]:
        return tuple(i.protocol for i in self.infos)


def _oid(t: tlv.TLV, what: str) -> str:
    if t.tag != 0x06:
        raise ParseError(f"{what}: expected an OBJECT IDENTIFIER at offset {t.offset}")
    return guarded(what, lambda: core.ObjectIdentifier.load(t.encode(), strict=True).dotted)


def _int(t: tlv.TLV, what: str) -> int:
    if t.tag != 0x02 or not t.value:
        raise ParseError(f"{what}: expected an INTEGER at offset {t.offset}")
    return int.from_bytes(t.value, "big", signed=True)


def parse_security_infos(set_der: bytes, what: str = "SecurityInfos") -> SecurityInfos:
    """A DER SET OF SecurityInfo (EF.CardAccess content, or DG14's value)."""
    top = tlv.decode(set_der, 0x31, what=what)
    infos: list[SecurityInfo] = []
    aa_alg = None
    paces: list[PaceInfo] = []
    for item in top.children():
        if item.tag != 0x30:
            raise ParseError(f"{what}: SecurityInfo at offset {item.offset} is not a SEQUENCE")
        parts = item.children()
        if len(parts) < 2:
            raise ParseError(f"{what}: SecurityInfo at offset {item.offset} too short")
        proto = _oid(parts[0], what)
        infos.append(SecurityInfo(proto, item.encode()))
        if proto == OID_AA_PROTOCOL:
            _int(parts[1], f"{what} ActiveAuthenticationInfo version")
            if len(parts) < 3:
                raise ParseError(f"{what}: ActiveAuthenticationInfo lacks its signature algorithm")
            aa_alg = _oid(parts[2], f"{what} ActiveAuthenticationInfo")
        elif proto.startswith(OID_PACE_PREFIX) and parts[1].tag == 0x02:
            pid = _int(parts[2], f"{what} PACEInfo parameterId") if len(parts) > 2 else None
            paces.append(PaceInfo(proto, _int(parts[1], f"{what} PACEInfo version"), pid))
    return SecurityInfos(bytes(set_der), tuple(infos), aa_alg, tuple(paces))


def parse_dg14(data: bytes) -> SecurityInfos:
    top = tlv.decode(data, DG_TAGS[14], what="DG14")
    infos = parse_security_infos(top.value, "DG14")
    return SecurityInfos(bytes(data), infos.infos, infos.aa_signature_algorithm, infos.pace_infos)


def active_authentication_info(signature_algorithm_oid: str, version: int = 1) -> bytes:
    """ActiveAuthenticationInfo ::= SEQUENCE { protocol, version, signatureAlgorithm }."""
    return seq_der(oid_der(OID_AA_PROTOCOL), int_der(version), oid_der(signature_algorithm_oid))


def pace_info(protocol_oid: str, version: int = 2, parameter_id: int | None = None) -> bytes:
    """PACEInfo ::= SEQUENCE { protocol, version, parameterId OPTIONAL }."""
    parts = [oid_der(protocol_oid), int_der(version)]
    if parameter_id is not None:
        parts.append(int_der(parameter_id))
    return seq_der(*parts)


def encode_security_infos(infos: list[bytes]) -> bytes:
    return set_of_der(*infos)


def encode_dg14(infos: list[bytes]) -> bytes:
    """DG14 from DER SecurityInfo SEQUENCEs (see ``active_authentication_info``,
    ``pace_info``)."""
    return tlv.encode(DG_TAGS[14], encode_security_infos(infos))


# ------------------------------------------------------------------ DG15


@dataclass(frozen=True)
class AAPublicKey:
    """DG15: the Active Authentication public key."""

    spki_der: bytes
    algorithm: str  # "rsa" or "ec"

    def __repr__(self) -> str:
        return f"AAPublicKey(algorithm={self.algorithm!r}, {len(self.spki_der)} bytes)"


def parse_dg15(data: bytes) -> AAPublicKey:
    top = tlv.decode(data, DG_TAGS[15], what="DG15")
    info = load_strict(keys.PublicKeyInfo, top.value, "DG15 SubjectPublicKeyInfo")
    algo = guarded("DG15 SubjectPublicKeyInfo", lambda: info.algorithm)
    if algo not in ("rsa", "ec", "rsassa_pss"):
        raise ParseError(f"DG15 key algorithm {algo} is not RSA or EC")
    return AAPublicKey(top.value, "rsa" if algo == "rsassa_pss" else algo)


def encode_dg15(spki_der: bytes) -> bytes:
    return tlv.encode(DG_TAGS[15], spki_der)

