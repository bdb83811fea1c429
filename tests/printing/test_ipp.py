"""The IPP encoder and decoder without a server: bytes checked by hand against RFC 8010,
round trips of generated messages, and fuzzing of the decoder (random, truncated and
mutated replies give IppDecodeError and nothing else). The status mapping of
kiosk.printing.cups from printer attributes, for reasons a test server cannot produce."""

import struct
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.printing import ipp
from kiosk.printing.cups import blocking_code, page_size, status_from_attributes
from tests.mutations import mutated

FUZZ = settings(deadline=None, max_examples=400, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: generated messages are slower to draw: fewer of them
FUZZ_MESSAGES = settings(FUZZ, max_examples=300)


def _attr_bytes(tag: int, name: str, value: bytes) -> bytes:
    n = name.encode()
    return struct.pack(">BH", tag, len(n)) + n + struct.pack(">H", len(value)) + value


def test_request_bytes_follow_rfc8010():
    msg = ipp.Message((1, 1), ipp.GET_JOB_ATTRIBUTES, 7, [ipp.group(
        ipp.OPERATION_ATTRIBUTES,
        ipp.attr(ipp.CHARSET, "attributes-charset", "utf-8"),
        ipp.attr(ipp.INTEGER, "job-id", 42),
        ipp.attr(ipp.KEYWORD, "requested-attributes", "job-state", "job-state-reasons"))])
    expected = (b"\x01\x01\x00\x09\x00\x00\x00\x07" + b"\x01"
                + _attr_bytes(0x47, "attributes-charset", b"utf-8")
                + _attr_bytes(0x21, "job-id", b"\x00\x00\x00\x2a")
                + _attr_bytes(0x44, "requested-attributes", b"job-state")
                + _attr_bytes(0x44, "", b"job-state-reasons")      # additional value
                + b"\x03")
    assert ipp.encode(msg) == expected


def test_decode_a_printer_reply_with_collection_and_document():
    media_col = (_attr_bytes(0x34, "media-col-ready", b"")
                 + _attr_bytes(0x4A, "", b"media-size")
                 + _attr_bytes(0x34, "", b"")
                 + _attr_bytes(0x4A, "", b"x-dimension") + _attr_bytes(0x21, "", b"\x00\x00\x1f\x40")
                 + _attr_bytes(0x37, "", b"")
                 + _attr_bytes(0x37, "", b""))
    lang_text = struct.pack(">H", 2) + b"fr" + struct.pack(">H", 6) + b"arr\xc3\xaat"
    data = (b"\x01\x01\x00\x00\x00\x00\x00\x01" + b"\x01"
            + _attr_bytes(0x41, "status-message", b"successful-ok")
            + b"\x04"
            + _attr_bytes(0x23, "printer-state", b"\x00\x00\x00\x05")
            + _attr_bytes(0x44, "printer-state-reasons", b"paused")
            + _attr_bytes(0x44, "", b"media-empty-error")
            + _attr_bytes(0x22, "printer-is-accepting-jobs", b"\x00")
            + _attr_bytes(0x35, "printer-state-message", lang_text)
            + _attr_bytes(0x13, "media-ready", b"")
            + media_col
            + b"\x03" + b"%PDF-rest")
    msg = ipp.decode(data)
    assert msg.code == 0 and msg.request_id == 1 and msg.data == b"%PDF-rest"
    assert msg.status_message == "successful-ok"
    p = msg.group(ipp.PRINTER_ATTRIBUTES)
    assert p.get("printer-state") == 5
    assert p.getall("printer-state-reasons") == ["paused", "media-empty-error"]
    assert p.get("printer-is-accepting-jobs") is False
    assert p.get("printer-state-message") == "arrêt"
    assert p.get("media-ready") is None and "media-ready" in p
    col = p.get("media-col-ready")
    assert col["media-size"].value["x-dimension"].value == 8000


MALFORMED = {
    "empty": b"",
    "short header": b"\x01\x01\x00",
    "no end tag": b"\x01\x01\x00\x00\x00\x00\x00\x01\x01",
    "value before any group": b"\x01\x01\x00\x00\x00\x00\x00\x01" + _attr_bytes(0x21, "a", b"\0\0\0\1"),
    "length past the end": b"\x01\x01\x00\x00\x00\x00\x00\x01\x01\x21\x00\x01a\x00\x09\x00",
    "integer of 3 bytes": b"\x01\x01\x00\x00\x00\x00\x00\x01\x01" + _attr_bytes(0x21, "a", b"\0\0\1") + b"\x03",
    "boolean of 2 bytes": b"\x01\x01\x00\x00\x00\x00\x00\x01\x01" + _attr_bytes(0x22, "a", b"\0\1") + b"\x03",
    "additional value first": b"\x01\x01\x00\x00\x00\x00\x00\x01\x01" + _attr_bytes(0x44, "", b"x") + b"\x03",
    "collection not closed": b"\x01\x01\x00\x00\x00\x00\x00\x01\x04" + _attr_bytes(0x34, "c", b"") + b"\x03",
    "endCollection alone": b"\x01\x01\x00\x00\x00\x00\x00\x01\x04" + _attr_bytes(0x37, "c", b"") + b"\x03",
    "bad text with language": b"\x01\x01\x00\x00\x00\x00\x00\x01\x04" + _attr_bytes(0x35, "t", b"\x00\x09fr") + b"\x03",
    "deep collections": b"\x01\x01\x00\x00\x00\x00\x00\x01\x04" + _attr_bytes(0x34, "c", b"")
    + (_attr_bytes(0x4A, "", b"m") + _attr_bytes(0x34, "", b"")) * 5000 + b"\x03",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_replies_raise_decode_error(name):
    with pytest.raises(ipp.IppDecodeError):
        ipp.decode(MALFORMED[name])


# --- generated messages -------------------------------------------------------------

names = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12)
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
int32 = st.integers(-2**31, 2**31 - 1)
scalar_values = st.one_of(
    st.tuples(st.sampled_from([ipp.INTEGER, ipp.ENUM]), int32),
    st.tuples(st.just(ipp.BOOLEAN), st.booleans()),
    st.tuples(st.sampled_from(sorted(ipp.STRING_TAGS - {ipp.MEMBER_ATTR_NAME})), texts),
    st.tuples(st.sampled_from([ipp.TEXT_WITH_LANGUAGE, ipp.NAME_WITH_LANGUAGE]), texts),
    st.tuples(st.just(ipp.OCTET_STRING), st.binary(max_size=20)),
    st.tuples(st.just(ipp.RESOLUTION), st.tuples(int32, int32, st.integers(-128, 127))),
    st.tuples(st.just(ipp.RANGE_OF_INTEGER), st.tuples(int32, int32)),
    st.tuples(st.sampled_from([ipp.UNSUPPORTED, ipp.UNKNOWN, ipp.NO_VALUE]), st.none()),
)


def _attribute(value_strategy):
    return st.builds(lambda n, vs: ipp.Attribute(n, [ipp.Value(t, v) for t, v in vs]),
                     names, st.lists(value_strategy, min_size=1, max_size=2))


def _collection(children):
    return st.tuples(st.just(ipp.BEGIN_COLLECTION),
                     st.lists(_attribute(children), max_size=2, unique_by=lambda a: a.name)
                     .map(lambda attrs: {a.name: a for a in attrs}))


values = st.one_of(scalar_values, st.recursive(scalar_values, _collection, max_leaves=4))
groups = st.builds(
    lambda tag, attrs: ipp.Group(tag, {a.name: a for a in attrs}),
    st.sampled_from([ipp.OPERATION_ATTRIBUTES, ipp.JOB_ATTRIBUTES, ipp.PRINTER_ATTRIBUTES,
                     ipp.UNSUPPORTED_ATTRIBUTES]),
    st.lists(_attribute(values), max_size=4, unique_by=lambda a: a.name))
messages = st.builds(ipp.Message, st.tuples(st.integers(0, 255), st.integers(0, 255)),
                     st.integers(0, 0xFFFF), int32, st.lists(groups, max_size=2),
                     st.binary(max_size=10))


@FUZZ_MESSAGES
@given(messages)
def test_encode_decode_round_trip(msg):
    assert ipp.decode(ipp.encode(msg)) == msg


def _decode_or_decode_error(data: bytes) -> None:
    t = time.monotonic()
    try:
        ipp.decode(data)
    except ipp.IppDecodeError:
        pass
    assert time.monotonic() - t < 1.0


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data):
    _decode_or_decode_error(data)


@FUZZ
@given(st.binary(max_size=200))
def test_fuzz_random_bytes_after_a_valid_header(data):
    _decode_or_decode_error(b"\x01\x01\x00\x00\x00\x00\x00\x01" + data)


@st.composite
def mutated_message(draw):
    return draw(mutated(ipp.encode(draw(messages))))


@FUZZ_MESSAGES
@given(mutated_message())
def test_fuzz_mutated_messages(data):
    _decode_or_decode_error(data)


def test_decode_rejects_non_bytes():
    with pytest.raises(ipp.IppDecodeError):
        ipp.decode("not bytes")


@pytest.mark.parametrize("server, expected", [
    ("127.0.0.1:6310", ("127.0.0.1", 6310)),
    ("localhost", ("localhost", 631)),
    ("[::1]:8631", ("[::1]", 8631)),
])
def test_split_server(server, expected):
    assert ipp.split_server(server) == expected


@pytest.mark.parametrize("server", [":631", "host:port"])
def test_split_server_refuses(server):
    with pytest.raises(ValueError):
        ipp.split_server(server)


# --- status mapping ------------------------------------------------------------------

def printer_group(state=3, reasons=("none",), accepting=True, message=""):
    return ipp.group(ipp.PRINTER_ATTRIBUTES,
                     ipp.attr(ipp.ENUM, "printer-state", state),
                     ipp.attr(ipp.KEYWORD, "printer-state-reasons", *reasons),
                     ipp.attr(ipp.BOOLEAN, "printer-is-accepting-jobs", accepting),
                     ipp.attr(ipp.TEXT, "printer-state-message", message))


@pytest.mark.parametrize("kw, ready, state, code", [
    ({}, True, "idle", None),
    ({"state": 4}, True, "processing", None),
    ({"reasons": ("media-low-warning",)}, True, "idle", None),
    ({"reasons": ("media-empty-error",)}, False, "idle", "media-empty"),
    ({"reasons": ("media-needed",)}, False, "idle", "media-empty"),
    ({"reasons": ("media-jam-error", "paused")}, False, "idle", "media-jam"),
    ({"reasons": ("cover-open-report",)}, False, "idle", "door-open"),
    ({"reasons": ("door-open-warning",)}, False, "idle", "door-open"),
    ({"reasons": ("offline-report",)}, False, "idle", "offline"),
    ({"state": 5, "reasons": ("paused",)}, False, "stopped", "paused"),
    ({"state": 5}, False, "stopped", "paused"),
    ({"accepting": False}, False, "idle", "rejected"),
])
def test_status_mapping(kw, ready, state, code):
    st_ = status_from_attributes("kiosk", printer_group(**kw), "127.0.0.1:631")
    assert (st_.ready, st_.state, blocking_code(st_)) == (ready, state, code)
    assert st_.reasons == tuple(r for r in kw.get("reasons", ()) if r != "none")


def test_page_size_names():
    assert page_size(80, 150) == "Custom.80x150mm"
    assert page_size(80.0, 95.5) == "Custom.80x95.5mm"
    assert page_size(79.9999, 130.666) == "Custom.80x130.67mm"
