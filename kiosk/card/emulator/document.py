"""An emulated eMRTD's content, built from a profile file (YAML): the LDS files
signed by the TEST-ONLY PKI, the MRZ, the CAN, the Active Authentication key and
the PACE parameters the chip offers. No APDU handling here (``chip`` does that).

Profile format (see ``assets/emulator/profiles/*.yaml``)::

    test_only: true                 # required: profiles are fictional test data
    document:
      type: ID                      # ID -> TD1 card, MRZ code "ID"; P -> TD3 passport, code "P"
      code: ID                      # optional MRZ document code override (e.g. "I<", "PP")
      issuing_state: MAR
      number: TST004271             # > 9 characters uses the TD1 long form
      surname: EL AMRANI            # Latin, as the MRZ writes it
      given_names: SALMA
      name_ar: {surname: ..., given_names: ...}   # or one string; DG11 full name "surname<<given"
      nationality: MAR
      sex: F                        # M, F or X
      birth_date: 1991-04-17
      expiry_date: 2034-06-30
      place_of_birth: ...           # DG11 (optional)
      issuing_authority: ...        # DG12 (optional)
      issue_date: 2024-07-01        # DG12 (optional)
      optional_data: ""             # MRZ optional data (optional)
    photo: face.jpg                 # relative to the profile; JPEG, JPEG 2000 or anything Pillow reads
    photo_format: jpeg              # optional: jpeg or jp2 to re-encode the photo
    can: "481516"                   # 6 digits
    access: [pace-can, pace-mrz, bac]
    pace:                           # optional; default when PACE is offered: ECDH-GM AES-128 brainpoolP256r1
      - {protocol: 0.4.0.127.0.7.2.2.4.2.2, parameter_id: 13}
    active_authentication: ec       # ec (P-256), rsa (2048) or none
    hash: sha256                    # optional: EF.SOD hash algorithm
    # tests only:
    tamper: none                    # none, or one or a list of: dg1, dg2, dg11, dg15, sod-signature
    csca: own                       # own, or foreign: signed by the PKI the kiosk does not trust
    ds_expired: false               # sign with a DS certificate that expired on 2025-06-30

Every problem with a profile is a ParseError naming the field (never its value).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from asn1crypto import x509 as a509

from ...paths import ASSETS
from ..errors import ParseError
from ..lds import face, files, mrz as mrzlib, tlv
from ..lds import signature as sig
from ..lds.files import PaceInfo
from ..lds.sod import build_sod, parse_sod
from . import pki as pkilib

PROFILES = ASSETS / "emulator" / "profiles"
CNIE_PROFILE = PROFILES / "cnie.yaml"
PASSPORT_PROFILE = PROFILES / "passport.yaml"

#: id-PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (standardized parameter 13)
DEFAULT_PACE = PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13)
ACCESS_METHODS = ("pace-can", "pace-mrz", "bac")
TAMPER_TARGETS = ("dg1", "dg2", "dg11", "dg15", "sod-signature")
#: ActiveAuthenticationInfo signatureAlgorithm for EC keys: ecdsa-plain-SHA256 (BSI TR-03111)
AA_EC_SIGNATURE_OID = "0.4.0.127.0.7.1.1.4.1.3"


class ProfileError(ParseError):
    """A profile file is malformed."""


# ---------------------------------------------------------------- profile


def _str(d: dict, key: str, required: bool = True, default: str = "") -> str:
    v = d.get(key)
    if v is None:
        if required:
            raise ProfileError(f"profile: document.{key} is missing")
        return default
    if isinstance(v, (dict, list, bool)) or not str(v).strip() and required:
        raise ProfileError(f"profile: document.{key} must be text")
    return str(v).strip()


def _date(d: dict, key: str, required: bool = True) -> dt.date | None:
    v = d.get(key)
    if v is None:
        if required:
            raise ProfileError(f"profile: document.{key} is missing")
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise ProfileError(f"profile: document.{key} must be a date YYYY-MM-DD") from None


@dataclass(frozen=True, repr=False)
class Profile:
    doc_type: str  # "ID" or "P"
    document_code: str
    issuing_state: str
    number: str
    surname: str
    given_names: str
    surname_ar: str
    given_names_ar: str
    nationality: str
    sex: str
    birth_date: dt.date
    expiry_date: dt.date
    place_of_birth: str
    issuing_authority: str
    issue_date: dt.date | None
    optional_data: str
    photo: Path
    photo_format: str | None
    can: str
    access: tuple[str, ...]
    pace: tuple[PaceInfo, ...]
    active_authentication: str  # "ec", "rsa" or "none"
    hash_algorithm: str
    tamper: tuple[str, ...] = ()
    csca: str = "own"
    ds_expired: bool = False

    def __repr__(self) -> str:
        return f"Profile(type={self.doc_type!r}, access={list(self.access)})"

    __str__ = __repr__


def _pace_list(raw: Any, access: tuple[str, ...]) -> tuple[PaceInfo, ...]:
    if raw is None:
        return (DEFAULT_PACE,) if any(a.startswith("pace") for a in access) else ()
    if not isinstance(raw, list):
        raise ProfileError("profile: pace must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or "protocol" not in item:
            raise ProfileError("profile: each pace entry needs a protocol")
        proto = str(item["protocol"])
        if not proto.startswith(files.OID_PACE_PREFIX) or not all(
                p.isdigit() for p in proto.split(".")):
            raise ProfileError("profile: pace protocol is not an id-PACE OID")
        pid = item.get("parameter_id")
        version = item.get("version", 2)
        if (pid is not None and (not isinstance(pid, int) or isinstance(pid, bool) or not 0 <= pid <= 31)) \
                or not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 2:
            raise ProfileError("profile: pace parameter_id must be 0-31 and version 1 or 2")
        out.append(PaceInfo(proto, version, pid))
    return tuple(out)


def parse_profile(data: dict, base_dir: Path) -> Profile:
    """Validate a loaded profile mapping."""
    if not isinstance(data, dict):
        raise ProfileError("profile: top level must be a mapping")
    if data.get("test_only") is not True:
        raise ProfileError("profile: test_only: true is required (profiles are fictional test data)")
    doc = data.get("document")
    if not isinstance(doc, dict):
        raise ProfileError("profile: document must be a mapping")
    doc_type = _str(doc, "type").upper()
    if doc_type not in ("ID", "P"):
        raise ProfileError("profile: document.type must be ID or P")
    name_ar = doc.get("name_ar", "")
    if isinstance(name_ar, dict):
        surname_ar = str(name_ar.get("surname") or "").strip()
        given_ar = str(name_ar.get("given_names") or "").strip()
    elif isinstance(name_ar, (str, int, float)) or name_ar is None:
        surname_ar, given_ar = str(name_ar or "").strip(), ""
    else:
        raise ProfileError("profile: document.name_ar must be text or {surname, given_names}")
    sex = _str(doc, "sex").upper()
    if sex not in ("M", "F", "X"):
        raise ProfileError("profile: document.sex must be M, F or X")
    photo = data.get("photo")
    if not isinstance(photo, str) or not photo.strip():
        raise ProfileError("profile: photo must be a file name")
    photo_format = data.get("photo_format")
    if photo_format not in (None, "jpeg", "jp2"):
        raise ProfileError("profile: photo_format must be jpeg or jp2")
    can = data.get("can")
    can = f"{can:06d}" if isinstance(can, int) and not isinstance(can, bool) and 0 <= can < 10**6 else can
    if not isinstance(can, str) or len(can) != 6 or not (can.isascii() and can.isdigit()):
        raise ProfileError("profile: can must be 6 digits (quote it in YAML)")
    access = data.get("access", ["bac"])
    if isinstance(access, str):
        access = [access]
    if not isinstance(access, list) or not access or any(a not in ACCESS_METHODS for a in access):
        raise ProfileError(f"profile: access must list some of {', '.join(ACCESS_METHODS)}")
    access_t = tuple(dict.fromkeys(access))
    aa = data.get("active_authentication", "none")
    aa = {True: "ec", False: "none", None: "none"}.get(aa, aa) if isinstance(aa, (bool, type(None))) else aa
    if aa not in ("ec", "rsa", "none"):
        raise ProfileError("profile: active_authentication must be ec, rsa or none")
    tamper = data.get("tamper", "none")
    tamper_t = tuple(tamper) if isinstance(tamper, list) else (() if tamper in ("none", None, False) else (tamper,))
    if any(t not in TAMPER_TARGETS for t in tamper_t):
        raise ProfileError(f"profile: tamper must be none or some of {', '.join(TAMPER_TARGETS)}")
    csca = data.get("csca", "own")
    if csca not in ("own", "foreign"):
        raise ProfileError("profile: csca must be own or foreign")
    ds_expired = data.get("ds_expired", False)
    if not isinstance(ds_expired, bool):
        raise ProfileError("profile: ds_expired must be true or false")
    hash_name = data.get("hash", "sha256")
    if not isinstance(hash_name, str) or hash_name not in sig.HASHES:
        raise ProfileError("profile: hash must be sha1, sha224, sha256, sha384 or sha512")
    return Profile(
        doc_type=doc_type,
        document_code=_str(doc, "code", False, "ID" if doc_type == "ID" else "P").upper(),
        issuing_state=_str(doc, "issuing_state").upper(),
        number=_str(doc, "number").upper(),
        surname=_str(doc, "surname"),
        given_names=_str(doc, "given_names", False),
        surname_ar=surname_ar,
        given_names_ar=given_ar,
        nationality=_str(doc, "nationality").upper(),
        sex=sex,
        birth_date=_date(doc, "birth_date"),
        expiry_date=_date(doc, "expiry_date"),
        place_of_birth=_str(doc, "place_of_birth", False),
        issuing_authority=_str(doc, "issuing_authority", False),
        issue_date=_date(doc, "issue_date", False),
        optional_data=_str(doc, "optional_data", False),
        photo=(Path(base_dir) / photo.strip()),
        photo_format=photo_format,
        can=can,
        access=access_t,
        pace=_pace_list(data.get("pace"), access_t),
        active_authentication=aa,
        hash_algorithm=hash_name,
        tamper=tamper_t,
        csca=csca,
        ds_expired=ds_expired,
    )


def load_profile(path: Path | str, overrides: dict | None = None) -> Profile:
    """Read and validate a profile file; ``overrides`` are merged on top (one
    level deep for ``document``), for tests."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ProfileError(f"profile {path.name} cannot be read") from None
    return parse_profile(_merge(_yaml(text), overrides), path.parent)


def _yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProfileError(f"profile is not valid YAML{where}") from None
    except (ValueError, TypeError, OverflowError, RecursionError):  # e.g. a timestamp out of range
        raise ProfileError("profile holds a value YAML cannot load") from None


def _merge(data: Any, overrides: dict | None) -> Any:
    if not overrides or not isinstance(data, dict):
        return data
    merged = dict(data)
    for k, v in overrides.items():
        if k == "document" and isinstance(v, dict) and isinstance(merged.get("document"), dict):
            merged["document"] = {**merged["document"], **v}
        else:
            merged[k] = v
    return merged


# --------------------------------------------------------------- document


def _photo_bytes(profile: Profile) -> tuple[bytes, int, int]:
    """(JPEG or JPEG 2000 bytes, width, height)."""
    try:
        raw = profile.photo.read_bytes()
    except OSError:
        raise ProfileError("profile: photo file cannot be read") from None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(raw)) as im:
            width, height = im.size
            fmt = face.detect_image_format(raw)
            wanted = profile.photo_format or fmt or "jpeg"
            if fmt == wanted or (wanted == "jp2" and fmt == "j2k"):
                return raw, width, height
            out = io.BytesIO()
            rgb = im.convert("RGB")
            if wanted == "jp2":
                rgb.save(out, format="JPEG2000", irreversible=True, quality_mode="rates",
                         quality_layers=[20])
            else:
                rgb.save(out, format="JPEG", quality=90)
            return out.getvalue(), width, height
    except ProfileError:
        raise
    except Exception as e:  # noqa: BLE001 - Pillow on a file from the profile
        raise ProfileError(f"profile: photo is not a readable image ({type(e).__name__})") from None


def _flip_name_letter(dg1: bytes, fmt: str) -> bytes:
    """Change one letter of the name (not covered by any check digit), so the
    tampered DG1 still parses but no longer matches EF.SOD."""
    top = tlv.decode(dg1, files.DG_TAGS[1])
    text = bytearray(top.child(0x5F1F).value)
    pos = 60 if fmt == "TD1" else 5
    c = text[pos]
    text[pos] = ord("A") if c == ord("Z") else (c + 1 if ord("A") <= c < ord("Z") else ord("X"))
    return files.encode_dg1(text.decode("ascii"))


def _flip_byte(data: bytes, pos: int) -> bytes:
    b = bytearray(data)
    b[pos] ^= 0x01
    return bytes(b)


@dataclass(repr=False)
class EmulatedDocument:
    """Everything a chip emulator needs. ``files`` maps file identifiers of the
    eMRTD application (``files.EF_COM``, ``files.dg_file_id(n)``, ``files.EF_SOD``)
    to their bytes; EF.CardAccess is left to ``pace.build_card_access`` from
    ``pace_infos``."""

    profile: Profile
    files: dict[int, bytes]
    mrz: str  # lines joined by '\n'
    can: str
    access: tuple[str, ...]
    pace_infos: tuple[PaceInfo, ...]
    aa_private_key: Any | None
    aa_signature_algorithm: str | None
    csca_certificate: a509.Certificate  # the CSCA of the signing chain
    ds_certificate: a509.Certificate
    data_groups: dict[int, bytes] = field(default_factory=dict)  # DG number -> bytes

    def __repr__(self) -> str:
        return (f"EmulatedDocument(type={self.profile.doc_type!r}, access={list(self.access)}, "
                f"files={[files.file_name(f) for f in self.files]})")

    __str__ = __repr__

    @property
    def mrz_information(self) -> str:
        return mrzlib.parse_mrz(self.mrz).mrz_information

    @property
    def sod(self) -> bytes:
        return self.files[files.EF_SOD]

    def dg(self, n: int) -> bytes:
        return self.files[files.dg_file_id(n)]

    @classmethod
    def from_profile(cls, path: Path | str = CNIE_PROFILE, overrides: dict | None = None,
                     pki: pkilib.TestPKI | None = None) -> "EmulatedDocument":
        return cls.build(load_profile(path, overrides), pki)

    @classmethod
    def from_dict(cls, data: dict, base_dir: Path | str = PROFILES,
                  pki: pkilib.TestPKI | None = None) -> "EmulatedDocument":
        return cls.build(parse_profile(data, Path(base_dir)), pki)

    @classmethod
    def build(cls, profile: Profile, pki: pkilib.TestPKI | None = None) -> "EmulatedDocument":
        pki = pki or pkilib.load_test_pki()
        fmt = "TD1" if profile.doc_type == "ID" else "TD3"
        try:
            mrz = mrzlib.build_mrz(
                fmt, document_code=profile.document_code, issuing_state=profile.issuing_state,
                document_number=profile.number, primary_identifier=profile.surname,
                secondary_identifier=profile.given_names, nationality=profile.nationality,
                birth_date=profile.birth_date, sex=profile.sex, expiry_date=profile.expiry_date,
                optional_data=profile.optional_data)
        except ParseError as e:
            raise ProfileError(f"profile: {e}") from None
        image, width, height = _photo_bytes(profile)

        dgs: dict[int, bytes] = {1: files.encode_dg1(mrz)}
        dgs[2] = face.encode_dg2(face.build_facial_record(image, width, height, profile.sex))
        full_name_ar = profile.surname_ar.replace(" ", "<")
        if profile.given_names_ar:
            full_name_ar += "<<" + profile.given_names_ar.replace(" ", "<")
        if full_name_ar or profile.place_of_birth:
            dgs[11] = files.encode_dg11(full_name=full_name_ar or None,
                                        full_date_of_birth=profile.birth_date,
                                        place_of_birth=profile.place_of_birth or None)
        if profile.issuing_authority or profile.issue_date:
            dgs[12] = files.encode_dg12(profile.issuing_authority or None, profile.issue_date)

        aa_key = aa_alg = None
        if profile.active_authentication != "none":
            aa_key = pki.aa_ec_key if profile.active_authentication == "ec" else pki.aa_rsa_key
            dgs[15] = files.encode_dg15(sig.public_key_info(aa_key.public_key()).dump())
        infos = [files.pace_info(p.protocol, p.version, p.parameter_id) for p in profile.pace]
        if profile.active_authentication == "ec":
            aa_alg = AA_EC_SIGNATURE_OID
            infos.append(files.active_authentication_info(aa_alg))
        if infos:
            dgs[14] = files.encode_dg14(infos)

        if profile.csca == "foreign":
            csca, ds = pki.foreign_csca, pki.foreign_ds
        else:
            csca, ds = pki.csca, pki.ds
        if profile.ds_expired:
            ds = pkilib.expired_ds(csca)
        ef_com = files.encode_ef_com(sorted(dgs))
        sod = build_sod(dgs, ds.asn1, ds.key, profile.hash_algorithm)

        for target in profile.tamper:  # after signing: the data no longer matches EF.SOD
            if target == "dg1":
                dgs[1] = _flip_name_letter(dgs[1], fmt)
            elif target == "sod-signature":
                signature = parse_sod(sod).signed.signature
                i = sod.find(signature)
                sod = _flip_byte(sod, i + len(signature) - 1)
            else:
                n = int(target[2:])
                if n not in dgs:
                    raise ProfileError(f"profile: tamper {target} but the document has no DG{n}")
                dgs[n] = _flip_byte(dgs[n], len(dgs[n]) - 3)

        file_map = {files.EF_COM: ef_com}
        file_map.update({files.dg_file_id(n): b for n, b in sorted(dgs.items())})
        file_map[files.EF_SOD] = sod
        return cls(profile=profile, files=file_map, mrz=mrz, can=profile.can, access=profile.access,
                   pace_infos=profile.pace, aa_private_key=aa_key, aa_signature_algorithm=aa_alg,
                   csca_certificate=csca.asn1, ds_certificate=ds.asn1, data_groups=dgs)


def trust_store_for_tests(pki: pkilib.TestPKI | None = None):
    """A TrustStore holding the TEST-ONLY CSCA (never for production)."""
    from ..passive import TrustStore

    pki = pki or pkilib.load_test_pki()
    return TrustStore([pki.csca.asn1])

