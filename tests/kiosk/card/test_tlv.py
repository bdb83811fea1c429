"""BER-TLV: multi-byte tags, long-form lengths, the errors and their messages."""

import json

import pytest

from kiosk.card.errors import ParseError
from kiosk.card.lds import tlv
from kiosk.paths import ROOT

V = json.loads((ROOT / "tests" / "vectors" / "emrtd_vectors.json").read_text())


def test_single_byte_tag_short_length():
    t = tlv.decode(bytes.fromhex("5C03617563"))
    assert (t.tag, t.value, t.offset, t.value_offset) == (0x5C, b"\x61\x75\x63", 0, 2)
    assert not t.constructed


def test_multi_byte_tags():
    t, end = tlv.decode_one(bytes.fromhex("5F1F02AABB"))
    assert (t.tag, t.value, end) == (0x5F1F, b"\xaa\xbb", 5)
    t, _ = tlv.decode_one(bytes.fromhex("7F6100"))
    assert t.tag == 0x7F61 and t.constructed and t.value == b""
    t, _ = tlv.decode_one(bytes.fromhex("5F811F0101"))  # three-byte tag
    assert t.tag == 0x5F811F


@pytest.mark.parametrize("length,header", [(0x7F, "7F"), (0x80, "8180"), (0xFF, "81FF"),
                                           (0x100, "820100"), (0x10000, "83010000")])
def test_long_form_lengths(length, header):
    data = bytes([0x04]) + bytes.fromhex(header) + b"x" * length
    t = tlv.decode(data)
    assert len(t.value) == length and t.value_offset == 1 + len(header) // 2
    assert tlv.encode_length(length) == bytes.fromhex(header)
    assert tlv.encode(0x04, t.value) == data
    assert tlv.file_length(data[:6]) == len(data)


def test_four_byte_length_accepted_non_minimal_too():
    t = tlv.decode(bytes.fromhex("048400000002AABB"))
    assert t.value == b"\xaa\xbb"
    assert tlv.decode(bytes.fromhex("04820002AABB")).value == b"\xaa\xbb"


def test_indefinite_length_rejected():
    with pytest.raises(ParseError, match="indefinite length not allowed for tag 30 at offset 1"):
        tlv.decode(bytes.fromhex("3080020100 0000".replace(" ", "")))


def test_length_field_too_long_rejected():
    with pytest.raises(ParseError, match="length field of 5 bytes"):
        tlv.decode(bytes.fromhex("04850000000001AA"))


def test_truncated_value_names_tag_and_offset():
    with pytest.raises(ParseError) as e:
        tlv.decode(bytes.fromhex("61055F1F02AA"))
    assert "tag 61 at offset 0 declares 5 bytes, only 4 present" in str(e.value)


def test_truncated_inner_value_reports_absolute_offset():
    outer = tlv.decode(bytes.fromhex("61065C01AA5F1F05"))  # the inner 5F1F is truncated
    with pytest.raises(ParseError, match="tag 5F1F at offset 5"):
        outer.children()


@pytest.mark.parametrize("data,msg", [
    ("", "tag expected at offset 0"),
    ("5F", "inside a multi-byte tag at offset 0"),
    ("5F1F", "length of tag 5F1F expected at offset 2"),
    ("5F1F82", "inside the length of tag 5F1F at offset 2"),
    ("00", "invalid tag byte 00 at offset 0"),
    ("FF", "invalid tag byte FF at offset 0"),
    ("5F8181818100", "tag longer than 4 bytes at offset 0"),
])
def test_truncated_or_invalid_headers(data, msg):
    with pytest.raises(ParseError, match=msg):
        tlv.decode(bytes.fromhex(data))


def test_trailing_bytes_rejected_unless_allowed():
    data = bytes.fromhex("5C01AA0000")
    with pytest.raises(ParseError, match="2 trailing bytes after tag 5C at offset 3"):
        tlv.decode(data)
    assert tlv.decode(data, allow_trailing=True).value == b"\xaa"


def test_expected_tag_and_label():
    with pytest.raises(ParseError, match="^DG1: expected tag 61, found 75"):
        tlv.decode(bytes.fromhex("7500"), 0x61, what="DG1")


def test_child_lookup():
    t = tlv.decode(bytes.fromhex("61075F1F0241425C00"))
    assert t.child(0x5F1F).value == b"AB"
    with pytest.raises(ParseError, match="tag 5F0E missing inside tag 61"):
        t.child(0x5F0E)


def test_ef_com_vector_decodes_and_reencodes():
    raw = bytes.fromhex(V["passive_authentication_bsi_tr03105_5"]["ef_com"])
    top = tlv.decode(raw, 0x60)
    kids = top.children()
    assert [k.tag for k in kids] == [0x5F01, 0x5F36, 0x5C]
    assert [k.offset for k in kids] == [2, 9, 18]
    assert tlv.encode(0x60, [k.encode() for k in kids]) == raw


def test_decode_all_sequence():
    items = tlv.decode_all(bytes.fromhex("0101AA02020102"))
    assert [(i.tag, i.value, i.offset) for i in items] == [(1, b"\xaa", 0), (2, b"\x01\x02", 3)]


@pytest.mark.parametrize("tag", [0x1F, 0x5F, 0x5F9F, 0x5F1F1F, 0])
def test_encode_tag_rejects_inconsistent_tags(tag):
    with pytest.raises(ValueError):
        tlv.encode_tag(tag)


def test_encode_round_trip_nested():
    inner = tlv.encode(0x5F2E, b"\x00" * 300)
    outer = tlv.encode(0x7F60, [tlv.encode(0xA1, b""), inner])
    t = tlv.decode(outer)
    assert t.tag == 0x7F60 and t.child(0x5F2E).value == b"\x00" * 300


def test_repr_hides_value():
    t = tlv.decode(tlv.encode(0x5F1F, b"ERIKSSON"))
    assert "ERIKSSON" not in repr(t) and "5F1F" in repr(t) and "length=8" in repr(t)
