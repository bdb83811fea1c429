"""Elliptic-curve and MODP arithmetic: parameters checked against themselves,
against OpenSSL (through ``cryptography``) and against a naive reference."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec as cec
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.card.crypto import ec
from kiosk.card.crypto.ec import (BRAINPOOL_P224R1, BRAINPOOL_P256R1, P256, STANDARD_DOMAIN_PARAMETERS, Curve,
                                  ModpGroup, random_scalar, standard_domain_parameters)
from kiosk.card.errors import CardError, ParseError, UnsupportedCardError

CURVES = [c for c in STANDARD_DOMAIN_PARAMETERS.values() if isinstance(c, Curve)]
GROUPS = [g for g in STANDARD_DOMAIN_PARAMETERS.values() if isinstance(g, ModpGroup)]
OPENSSL = {"secp192r1": cec.SECP192R1, "secp224r1": cec.SECP224R1, "secp256r1": cec.SECP256R1,
           "secp384r1": cec.SECP384R1, "secp521r1": cec.SECP521R1, "brainpoolP256r1": cec.BrainpoolP256R1,
           "brainpoolP384r1": cec.BrainpoolP384R1, "brainpoolP512r1": cec.BrainpoolP512R1}


def probably_prime(n: int) -> bool:
    if n < 2:
        return False
    small = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71]
    if n in small:
        return True
    if any(n % p == 0 for p in small):
        return False
    d, r = n - 1, 0
    while not d & 1:
        d, r = d >> 1, r + 1
    for a in small:
        y = pow(a, d, n)
        if y in (1, n - 1):
            continue
        for _ in range(r - 1):
            y = y * y % n
            if y == n - 1:
                break
        else:
            return False
    return True


def naive_mul(c: Curve, k: int, P):
    """Affine double-and-add straight from the textbook formulas (reference only)."""
    def add(P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        (x1, y1), (x2, y2) = P, Q
        if x1 == x2 and (y1 + y2) % c.p == 0:
            return None
        if P == Q:
            lam = (3 * x1 * x1 + c.a) * pow(2 * y1, -1, c.p) % c.p
        else:
            lam = (y2 - y1) * pow(x2 - x1, -1, c.p) % c.p
        x3 = (lam * lam - x1 - x2) % c.p
        return x3, (lam * (x1 - x3) - y1) % c.p
    R = None
    for bit in bin(k)[2:]:
        R = add(R, R)
        if bit == "1":
            R = add(R, P)
    return R


def test_standardized_ids():
    assert sorted(STANDARD_DOMAIN_PARAMETERS) == [0, 1, 2] + list(range(8, 19))
    assert [STANDARD_DOMAIN_PARAMETERS[i].name for i in range(8, 19)] == [
        "secp192r1", "brainpoolP192r1", "secp224r1", "brainpoolP224r1", "secp256r1", "brainpoolP256r1",
        "brainpoolP320r1", "secp384r1", "brainpoolP384r1", "brainpoolP512r1", "secp521r1"]
    assert standard_domain_parameters(13) is BRAINPOOL_P256R1
    for bad in (3, 7, 19, 31, -1, None):
        with pytest.raises(UnsupportedCardError):
            standard_domain_parameters(bad)


@pytest.mark.parametrize("c", CURVES, ids=lambda c: c.name)
def test_curve_parameters_are_consistent(c):
    assert probably_prime(c.p) and probably_prime(c.n)
    assert c.h == 1 and abs(c.n - (c.p + 1)) <= 2 * int(c.p ** 0.5) + 2  # Hasse
    assert (4 * c.a ** 3 + 27 * c.b ** 2) % c.p != 0
    assert c.contains(c.G)
    assert c.mul(c.n, c.G) is None
    assert c.mul(c.n - 1, c.G) == c.neg(c.G)
    assert c.size == (c.p.bit_length() + 7) // 8


@pytest.mark.parametrize("name", sorted(OPENSSL))
def test_scalar_multiplication_matches_openssl(name):
    c = next(c for c in CURVES if c.name == name)
    for k in (1, 2, 3, 0xDEADBEEF, c.n - 2, (c.n * 2) // 3, int.from_bytes(bytes(range(1, 80)), "big") % c.n):
        numbers = cec.derive_private_key(k, OPENSSL[name]()).public_key().public_numbers()
        assert c.mul_base(k) == (numbers.x, numbers.y), k


@pytest.mark.parametrize("name", sorted(OPENSSL))
def test_ecdh_matches_openssl(name):
    c = next(c for c in CURVES if c.name == name)
    a = cec.derive_private_key(123456789123456789, OPENSSL[name]())
    b = cec.derive_private_key(987654321987654321987, OPENSSL[name]())
    pub_b = b.public_key().public_numbers()
    secret = a.exchange(cec.ECDH(), b.public_key())
    assert c.encode_field(c.mul(123456789123456789, (pub_b.x, pub_b.y))[0]) == secret


def test_brainpool_p224r1_matches_the_explicit_parameters_of_the_bsi_dg14():
    v = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "emrtd_vectors.json").read_text())
    dg14 = bytes.fromhex(v["passive_authentication_bsi_tr03105_5"]["dg14"])
    c = BRAINPOOL_P224R1
    for value in (c.p, c.a, c.b, c.n):
        assert value.to_bytes(28, "big") in dg14
    assert c.encode_point(c.G) in dg14


@settings(max_examples=60, deadline=None)
@given(k=st.integers(min_value=-2 ** 300, max_value=2 ** 300), which=st.sampled_from(["brainpoolP256r1", "secp224r1"]))
def test_scalar_multiplication_matches_the_naive_reference(k, which):
    c = next(c for c in CURVES if c.name == which)
    P = c.mul_base(7)
    assert c.mul(k, P) == naive_mul(c, k % c.n, P)


@settings(max_examples=40, deadline=None)
@given(a=st.integers(min_value=0, max_value=2 ** 256), b=st.integers(min_value=0, max_value=2 ** 256))
def test_group_law(a, b):
    c = BRAINPOOL_P256R1
    A, B = c.mul_base(a), c.mul_base(b)
    assert c.add(A, B) == c.add(B, A) == c.mul_base(a + b)
    assert c.add(A, c.neg(A)) is None
    assert c.double(A) == c.add(A, A) == c.mul(2, A)
    assert c.mul(b, A) == c.mul(a, B)
    assert c.contains(c.add(A, B))


def test_special_inputs():
    c = P256
    assert c.mul(0, c.G) is None and c.mul(5, None) is None
    assert c.add(None, c.G) == c.G == c.add(c.G, None)
    assert c.double(None) is None and c.neg(None) is None
    assert c.mul(c.n + 1, c.G) == c.G
    assert c.mul(-1, c.G) == c.neg(c.G)


@pytest.mark.parametrize("c", CURVES, ids=lambda c: c.name)
def test_point_encoding_round_trip_and_rejections(c):
    P = c.mul_base(0x1234567)
    raw = c.encode_point(P)
    assert len(raw) == 1 + 2 * c.size and raw[0] == 4
    assert c.decode_point(raw) == P
    bad_y = raw[:-1] + bytes(((raw[-1] + 1) % 256,))
    x_too_big = b"\x04" + (c.p + P[0]).to_bytes(c.size + 1, "big")[-c.size:] + raw[1 + c.size:]
    for bad in (b"", b"\x00", bad_y, raw[:-1], raw + b"\x00", b"\x02" + raw[1:1 + c.size],
                b"\x03" + raw[1:], b"\x04" + bytes(2 * c.size), x_too_big):
        with pytest.raises(ParseError):
            c.decode_point(bad)
    with pytest.raises(ValueError):
        c.encode_point(None)


@pytest.mark.parametrize("g", GROUPS, ids=lambda g: g.name)
def test_modp_groups(g):
    assert probably_prime(g.p) and probably_prime(g.q)
    assert (g.p - 1) % g.q == 0
    assert g.g != 1 and pow(g.g, g.q, g.p) == 1
    y = pow(g.g, 0xABCDEF, g.p)
    assert g.decode_element(g.encode_element(y)) == y
    assert len(g.encode_element(5)) == g.size
    outside = next(v for v in range(2, 100) if pow(v, g.q, g.p) != 1)
    for bad in (b"", b"\x00", b"\x01", (g.p - 1).to_bytes(g.size, "big"), g.p.to_bytes(g.size, "big"),
                outside.to_bytes(g.size, "big"), b"\x01" + g.encode_element(y)):
        with pytest.raises(ParseError):
            g.decode_element(bad)


def test_random_scalar():
    queue = [b"\xff" * 32, bytes(32), (5).to_bytes(32, "big")]
    assert random_scalar(BRAINPOOL_P256R1.n, lambda n: queue.pop(0)) == 5  # rejects >= n and 0
    for _ in range(50):
        assert 1 <= random_scalar(ec.P521.n) < ec.P521.n
    with pytest.raises(CardError):
        random_scalar(BRAINPOOL_P256R1.n, lambda n: bytes(n))
    assert random_scalar(ec.MODP_1024_160.q, lambda n: b"\x01" * n).bit_length() <= 160
