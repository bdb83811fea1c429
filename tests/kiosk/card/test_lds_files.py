"""LDS files: the vectors' EF.COM, DG1 and DG14 byte for byte, encode/parse round
trips of every data group, DG2 with JPEG, JP2 and J2K faces, the image decoder."""

import datetime as dt
import io
import json
import struct

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from PIL import Image

from kiosk.card.errors import ParseError, UnsupportedCardError
from kiosk.card.lds import face, files, tlv
from kiosk.card.lds import signature as sig
from kiosk.card.lds.identity_from_lds import arabic_names, identity_from_lds
from kiosk.card.lds.image import decode_face_image
from kiosk.card.lds.mrz import build_mrz
from kiosk.paths import ASSETS, ROOT

V = json.loads((ROOT / "tests" / "vectors" / "emrtd_vectors.json").read_text())
BSI = V["passive_authentication_bsi_tr03105_5"]
TODAY = dt.date(2026, 6, 1)


def _image(fmt: str, size=(48, 60), **kw) -> bytes:
    im = Image.new("RGB", size, (120, 140, 160))
    for x in range(size[0]):
        im.putpixel((x, x % size[1]), (250, 10, 10))
    out = io.BytesIO()
    im.save(out, format=fmt, **kw)
    return out.getvalue()


# ------------------------------------------------------------ identifiers


def test_file_identifiers():
    assert (files.EF_COM, files.EF_SOD, files.EF_CARD_ACCESS) == (0x011E, 0x011D, 0x011C)
    assert [files.dg_file_id(n) for n in (1, 2, 11, 14, 15, 16)] == [0x0101, 0x0102, 0x010B, 0x010E,
                                                                     0x010F, 0x0110]
    assert files.dg_of_file_id(0x010B) == 11 and files.dg_of_file_id(0x011E) is None
    assert (files.SFI_COM, files.SFI_SOD, files.SFI_CARD_ACCESS, files.dg_sfi(2)) == (0x1E, 0x1D, 0x1C, 2)
    assert files.file_name(0x0101) == "DG1" and files.file_name(files.EF_SOD) == "EF.SOD"
    assert files.DG_TAGS[2] == 0x75 and files.TAG_DGS[0x6B] == 11
    with pytest.raises(ValueError):
        files.dg_file_id(17)


# ---------------------------------------------------------------- EF.COM


def test_ef_com_vector():
    raw = bytes.fromhex(BSI["ef_com"])
    com = files.parse_ef_com(raw)
    assert com == files.EfCom("0107", "040000", (1, 2, 3, 4, 14))
    assert com.lds_version_text == "1.7"
    assert files.encode_ef_com([1, 2, 3, 4, 14]) == raw


def test_ef_com_sm_vector():
    d4 = V["secure_messaging_3des_worked_example_icao9303_11_appD4"]
    com = files.parse_ef_com(bytes.fromhex(d4["ef_com_full"]))
    assert (com.lds_version, com.data_groups) == ("0106", (1, 2))
    assert files.encode_ef_com([1, 2], "0106") == bytes.fromhex(d4["ef_com_full"])


@pytest.mark.parametrize("hexdata,msg", [
    ("60045C026175", "lacks its LDS version"),
    ("60105F0104303130375F3606303430303030", "lacks its tag list"),
    ("60175F0104303130375F36063034303030305C056175637662", "not a data group"),
    ("61175F0104303130375F36063034303030305C05617563766E", "expected tag 60"),
])
def test_ef_com_errors(hexdata, msg):
    with pytest.raises(ParseError, match=msg):
        files.parse_ef_com(bytes.fromhex(hexdata))


# ------------------------------------------------------------------- DG1


def test_dg1_vector_and_round_trip():
    raw = bytes.fromhex(BSI["dg1"])
    m = files.parse_dg1(raw, TODAY)
    assert m.dg1_text == BSI["dg1_mrz_ascii"]
    assert (m.document_number, m.primary_identifier, m.expiry_date) == ("C11T002JM", "MUSTERMANN",
                                                                        dt.date(2023, 10, 31))
    assert files.encode_dg1(m.text) == raw


def test_dg1_without_mrz_tag():
    with pytest.raises(ParseError, match="tag 5F1F missing inside tag 61"):
        files.parse_dg1(bytes.fromhex("61035C0100"))


# ------------------------------------------------------------------ DG11


def test_dg11_round_trip_arabic_with_separators():
    raw = files.encode_dg11(full_name="العمراني<<سلمى<زينب", full_date_of_birth=dt.date(1991, 4, 17),
                            place_of_birth="الرباط", other_names=("SALMA<<EL AMRANI",),
                            personal_number="TEST123")
    top = tlv.decode(raw, 0x6B)
    assert top.children()[0].tag == 0x5C
    d = files.parse_dg11(raw)
    assert d.tags == (0x5F0E, 0xA0, 0x5F10, 0x5F2B, 0x5F11)
    assert d.full_name == "العمراني<<سلمى<زينب" and d.place_of_birth == "الرباط"
    assert d.full_date_of_birth == dt.date(1991, 4, 17) and d.full_date_of_birth_raw == "19910417"
    assert d.other_names == ("SALMA<<EL AMRANI",) and d.personal_number == "TEST123"
    assert d.name_parts() == ("العمراني", "سلمى زينب")
    assert arabic_names(d) == ("العمراني", "سلمى زينب")
    assert "العمراني" not in repr(d) and "5F0E" in repr(d)
    assert files.encode_dg11(d) == raw


def test_dg11_without_separator_keeps_the_full_name_as_surname():
    d = files.parse_dg11(files.encode_dg11(full_name="سلمى العمراني"))
    assert arabic_names(d) == ("سلمى العمراني", "")
    assert arabic_names(None) == ("", "")


def test_dg11_bcd_date_and_incomplete_date():
    raw = tlv.encode(0x6B, [tlv.encode(0x5C, b"\x5f\x2b"), tlv.encode(0x5F2B, bytes.fromhex("19910417"))])
    assert files.parse_dg11(raw).full_date_of_birth == dt.date(1991, 4, 17)
    raw = tlv.encode(0x6B, [tlv.encode(0x5C, b"\x5f\x2b"), tlv.encode(0x5F2B, b"19910000")])
    d = files.parse_dg11(raw)
    assert d.full_date_of_birth is None and d.full_date_of_birth_raw == "19910000"
    with pytest.raises(ParseError, match="full date of birth"):
        files.parse_dg11(tlv.encode(0x6B, [tlv.encode(0x5F2B, b"199")]))


# ------------------------------------------------------------------ DG12


def test_dg12_round_trip():
    raw = files.encode_dg12("DGSN TEST-ONLY", dt.date(2024, 7, 1), endorsements="NONE",
                            personalization_time="20240701120000")
    d = files.parse_dg12(raw)
    assert (d.issuing_authority, d.date_of_issue, d.date_of_issue_raw) == ("DGSN TEST-ONLY",
                                                                           dt.date(2024, 7, 1), "20240701")
    assert d.endorsements == "NONE" and d.personalization_time == "20240701120000"
    assert d.tags == (0x5F19, 0x5F26, 0x5F1B, 0x5F55)
    with pytest.raises(ParseError, match="expected tag 6C"):
        files.parse_dg12(raw.replace(b"\x6c", b"\x6b", 1))


# ------------------------------------------------------------------ DG14


def test_dg14_vector():
    s = files.parse_dg14(bytes.fromhex(BSI["dg14"]))
    assert s.protocols == ("0.4.0.127.0.7.2.2.1.2", "0.4.0.127.0.7.2.2.3.2.1", "0.4.0.127.0.7.2.2.2")
    assert s.aa_signature_algorithm is None and s.pace_infos == ()
    assert s.raw == bytes.fromhex(BSI["dg14"])


def test_dg14_explicit_brainpool_p224_key_is_reported_unsupported():
    # The BSI chip authentication key uses explicit brainpoolP224r1 parameters,
    # a curve the cryptography package does not offer: a clear Unsupported error.
    s = files.parse_dg14(bytes.fromhex(BSI["dg14"]))
    ca = next(i for i in s.infos if i.protocol == "0.4.0.127.0.7.2.2.1.2")
    spki = tlv.decode(ca.der).children()[1].encode()
    with pytest.raises(UnsupportedCardError, match="224-bit curve"):
        sig.load_public_key(spki)


#: brainpoolP256r1 (RFC 5639 §3.4) and P-256 (FIPS 186-4 D.1.2.3): p, a, b, n
CURVE_PARAMS = {
    "brainpoolP256r1": (ec.BrainpoolP256R1,
                        0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
                        0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
                        0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
                        0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7),
    "P-256": (ec.SECP256R1,
              0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
              0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
              0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
              0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551),
}


def explicit_spki(public_key, name: str, compressed_base: bool = False) -> bytes:
    """The SubjectPublicKeyInfo of ``public_key`` with explicit domain parameters,
    as many CSCAs and chips write them."""
    from asn1crypto import keys

    cls, p, a, b, n = CURVE_PARAMS[name]
    g = ec.derive_private_key(1, cls()).public_key().public_numbers()
    assert (g.y * g.y - (g.x ** 3 + a * g.x + b)) % p == 0  # the constants are right
    minus_g = ec.derive_private_key(n - 1, cls()).public_key().public_numbers()
    assert (minus_g.x, minus_g.y) == (g.x, p - g.y)  # n is the order
    if compressed_base:
        base = bytes([2 + (g.y & 1)]) + g.x.to_bytes(32, "big")
    else:
        base = b"\x04" + g.x.to_bytes(32, "big") + g.y.to_bytes(32, "big")
    domain = keys.SpecifiedECDomain({
        "version": "ecdpVer1",
        "field_id": {"field_type": "prime_field", "parameters": p},
        "curve": {"a": a.to_bytes(32, "big"), "b": b.to_bytes(32, "big")},
        "base": base, "order": n, "cofactor": 1})
    point = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return keys.PublicKeyInfo({"algorithm": {"algorithm": "ec", "parameters": ("specified", domain)},
                               "public_key": point}).dump()


@pytest.mark.parametrize("name,compressed", [("brainpoolP256r1", False), ("P-256", False),
                                             ("brainpoolP256r1", True)])
def test_explicit_ec_parameters_match_the_named_curve(name, compressed):
    cls = CURVE_PARAMS[name][0]
    priv = ec.generate_private_key(cls())
    key = sig.load_public_key(explicit_spki(priv.public_key(), name, compressed))
    assert isinstance(key.curve, cls) and key.public_numbers() == priv.public_key().public_numbers()
    signature, alg = sig.sign(priv, b"data")
    sig.verify(key, alg, signature, b"data")


def test_card_access_vectors_parse_as_security_infos():
    g1 = files.parse_security_infos(bytes.fromhex(
        V["pace_ecdh_gm_brainpoolp256r1_aes128_icao9303_11_appG1"]["ef_cardaccess"]))
    assert g1.pace_infos == (files.PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)
    g2 = files.parse_security_infos(bytes.fromhex(
        V["pace_dh_gm_rfc5114_1024_aes128_icao9303_11_appG2"]["ef_cardaccess"]))
    assert g2.pace_infos == (files.PaceInfo("0.4.0.127.0.7.2.2.4.1.2", 2, 0),)
    assert files.pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, 13) == bytes.fromhex(
        V["pace_ecdh_gm_brainpoolp256r1_aes128_icao9303_11_appG1"]["ef_cardaccess"])[2:]


def test_dg14_round_trip_with_active_authentication_info():
    raw = files.encode_dg14([files.pace_info("0.4.0.127.0.7.2.2.4.2.2", 2, 13),
                             files.active_authentication_info("0.4.0.127.0.7.1.1.4.1.3")])
    s = files.parse_dg14(raw)
    assert s.aa_signature_algorithm == "0.4.0.127.0.7.1.1.4.1.3"
    assert s.pace_infos == (files.PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)
    assert set(s.protocols) == {files.OID_AA_PROTOCOL, "0.4.0.127.0.7.2.2.4.2.2"}


def test_dg14_errors():
    with pytest.raises(ParseError, match="not a SEQUENCE"):
        files.parse_dg14(tlv.encode(0x6E, tlv.encode(0x31, tlv.encode(0x04, b"x"))))
    bad_aa = tlv.encode(0x30, [bytes.fromhex("0606678108010105"), bytes.fromhex("020101")])
    with pytest.raises(ParseError, match="lacks its signature algorithm"):
        files.parse_dg14(tlv.encode(0x6E, tlv.encode(0x31, bad_aa)))


# ------------------------------------------------------------------ DG15


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_dg15_round_trip(kind):
    key = (ec.generate_private_key(ec.SECP256R1()) if kind == "ec"
           else rsa.generate_private_key(public_exponent=65537, key_size=1024))
    spki = sig.public_key_info(key.public_key()).dump()
    k = files.parse_dg15(files.encode_dg15(spki))
    assert (k.spki_der, k.algorithm) == (spki, kind)
    loaded = sig.load_public_key(k.spki_der)
    assert loaded.public_numbers() == key.public_key().public_numbers()


def test_dg15_garbage():
    with pytest.raises(ParseError, match="DG15"):
        files.parse_dg15(tlv.encode(0x6F, b"\x30\x03\x02\x01\x01"))


def test_unknown_curve_is_unsupported():
    from asn1crypto import keys

    spki = keys.PublicKeyInfo({"algorithm": {"algorithm": "ec", "parameters": ("named", "1.2.3.4")},
                               "public_key": b"\x04" + b"\x01" * 64}).dump()
    with pytest.raises(UnsupportedCardError):
        sig.load_public_key(spki)


# ------------------------------------------------------------------- DG2


@pytest.mark.parametrize("pil_format,kw,expected", [
    ("JPEG", {"quality": 85}, "jpeg"),
    ("JPEG2000", {}, "jp2"),
    ("JPEG2000", {"no_jp2": True}, "j2k"),
])
def test_dg2_round_trip_and_decode(pil_format, kw, expected):
    img = _image(pil_format, **kw)
    dg2 = face.encode_dg2(face.build_facial_record(img, 48, 60, "F"))
    top = tlv.decode(dg2, 0x75)
    group = top.child(0x7F61)
    assert group.child(0x02).value == b"\x01"
    assert group.child(0x7F60).child(0xA1).child(0x81).value == b"\x02"  # face
    faces = face.parse_dg2(dg2)
    assert len(faces) == 1
    f = faces[0]
    assert (f.image, f.format, f.width, f.height, f.gender, f.record_version) == (img, expected, 48, 60, 2, "010")
    assert f.mime_type.startswith("image/j") and str(len(img)) in repr(f)
    decoded = decode_face_image(f.image)
    assert (decoded.width, decoded.height, decoded.source_format) == (48, 60, expected)
    png = Image.open(io.BytesIO(decoded.png))
    assert png.format == "PNG" and png.size == (48, 60)
    r, g, b = png.convert("RGB").getpixel((30, 5))
    assert abs(r - 120) < 25 and abs(b - 160) < 25


def test_dg2_19794_layout():
    img = _image("JPEG")
    rec = face.build_facial_record(img, 48, 60, "M")
    magic, version, total, count = struct.unpack(">4s4sIH", rec[:14])
    assert (magic, version, total, count) == (b"FAC\x00", b"010\x00", len(rec), 1)
    assert struct.unpack(">I", rec[14:18])[0] == len(rec) - 14
    assert rec[20] == 1  # gender male
    assert rec[34:46][:2] == b"\x01\x00"  # full frontal, JPEG
    assert rec[46:] == img


def test_dg2_with_7f2e_block_and_two_instances():
    img = _image("JPEG")
    rec = face.build_facial_record(img, 48, 60)
    bit = tlv.encode(0x7F60, [face.biometric_header_template(), tlv.encode(0x7F2E, rec)])
    dg2 = tlv.encode(0x75, tlv.encode(0x7F61, [tlv.encode(0x02, b"\x02"), bit, bit]))
    assert [f.image for f in face.parse_dg2(dg2)] == [img, img]


def test_dg2_later_record_version_found_by_signature():
    img = _image("JPEG2000")
    rec = b"FAC\x00030\x00" + b"\x00" * 40 + img
    dg2 = face.encode_dg2(rec)
    f = face.parse_dg2(dg2)[0]
    assert (f.format, f.image, f.record_version) == ("jp2", img, "030")


@pytest.mark.parametrize("mutate,msg", [
    (lambda r: b"XAC" + r[3:], "'FAC' header"),
    (lambda r: r[:10] + struct.pack(">I", 1)[2:] + r[12:], "facial record"),
    (lambda r: r[:8] + struct.pack(">I", len(r) + 1) + r[12:], "declares"),
    (lambda r: r[:35] + b"\x01" + r[36:], "image data type 1 does not match"),
    (lambda r: r[:46] + b"GIF89a" + r[52:], "neither JPEG nor JPEG 2000"),
    (lambda r: r[:12] + b"\x00\x00" + r[14:], "no face image"),
])
def test_dg2_record_errors(mutate, msg):
    rec = face.build_facial_record(_image("JPEG"), 48, 60)
    with pytest.raises(ParseError, match=msg):
        face.parse_facial_record(mutate(rec))


def test_dg2_structure_errors():
    with pytest.raises(ParseError, match="tag 7F61 missing"):
        face.parse_dg2(tlv.encode(0x75, tlv.encode(0x02, b"\x01")))
    with pytest.raises(ParseError, match="no biometric data block"):
        face.parse_dg2(tlv.encode(0x75, tlv.encode(0x7F61, [tlv.encode(0x02, b"\x01"),
                                                            tlv.encode(0x7F60, face.biometric_header_template())])))
    with pytest.raises(ParseError, match="number of instances"):
        face.parse_dg2(tlv.encode(0x75, tlv.encode(0x7F61, b"")))


# --------------------------------------------------------- image decoder


def test_image_decoder_rejects_garbage_and_other_formats():
    with pytest.raises(ParseError, match="neither JPEG nor JPEG 2000"):
        decode_face_image(_image("PNG"))
    with pytest.raises(ParseError, match="could not be decoded"):
        decode_face_image(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with pytest.raises(ParseError, match="could not be decoded"):
        decode_face_image(_image("JPEG")[:200])
    with pytest.raises(ParseError, match="byte cap"):
        decode_face_image(_image("JPEG"), max_bytes=100)


def _patch_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    i = data.index(b"\xff\xc0")  # SOF0: FFC0 len(2) precision(1) height(2) width(2)
    return data[:i + 5] + struct.pack(">HH", height, width) + data[i + 9:]


def test_image_decoder_refuses_decompression_bombs_before_decoding():
    with pytest.raises(ParseError, match="decompression bomb"):  # Pillow's own limit
        decode_face_image(_patch_jpeg_size(_image("JPEG"), 60000, 60000))
    with pytest.raises(ParseError, match="pixel cap"):  # under Pillow's limit, over ours
        decode_face_image(_patch_jpeg_size(_image("JPEG"), 5000, 5000))
    with pytest.raises(ParseError, match="pixel cap"):
        decode_face_image(_image("JPEG"), max_pixels=100)


def test_image_decoder_scales_large_images_down():
    d = decode_face_image(_image("JPEG", size=(1200, 1500)))
    assert max(d.width, d.height) == 1024 and "1200" not in repr(d)


def test_profile_face_is_a_20kb_jpeg():
    data = (ASSETS / "emulator" / "profiles" / "face.jpg").read_bytes()
    assert 15_000 <= len(data) <= 25_000 and face.detect_image_format(data) == "jpeg"
    assert decode_face_image(data).width > 0


# -------------------------------------------------------------- identity


def test_identity_from_lds():
    mrz = build_mrz("TD1", document_code="ID", issuing_state="MAR", document_number="TST004271",
                    primary_identifier="EL AMRANI", secondary_identifier="SALMA", nationality="MAR",
                    birth_date=dt.date(1991, 4, 17), sex="F", expiry_date=dt.date(2034, 6, 30))
    dg2 = face.encode_dg2(face.build_facial_record(_image("JPEG"), 48, 60, "F"))
    dg11 = files.encode_dg11(full_name="العمراني<<سلمى")
    ident = identity_from_lds(files.encode_dg1(mrz), dg2, dg11, "verified", today=TODAY)
    assert (ident.document_type, ident.document_number, ident.surname, ident.given_names) == \
        ("ID", "TST004271", "EL AMRANI", "SALMA")
    assert (ident.surname_ar, ident.given_names_ar, ident.nationality, ident.sex) == \
        ("العمراني", "سلمى", "MAR", "F")
    assert (ident.birth_date, ident.expiry_date, ident.verification) == \
        (dt.date(1991, 4, 17), dt.date(2034, 6, 30), "verified")
    assert ident.photo.startswith(b"\x89PNG") and ident.photo_mime == "image/png"
    passport = build_mrz("TD3", document_code="P", issuing_state="MAR", document_number="TSTP00872",
                         primary_identifier="ALAOUI", secondary_identifier="KARIM", nationality="MAR",
                         birth_date="851203", sex="M", expiry_date="310109")
    p = identity_from_lds(files.encode_dg1(passport), verification="failed", today=TODAY)
    assert (p.document_type, p.surname_ar, p.given_names_ar, p.verification, len(p.photo)) == \
        ("P", "", "", "failed", 0)


def test_identity_birth_date_with_unknown_day_uses_dg11_then_first_of_month():
    lines = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408<<<F1204159UTO<<<<<<<<<<<0",
             "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
    l1, l2 = lines[0], lines[1]
    from kiosk.card.lds.mrz import check_digit
    l2 = l2[:6] + check_digit(l2[:6]) + l2[7:29]
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    dg1 = files.encode_dg1(l1 + l2 + lines[2])
    assert identity_from_lds(dg1, today=TODAY).birth_date == dt.date(1974, 8, 1)
    dg11 = files.encode_dg11(full_date_of_birth=dt.date(1974, 8, 12))
    assert identity_from_lds(dg1, dg11=dg11, today=TODAY).birth_date == dt.date(1974, 8, 12)
