"""Passive authentication (ICAO Doc 9303 Part 11 §5.1, Part 12): is the data read
from the chip what the issuing state signed?

Steps, each reported on its own in ``PassiveResult``:

1. EF.SOD parses as an LDS security object in a CMS SignedData.
2. Every data group read hashes to the value EF.SOD lists for it.
3. The signed attributes: contentType is the LDS security object, and
   messageDigest is the hash of the eContent.
4. The signature over the signed attributes checks with the Document Signer
   (DS) certificate carried in EF.SOD.
5. The DS certificate was signed by a CSCA of the trust store (matched by issuer
   name and, when both certificates carry them, authority/subject key identifier).
6. Validity on ``today``: the CSCA must be valid (``allow_expired_csca`` to relax);
   the DS must not be "not yet valid". An expired DS is accepted by default
   (``allow_expired_ds``) with a warning: Doc 9303 Part 12 makes a DS certificate
   outlive its private-key usage period by the validity of the documents it
   signed, but states do not always follow it, and a document signed while its
   DS was valid stays genuine; the document's own expiry is checked by the
   kiosk (``Identity.is_expired``). Set ``allow_expired_ds=False`` for strictness.

``status`` is "verified" only when every step passed; ``reason`` says in a
technician's words what failed, with no personal data. Without a CSCA (no trust
store, or none for this issuer) steps 1-4 still run and the chain is reported as
"untrusted: no CSCA".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from asn1crypto import x509

from .errors import CardError, ParseError, VerificationError
from .lds import certificates as certs
from .lds import signature as sig
from .lds.masterlist import parse_master_list
from .lds.sod import OID_LDS_SECURITY_OBJECT, SOD, parse_sod

CHAIN_TRUSTED = "trusted"
CHAIN_NO_CSCA = "untrusted: no CSCA"
CHAIN_BAD_SIGNATURE = "untrusted: DS certificate signature invalid"
CHAIN_NOT_CHECKED = "not checked"

_CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".cert"}
_ML_SUFFIXES = {".ml", ".masterlist"}


# ----------------------------------------------------------------- trust


class TrustStore:
    """CSCA certificates the kiosk trusts: from PEM/DER files and ICAO master lists."""

    def __init__(self, certificates: Iterable[x509.Certificate] = ()):
        self._certs: dict[bytes, x509.Certificate] = {}
        for c in certificates:
            self.add(c)

    def __repr__(self) -> str:
        return f"TrustStore({len(self)} CSCA certificates)"

    def __len__(self) -> int:
        return len(self._certs)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return tuple(self._certs.values())

    def add(self, cert: x509.Certificate | bytes) -> None:
        if isinstance(cert, (bytes, bytearray)):
            for c in certs.load_certificates(bytes(cert)):
                self.add(c)
            return
        self._certs[hashlib.sha256(cert.dump()).digest()] = cert

    def add_master_list(self, data: bytes, verify: bool = True,
                        require_trusted_signer: bool = False) -> int:
        """Add the CSCAs of a master list; returns how many were new. With
        ``verify`` the list's signature and its signer certificate are checked
        (VerificationError): against the CSCAs already trusted when
        ``require_trusted_signer``, else against the list's own certificates."""
        ml = parse_master_list(data)
        if verify:
            ml.verify(self.certificates if require_trusted_signer else None)
        before = len(self)
        for c in ml.certificates:
            self.add(c)
        return len(self) - before

    def add_file(self, path: Path, verify_master_lists: bool = True) -> None:
        path = Path(path)
        data = path.read_bytes()
        try:
            if path.suffix.lower() in _ML_SUFFIXES:
                self.add_master_list(data, verify=verify_master_lists)
            else:
                self.add(data)
        except CardError as e:
            raise type(e)(f"trust store file {path.name}: {e}") from None

    @classmethod
    def from_folder(cls, folder: Path | str, verify_master_lists: bool = True) -> "TrustStore":
        """Every certificate file (.pem .crt .cer .der) and master list (.ml) in
        ``folder`` (not recursive). A file that does not parse is an error."""
        store = cls()
        folder = Path(folder)
        if not folder.is_dir():
            raise ParseError(f"trust store folder {folder} does not exist")
        for p in sorted(folder.iterdir()):
            if p.is_file() and p.suffix.lower() in _CERT_SUFFIXES | _ML_SUFFIXES:
                store.add_file(p, verify_master_lists)
        return store

    def issuers_of(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """Candidate CSCAs for ``cert``: same name as its issuer and, when both
        carry key identifiers, the subject key id equal to its authority key id."""
        aki = certs.authority_key_id(cert)
        out = []
        for c in self._certs.values():
            if not certs.same_name(c.subject, cert.issuer):
                continue
            ski = certs.subject_key_id(c)
            if aki is not None and ski is not None and aki != ski:
                continue
            out.append(c)
        return out


# ---------------------------------------------------------------- result


@dataclass(frozen=True)
class PassivePolicy:
    allow_expired_ds: bool = True
    allow_expired_csca: bool = False


@dataclass(frozen=True)
class ChainResult:
    status: str  # CHAIN_TRUSTED, CHAIN_NO_CSCA, CHAIN_BAD_SIGNATURE, CHAIN_NOT_CHECKED
    csca: x509.Certificate | None = None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"ChainResult({self.status!r}, problems={list(self.problems)})"


@dataclass(frozen=True)
class PassiveResult:
    status: str  # "verified" or "failed"
    reason: str  # technician-readable, no personal data
    failed_dgs: tuple[int, ...] = ()  # hash mismatch, or not covered by EF.SOD
    checked_dgs: tuple[int, ...] = ()  # hashes that matched
    unread_dgs: tuple[int, ...] = ()  # listed in EF.SOD, not supplied
    hash_algorithm: str = ""
    dg_hashes_ok: bool = False
    message_digest_ok: bool = False
    signature_ok: bool = False
    signature_algorithm: str = ""
    chain: str = CHAIN_NOT_CHECKED
    ds_subject: str = ""
    ds_issuer: str = ""
    ds_serial: str = ""  # hex, upper case
    ds_not_before: dt.datetime | None = None
    ds_not_after: dt.datetime | None = None
    ds_expired: bool = False
    csca_subject: str = ""
    warnings: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default=())

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def require_verified(self) -> "PassiveResult":
        """Self when verified, else VerificationError with the reason."""
        if not self.verified:
            raise VerificationError(f"passive authentication failed: {self.reason}")
        return self


# ------------------------------------------------------------------ steps


def check_dg_hashes(sod: SOD, dgs: dict[int, bytes]) -> tuple[list[int], list[int], list[str]]:
    """(matching DGs, failing DGs, problems). A DG the SOD does not list fails."""
    ok, bad, problems = [], [], []
    expected = sod.dg_hashes
    for n in sorted(dgs):
        if n not in expected:
            bad.append(n)
            problems.append(f"DG{n} is not covered by EF.SOD")
            continue
        if sig.digest(sod.security_object.hash_algorithm, bytes(dgs[n])) == expected[n]:
            ok.append(n)
        else:
            bad.append(n)
            problems.append(f"DG{n} hash does not match EF.SOD")
    return ok, bad, problems


def check_signed_attributes(sod: SOD) -> list[str]:
    """Problems with contentType / messageDigest (empty when both are right)."""
    problems = []
    if sod.signed.attr_content_type != OID_LDS_SECURITY_OBJECT:
        problems.append("signed contentType attribute is not the LDS security object")
    if sod.signed.message_digest is None:
        problems.append("EF.SOD has no messageDigest signed attribute")
    elif not sod.signed.message_digest_ok():
        problems.append("EF.SOD messageDigest does not match the LDS security object")
    return problems


def check_signature(sod: SOD) -> str | None:
    """None when the signature over the signed attributes checks with the DS
    certificate in EF.SOD, else the problem."""
    ds = sod.ds_certificate
    if ds is None:
        return "EF.SOD carries no Document Signer certificate matching its signer"
    try:
        sod.signed.verify_signature(ds)
    except VerificationError:
        return "EF.SOD signature does not verify with its Document Signer certificate"
    except CardError as e:
        return f"EF.SOD signature could not be checked: {e}"
    ku = certs.key_usage(ds)
    if ku is not None and "digital_signature" not in ku:
        return "Document Signer certificate is not for digital signatures (key usage)"
    return None


def check_chain(ds: x509.Certificate, trust: TrustStore | None, today: dt.date,
                policy: PassivePolicy = PassivePolicy()) -> ChainResult:
    """Signature of the DS certificate by a trusted CSCA, and validity periods."""
    problems: list[str] = []
    warnings: list[str] = []
    ds_state = certs.validity_problem(ds, today)
    if ds_state == "not yet valid":
        problems.append("Document Signer certificate not yet valid")
    elif ds_state == "expired":
        if policy.allow_expired_ds:
            warnings.append("Document Signer certificate expired (accepted by policy)")
        else:
            problems.append("Document Signer certificate expired")
    issuer = certs.name_string(ds.issuer)
    candidates = trust.issuers_of(ds) if trust is not None else []
    if not candidates:
        problems.insert(0, f"{CHAIN_NO_CSCA} for issuer {issuer}")
        return ChainResult(CHAIN_NO_CSCA, None, tuple(problems), tuple(warnings))
    for csca in candidates:
        try:
            certs.verify_issued_by(ds, csca)
        except CardError:
            continue
        state = certs.validity_problem(csca, today)
        if state == "expired" and policy.allow_expired_csca:
            warnings.append("CSCA certificate expired (accepted by policy)")
        elif state:
            problems.append(f"CSCA certificate {state}")
        if certs.is_ca(csca) is False:
            problems.append("CSCA certificate is not a CA certificate")
        ku = certs.key_usage(csca)
        if ku is not None and "key_cert_sign" not in ku:
            problems.append("CSCA certificate may not sign certificates (key usage)")
        return ChainResult(CHAIN_TRUSTED, csca, tuple(problems), tuple(warnings))
    problems.insert(0, f"{CHAIN_BAD_SIGNATURE}: no CSCA named {issuer} signed it")
    return ChainResult(CHAIN_BAD_SIGNATURE, None, tuple(problems), tuple(warnings))


def passive_authenticate(sod_bytes: bytes, dgs: dict[int, bytes], trust: TrustStore | None,
                         today: dt.date | None = None,
                         policy: PassivePolicy = PassivePolicy()) -> PassiveResult:
    """Run every step; never raises for bad data (a malformed EF.SOD is a failed
    result), only for programming errors."""
    today = today or dt.date.today()
    try:
        sod = parse_sod(sod_bytes)
    except CardError as e:
        return PassiveResult("failed", f"EF.SOD malformed: {e}", failed_dgs=tuple(sorted(dgs)),
                             problems=(f"EF.SOD malformed: {e}",))
    problems: list[str] = []
    warnings: list[str] = []
    ok_dgs, bad_dgs, dg_problems = check_dg_hashes(sod, dgs)
    problems += dg_problems
    attr_problems = check_signed_attributes(sod)
    problems += attr_problems
    sig_problem = check_signature(sod)
    if sig_problem:
        problems.append(sig_problem)

    ds = sod.ds_certificate
    info: dict = {}
    chain = ChainResult(CHAIN_NOT_CHECKED)
    if ds is not None:
        try:
            nb, na = certs.validity(ds)
            info = dict(ds_subject=certs.name_string(ds.subject), ds_issuer=certs.name_string(ds.issuer),
                        ds_serial=format(ds.serial_number, "X"), ds_not_before=nb, ds_not_after=na,
                        ds_expired=today > na.date())
            chain = check_chain(ds, trust, today, policy)
        except CardError as e:
            chain = ChainResult(CHAIN_NOT_CHECKED, problems=(f"Document Signer certificate unusable: {e}",))
        problems += chain.problems
        warnings += chain.warnings
    if not dgs:
        problems.append("no data group supplied")
    try:
        sig_name = sig.describe(sod.signed.signature_algorithm)
    except CardError:
        sig_name = "unknown"
    verified = not problems
    if verified:
        reason = f"verified: DG{', DG'.join(map(str, ok_dgs))} signed by {info.get('ds_subject', '?')}"
    else:
        reason = "; ".join(problems)
    return PassiveResult(
        status="verified" if verified else "failed",
        reason=reason,
        failed_dgs=tuple(bad_dgs),
        checked_dgs=tuple(ok_dgs),
        unread_dgs=tuple(n for n in sorted(sod.dg_hashes) if n not in dgs),
        hash_algorithm=sod.security_object.hash_algorithm,
        dg_hashes_ok=bool(dgs) and not bad_dgs,
        message_digest_ok=not attr_problems,
        signature_ok=sig_problem is None,
        signature_algorithm=sig_name,
        chain=chain.status,
        csca_subject=certs.name_string(chain.csca.subject) if chain.csca is not None else "",
        warnings=tuple(warnings),
        problems=tuple(problems),
        **info,
    )
