"""Robustness: whatever a chip (or an attacker in the field) sends, access control,
secure messaging and the parsers raise only ``CardError`` subclasses, never
IndexError/ValueError/..., and always return.

Every test here fails if a bare exception escapes."""

import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec as cec
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.card.aa import AaChip, active_authenticate, parse_public_key
from kiosk.card.apdu import Command, Response
from kiosk.card.bac import BacChip, run_bac
from kiosk.card.crypto import tlv
from kiosk.card.crypto.cipher import Cipher
from kiosk.card.crypto.ec import BRAINPOOL_P256R1, STANDARD_DOMAIN_PARAMETERS, Curve, ModpGroup
from kiosk.card.crypto.sm import SecureMessaging
from kiosk.card.errors import CardError, ParseError, SecureMessagingError, VerificationError
from kiosk.card.pace import PaceChip, PaceInfo, pace_oid, parse_card_access, run_pace

from .test_aa import explicit_spki

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MRZ = "L898902C<369080619406236"
CAN = "123456"

CURVES = [c for c in STANDARD_DOMAIN_PARAMETERS.values() if isinstance(c, Curve)]
GROUPS = [g for g in STANDARD_DOMAIN_PARAMETERS.values() if isinstance(g, ModpGroup)]

status_words = st.one_of(st.sampled_from([0x9000, 0x6300, 0x63C1, 0x63C0, 0x6982, 0x6988, 0x6A80, 0x6985, 0x6700]),
                         st.integers(min_value=0, max_value=0xFFFF))
responses = st.builds(Response, st.binary(max_size=300), status_words)
commands = st.builds(
    Command,
    st.integers(0, 255), st.one_of(st.sampled_from([0x22, 0x82, 0x84, 0x86, 0x88, 0xB0]), st.integers(0, 255)),
    st.integers(0, 255), st.integers(0, 255), st.binary(max_size=300),
    st.one_of(st.none(), st.integers(1, 65536)))


def card_errors_only(fn, *args, **kwargs):
    """Call ``fn``; a CardError is an acceptable outcome, anything else fails the test."""
    try:
        return fn(*args, **kwargs)
    except CardError as e:
        return e


# --- secure messaging ------------------------------------------------------------------

def channel(cipher: Cipher):
    keys = bytes(range(cipher.key_length)), bytes(range(50, 50 + cipher.key_length))
    return SecureMessaging(*keys, 7, cipher), SecureMessaging(*keys, 7, cipher)


def good_response(cipher: Cipher, content: bytes, sw: int = 0x9000):
    """A terminal that just sent READ BINARY and the chip's genuine answer."""
    terminal, chip = channel(cipher)
    chip.unprotect_command(terminal.protect(Command(0x00, 0xB0, 0, 0, le=256)))
    return terminal, chip.protect_response(Response(content, sw))


ciphers = st.sampled_from(list(Cipher))


@FUZZ
@given(cipher=ciphers, resp=responses)
def test_unprotect_random_responses(cipher, resp):
    terminal, _ = channel(cipher)
    terminal.protect(Command(0x00, 0xB0, 0, 0, le=256))
    with pytest.raises(SecureMessagingError):
        terminal.unprotect(resp)


@FUZZ
@given(cipher=ciphers, content=st.binary(max_size=200), cut=st.integers(min_value=0), data=st.data())
def test_unprotect_truncated_responses(cipher, content, cut, data):
    terminal, resp = good_response(cipher, content)
    cut %= len(resp.data)
    with pytest.raises(SecureMessagingError):
        terminal.unprotect(Response(resp.data[:cut], resp.sw))


@FUZZ
@given(cipher=ciphers, content=st.binary(max_size=200), where=st.integers(min_value=0),
       mask=st.integers(min_value=1, max_value=255))
def test_unprotect_bit_flipped_responses(cipher, content, where, mask):
    terminal, resp = good_response(cipher, content)
    raw = bytearray(resp.data)
    raw[where % len(raw)] ^= mask
    with pytest.raises(SecureMessagingError):
        terminal.unprotect(Response(bytes(raw), resp.sw))


sm_objects = st.lists(st.tuples(st.sampled_from([0x85, 0x87, 0x97, 0x99, 0x8E, 0x81, 0x53]),
                                st.binary(max_size=40)), max_size=5)


@FUZZ
@given(cipher=ciphers, objects=sm_objects, sw=status_words)
def test_unprotect_well_formed_tlv_with_random_content(cipher, objects, sw):
    terminal, _ = channel(cipher)
    terminal.protect(Command(0x00, 0xB0, 0, 0, le=256))
    data = b"".join(tlv.encode(t, v) for t, v in objects)
    with pytest.raises(SecureMessagingError):
        terminal.unprotect(Response(data, sw))


@FUZZ
@given(cipher=ciphers, cmd=commands, objects=sm_objects)
def test_unprotect_command_random_commands(cipher, cmd, objects):
    _, chip = channel(cipher)
    with pytest.raises(SecureMessagingError):
        chip.unprotect_command(cmd)
    structured = Command(cmd.cla | 0x0C, cmd.ins, cmd.p1, cmd.p2, b"".join(tlv.encode(t, v) for t, v in objects))
    with pytest.raises(SecureMessagingError):
        chip.unprotect_command(structured)


# --- BAC -----------------------------------------------------------------------------------

@FUZZ
@given(step=st.integers(0, 1), resp=responses)
def test_run_bac_with_a_random_response_at_each_step(step, resp):
    chip = BacChip(MRZ)
    sent = []

    def transmit(cmd):
        sent.append(cmd)
        real = chip.handle(cmd)
        return resp if len(sent) - 1 == step else real
    outcome = card_errors_only(run_bac, transmit, MRZ)
    assert isinstance(outcome, CardError)  # a random answer can never complete BAC


@FUZZ
@given(cmds=st.lists(st.one_of(commands, st.just(Command(0x00, 0x84, 0, 0, le=8))), max_size=6))
def test_bac_chip_answers_anything(cmds):
    chip = BacChip(MRZ)
    for cmd in cmds:
        assert isinstance(chip.handle(cmd), Response)
    assert chip.sm is None


# --- PACE ----------------------------------------------------------------------------------

FUZZ_INFOS = [PaceInfo(pace_oid("ECDH", "GM", Cipher.AES128), 2, 13),
              PaceInfo(pace_oid("DH", "GM", Cipher.TDES), 2, 0),
              PaceInfo(pace_oid("ECDH", "GM", Cipher.AES256), 2, 8)]
EXPECTED_TAG = {1: 0x80, 2: 0x82, 3: 0x84, 4: 0x86}


def element_like(info):
    """Bytes of the right length for a group element (rarely valid)."""
    params = info.domain_parameters
    size = 1 + 2 * params.size if isinstance(params, Curve) else params.size
    return st.binary(min_size=size, max_size=size)


@FUZZ
@given(data=st.data(), which=st.integers(0, len(FUZZ_INFOS) - 1), step=st.integers(0, 4),
       kind=st.sampled_from(["CAN", "MRZ"]))
def test_run_pace_with_a_random_response_at_each_step(data, which, step, kind):
    info = FUZZ_INFOS[which]
    chip = PaceChip([info], {"CAN": CAN, "MRZ": MRZ})
    tag = EXPECTED_TAG.get(step, 0x80)
    body = data.draw(st.one_of(
        st.binary(max_size=200),
        st.builds(lambda v: tlv.encode(0x7C, tlv.encode(tag, v)), st.one_of(st.binary(max_size=140),
                                                                             element_like(info))),
        st.builds(lambda v, extra: tlv.encode(0x7C, tlv.encode(tag, v) + extra), st.binary(max_size=20),
                  st.binary(max_size=10))))
    resp = Response(body, data.draw(status_words))
    sent = []

    def transmit(cmd):
        sent.append(cmd)
        real = chip.handle(cmd)
        return resp if len(sent) - 1 == step else real
    start = time.monotonic()
    outcome = card_errors_only(run_pace, transmit, info, CAN if kind == "CAN" else MRZ, kind)
    assert time.monotonic() - start < 5
    if step > 0:  # only a benign MSE:Set AT answer (9000, 63Cx) lets the run finish
        assert isinstance(outcome, CardError)
    else:
        assert isinstance(outcome, (CardError, SecureMessaging))


def pace_commands(info):
    point = info.domain_parameters
    valid = point.encode_point(point.mul_base(7)) if isinstance(point, Curve) else point.encode_element(4)
    ga = st.builds(lambda cla, tag, v: Command(cla, 0x86, 0, 0, tlv.encode(0x7C, tlv.encode(tag, v)), le=256),
                   st.sampled_from([0x00, 0x10]), st.sampled_from([0x81, 0x83, 0x85, 0x80]),
                   st.one_of(st.just(valid), st.binary(max_size=70), element_like(info)))
    mse = st.just(Command(0x00, 0x22, 0xC1, 0xA4, tlv.encode(0x80, tlv.encode_oid(info.oid)) + b"\x83\x01\x02"))
    first = st.just(Command(0x10, 0x86, 0, 0, b"\x7c\x00", le=256))
    return st.one_of(commands, ga, mse, first)


@FUZZ
@given(data=st.data(), which=st.integers(0, len(FUZZ_INFOS) - 1))
def test_pace_chip_answers_anything(data, which):
    info = FUZZ_INFOS[which]
    chip = PaceChip([info], {"CAN": CAN})
    for cmd in data.draw(st.lists(pace_commands(info), max_size=8)):
        assert isinstance(chip.handle(cmd), Response)
    assert chip.sm is None  # nobody knew the password: never authenticated


pace_like_oids = st.one_of(
    st.builds(lambda a, b: f"0.4.0.127.0.7.2.2.4.{a}.{b}", st.integers(0, 8), st.integers(0, 6)),
    st.builds(lambda a: f"0.4.0.127.0.7.2.2.{a}", st.integers(0, 300)),
    st.just("1.2.840.10045.2.1"))
ints = st.integers(min_value=-2 ** 70, max_value=2 ** 70)


def der_int(v: int) -> bytes:
    return tlv.encode(0x02, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True))


security_info = st.builds(
    lambda oid, fields: tlv.encode(0x30, tlv.encode(0x06, tlv.encode_oid(oid)) + b"".join(fields)),
    pace_like_oids, st.lists(st.one_of(st.builds(der_int, ints), st.binary(max_size=6)), max_size=3))


@FUZZ
@given(data=st.one_of(st.binary(max_size=200),
                      st.builds(lambda items: tlv.encode(0x31, b"".join(items)), st.lists(security_info, max_size=4))))
def test_card_access_parser(data):
    infos = card_errors_only(parse_card_access, data)
    if isinstance(infos, CardError):
        assert isinstance(infos, ParseError)
        return
    for info in infos:
        assert isinstance(info.supported, bool)
        card_errors_only(lambda: (info.cipher, info.mapping, info.key_agreement, info.domain_parameters))


# --- group elements, TLV, Active Authentication -------------------------------------------

@FUZZ
@given(data=st.data(), curve=st.sampled_from(CURVES))
def test_ec_point_decoder(data, curve):
    raw = data.draw(st.one_of(st.binary(max_size=140),
                              st.builds(lambda b: b"\x04" + b, st.binary(min_size=2 * curve.size,
                                                                         max_size=2 * curve.size))))
    point = card_errors_only(curve.decode_point, raw)
    if isinstance(point, CardError):
        assert isinstance(point, ParseError)
    else:
        assert curve.contains(point) and curve.encode_point(point) == raw


@FUZZ
@given(group=st.sampled_from(GROUPS), raw=st.binary(max_size=260))
def test_modp_element_decoder(group, raw):
    y = card_errors_only(group.decode_element, raw)
    assert isinstance(y, ParseError) or pow(y, group.q, group.p) == 1


@FUZZ
@given(raw=st.binary(max_size=64))
def test_tlv_and_oid_parsers(raw):
    card_errors_only(tlv.parse, raw)
    card_errors_only(tlv.decode_oid, raw)
    card_errors_only(tlv.parse_single, raw, 0x7C)


RSA_KEY = rsa.generate_private_key(65537, 1024)
EC_KEY = cec.generate_private_key(cec.BrainpoolP256R1())
SPKIS = [k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
         for k in (RSA_KEY, EC_KEY)]
SPKIS.append(explicit_spki(BRAINPOOL_P256R1, SPKIS[1][-65:]))  # the same EC key with explicit parameters


@FUZZ
@given(data=st.data())
def test_active_authentication_with_random_answers_and_keys(data):
    der = data.draw(st.sampled_from(SPKIS))
    resp = data.draw(st.one_of(responses, st.builds(Response, st.binary(min_size=64, max_size=64), st.just(0x9000)),
                               st.builds(Response, st.binary(min_size=128, max_size=128), st.just(0x9000))))
    outcome = card_errors_only(active_authenticate, lambda cmd: resp, der)
    assert isinstance(outcome, CardError)
    cut = data.draw(st.integers(0, len(der) - 1))
    flip = data.draw(st.integers(0, len(der) - 1))
    mutated = bytearray(der)
    mutated[flip] ^= data.draw(st.integers(1, 255))
    card_errors_only(parse_public_key, der[:cut])
    card_errors_only(parse_public_key, bytes(mutated))
    card_errors_only(parse_public_key, data.draw(st.binary(max_size=100)))


@FUZZ
@given(cmd=commands)
def test_aa_chip_answers_anything(cmd):
    for key in (RSA_KEY, EC_KEY):
        assert isinstance(AaChip(key).handle(cmd), Response)


def test_genuine_aa_still_verifies_after_the_fuzzing_setup():
    """Guard against a vacuous fuzz file: the same keys verify genuine signatures."""
    for key, der in zip((RSA_KEY, EC_KEY, EC_KEY), SPKIS):
        active_authenticate(AaChip(key).handle, der)
    with pytest.raises(VerificationError):
        active_authenticate(AaChip(RSA_KEY).handle, SPKIS[1])
