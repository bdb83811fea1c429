"""Passive authentication: the two published specimen SODs byte for byte (their
CSCAs are not public: hashes, messageDigest and signature only), then the whole
chain with the project's TEST-ONLY PKI: trusted, tampered, foreign, expired,
master lists."""

import datetime as dt
import hashlib
import json

import pytest
from asn1crypto import x509 as a509
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.card.emulator import pki as pkilib
from kiosk.card.errors import ParseError, VerificationError
from kiosk.card.lds import certificates as certs
from kiosk.card.lds import signature as sig
from kiosk.card.lds import tlv
from kiosk.card.lds.files import encode_dg1, encode_dg11
from kiosk.card.lds.masterlist import build_master_list, parse_master_list
from kiosk.card.lds.sod import OID_LDS_SECURITY_OBJECT, build_sod, parse_sod
from kiosk.card.passive import (CHAIN_BAD_SIGNATURE, CHAIN_NO_CSCA, CHAIN_TRUSTED, PassivePolicy,
                                TrustStore, check_dg_hashes, passive_authenticate)
from kiosk.paths import ROOT

V = json.loads((ROOT / "tests" / "vectors" / "emrtd_vectors.json").read_text())
BSI = V["passive_authentication_bsi_tr03105_5"]
ETSI = V["passive_authentication_etsi_tr103200"]
TODAY = dt.date(2026, 6, 1)
H = bytes.fromhex


# ------------------------------------------------------- specimen vectors


@pytest.mark.parametrize("v", [BSI, ETSI], ids=["bsi", "etsi"])
def test_specimen_sod_structure_byte_for_byte(v):
    raw = H(v["ef_sod"])
    assert len(raw) == v["ef_sod_length"]
    sod = parse_sod(raw)
    s = sod.signed
    assert s.content_type == OID_LDS_SECURITY_OBJECT == s.attr_content_type
    if "lds_security_object_econtent" in v:
        assert s.econtent == H(v["lds_security_object_econtent"])
    assert sod.security_object.hash_algorithm == "sha256" and sod.security_object.version == 0
    assert {f"DG{n}": h.hex().upper() for n, h in sod.dg_hashes.items()} == v["dg_hashes"]
    assert s.signed_attrs_der == H(v["signed_attributes_der_set"])
    assert s.message_digest == H(v["message_digest"]) and s.message_digest_ok()
    assert hashlib.sha256(s.econtent).digest() == H(v["message_digest"])
    assert s.signature == H(v["signature"])
    assert sig.describe(s.signature_algorithm) == "rsassa_pss/sha256"
    params = s.signature_algorithm["parameters"].native
    assert params["salt_length"] == 32 and params["mask_gen_algorithm"]["parameters"]["algorithm"] == "sha256"
    ds = sod.ds_certificate
    assert ds.dump() == H(v["ds_certificate_der"])
    if "ds_certificate_sha256" in v:
        assert hashlib.sha256(ds.dump()).hexdigest().upper() == v["ds_certificate_sha256"]
    assert certs.name_string(ds.subject) == v["ds_subject"]
    assert certs.name_string(ds.issuer) == v["ds_issuer"]
    assert format(ds.serial_number, "X") == v["ds_serial"]
    nb, na = certs.validity(ds)
    assert nb.strftime("%Y-%m-%dT%H:%M:%SZ") == v["ds_not_before"]
    assert na.strftime("%Y-%m-%dT%H:%M:%SZ") == v["ds_not_after"]
    assert s.matches(ds)
    s.verify_signature(ds)  # raises if the RSASSA-PSS signature does not hold


@pytest.mark.parametrize("v", [BSI, ETSI], ids=["bsi", "etsi"])
def test_specimen_passive_authentication_without_csca(v):
    dgs = {1: H(v["dg1"])}
    if "dg14" in v:
        dgs[14] = H(v["dg14"])
    assert hashlib.sha256(dgs[1]).hexdigest().upper() == v["expected_sha256_dg1"]
    for trust in (None, TrustStore()):
        r = passive_authenticate(H(v["ef_sod"]), dgs, trust, TODAY)
        assert r.dg_hashes_ok and r.message_digest_ok and r.signature_ok
        assert r.checked_dgs == tuple(sorted(dgs)) and r.failed_dgs == ()
        assert r.chain == CHAIN_NO_CSCA and r.status == "failed" and not r.verified
        assert r.reason == f"untrusted: no CSCA for issuer {v['ds_issuer']}"
        assert r.ds_subject == v["ds_subject"] and r.ds_serial == v["ds_serial"]
        assert r.ds_expired and r.signature_algorithm == "rsassa_pss/sha256"
        assert 2 in r.unread_dgs
        with pytest.raises(VerificationError, match="untrusted: no CSCA"):
            r.require_verified()


@pytest.mark.parametrize("sod_v,dg1_v", [(BSI, ETSI), (ETSI, BSI)], ids=["bsi-sod", "etsi-sod"])
def test_cross_vector_dg1_is_rejected(sod_v, dg1_v):
    r = passive_authenticate(H(sod_v["ef_sod"]), {1: H(dg1_v["dg1"])}, None, TODAY)
    assert r.failed_dgs == (1,) and not r.dg_hashes_ok and r.status == "failed"
    assert r.reason.startswith("DG1 hash does not match EF.SOD")
    assert r.signature_ok  # the SOD itself is fine


def test_any_changed_byte_of_dg1_is_caught():
    sod = parse_sod(H(BSI["ef_sod"]))
    dg1 = H(BSI["dg1"])
    for i in range(len(dg1)):
        changed = bytearray(dg1)
        changed[i] ^= 0x20
        ok, bad, problems = check_dg_hashes(sod, {1: bytes(changed)})
        assert (ok, bad) == ([], [1]) and problems == ["DG1 hash does not match EF.SOD"]


def test_altered_signature_and_econtent_are_caught():
    raw = H(BSI["ef_sod"])
    sig_bytes = H(BSI["signature"])
    i = raw.index(sig_bytes)
    bad_sig = raw[:i + 10] + bytes([raw[i + 10] ^ 1]) + raw[i + 11:]
    r = passive_authenticate(bad_sig, {1: H(BSI["dg1"])}, None, TODAY)
    assert r.dg_hashes_ok and r.message_digest_ok and not r.signature_ok
    assert "signature does not verify" in r.reason
    # a DG hash changed inside the eContent: messageDigest no longer matches
    j = raw.index(H(BSI["dg_hashes"]["DG2"]))
    bad_content = raw[:j] + bytes([raw[j] ^ 1]) + raw[j + 1:]
    r = passive_authenticate(bad_content, {1: H(BSI["dg1"])}, None, TODAY)
    assert r.dg_hashes_ok and not r.message_digest_ok
    assert r.signature_ok  # the signature covers the attributes, whose messageDigest is now wrong
    assert r.reason.startswith("EF.SOD messageDigest does not match")


def test_malformed_sod_is_a_failed_result():
    r = passive_authenticate(b"\x77\x03\x30\x01\x00", {1: H(BSI["dg1"])}, None, TODAY)
    assert r.status == "failed" and r.reason.startswith("EF.SOD malformed") and r.failed_dgs == (1,)
    with pytest.raises(ParseError):
        parse_sod(H(BSI["ef_sod"])[:-1])


def test_dg_not_covered_and_no_dg():
    r = passive_authenticate(H(BSI["ef_sod"]), {1: H(BSI["dg1"]), 11: b"\x6b\x00"}, None, TODAY)
    assert r.failed_dgs == (11,) and "DG11 is not covered by EF.SOD" in r.reason
    r = passive_authenticate(H(BSI["ef_sod"]), {}, None, TODAY)
    assert "no data group supplied" in r.reason and not r.dg_hashes_ok


# --------------------------------------------------------- own test PKI

MRZ = ("P<MARALAOUI<<KARIM<YOUSSEF<<<<<<<<<<<<<<<<<<\n"
       "TSTP008720MAR8512039M3101090<<<<<<<<<<<<<<<8")


@pytest.fixture(scope="module")
def pki():
    return pkilib.load_test_pki()


@pytest.fixture(scope="module")
def trust(pki):
    return TrustStore([pki.csca.asn1])


def _dgs():
    return {1: encode_dg1(MRZ), 11: encode_dg11(full_name="العلوي<<كريم")}


def test_own_pki_verified(pki, trust):
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, pki.ds.asn1, pki.ds.key), dgs, trust, TODAY)
    assert r.verified and r.status == "verified" and r.chain == CHAIN_TRUSTED
    assert r.checked_dgs == (1, 11) and r.warnings == () and r.problems == ()
    assert r.csca_subject == "CN=TEST-ONLY CSCA Guichet,O=Guichet TEST-ONLY PKI,C=MA"
    assert r.signature_algorithm == "ecdsa/sha256" and r.reason.startswith("verified: DG1, DG11")
    assert r.require_verified() is r
    for secret in ("ALAOUI", "KARIM", "TSTP00872", "851203", "العلوي"):
        assert secret not in repr(r)


def test_own_pki_tampered_dg1(pki, trust):
    dgs = _dgs()
    sod = build_sod(dgs, pki.ds.asn1, pki.ds.key)
    dgs[1] = encode_dg1(MRZ.replace("ALAOUI", "ALAOUY"))
    r = passive_authenticate(sod, dgs, trust, TODAY)
    assert r.status == "failed" and r.failed_dgs == (1,) and r.checked_dgs == (11,)
    assert r.reason == "DG1 hash does not match EF.SOD"
    assert r.signature_ok and r.chain == CHAIN_TRUSTED


def test_foreign_csca_is_untrusted(pki, trust):
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, pki.foreign_ds.asn1, pki.foreign_ds.key), dgs, trust, TODAY)
    assert r.status == "failed" and r.chain == CHAIN_NO_CSCA and r.signature_ok and r.dg_hashes_ok
    assert r.reason.startswith("untrusted: no CSCA for issuer CN=TEST-ONLY foreign CSCA")
    # trusting the foreign CSCA too makes it verify
    both = TrustStore([pki.csca.asn1, pki.foreign_csca.asn1])
    assert passive_authenticate(build_sod(dgs, pki.foreign_ds.asn1, pki.foreign_ds.key), dgs, both,
                                TODAY).verified


def test_impostor_csca_with_the_same_name_is_untrusted(pki, trust):
    impostor = pkilib.issue_csca()  # same subject as the test CSCA, another key
    ds = pkilib.issue_ds(impostor)
    assert trust.issuers_of(ds.asn1) == []  # its authority key id names another key
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, ds.asn1, ds.key), dgs, trust, TODAY)
    assert r.chain == CHAIN_NO_CSCA and r.status == "failed" and r.signature_ok


def test_ds_signature_check_when_names_match_but_key_differs(pki):
    # A CSCA named like the DS's issuer, without a subject key identifier: it is
    # a candidate, and only the signature tells it is not the issuer.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    key = ec.generate_private_key(ec.BrainpoolP256R1())
    subject = pki.csca.certificate.subject
    fake = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(pkilib.VALID_FROM).not_valid_after(pkilib.VALID_TO)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    fake_asn1 = a509.Certificate.load(fake.public_bytes(serialization.Encoding.DER))
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, pki.ds.asn1, pki.ds.key), dgs, TrustStore([fake_asn1]), TODAY)
    assert r.chain == CHAIN_BAD_SIGNATURE and r.status == "failed"
    assert r.reason.startswith("untrusted: DS certificate signature invalid")


def test_expired_ds_policy(pki, trust):
    ds = pkilib.expired_ds(pki.csca, dt.date(2025, 6, 30))
    dgs = _dgs()
    sod = build_sod(dgs, ds.asn1, ds.key)
    r = passive_authenticate(sod, dgs, trust, TODAY)
    assert r.verified and r.ds_expired
    assert r.warnings == ("Document Signer certificate expired (accepted by policy)",)
    strict = passive_authenticate(sod, dgs, trust, TODAY, PassivePolicy(allow_expired_ds=False))
    assert strict.status == "failed" and strict.reason == "Document Signer certificate expired"
    # on a day the DS was still valid, even the strict policy verifies
    assert passive_authenticate(sod, dgs, trust, dt.date(2025, 6, 30),
                                PassivePolicy(allow_expired_ds=False)).verified


def test_ds_not_yet_valid_fails(pki, trust):
    dgs = _dgs()
    sod = build_sod(dgs, pki.ds.asn1, pki.ds.key)
    r = passive_authenticate(sod, dgs, trust, dt.date(2024, 12, 31))
    assert r.status == "failed" and "Document Signer certificate not yet valid" in r.reason
    assert "CSCA certificate not yet valid" in r.reason


def test_expired_csca_policy(tmp_path):
    csca = pkilib.expired_csca(dt.date(2025, 6, 30))
    ds = pkilib.issue_ds(csca, not_before=dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
                         not_after=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))
    dgs = _dgs()
    sod = build_sod(dgs, ds.asn1, ds.key)
    store = TrustStore([csca.asn1])
    r = passive_authenticate(sod, dgs, store, TODAY)
    assert r.status == "failed" and r.chain == CHAIN_TRUSTED and r.reason == "CSCA certificate expired"
    relaxed = passive_authenticate(sod, dgs, store, TODAY, PassivePolicy(allow_expired_csca=True))
    assert relaxed.verified and relaxed.warnings == ("CSCA certificate expired (accepted by policy)",)
    assert passive_authenticate(sod, dgs, store, dt.date(2025, 1, 1)).verified


def test_ds_without_digital_signature_key_usage_fails(pki, trust):
    ds = pkilib.issue_ds(pki.csca, "TEST-ONLY wrong usage", digital_signature=False)
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, ds.asn1, ds.key), dgs, trust, TODAY)
    assert r.status == "failed" and "key usage" in r.reason and not r.signature_ok


@pytest.mark.parametrize("hash_name", ["sha1", "sha224", "sha384", "sha512"])
def test_other_hash_algorithms(pki, trust, hash_name):
    dgs = _dgs()
    sod = build_sod(dgs, pki.ds.asn1, pki.ds.key, hash_algorithm=hash_name)
    r = passive_authenticate(sod, dgs, trust, TODAY)
    assert r.verified and r.hash_algorithm == hash_name
    assert r.signature_algorithm == f"ecdsa/{hash_name}"


@pytest.mark.parametrize("pss", [False, True])
def test_rsa_document_signer(pki, trust, pss):
    ds = pkilib.issue_ds(pki.csca, "TEST-ONLY RSA Document Signer", key=pki.aa_rsa_key)
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, ds.asn1, ds.key, pss=pss), dgs, trust, TODAY)
    assert r.verified
    assert r.signature_algorithm == ("rsassa_pss/sha256" if pss else "pkcs1v15/sha256")


def test_plain_ecdsa_signature_algorithm(pki):
    from asn1crypto import algos
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    der, _ = sig.sign(pki.ds.key, b"payload")
    r, s = decode_dss_signature(der)
    plain = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    alg = algos.SignedDigestAlgorithm({"algorithm": "0.4.0.127.0.7.1.1.4.1.3"})
    sig.verify(pki.ds.key.public_key(), alg, plain, b"payload")
    with pytest.raises(VerificationError):
        sig.verify(pki.ds.key.public_key(), alg, plain, b"other")
    with pytest.raises(VerificationError):
        sig.verify(pki.ds.key.public_key(), alg, plain[:-1], b"payload")


def test_ds_with_explicit_curve_parameters(pki, trust):
    """A DS certificate whose key is written with explicit brainpoolP256r1
    parameters (as many states do), re-signed by the test CSCA."""
    from asn1crypto import keys

    from .test_lds_files import explicit_spki

    ds = pkilib.issue_ds(pki.csca, "TEST-ONLY explicit-parameters DS")
    cert = a509.Certificate.load(ds.der)
    tbs = cert["tbs_certificate"]
    tbs_fields = {k: tbs[k] for k in ("version", "serial_number", "signature", "issuer", "validity",
                                      "subject", "extensions")}
    spki = explicit_spki(ds.key.public_key(), "brainpoolP256r1")
    new_tbs = a509.TbsCertificate({**tbs_fields, "subject_public_key_info": keys.PublicKeyInfo.load(spki)})
    signature, alg = sig.sign(pki.csca.key, new_tbs.dump())
    explicit = a509.Certificate({"tbs_certificate": new_tbs, "signature_algorithm": alg,
                                 "signature_value": signature})
    explicit = a509.Certificate.load(explicit.dump())
    assert explicit.public_key["algorithm"]["parameters"].name == "specified"
    dgs = _dgs()
    r = passive_authenticate(build_sod(dgs, explicit, ds.key), dgs, trust, TODAY)
    assert r.verified, r.reason


# ------------------------------------------------------------ trust store


def test_trust_store_from_folder_pem_der_and_master_list(tmp_path, pki):
    from cryptography.hazmat.primitives import serialization

    (tmp_path / "csca.pem").write_bytes(pki.csca.certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "foreign.der").write_bytes(pki.foreign_csca.der)
    (tmp_path / "notes.txt").write_text("ignored")
    store = TrustStore.from_folder(tmp_path)
    assert len(store) == 2 and "2 CSCA" in repr(store)
    # a master list signed by a signer the test CSCA issued
    other = pkilib.issue_csca("TEST-ONLY CSCA listed", "ZZ")
    signer = pkilib.issue_master_list_signer(pki.csca)
    ml = build_master_list([pki.csca.asn1, other.asn1], signer.asn1, signer.key)
    (tmp_path / "icao.ml").write_bytes(ml)
    store = TrustStore.from_folder(tmp_path)
    assert len(store) == 3  # csca deduplicated
    parsed = parse_master_list(ml)
    assert len(parsed.certificates) == 2 and parsed.signer_certificate.dump() == signer.der
    assert parsed.verify().dump() == pki.csca.der
    assert parsed.verify([pki.csca.asn1]).dump() == pki.csca.der


def test_master_list_verification_failures(pki):
    signer = pkilib.issue_master_list_signer(pki.csca)
    ml = build_master_list([pki.csca.asn1], signer.asn1, signer.key)
    store = TrustStore()
    with pytest.raises(VerificationError, match="not issued by a CSCA in the trusted CSCAs"):
        store.add_master_list(ml, require_trusted_signer=True)
    assert len(store) == 0
    store = TrustStore([pki.csca.asn1])
    assert store.add_master_list(ml, require_trusted_signer=True) == 0  # already known
    # a signer from the foreign PKI listing only our CSCA: inconsistent
    foreign_signer = pkilib.issue_master_list_signer(pki.foreign_csca)
    ml2 = build_master_list([pki.csca.asn1], foreign_signer.asn1, foreign_signer.key)
    with pytest.raises(VerificationError, match="not issued by a CSCA in the list"):
        TrustStore().add_master_list(ml2)
    assert TrustStore().add_master_list(ml2, verify=False) == 1
    # content altered after signing
    i = ml.index(pki.csca.der)
    altered = ml[:i + 300] + bytes([ml[i + 300] ^ 1]) + ml[i + 301:]
    with pytest.raises(VerificationError, match="messageDigest"):
        TrustStore().add_master_list(altered)


def test_trust_store_errors_name_the_file(tmp_path):
    (tmp_path / "broken.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(ParseError, match="broken.pem"):
        TrustStore.from_folder(tmp_path)
    with pytest.raises(ParseError, match="does not exist"):
        TrustStore.from_folder(tmp_path / "missing")
    with pytest.raises(ParseError, match="master list"):
        parse_master_list(tlv.encode(0x30, b""))


def test_sod_is_the_emrtd_security_object_only(pki):
    # a master list is a valid SignedData but not an EF.SOD
    signer = pkilib.issue_master_list_signer(pki.csca)
    ml = build_master_list([pki.csca.asn1], signer.asn1, signer.key)
    with pytest.raises(ParseError, match="is not the LDS security object"):
        parse_sod(tlv.encode(0x77, ml))
