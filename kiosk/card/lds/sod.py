"""EF.SOD, the document security object (ICAO Doc 9303 Part 10 §4.6.2):
tag 77 wrapping a CMS SignedData whose eContent is an LDSSecurityObject
(id-icao-mrtd-security-ldsSecurityObject, 2.23.136.1.1.1):

    LDSSecurityObject ::= SEQUENCE {
        version             INTEGER,              -- v0, or v1 with ldsVersionInfo
        hashAlgorithm       AlgorithmIdentifier,
        dataGroupHashValues SEQUENCE OF DataGroupHash,
        ldsVersionInfo      LDSVersionInfo OPTIONAL }
    DataGroupHash ::= SEQUENCE { dataGroupNumber INTEGER, dataGroupHashValue OCTET STRING }
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, core, x509

from ..errors import ParseError
from . import signature as sig
from . import tlv
from .asn1util import guarded, load_strict
from .cms import SignedDataView, build_signed_data, read_signed_data
from .files import TAG_SOD

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"


class _DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class _DataGroupHashes(core.SequenceOf):
    _child_spec = _DataGroupHash


class _LDSVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LDSSecurityObject(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", _DataGroupHashes),
        ("lds_version_info", _LDSVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class SecurityObject:
    version: int
    hash_algorithm: str  # "sha256"...
    dg_hashes: dict[int, bytes]
    lds_version: str | None = None  # "0108" (v1 only)
    unicode_version: str | None = None

    def __repr__(self) -> str:
        return (f"SecurityObject(version={self.version}, hash={self.hash_algorithm}, "
                f"dgs={sorted(self.dg_hashes)})")


def parse_lds_security_object(der: bytes) -> SecurityObject:
    obj = load_strict(LDSSecurityObject, der, "LDS security object")

    def read():
        version = obj["version"].native
        if version not in (0, 1):
            raise ParseError(f"LDS security object version {version} unknown")
        hname = obj["hash_algorithm"]["algorithm"].native
        if hname not in sig.HASHES:
            raise ParseError(f"LDS security object hash algorithm {hname} not supported")
        size = sig.hash_algorithm(hname).digest_size
        hashes: dict[int, bytes] = {}
        for item in obj["data_group_hash_values"]:
            n = item["data_group_number"].native
            h = item["data_group_hash_value"].native
            if not 1 <= n <= 16:
                raise ParseError(f"LDS security object lists data group {n}")
            if n in hashes:
                raise ParseError(f"LDS security object lists DG{n} twice")
            if len(h) != size:
                raise ParseError(f"LDS security object: DG{n} hash has {len(h)} bytes, "
                                 f"{hname} gives {size}")
            hashes[n] = h
        if not hashes:
            raise ParseError("LDS security object lists no data group")
        info = obj["lds_version_info"]
        lds = uni = None
        if info.native is not None:
            lds, uni = info["lds_version"].native, info["unicode_version"].native
        return SecurityObject(version, hname, hashes, lds, uni)

    return guarded("LDS security object", read)


def encode_lds_security_object(dg_hashes: dict[int, bytes], hash_algorithm: str = "sha256",
                               lds_version: str | None = None, unicode_version: str = "040000") -> bytes:
    fields = {
        "version": 1 if lds_version else 0,
        "hash_algorithm": {"algorithm": hash_algorithm},
        "data_group_hash_values": [{"data_group_number": n, "data_group_hash_value": h}
                                   for n, h in sorted(dg_hashes.items())],
    }
    if lds_version:
        fields["lds_version_info"] = {"lds_version": lds_version, "unicode_version": unicode_version}
    return LDSSecurityObject(fields).dump()


@dataclass(frozen=True, repr=False)
class SOD:
    raw: bytes
    signed: SignedDataView
    security_object: SecurityObject

    def __repr__(self) -> str:
        return f"SOD({self.security_object!r}, {len(self.signed.certificates)} certificates)"

    @property
    def ds_certificate(self) -> x509.Certificate | None:
        return self.signed.signer_certificate()

    @property
    def dg_hashes(self) -> dict[int, bytes]:
        return self.security_object.dg_hashes


def parse_sod(data: bytes) -> SOD:
    """EF.SOD as read from the chip (tag 77). ParseError when malformed, or when
    the eContent is not an LDS security object."""
    top = tlv.decode(data, TAG_SOD, what="EF.SOD")
    signed = read_signed_data(top.value, "EF.SOD")
    if signed.content_type != OID_LDS_SECURITY_OBJECT:
        raise ParseError(f"EF.SOD eContentType {signed.content_type} is not the LDS security object")
    return SOD(bytes(data), signed, parse_lds_security_object(signed.econtent))


def build_sod(dgs: dict[int, bytes], ds_certificate: x509.Certificate, ds_key,
              hash_algorithm: str = "sha256", lds_version: str | None = None,
              pss: bool = False) -> bytes:
    """EF.SOD over the data groups ``dgs`` (number -> file bytes), signed by the
    document signer."""
    hashes = {n: sig.digest(hash_algorithm, data) for n, data in dgs.items()}
    econtent = encode_lds_security_object(hashes, hash_algorithm, lds_version)
    cms = build_signed_data(OID_LDS_SECURITY_OBJECT, econtent, ds_certificate, ds_key,
                            hash_algorithm, pss)
    return tlv.encode(TAG_SOD, cms)
