"""Staff badges in memory: the applet's answers, the kiosk's probe, the parsers (fuzzed),
the challenge book, and the readers reporting STAFF_CARD (docs/staff-card.md)."""

import queue

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.card.apdu import Response
from kiosk.card.chip_reader import ChipCardReader, EmulatorLink, Policy
from kiosk.card.crypto import tlv
from kiosk.card.demo import DemoCardReader
from kiosk.card.emulator.badge import EmulatedBadge
from kiosk.card.emulator.chip import chip_for
from kiosk.card.errors import CardError, ParseError, StatusError
from kiosk.card.reader import CardErrorCode, CardEvent, CardEventKind
from kiosk.card.staff_card import (CHALLENGE_LENGTH, DOMAIN, STAFF_AID, TAG_PUBLIC_KEY, TAG_STAFF_NUMBER,
                                   BadStaffSignature, ChallengeBook, MalformedPublicKey, MalformedSignature,
                                   MalformedStaffNumber, StaffCardError, StaffCardProof, parse_public_key,
                                   parse_signature, parse_staff_number, probe_staff_card, short_fingerprint,
                                   verify_proof)
from tests.mutations import mutated

FUZZ = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def badge():
    return EmulatedBadge.create("2001")


def apdu(hexstr: str) -> bytes:
    return bytes.fromhex(hexstr.replace(" ", ""))


SELECT = "00 A4 04 0C 09 F0 47 55 49 43 48 45 54 01"


def test_aid_is_guichet_version_1():
    assert STAFF_AID == apdu("F0 47 55 49 43 48 45 54 01") and STAFF_AID[1:8] == b"GUICHET"


# --- the applet ---------------------------------------------------------------------------

def test_applet_answers_as_specified(badge):
    badge.power_on()
    assert badge.process(apdu("00 CA DF 01 00")) == apdu("69 85")          # not selected yet
    assert badge.process(apdu("00 A4 04 0C 07 A0 00 00 02 47 10 01")) == apdu("6A 82")  # the eMRTD AID
    assert badge.process(apdu(SELECT)) == apdu("90 00")
    assert badge.process(apdu("00 A4 04 00 09 F0 47 55 49 43 48 45 54 01 00")) == \
        apdu("6F 0B 84 09 F0 47 55 49 43 48 45 54 01 90 00")               # FCI with P2 = 00
    assert badge.process(apdu("00 CA DF 01 00")) == b"\xDF\x01\x04" + b"2001" + apdu("90 00")
    key = badge.process(apdu("00 CA DF 02 00"))
    assert key[:3] == apdu("DF 02 41") and key[3:-2] == badge.public_key and key[-2:] == apdu("90 00")
    assert key[3] == 0x04 and len(badge.public_key) == 65
    challenge = bytes(range(32))
    sig = badge.process(apdu("00 88 00 00 20") + challenge + b"\x00")
    assert sig[-2:] == apdu("90 00") and sig[0] == 0x30 and len(sig) - 2 <= 72
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), badge.public_key)
    public.verify(sig[:-2], DOMAIN + challenge, ec.ECDSA(hashes.SHA256()))  # raises if wrong
    assert DOMAIN == b"GUICHET-STAFF-v1"


@pytest.mark.parametrize("command, sw", [
    ("00 B0 00 00 00", "6D 00"),                    # READ BINARY: unknown instruction
    ("00 22 C1 A4 00", "6D 00"),                    # MSE:Set AT (PACE)
    ("0C CA DF 01 00", "6E 00"),                    # secure messaging class
    ("80 CA DF 01 00", "6E 00"),
    ("00 A4 02 0C 02 01 1C", "6A 86"),              # SELECT by file identifier
    ("00 A4 04 04 09 F0 47 55 49 43 48 45 54 01", "6A 86"),
    ("00 A4 04 0C 09 F0 47 55 49 43 48 45 54 02", "6A 82"),  # version 2: not here
    ("00 CA DF 03 00", "6A 88"),                    # unknown tag
    ("00 CA 5F 20 00", "6A 88"),
    ("00 CA DF 01 01 00", "67 00"),                 # GET DATA with data
    ("00 CA DF 02 10", "6C 44"),                    # Le too short: the exact length
    ("00 88 00 01 20" + "00" * 32 + "00", "6A 86"),
    ("00 88 00 00 08" + "00" * 8 + "00", "67 00"),  # an 8-byte (ICAO AA) challenge
    ("00 88", "67 00"),                             # not an APDU
])
def test_applet_errors(badge, command, sw):
    badge.power_on()
    assert badge.process(apdu(SELECT)) == apdu("90 00")
    assert badge.process(apdu(command)) == apdu(sw)


def test_a_failed_select_keeps_the_applet_selected(badge):
    badge.power_on()
    badge.process(apdu(SELECT))
    assert badge.process(apdu("00 A4 04 0C 07 A0 00 00 02 47 10 01")) == apdu("6A 82")
    assert badge.process(apdu("00 CA DF 01 00"))[-2:] == apdu("90 00")
    badge.power_on()  # a reset deselects
    assert badge.process(apdu("00 CA DF 01 00")) == apdu("69 85")


def test_badges_are_test_only_and_have_their_own_keys():
    a, b = EmulatedBadge.create("2001"), EmulatedBadge.create("2001")
    assert a.public_key != b.public_key
    assert "TEST-ONLY" in repr(a) and "2001" not in repr(a)
    again = EmulatedBadge.from_pem("2001", a.private_pem())
    assert again.public_key == a.public_key
    for bad in ("1", "123456789", "12a4", "١٢٣٤"):
        with pytest.raises(ValueError):
            EmulatedBadge.create(bad)
    with pytest.raises(ValueError):
        EmulatedBadge("2001", ec.generate_private_key(ec.SECP384R1()))


# --- the probe ----------------------------------------------------------------------------

class Counting:
    def __init__(self, card):
        self.card, self.commands = card, []

    def __call__(self, cmd):
        self.commands.append(cmd)
        return self.card.transmit(cmd)


def test_probe_reads_and_verifies_the_badge(badge):
    badge.power_on()
    book = ChallengeBook()
    t = Counting(badge)
    proof = probe_staff_card(t, book)
    assert [c.ins for c in t.commands] == [0xA4, 0xCA, 0xCA, 0x88]
    assert t.commands[0].encode() == apdu(SELECT)
    assert proof.staff_number == "2001" and proof.public_key == badge.public_key
    assert len(proof.challenge) == CHALLENGE_LENGTH and t.commands[3].data == proof.challenge
    verify_proof(proof)
    assert book.redeem(proof.challenge) and not book.redeem(proof.challenge)
    text = repr(proof)
    assert "2001" not in text and proof.public_key.hex() not in text and proof.signature.hex() not in text
    assert short_fingerprint(proof.public_key) in text


def test_each_probe_sends_a_new_challenge(badge):
    badge.power_on()
    a, b = probe_staff_card(badge.transmit), probe_staff_card(badge.transmit)
    assert a.challenge != b.challenge and a.signature != b.signature


def test_a_cnie_is_not_a_badge_after_one_apdu(cnie):
    chip = chip_for(cnie)
    t = Counting(chip)
    assert probe_staff_card(t) is None
    assert len(t.commands) == 1


@pytest.mark.parametrize("sw", [0x6A82, 0x6D00, 0x6E00, 0x6A86, 0x6F00, 0x6985, 0x6999, 0x6100 | 0x10])
def test_any_select_error_means_no_badge(sw):
    calls = []

    def transmit(cmd):
        calls.append(cmd)
        return Response(b"", sw)

    assert probe_staff_card(transmit) is None and len(calls) == 1


class Tampering:
    """A badge whose answer to one instruction (or tag) is replaced."""

    def __init__(self, badge, ins, answer, p2=None):
        self.badge, self.ins, self.answer, self.p2 = badge, ins, answer, p2

    def __call__(self, cmd):
        resp = self.badge.transmit(cmd)
        if cmd.ins == self.ins and (self.p2 is None or cmd.p2 == self.p2):
            return self.answer(cmd, resp) if callable(self.answer) else self.answer
        return resp


@pytest.mark.parametrize("ins, p2, answer, error", [
    (0xCA, 0x01, Response(tlv.encode(TAG_STAFF_NUMBER, b"20A1"), 0x9000), MalformedStaffNumber),
    (0xCA, 0x01, Response(tlv.encode(TAG_STAFF_NUMBER, b"2"), 0x9000), MalformedStaffNumber),
    (0xCA, 0x01, Response(b"2001", 0x9000), MalformedStaffNumber),                      # no TLV
    (0xCA, 0x01, Response(tlv.encode(TAG_PUBLIC_KEY, b"2001"), 0x9000), MalformedStaffNumber),  # wrong tag
    (0xCA, 0x01, Response(tlv.encode(TAG_STAFF_NUMBER, b"2001") + b"\x00", 0x9000), MalformedStaffNumber),
    (0xCA, 0x02, Response(tlv.encode(TAG_PUBLIC_KEY, b"\x04" + bytes(64)), 0x9000), MalformedPublicKey),
    (0xCA, 0x02, Response(tlv.encode(TAG_PUBLIC_KEY, b"\x02" + bytes(32)), 0x9000), MalformedPublicKey),
    (0xCA, 0x02, Response(b"", 0x6982), StatusError),
    (0x88, None, Response(b"\x30\x00", 0x9000), MalformedSignature),
    (0x88, None, Response(bytes(64), 0x9000), MalformedSignature),                     # raw r || s: not DER
    (0x88, None, Response(b"", 0x6A80), StatusError),
])
def test_malformed_answers_raise_precise_errors(badge, ins, p2, answer, error):
    badge.power_on()
    with pytest.raises(error):
        probe_staff_card(Tampering(badge, ins, answer, p2))


def test_a_badge_replaying_an_old_signature_is_caught_at_the_card(badge):
    badge.power_on()
    old = probe_staff_card(badge.transmit)
    replay = Tampering(badge, 0x88, Response(old.signature, 0x9000))
    with pytest.raises(BadStaffSignature):
        probe_staff_card(replay)


def test_a_clone_that_copies_number_and_public_key_cannot_sign(badge):
    clone = EmulatedBadge.create("2001")
    copy_key = Tampering(clone, 0xCA, Response(tlv.encode(TAG_PUBLIC_KEY, badge.public_key), 0x9000), p2=0x02)
    with pytest.raises(BadStaffSignature) as e:
        probe_staff_card(copy_key)
    assert e.value.code == "CARD-NOT-VERIFIED"


def test_verify_proof_refuses_an_edited_proof(badge):
    badge.power_on()
    proof = probe_staff_card(badge.transmit)
    for edited in (StaffCardProof(proof.staff_number, proof.public_key, bytes(32), proof.signature),
                   StaffCardProof(proof.staff_number, EmulatedBadge.create("2001").public_key,
                                  proof.challenge, proof.signature)):
        with pytest.raises(BadStaffSignature):
            verify_proof(edited)
    with pytest.raises(StaffCardError):
        verify_proof(StaffCardProof(proof.staff_number, proof.public_key, proof.challenge[:8], proof.signature))
    with pytest.raises(MalformedStaffNumber):
        verify_proof(StaffCardProof("x", proof.public_key, proof.challenge, proof.signature))


# --- the challenge book -------------------------------------------------------------------

def test_challenges_are_redeemed_once_within_their_lifetime():
    now = [100.0]
    book = ChallengeBook(lifetime=60, keep=3, clock=lambda: now[0])
    a = book.issue()
    assert len(a) == 32 and book.redeem(a) and not book.redeem(a)
    b = book.issue()
    now[0] += 61
    assert not book.redeem(b)                     # too old
    assert not book.redeem(bytes(32))             # never issued here
    first = book.issue()
    for _ in range(3):
        book.issue()
    assert not book.redeem(first)                 # forgotten: only the last 3 are kept


# --- fuzz: parsers of card answers ----------------------------------------------------------

def _valid_signature():
    key = ec.generate_private_key(ec.SECP256R1())
    return key.sign(b"x", ec.ECDSA(hashes.SHA256()))


SIGNATURE = _valid_signature()
PUBLIC_KEY = tlv.encode(TAG_PUBLIC_KEY, EmulatedBadge.create("2001").public_key)
STAFF_NUMBER = tlv.encode(TAG_STAFF_NUMBER, b"20010042")


def _outcome(parser, error, data):
    """The parser returns or raises its own precise error (a ParseError), nothing else."""
    try:
        return parser(data)
    except error as e:
        assert isinstance(e, ParseError) and isinstance(e, StaffCardError)
        return e


@FUZZ
@given(st.one_of(mutated(STAFF_NUMBER), st.binary(max_size=20)))
def test_fuzz_staff_number(data):
    out = _outcome(parse_staff_number, MalformedStaffNumber, data)
    if isinstance(out, str):
        assert out.isdigit() and 2 <= len(out) <= 8


@FUZZ
@given(st.one_of(mutated(PUBLIC_KEY), st.binary(max_size=80)))
def test_fuzz_public_key(data):
    out = _outcome(parse_public_key, MalformedPublicKey, data)
    if isinstance(out, bytes):
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), out)


@FUZZ
@given(st.one_of(mutated(SIGNATURE), st.binary(max_size=80)))
def test_fuzz_signature(data):
    out = _outcome(parse_signature, MalformedSignature, data)
    if isinstance(out, tuple):
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        assert encode_dss_signature(*out) == data  # only the one DER encoding is accepted


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=1, max_size=64))
def test_real_signatures_parse_like_cryptography(message):
    key = ec.generate_private_key(ec.SECP256R1())
    sig = key.sign(message, ec.ECDSA(hashes.SHA256()))
    assert parse_signature(sig) == decode_dss_signature(sig)


@FUZZ
@given(which=st.integers(0, 3), op=st.sampled_from(["flip", "cut", "append"]), pos=st.integers(0, 255),
       bit=st.integers(0, 7))
def test_fuzz_one_corrupted_answer_in_a_real_probe(badge, which, op, pos, bit):
    """A genuine badge whose n-th answer is corrupted (a bit flipped, cut short, a byte
    added): a proof that verifies (the change hit nothing that matters), None (SELECT
    refused), or a card error. Nothing else. (Positions are drawn apart from the
    answers: the signature and the challenge change at every run.)"""
    badge.power_on()
    count = [-1]

    def transmit(cmd):
        count[0] += 1
        resp = badge.transmit(cmd)
        if count[0] != which:
            return resp
        raw = bytearray(resp.encode())
        if op == "flip":
            raw[pos % len(raw)] ^= 1 << bit
        elif op == "cut":
            del raw[pos % len(raw):-2]
        else:
            raw[-2:-2] = bytes((pos,))
        return Response.decode(bytes(raw))

    try:
        proof = probe_staff_card(transmit)
    except CardError:
        return
    if proof is not None:
        verify_proof(proof)


@FUZZ
@given(st.lists(st.tuples(st.binary(max_size=80), st.sampled_from([0x9000, 0x9000, 0x6A82, 0x6C10, 0x6300])),
                min_size=1, max_size=5))
def test_fuzz_a_card_that_answers_anything(answers):
    it = iter(answers)

    def transmit(cmd):
        data, sw = next(it, (b"", 0x6F00))
        return Response(data, sw)

    try:
        out = probe_staff_card(transmit)
    except CardError as e:  # a parse, status or signature error of the staff card stack
        assert isinstance(e, (StaffCardError, StatusError)) or e.code == "CARD-WRONG-ACCESS", repr(e)
        return
    assert out is None  # random answers never prove a key


# --- the readers ---------------------------------------------------------------------------

def _events(reader):
    events = queue.Queue()
    reader.start(events.put)
    return events


def _next(events, skip_progress=True) -> CardEvent:
    while True:
        e = events.get(timeout=10)
        if not (skip_progress and e.kind is CardEventKind.PROGRESS):
            return e


def test_chip_reader_reports_a_badge_then_reads_a_cnie(cnie, trust, badge):
    chip = chip_for(cnie)
    reader = ChipCardReader(EmulatorLink(chip), Policy(trust))
    events = _events(reader)
    reader.insert(badge)
    assert _next(events).kind is CardEventKind.INSERTED
    e = _next(events)
    assert e.kind is CardEventKind.STAFF_CARD and e.error is None
    assert e.staff_card.staff_number == "2001" and e.staff_card.public_key == badge.public_key
    verify_proof(e.staff_card)
    assert "2001" not in repr(e)
    reader.provide_access(cnie.can)  # a badge is never read as a document
    with pytest.raises(queue.Empty):
        events.get(timeout=0.3)
    reader.insert(chip)  # the badge is taken out, the CNIE put in
    assert [_next(events).kind for _ in range(3)] == [CardEventKind.REMOVED, CardEventKind.INSERTED,
                                                      CardEventKind.NEED_ACCESS]
    reader.provide_access(cnie.can)
    e = _next(events)
    assert e.kind is CardEventKind.IDENTITY and e.identity.verification == "verified"
    e.identity.wipe()


def test_chip_reader_reports_a_bad_badge_as_staff_card_with_an_error(trust, badge):
    clone = EmulatedBadge.create("2001")
    clone.public_key = badge.public_key  # announces the genuine badge's key, cannot sign for it
    reader = ChipCardReader(EmulatorLink(clone), Policy(trust))
    events = _events(reader)
    reader.insert()
    assert _next(events).kind is CardEventKind.INSERTED
    e = _next(events)
    assert e.kind is CardEventKind.STAFF_CARD and e.staff_card is None
    assert e.error is CardErrorCode.NOT_VERIFIED and "signature" in e.detail


def test_demo_reader_inserts_a_badge(badge):
    reader = DemoCardReader(delay=0.0)
    events = _events(reader)
    reader.insert(badge)
    assert _next(events).kind is CardEventKind.INSERTED
    e = _next(events)
    assert e.kind is CardEventKind.STAFF_CARD and e.staff_card.public_key == badge.public_key
    reader.insert()  # the badge is still in: nothing happens
    reader.remove()
    assert _next(events).kind is CardEventKind.REMOVED
    reader.insert()
    assert _next(events).kind is CardEventKind.INSERTED
    assert _next(events).kind is CardEventKind.IDENTITY


def test_the_session_ignores_staff_cards(services, badge):
    from kiosk.session import Session

    session = Session(services, services.catalog, "fr")
    badge.power_on()
    event = CardEvent(CardEventKind.STAFF_CARD, staff_card=probe_staff_card(badge.transmit))
    before = session.state
    session.on_card_event(event)
    assert session.state is before
    session.start("fr")
    before = session.state
    session.on_card_event(event)
    session.on_card_event(CardEvent(CardEventKind.STAFF_CARD, error=CardErrorCode.NOT_VERIFIED))
    assert session.state is before and session.identity is None


def test_a_card_that_selects_the_aid_but_holds_no_staff_number_is_no_badge():
    """Some other applet answering our AID must not make a citizen's card unreadable:
    without a staff number it is not a badge, and the document is probed as usual."""
    from kiosk.card.staff_card import probe_staff_card

    seen = []

    def transmit(cmd):
        seen.append(cmd.ins)
        return Response(b"", 0x9000 if cmd.ins == 0xA4 else 0x6A88)
    assert probe_staff_card(transmit) is None
    assert seen == [0xA4, 0xCA]  # SELECT, then one GET DATA: nothing signed, nothing more
