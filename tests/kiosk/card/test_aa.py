"""Active Authentication (ICAO 9303-11 §6.1): RSA ISO/IEC 9796-2 scheme 1 and plain
ECDSA, terminal against the emulated chip, and the ways a signature can be wrong."""

import hashlib
import json
from pathlib import Path

import pytest
from asn1crypto import keys as akeys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from kiosk.card.aa import AaChip, active_authenticate, normalize_hash, parse_public_key
from kiosk.card.apdu import Command, Response
from kiosk.card.crypto.ec import BRAINPOOL_P224R1, BRAINPOOL_P256R1
from kiosk.card.errors import ParseError, StatusError, UnsupportedCardError, VerificationError


def spki(private_key) -> bytes:
    return private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture(scope="module")
def rsa1024():
    return rsa.generate_private_key(65537, 1024)


@pytest.fixture(scope="module")
def rsa2048():
    return rsa.generate_private_key(65537, 2048)


def recording(chip):
    sent = []

    def transmit(cmd):
        sent.append(cmd)
        return chip.handle(cmd)
    return transmit, sent


@pytest.mark.parametrize("hash_name", [None, "sha224", "SHA-256", "sha384", "sha512"])
def test_rsa_iso9796_2_with_implicit_and_explicit_hash(rsa1024, hash_name):
    chip = AaChip(rsa1024, hash_name)
    transmit, sent = recording(chip)
    active_authenticate(transmit, spki(rsa1024), rng=lambda n: b"\x11" * n)
    assert sent == [Command(0x00, 0x88, 0x00, 0x00, b"\x11" * 8, le=256)]
    assert sent[0].encode() == bytes.fromhex("0088000008" + "11" * 8 + "00")
    # the recovered representative carries the trailer the chip chose
    sig = chip.handle(sent[0]).data
    n, e = rsa1024.public_key().public_numbers().n, rsa1024.public_key().public_numbers().e
    f = pow(int.from_bytes(sig, "big"), e, n).to_bytes(128, "big")
    assert f[0] == 0x6A
    if hash_name is None:
        assert f[-1] == 0xBC
    else:
        assert f[-1] == 0xCC and f[-2] == {"sha224": 0x38, "sha256": 0x34, "sha384": 0x36, "sha512": 0x35}[
            normalize_hash(hash_name)]


def sign_raw(key, f: bytes) -> bytes:
    nums = key.private_numbers()
    return pow(int.from_bytes(f, "big"), nums.d, nums.public_numbers.n).to_bytes(
        (nums.public_numbers.n.bit_length() + 7) // 8, "big")


def test_rsa_accepts_n_minus_s_and_bb_padding(rsa1024):
    n = rsa1024.public_key().public_numbers().n
    chip = AaChip(rsa1024)

    def alternative(cmd):
        s = int.from_bytes(chip.handle(cmd).data, "big")
        return Response((n - s).to_bytes(128, "big"), 0x9000)
    active_authenticate(alternative, spki(rsa1024))

    def padded(cmd):
        m1 = b"\x42" * 40
        f = b"\x6B" + b"\xBB" * 3 + b"\xBA" + m1
        f += hashlib.sha1(m1 + cmd.data).digest() + b"\xBC"
        f = f[:1] + b"\xBB" * (128 - len(f)) + f[1:]  # pad to the modulus length with more BB
        return Response(sign_raw(rsa1024, f), 0x9000)
    active_authenticate(padded, spki(rsa1024))


def test_rsa_rejections(rsa1024, rsa2048):
    chip = AaChip(rsa1024)

    def flipped(cmd):
        sig = bytearray(chip.handle(cmd).data)
        sig[50] ^= 0x04
        return Response(bytes(sig), 0x9000)
    with pytest.raises(VerificationError):
        active_authenticate(flipped, spki(rsa1024))
    with pytest.raises(VerificationError):  # signature of another challenge
        active_authenticate(lambda c: chip.handle(Command(0, 0x88, 0, 0, bytes(8), le=256)), spki(rsa1024),
                            rng=lambda n: b"\x01" * n)
    with pytest.raises(VerificationError):  # another key
        active_authenticate(AaChip(rsa2048).handle, spki(rsa1024))

    def raw(f):
        return lambda cmd: Response(sign_raw(rsa1024, f), 0x9000)
    m1 = bytes(106)
    for f in (b"\x4A" + m1 + bytes(20) + b"\xBC",           # total recovery: the challenge is not bound
              b"\x6A" + m1 + bytes(20) + b"\xBD",           # no trailer
              b"\x6A" + m1 + bytes(19) + b"\x99\xCC",       # unknown hash id
              b"\x6A" + bytes(106) + bytes(20) + b"\xBC"):  # wrong digest
        with pytest.raises(VerificationError):
            active_authenticate(raw(f), spki(rsa1024))
    for sig in (b"", b"\xff" * 129, b"\x00" * 128):
        with pytest.raises(VerificationError):
            active_authenticate(lambda c: Response(sig, 0x9000), spki(rsa1024))


def test_large_rsa_key_asks_for_an_extended_response():
    key = rsa.generate_private_key(65537, 3072)
    transmit, sent = recording(AaChip(key, "sha256"))
    active_authenticate(transmit, spki(key))
    wire = sent[0].encode()
    assert sent[0].le == 65536 and len(wire) == 7 + 8 + 2 and wire.endswith(b"\x00\x00")
    assert wire.startswith(b"\x00\x88\x00\x00\x00\x00\x08")  # extended Lc


EC_CASES = [(ec.BrainpoolP256R1, None), (ec.BrainpoolP384R1, "sha384"), (ec.BrainpoolP512R1, "sha512"),
            (ec.SECP256R1, "1.2.840.10045.4.3.2"), (ec.SECP384R1, "0.4.0.127.0.7.1.1.4.1.4"),
            (ec.SECP521R1, "sha512"), (ec.SECP224R1, "sha1")]


@pytest.mark.parametrize("curve,hash_name", EC_CASES, ids=[c.__name__ for c, _ in EC_CASES])
def test_ecdsa_plain_signatures(curve, hash_name):
    key = ec.generate_private_key(curve())
    transmit, sent = recording(AaChip(key, hash_name))
    active_authenticate(transmit, spki(key), hash_name=hash_name)
    assert sent[0].le == 256
    resp = AaChip(key, hash_name).handle(sent[0])
    assert len(resp.data) == 2 * ((key.curve.key_size + 7) // 8)
    flipped = bytearray(resp.data)
    flipped[3] ^= 1
    with pytest.raises(VerificationError):
        active_authenticate(lambda c: Response(bytes(flipped), 0x9000), spki(key), hash_name=hash_name,
                            rng=lambda n: sent[0].data)


def test_ecdsa_hash_must_match():
    key = ec.generate_private_key(ec.BrainpoolP256R1())
    with pytest.raises(VerificationError):
        active_authenticate(AaChip(key, "sha384").handle, spki(key))  # terminal assumes SHA-256
    active_authenticate(AaChip(key, "sha384").handle, spki(key), hash_name="SHA-384")
    with pytest.raises(VerificationError):
        active_authenticate(lambda c: Response(b"\x01" * 63, 0x9000), spki(key))
    with pytest.raises(VerificationError):
        active_authenticate(lambda c: Response(bytes(64), 0x9000), spki(key))
    with pytest.raises(UnsupportedCardError):
        active_authenticate(lambda c: pytest.fail("nothing may be sent"), spki(key), hash_name="md5")


def explicit_spki(curve, point: bytes) -> bytes:
    size = curve.size
    spec = akeys.SpecifiedECDomain({
        "version": "ecdpVer1",
        "field_id": {"field_type": "prime_field", "parameters": curve.p},
        "curve": {"a": curve.a.to_bytes(size, "big"), "b": curve.b.to_bytes(size, "big")},
        "base": curve.encode_point(curve.G),
        "order": curve.n,
        "cofactor": 1,
    })
    return akeys.PublicKeyInfo({
        "algorithm": {"algorithm": "ec", "parameters": akeys.ECDomainParameters(name="specified", value=spec)},
        "public_key": point,
    }).dump()


def test_ecdsa_with_explicit_domain_parameters():
    key = ec.generate_private_key(ec.BrainpoolP256R1())
    point = spki(key)[-65:]
    der = explicit_spki(BRAINPOOL_P256R1, point)
    parsed = parse_public_key(der)
    assert (parsed.curve.p, parsed.curve.n, parsed.curve.G) == (BRAINPOOL_P256R1.p, BRAINPOOL_P256R1.n,
                                                                  BRAINPOOL_P256R1.G)
    active_authenticate(AaChip(key).handle, der)
    with pytest.raises(ParseError):  # a public point that is not on the explicit curve
        parse_public_key(explicit_spki(BRAINPOOL_P256R1, point[:-1] + bytes(((point[-1] + 1) % 256,))))


def test_explicit_parameters_of_a_real_document():
    """The chip-authentication key of the BSI TR-03105-5 DG14 uses explicit
    brainpoolP224r1 parameters: the same parser must read them."""
    v = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "emrtd_vectors.json").read_text())
    dg14 = bytes.fromhex(v["passive_authentication_bsi_tr03105_5"]["dg14"])
    start = dg14.index(bytes.fromhex("30820113"))
    parsed = parse_public_key(dg14[start:start + 4 + 0x113])
    c = parsed.curve
    assert (c.p, c.a, c.b, c.G, c.n) == (BRAINPOOL_P224R1.p, BRAINPOOL_P224R1.a, BRAINPOOL_P224R1.b,
                                         BRAINPOOL_P224R1.G, BRAINPOOL_P224R1.n)
    assert c.contains(parsed.point)


def test_key_errors():
    with pytest.raises(UnsupportedCardError):
        parse_public_key(spki(ed25519.Ed25519PrivateKey.generate()))
    for junk in (b"", b"\x30\x00", b"\x30\x03\x02\x01\x00", bytes(40)):
        with pytest.raises(ParseError):
            parse_public_key(junk)
    good = spki(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ParseError):
        parse_public_key(good + b"\x00")


def test_chip_refusal_is_a_status_error(rsa1024):
    with pytest.raises(StatusError) as e:
        active_authenticate(lambda c: Response(b"", 0x6982), spki(rsa1024))
    assert e.value.sw == 0x6982


def test_chip_side_checks_the_command(rsa1024):
    chip = AaChip(rsa1024)
    assert chip.handle(Command(0x00, 0x88, 0, 0, b"", le=256)).sw == 0x6700
    assert chip.handle(Command(0x00, 0x88, 1, 0, bytes(8), le=256)).sw == 0x6A86
    assert chip.handle(Command(0x00, 0x84, 0, 0, le=8)).sw == 0x6D00
    assert chip.handle(Command(0x0C, 0x88, 0, 0, bytes(8), le=256)).sw == 0x6E00


def test_explicit_parameters_with_a_composite_field_fail_cleanly():
    """Explicit parameters come from the chip: a composite p (no field) must end in
    VerificationError, not in a bare ValueError from a modular inverse."""
    import dataclasses
    p = 3 * BRAINPOOL_P256R1.p
    g = (5, 7)
    b = (g[1] ** 2 - g[0] ** 3 - BRAINPOOL_P256R1.a * g[0]) % p
    fake = dataclasses.replace(BRAINPOOL_P256R1, p=p, b=b, gx=g[0], gy=g[1], n=(1 << 255) + 1)
    point = fake.encode_point(g)
    der = explicit_spki(fake, point)
    key = parse_public_key(der)
    assert key.curve.p == p
    with pytest.raises(VerificationError):
        active_authenticate(lambda c: Response(b"\x01" * 64, 0x9000), der)
