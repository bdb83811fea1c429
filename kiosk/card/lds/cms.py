"""CMS SignedData (RFC 5652) as EF.SOD and CSCA master lists use it: reading the
single signer with its signed attributes, checking it, and building one.

Checks are separate functions so a caller can report each step: the
messageDigest attribute against the eContent, the signature over the signed
attributes (DER-encoded as a SET, RFC 5652 §5.4) with a given certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from asn1crypto import algos, cms, core, x509

from ..errors import ParseError
from . import signature as sig
from .asn1util import guarded, load_strict


@dataclass(frozen=True, repr=False)
class SignedDataView:
    """What verification needs from a one-signer SignedData."""

    content_type: str  # eContentType, dotted
    econtent: bytes
    digest_algorithm: str  # of the signer: "sha256"...
    signed_attrs_der: bytes  # DER, tag SET (0x31): what the signature covers
    attr_content_type: str | None  # the contentType signed attribute, dotted
    message_digest: bytes | None  # the messageDigest signed attribute
    signing_time: dt.datetime | None
    signature_algorithm: algos.SignedDigestAlgorithm
    signature: bytes
    sid_issuer: x509.Name | None  # issuerAndSerialNumber...
    sid_serial: int | None
    sid_key_id: bytes | None  # ...or subjectKeyIdentifier
    certificates: tuple[x509.Certificate, ...]

    def __repr__(self) -> str:
        return f"SignedDataView(content_type={self.content_type}, {len(self.certificates)} certificates)"

    def signer_certificate(self) -> x509.Certificate | None:
        """The certificate the signer identifier names, among those carried."""
        for c in self.certificates:
            if self.sid_key_id is not None:
                if c.key_identifier == self.sid_key_id:
                    return c
            elif c.serial_number == self.sid_serial and c.issuer == self.sid_issuer:
                return c
        return None

    def matches(self, cert: x509.Certificate) -> bool:
        if self.sid_key_id is not None:
            return cert.key_identifier == self.sid_key_id
        return cert.serial_number == self.sid_serial and cert.issuer == self.sid_issuer

    def message_digest_ok(self) -> bool:
        """messageDigest == hash(eContent) with the signer's digest algorithm."""
        return self.message_digest is not None and \
            sig.digest(self.digest_algorithm, self.econtent) == self.message_digest

    def verify_signature(self, cert: x509.Certificate) -> None:
        """The signature over the signed attributes with ``cert``'s key;
        VerificationError if it does not hold."""
        key = sig.load_public_key(cert.public_key)
        sig.verify(key, self.signature_algorithm, self.signature, self.signed_attrs_der,
                   self.digest_algorithm)


def read_signed_data(data: bytes, what: str) -> SignedDataView:
    """Parse a ContentInfo holding a SignedData with exactly one SignerInfo and
    signed attributes. ParseError naming ``what`` when malformed."""
    ci = load_strict(cms.ContentInfo, data, what)

    def read():
        if ci["content_type"].native != "signed_data":
            raise ParseError(f"{what}: not a CMS SignedData")
        sd = ci["content"]
        eci = sd["encap_content_info"]
        ctype = eci["content_type"].dotted
        content = eci["content"]
        if not isinstance(content, (core.OctetString, core.ParsableOctetString)) or content.contents is None:
            raise ParseError(f"{what}: SignedData has no eContent")
        econtent = bytes(content)  # the octets, whatever a global OID registry says
        infos = sd["signer_infos"]
        if len(infos) != 1:
            raise ParseError(f"{what}: {len(infos)} signer infos, expected exactly one")
        si = infos[0]
        attrs = si["signed_attrs"]
        if not attrs or attrs.native is None or len(attrs) == 0:
            raise ParseError(f"{what}: signer info has no signed attributes")
        attrs_der = b"\x31" + attrs.dump()[1:]
        actype = mdig = stime = None
        seen = set()
        for a in attrs:
            t = a["type"].native
            if t in seen:
                raise ParseError(f"{what}: signed attribute {t} appears twice")
            seen.add(t)
            vals = a["values"]
            if len(vals) != 1:
                raise ParseError(f"{what}: signed attribute {t} must have exactly one value")
            if t == "content_type":
                actype = vals[0].dotted
            elif t == "message_digest":
                mdig = vals[0].native
            elif t == "signing_time":
                stime = vals[0].native
        sid = si["sid"]
        issuer = serial = keyid = None
        if sid.name == "issuer_and_serial_number":
            issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
        else:
            keyid = sid.chosen.native
        certs = tuple(c.chosen for c in (sd["certificates"] or []) if c.name == "certificate")
        for c in certs:
            c.native  # noqa: B018 - force the parse of every carried certificate
        digest_name = si["digest_algorithm"]["algorithm"].native
        if digest_name not in sig.HASHES:
            raise ParseError(f"{what}: digest algorithm {digest_name} not supported")
        return SignedDataView(ctype, econtent, digest_name, attrs_der, actype, mdig, stime,
                              si["signature_algorithm"], si["signature"].native, issuer, serial,
                              keyid, certs)

    return guarded(what, read)


def build_signed_data(content_type: str, econtent: bytes, signer_cert: x509.Certificate,
                      signer_key, digest_algorithm: str = "sha256", pss: bool = False,
                      include_certificate: bool = True, signing_time: dt.datetime | None = None,
                      extra_certificates: tuple[x509.Certificate, ...] = ()) -> bytes:
    """A ContentInfo/SignedData over ``econtent`` signed by ``signer_key``
    (version 3, issuerAndSerialNumber, contentType + messageDigest signed
    attributes, as Doc 9303 Part 10 §4.6.2 prescribes for EF.SOD)."""
    attrs = [
        {"type": "content_type", "values": [cms.ContentType(content_type)]},
        {"type": "message_digest", "values": [sig.digest(digest_algorithm, econtent)]},
    ]
    if signing_time is not None:
        attrs.append({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time})]})
    signed_attrs = cms.CMSAttributes(attrs)
    signature, alg = sig.sign(signer_key, signed_attrs.dump(), digest_algorithm, pss)
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": signer_cert.issuer, "serial_number": signer_cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_algorithm}),
        "signed_attrs": signed_attrs,
        "signature_algorithm": alg,
        "signature": signature,
    })
    certs = ([signer_cert] if include_certificate else []) + list(extra_certificates)
    fields = {
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest_algorithm})],
        "encap_content_info": {"content_type": cms.ContentType(content_type),
                               "content": core.ParsableOctetString(econtent)},
        "signer_infos": [signer],
    }
    if certs:
        fields["certificates"] = certs
    sd = cms.SignedData(fields)
    return cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()

