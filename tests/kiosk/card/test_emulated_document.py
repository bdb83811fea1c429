"""Emulated documents: the two committed profiles, tamper options, the TEST-ONLY
PKI (committed and regenerated), and profile validation."""

import datetime as dt
import shutil

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.card.emulator import pki as pkilib
from kiosk.card.emulator.document import (CNIE_PROFILE, DEFAULT_PACE, PASSPORT_PROFILE, PROFILES,
                                          EmulatedDocument, ProfileError, load_profile,
                                          trust_store_for_tests)
from kiosk.card.errors import ParseError
from kiosk.card.lds import face, files, signature as sig
from kiosk.card.lds.identity_from_lds import identity_from_lds
from kiosk.card.lds.image import decode_face_image
from kiosk.card.lds.mrz import parse_mrz
from kiosk.card.passive import CHAIN_NO_CSCA, PassivePolicy, TrustStore, passive_authenticate

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def cnie():
    return EmulatedDocument.from_profile(CNIE_PROFILE)


@pytest.fixture(scope="module")
def trust():
    return trust_store_for_tests()


def _pa(doc, trust, **kw):
    return passive_authenticate(doc.sod, doc.data_groups, trust, TODAY, **kw)


def test_cnie_profile_files(cnie):
    assert set(cnie.files) == {files.EF_COM, files.EF_SOD} | {files.dg_file_id(n) for n in (1, 2, 11, 12, 14, 15)}
    assert files.EF_CARD_ACCESS not in cnie.files  # the PACE engineer builds it from pace_infos
    assert files.parse_ef_com(cnie.files[files.EF_COM]).data_groups == (1, 2, 11, 12, 14, 15)
    assert {n: cnie.dg(n) for n in cnie.data_groups} == cnie.data_groups
    m = files.parse_dg1(cnie.dg(1), TODAY)
    assert (m.format, m.document_code, m.issuing_state, m.nationality) == ("TD1", "ID", "MAR", "MAR")
    assert m.text == cnie.mrz and parse_mrz(cnie.mrz).mrz_information == cnie.mrz_information
    assert (m.primary_identifier, m.secondary_identifier, m.sex) == ("EL AMRANI", "SALMA", "F")
    assert cnie.can == "481516" and len(cnie.can) == 6
    assert cnie.access == ("pace-can", "pace-mrz", "bac")
    assert cnie.pace_infos == (DEFAULT_PACE,) == (files.PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)


def test_cnie_data_groups(cnie):
    d11 = files.parse_dg11(cnie.dg(11))
    assert d11.name_parts() == ("العمراني", "سلمى") and d11.full_date_of_birth == dt.date(1991, 4, 17)
    assert d11.place_of_birth == "الرباط"
    d12 = files.parse_dg12(cnie.dg(12))
    assert d12.issuing_authority == "DGSN TEST-ONLY" and d12.date_of_issue == dt.date(2024, 7, 1)
    f = face.parse_dg2(cnie.dg(2))[0]
    assert f.format == "jpeg" and f.image == (PROFILES / "face.jpg").read_bytes()
    assert decode_face_image(f.image).png.startswith(b"\x89PNG")
    d14 = files.parse_dg14(cnie.dg(14))
    assert d14.pace_infos == cnie.pace_infos
    assert d14.aa_signature_algorithm == cnie.aa_signature_algorithm == "0.4.0.127.0.7.1.1.4.1.3"
    aa = files.parse_dg15(cnie.dg(15))
    assert aa.algorithm == "ec" and isinstance(cnie.aa_private_key, ec.EllipticCurvePrivateKey)
    assert isinstance(cnie.aa_private_key.curve, ec.SECP256R1)
    assert sig.load_public_key(aa.spki_der).public_numbers() == cnie.aa_private_key.public_key().public_numbers()


def test_cnie_verifies_and_builds_the_identity(cnie, trust):
    r = _pa(cnie, trust)
    assert r.verified, r.reason
    assert r.checked_dgs == (1, 2, 11, 12, 14, 15)
    ident = identity_from_lds(cnie.dg(1), cnie.dg(2), cnie.dg(11), r, today=TODAY)
    assert (ident.document_type, ident.document_number, ident.surname, ident.given_names) == \
        ("ID", "TST004271", "EL AMRANI", "SALMA")
    assert (ident.surname_ar, ident.given_names_ar, ident.birth_date, ident.expiry_date) == \
        ("العمراني", "سلمى", dt.date(1991, 4, 17), dt.date(2034, 6, 30))
    assert ident.verification == "verified" and ident.photo.startswith(b"\x89PNG")


def test_passport_profile(trust):
    doc = EmulatedDocument.from_profile(PASSPORT_PROFILE)
    m = files.parse_dg1(doc.dg(1), TODAY)
    assert (m.format, m.document_code, m.document_number) == ("TD3", "P", "TSTP00872")
    assert doc.access == ("bac",) and doc.pace_infos == () and doc.aa_private_key is None
    assert files.dg_file_id(14) not in doc.files and files.dg_file_id(15) not in doc.files
    assert doc.mrz_information == "TSTP00872085120393101090"
    assert _pa(doc, trust).verified
    assert identity_from_lds(doc.dg(1), today=TODAY).document_type == "P"


def test_tampered_dg1_still_parses_but_fails(trust):
    doc = EmulatedDocument.from_profile(CNIE_PROFILE, {"tamper": "dg1"})
    m = files.parse_dg1(doc.dg(1), TODAY)  # no check digit covers the name
    assert m.primary_identifier != "EL AMRANI"
    r = _pa(doc, trust)
    assert r.status == "failed" and r.failed_dgs == (1,) and r.reason == "DG1 hash does not match EF.SOD"


@pytest.mark.parametrize("target,dg", [("dg2", 2), ("dg11", 11), ("dg15", 15)])
def test_tampered_other_groups(trust, target, dg):
    doc = EmulatedDocument.from_profile(CNIE_PROFILE, {"tamper": [target]})
    r = _pa(doc, trust)
    assert r.failed_dgs == (dg,) and r.reason == f"DG{dg} hash does not match EF.SOD"


def test_tampered_sod_signature(trust):
    doc = EmulatedDocument.from_profile(PASSPORT_PROFILE, {"tamper": "sod-signature"})
    r = _pa(doc, trust)
    assert r.dg_hashes_ok and not r.signature_ok and "signature does not verify" in r.reason


def test_foreign_csca(trust):
    doc = EmulatedDocument.from_profile(PASSPORT_PROFILE, {"csca": "foreign"})
    r = _pa(doc, trust)
    assert r.status == "failed" and r.chain == CHAIN_NO_CSCA and r.signature_ok
    assert _pa(doc, TrustStore([doc.csca_certificate])).verified


def test_expired_ds(trust):
    doc = EmulatedDocument.from_profile(PASSPORT_PROFILE, {"ds_expired": True})
    assert _pa(doc, trust).verified and _pa(doc, trust).ds_expired
    strict = _pa(doc, trust, policy=PassivePolicy(allow_expired_ds=False))
    assert strict.reason == "Document Signer certificate expired"


def test_jp2_photo_rsa_aa_and_long_number(trust):
    doc = EmulatedDocument.from_profile(CNIE_PROFILE, {
        "photo_format": "jp2", "active_authentication": "rsa",
        "document": {"number": "TST0042719876"}})
    f = face.parse_dg2(doc.dg(2))[0]
    assert f.format == "jp2" and decode_face_image(f.image).width == f.width
    assert isinstance(doc.aa_private_key, rsa.RSAPrivateKey) and doc.aa_signature_algorithm is None
    assert files.parse_dg15(doc.dg(15)).algorithm == "rsa"
    assert files.parse_dg14(doc.dg(14)).aa_signature_algorithm is None  # PACEInfo only
    m = files.parse_dg1(doc.dg(1), TODAY)
    assert m.document_number == "TST0042719876" and m.mrz_information.startswith("TST0042719876")
    assert _pa(doc, trust).verified


def test_profile_with_name_without_separator_and_no_extras(tmp_path):
    shutil.copy(PROFILES / "face.jpg", tmp_path / "face.jpg")
    doc = EmulatedDocument.from_dict({
        "test_only": True, "photo": "face.jpg", "can": 12345, "access": "bac",
        "document": {"type": "P", "issuing_state": "UTO", "number": "X1", "surname": "Test",
                     "nationality": "UTO", "sex": "X", "birth_date": "2000-02-29",
                     "expiry_date": "2030-01-01", "name_ar": "اختبار"}}, tmp_path)
    assert doc.can == "012345"
    ident = identity_from_lds(doc.dg(1), dg11=doc.dg(11), today=TODAY)
    assert (ident.surname_ar, ident.given_names_ar, ident.sex, ident.given_names) == ("اختبار", "", "X", "")
    assert files.dg_file_id(12) not in doc.files


def test_repr_hides_personal_data(cnie):
    text = repr(cnie) + repr(cnie.profile)
    for secret in ("EL AMRANI", "SALMA", "TST004271", "481516", "1991", "العمراني"):
        assert secret not in text
    assert "DG1" in repr(cnie)


@pytest.mark.parametrize("overrides,msg", [
    ({"test_only": False}, "test_only"),
    ({"document": {"sex": "Q"}}, "document.sex"),
    ({"document": {"type": "V"}}, "document.type"),
    ({"document": {"birth_date": "17/04/1991"}}, "document.birth_date"),
    ({"document": {"surname": "Ñoño ✓"}}, "primary identifier"),
    ({"document": {"number": "TST004271", "type": "P", "issuing_state": None}}, "document.issuing_state"),
    ({"can": "12345"}, "can"),
    ({"can": "12a456"}, "can"),
    ({"access": ["pace-can", "telepathy"]}, "access"),
    ({"active_authentication": "dsa"}, "active_authentication"),
    ({"tamper": "dg7"}, "tamper"),
    ({"tamper": "dg15", "active_authentication": "none"}, "no DG15"),
    ({"csca": "borrowed"}, "csca"),
    ({"ds_expired": "yes"}, "ds_expired"),
    ({"photo": "missing.jpg"}, "photo file cannot be read"),
    ({"photo": "cnie.yaml"}, "photo is not a readable image"),
    ({"pace": [{"protocol": "1.2.3"}]}, "id-PACE"),
    ({"pace": [{"protocol": "0.4.0.127.0.7.2.2.4.2.2", "parameter_id": 99}]}, "parameter_id"),
    ({"hash": "md5"}, "hash"),
])
def test_profile_errors(overrides, msg):
    with pytest.raises(ProfileError, match=msg) as e:
        EmulatedDocument.from_profile(CNIE_PROFILE, overrides)
    assert isinstance(e.value, ParseError)
    for secret in ("EL AMRANI", "SALMA", "TST004271", "481516"):
        assert secret not in str(e.value)


def test_profile_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("document: [unclosed\n")
    with pytest.raises(ProfileError, match="not valid YAML at line"):
        load_profile(bad)
    bad.write_text("- a list\n")
    with pytest.raises(ProfileError, match="top level must be a mapping"):
        load_profile(bad)
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(tmp_path / "absent.yaml")
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ProfileError, match="cannot be read"):
        load_profile(bad)


def test_committed_pki_is_long_lived_and_test_only():
    p = pkilib.load_test_pki()
    for pair in (p.csca, p.ds, p.foreign_csca, p.foreign_ds):
        c = pair.certificate
        assert c.not_valid_before_utc.year == 2025 and c.not_valid_after_utc.year == 2045
        assert "TEST-ONLY" in c.subject.rfc4514_string()
    assert isinstance(p.aa_ec_key, ec.EllipticCurvePrivateKey) and p.aa_rsa_key.key_size == 2048
    readme = (pkilib.PKI_DIR / "README.md").read_text()
    assert "TEST-ONLY" in readme and "never trust it in production" in readme
    from cryptography import x509

    ds_ext = p.ds.certificate.extensions
    assert ds_ext.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert ds_ext.get_extension_for_oid(x509.ObjectIdentifier(pkilib.OID_DOCUMENT_TYPE_LIST))
    assert ds_ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == \
        p.csca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    csca_ext = p.csca.certificate.extensions
    assert csca_ext.get_extension_for_class(x509.BasicConstraints).value.ca
    assert csca_ext.get_extension_for_class(x509.KeyUsage).value.key_cert_sign


def test_regenerated_pki_in_a_temp_dir(tmp_path, trust):
    fresh = pkilib.generate_test_pki(tmp_path / "pki")
    assert fresh.folder == (tmp_path / "pki").resolve()
    doc = EmulatedDocument.from_profile(PASSPORT_PROFILE, pki=fresh)
    assert _pa(doc, TrustStore([fresh.csca.asn1])).verified
    r = _pa(doc, trust)  # the committed CSCA has the same name but not the same key
    assert r.status == "failed" and r.chain.startswith("untrusted")
