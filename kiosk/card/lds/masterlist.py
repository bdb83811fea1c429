"""ICAO CSCA master lists (Doc 9303 Part 12 §9): a CMS SignedData whose eContent
(id-icao-cscaMasterList, 2.23.136.1.1.2) is

    CscaMasterList ::= SEQUENCE { version INTEGER (v0), certList SET OF Certificate }

signed by a master list signer whose certificate a CSCA issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core, x509

from ..errors import ParseError, VerificationError
from . import certificates as certs
from .asn1util import guarded, load_strict
from .cms import SignedDataView, build_signed_data, read_signed_data

OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"


class _CertSet(core.SetOf):
    _child_spec = x509.Certificate


class CscaMasterList(core.Sequence):
    _fields = [("version", core.Integer), ("cert_list", _CertSet)]


@dataclass(frozen=True, repr=False)
class MasterList:
    certificates: tuple[x509.Certificate, ...]
    signed: SignedDataView

    def __repr__(self) -> str:
        return f"MasterList({len(self.certificates)} CSCA certificates)"

    @property
    def signer_certificate(self) -> x509.Certificate | None:
        return self.signed.signer_certificate()

    def verify(self, anchors: list[x509.Certificate] | tuple[x509.Certificate, ...] | None = None) -> x509.Certificate:
        """Check the master list's own signature and that its signer certificate
        was issued by a CSCA: one of ``anchors`` when given (real trust), else
        one of the list's own certificates (consistency only). Returns the
        issuing CSCA; VerificationError otherwise."""
        signer = self.signer_certificate
        if signer is None:
            raise VerificationError("master list: signer certificate not included")
        if not self.signed.message_digest_ok():
            raise VerificationError("master list: messageDigest does not match the content")
        if self.signed.attr_content_type != OID_CSCA_MASTER_LIST:
            raise VerificationError("master list: signed contentType attribute is not CscaMasterList")
        try:
            self.signed.verify_signature(signer)
        except VerificationError:
            raise VerificationError("master list: signature does not verify with its signer certificate") from None
        pool = list(anchors) if anchors is not None else list(self.certificates)
        for csca in pool:
            if not certs.same_name(csca.subject, signer.issuer):
                continue
            try:
                certs.verify_issued_by(signer, csca)
            except (VerificationError, ParseError):
                continue
            return csca
        where = "the trusted CSCAs" if anchors is not None else "the list"
        raise VerificationError(f"master list: signer certificate not issued by a CSCA in {where}")


def parse_master_list(data: bytes) -> MasterList:
    signed = read_signed_data(data, "master list")
    if signed.content_type != OID_CSCA_MASTER_LIST:
        raise ParseError(f"master list eContentType {signed.content_type} is not CscaMasterList")
    ml = load_strict(CscaMasterList, signed.econtent, "master list content")
    cert_list = guarded("master list content", lambda: tuple(ml["cert_list"]))
    return MasterList(cert_list, signed)


def build_master_list(csca_certificates: list[x509.Certificate], signer_certificate: x509.Certificate,
                      signer_key, digest_algorithm: str = "sha256") -> bytes:
    """A master list (used by tests; real ones come from ICAO or the states)."""
    content = CscaMasterList({"version": 0, "cert_list": list(csca_certificates)}).dump()
    return build_signed_data(OID_CSCA_MASTER_LIST, content, signer_certificate, signer_key,
                             digest_algorithm)
