"""A TEST-ONLY eMRTD PKI: a CSCA, a Document Signer it issued, a second
"foreign" CSCA + DS pair the kiosk does not trust, and Active Authentication keys.

The committed set lives in ``assets/emulator/pki/`` (see its README): valid
2025-2045 so tests do not rot, private keys included on purpose since nothing
real depends on them. ``generate_test_pki`` rewrites it; ``issue_csca`` /
``issue_ds`` make more on the fly (expired DS, expired CSCA...) for tests.

Certificates carry the Doc 9303 Part 12 profile: CSCA with basic constraints
(CA, path length 0), key usage keyCertSign + cRLSign, subject and authority key
identifiers, private key usage period; DS with key usage digitalSignature,
authority and subject key identifiers, private key usage period and the
document type list extension (2.23.136.1.1.6.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from asn1crypto import core
from asn1crypto import x509 as a509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ...paths import ASSETS

PKI_DIR = ASSETS / "emulator" / "pki"
UTC = dt.timezone.utc
VALID_FROM = dt.datetime(2025, 1, 1, tzinfo=UTC)
VALID_TO = dt.datetime(2045, 12, 31, 23, 59, 59, tzinfo=UTC)

OID_DOCUMENT_TYPE_LIST = "2.23.136.1.1.6.2"
TEST_ORG = "Guichet TEST-ONLY PKI"
FOREIGN_ORG = "Guichet TEST-ONLY foreign PKI"


@dataclass(frozen=True)
class CertAndKey:
    certificate: x509.Certificate
    key: object  # a cryptography private key

    def __repr__(self) -> str:
        return f"CertAndKey({self.certificate.subject.rfc4514_string()})"

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def asn1(self) -> a509.Certificate:
        """The asn1crypto form the LDS modules use."""
        return a509.Certificate.load(self.der)


def _name(country: str, org: str, cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _serial(subject: x509.Name, not_before: dt.datetime) -> int:
    # Deterministic per subject and date, so regenerating is reproducible in shape.
    import hashlib

    h = hashlib.sha256(subject.public_bytes() + not_before.isoformat().encode()).digest()
    return int.from_bytes(h[:8], "big") | 1


def new_key(curve: ec.EllipticCurve | None = None):
    return ec.generate_private_key(curve or ec.BrainpoolP256R1())


def document_type_list(types: tuple[str, ...]) -> bytes:
    """DocumentTypeListSyntax ::= SEQUENCE { version INTEGER (0), docTypeList SET OF PrintableString }."""
    class _Types(core.SetOf):
        _child_spec = core.PrintableString

    class _Syntax(core.Sequence):
        _fields = [("version", core.Integer), ("doc_type_list", _Types)]

    return _Syntax({"version": 0, "doc_type_list": list(types)}).dump()


def issue_csca(common_name: str = "TEST-ONLY CSCA Guichet", country: str = "MA",
               organization: str = TEST_ORG, not_before: dt.datetime = VALID_FROM,
               not_after: dt.datetime = VALID_TO, key=None, curve: ec.EllipticCurve | None = None
               ) -> CertAndKey:
    """A self-signed CSCA certificate."""
    key = key or new_key(curve)
    subject = _name(country, organization, common_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(_serial(subject, not_before))
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier(ski.digest, None, None), critical=False)
            .add_extension(x509.PrivateKeyUsagePeriod(not_before, not_after), critical=False)
            .sign(key, hashes.SHA256()))
    return CertAndKey(cert, key)


def issue_ds(csca: CertAndKey, common_name: str = "TEST-ONLY Document Signer Guichet",
             not_before: dt.datetime = VALID_FROM, not_after: dt.datetime = VALID_TO, key=None,
             curve: ec.EllipticCurve | None = None, document_types: tuple[str, ...] = ("ID", "P"),
             digital_signature: bool = True) -> CertAndKey:
    """A Document Signer certificate issued by ``csca`` (same country and organization)."""
    key = key or new_key(curve)
    issuer = csca.certificate.subject
    country = issuer.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
    org = issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    subject = _name(str(country), str(org), common_name)
    csca_ski = csca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key())
               .serial_number(_serial(subject, not_before))
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.KeyUsage(digital_signature=digital_signature,
                                            content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False,
                                            key_cert_sign=not digital_signature, crl_sign=False,
                                            encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(csca_ski),
                              critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.PrivateKeyUsagePeriod(not_before, not_after), critical=False))
    if document_types:
        builder = builder.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier(OID_DOCUMENT_TYPE_LIST), document_type_list(document_types)),
            critical=False)
    return CertAndKey(builder.sign(csca.key, hashes.SHA256()), key)


def issue_master_list_signer(csca: CertAndKey, common_name: str = "TEST-ONLY Master List Signer"
                             ) -> CertAndKey:
    """A master list signer certificate (for master list tests)."""
    return issue_ds(csca, common_name, document_types=())


# -------------------------------------------------------------- files


def _cert_pem(c: CertAndKey) -> bytes:
    return c.certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _load_key(path: Path):
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _load_pair(folder: Path, stem: str) -> CertAndKey:
    cert = x509.load_pem_x509_certificate((folder / f"{stem}.pem").read_bytes())
    return CertAndKey(cert, _load_key(folder / f"{stem}-key.pem"))


@dataclass(frozen=True)
class TestPKI:
    csca: CertAndKey
    ds: CertAndKey
    foreign_csca: CertAndKey
    foreign_ds: CertAndKey
    aa_ec_key: object  # EC P-256 private key
    aa_rsa_key: object  # RSA-2048 private key
    folder: Path

    __test__ = False  # not a pytest test class

    def __repr__(self) -> str:
        return f"TestPKI({self.folder})"


def write_test_pki(pki_csca: CertAndKey, ds: CertAndKey, foreign_csca: CertAndKey,
                   foreign_ds: CertAndKey, aa_ec_key, aa_rsa_key, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, pair in (("csca", pki_csca), ("ds", ds), ("foreign-csca", foreign_csca),
                       ("foreign-ds", foreign_ds)):
        (folder / f"{stem}.pem").write_bytes(_cert_pem(pair))
        (folder / f"{stem}-key.pem").write_bytes(_key_pem(pair.key))
    (folder / "aa-ec-key.pem").write_bytes(_key_pem(aa_ec_key))
    (folder / "aa-rsa-key.pem").write_bytes(_key_pem(aa_rsa_key))


def generate_test_pki(folder: Path = PKI_DIR) -> TestPKI:
    """Create a fresh TEST-ONLY PKI in ``folder`` (the committed one by default):
    brainpoolP256r1 CSCA and DS for MA, a P-256 foreign CSCA and DS (country ZZ),
    EC P-256 and RSA-2048 Active Authentication keys. The README is not touched."""
    csca = issue_csca()
    ds = issue_ds(csca)
    foreign = issue_csca("TEST-ONLY foreign CSCA", "ZZ", FOREIGN_ORG, curve=ec.SECP256R1())
    foreign_ds = issue_ds(foreign, "TEST-ONLY foreign Document Signer", curve=ec.SECP256R1())
    aa_ec = ec.generate_private_key(ec.SECP256R1())
    aa_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_test_pki(csca, ds, foreign, foreign_ds, aa_ec, aa_rsa, Path(folder))
    return load_test_pki(folder)


def load_test_pki(folder: Path = PKI_DIR) -> TestPKI:
    folder = Path(folder)
    return _load_cached(folder.resolve(), *(p.stat().st_mtime_ns for p in sorted(folder.glob("*.pem"))))


@lru_cache(maxsize=8)
def _load_cached(folder: Path, *_mtimes: int) -> TestPKI:
    return TestPKI(_load_pair(folder, "csca"), _load_pair(folder, "ds"),
                   _load_pair(folder, "foreign-csca"), _load_pair(folder, "foreign-ds"),
                   _load_key(folder / "aa-ec-key.pem"), _load_key(folder / "aa-rsa-key.pem"),
                   folder)


def expired_ds(csca: CertAndKey, expired_on: dt.date = dt.date(2025, 6, 30)) -> CertAndKey:
    """A DS issued by ``csca``, valid from 2025-01-01 (inside the test CSCA's
    period) to ``expired_on`` (for validity policy tests)."""
    end = dt.datetime.combine(expired_on, dt.time(23, 59, 59), UTC)
    return issue_ds(csca, "TEST-ONLY expired Document Signer",
                    not_before=min(VALID_FROM, end - dt.timedelta(days=1)), not_after=end)


def expired_csca(expired_on: dt.date = dt.date(2024, 12, 31)) -> CertAndKey:
    """A CSCA (same name as the test CSCA, new key) whose validity ended on ``expired_on``."""
    end = dt.datetime.combine(expired_on, dt.time(23, 59, 59), UTC)
    return issue_csca(not_before=end - dt.timedelta(days=3650), not_after=end)
