"""Short-Weierstrass elliptic curves over prime fields and the MODP groups that
PACE uses (ICAO 9303-11 §4.4, §9.5.1 standardized domain parameters).

``cryptography`` does ECDH and ECDSA but exposes no point addition, which the
PACE generic mapping G' = s·G + H (§4.4.3.3.1) needs; this module is that small
arithmetic. Points are affine ``(x, y)`` tuples, ``None`` is the point at
infinity. Scalar multiplication runs in Jacobian coordinates with a regular
signed fixed-window recoding (every window adds, no zero-digit shortcut). It is
meant for ephemeral PACE keys and public-key verification, not for long-term
secrets.

Received points and group elements go through :meth:`Curve.decode_point` /
:meth:`ModpGroup.decode_element`, which raise only ``ParseError``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

from ..errors import CardError, ParseError, UnsupportedCardError

Point = Optional[Tuple[int, int]]
INFINITY: Point = None

_WINDOW = 4
_INF_J = (1, 1, 0)  # Jacobian point at infinity (Z = 0)


def _j_double(P, p, a):
    X1, Y1, Z1 = P
    if not Z1 or not Y1:
        return _INF_J
    YY = Y1 * Y1 % p
    S = 4 * X1 * YY % p
    ZZ = Z1 * Z1 % p
    M = (3 * X1 * X1 + a * ZZ * ZZ) % p
    X3 = (M * M - 2 * S) % p
    Y3 = (M * (S - X3) - 8 * YY * YY) % p
    return X3, Y3, 2 * Y1 * Z1 % p


def _j_add_affine(P, x2, y2, p, a):
    """Jacobian P + affine (x2, y2), complete for every input."""
    X1, Y1, Z1 = P
    if not Z1:
        return x2, y2, 1
    Z1Z1 = Z1 * Z1 % p
    H = (x2 * Z1Z1 - X1) % p
    r = (y2 * Z1 * Z1Z1 - Y1) % p
    if not H:
        return _j_double(P, p, a) if not r else _INF_J
    HH = H * H % p
    HHH = H * HH % p
    V = X1 * HH % p
    X3 = (r * r - HHH - 2 * V) % p
    Y3 = (r * (V - X3) - Y1 * HHH) % p
    return X3, Y3, Z1 * H % p


def _j_to_affine(P, p) -> Point:
    X, Y, Z = P
    if not Z:
        return None
    zi = pow(Z, -1, p)
    zi2 = zi * zi % p
    return X * zi2 % p, Y * zi2 * zi % p


def _recode(k: int, w: int) -> list[int]:
    """Odd ``k`` as odd signed digits in ±[1, 2^w - 1], least significant first."""
    digits = []
    half, full = 1 << w, 1 << (w + 1)
    while k > half:
        d = (k % full) - half
        digits.append(d)
        k = (k - d) >> w
    digits.append(k)
    return digits


@dataclass(frozen=True, eq=False)
class Curve:
    """``y^2 = x^3 + a·x + b`` over GF(p), base point (gx, gy) of prime order n."""

    name: str
    oid: str | None
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int
    h: int = 1
    size: int = field(init=False)  # field element length in bytes

    def __post_init__(self):
        object.__setattr__(self, "size", (self.p.bit_length() + 7) // 8)

    def __repr__(self) -> str:
        return f"Curve({self.name})"

    @property
    def G(self) -> Point:
        return self.gx, self.gy

    @property
    def order_size(self) -> int:
        return (self.n.bit_length() + 7) // 8

    # --- group law ---------------------------------------------------------------

    def contains(self, P: Point) -> bool:
        """True for the point at infinity and for affine points on the curve."""
        if P is None:
            return True
        x, y = P
        p = self.p
        return 0 <= x < p and 0 <= y < p and (y * y - (x * x * x + self.a * x + self.b)) % p == 0

    def neg(self, P: Point) -> Point:
        return None if P is None else (P[0], (-P[1]) % self.p)

    def add(self, P: Point, Q: Point) -> Point:
        if P is None:
            return Q
        if Q is None:
            return P
        return _j_to_affine(_j_add_affine((P[0], P[1], 1), Q[0], Q[1], self.p, self.a), self.p)

    def double(self, P: Point) -> Point:
        if P is None:
            return None
        return _j_to_affine(_j_double((P[0], P[1], 1), self.p, self.a), self.p)

    def mul(self, k: int, P: Point) -> Point:
        """k·P for a point P of the prime-order subgroup (all supported curves have h = 1)."""
        k %= self.n
        if not k or P is None:
            return None
        p, a = self.p, self.a
        negate = not k & 1
        if negate:  # n is odd: n - k is odd and (n - k)·P = -k·P
            k = self.n - k
        # odd multiples 1P, 3P, ..., (2^w - 1)P in affine coordinates
        table_j = [(P[0], P[1], 1)]
        twice = _j_double(table_j[0], p, a)
        twice_a = _j_to_affine(twice, p)
        for _ in range((1 << (_WINDOW - 1)) - 1):
            prev = table_j[-1]
            if twice_a is None:
                table_j.append(_INF_J)
            else:
                table_j.append(_j_add_affine(prev, twice_a[0], twice_a[1], p, a))
        table = [_j_to_affine(t, p) for t in table_j]
        digits = _recode(k, _WINDOW)
        top = table[digits[-1] >> 1]
        acc = _INF_J if top is None else (top[0], top[1], 1)
        for d in reversed(digits[:-1]):
            for _ in range(_WINDOW):
                acc = _j_double(acc, p, a)
            t = table[abs(d) >> 1]
            if t is None:
                continue
            acc = _j_add_affine(acc, t[0], t[1] if d > 0 else p - t[1], p, a)
        R = _j_to_affine(acc, p)
        return self.neg(R) if negate else R

    def mul_base(self, k: int) -> Point:
        return self.mul(k, self.G)

    # --- encoding ------------------------------------------------------------------

    def encode_point(self, P: Point) -> bytes:
        """Uncompressed encoding 04 || X || Y (BSI TR-03111 §3.2.1)."""
        if P is None:
            raise ValueError("cannot encode the point at infinity")
        return b"\x04" + P[0].to_bytes(self.size, "big") + P[1].to_bytes(self.size, "big")

    def decode_point(self, data: bytes) -> Point:
        """Parse and validate an uncompressed point received from outside.

        Rejects (``ParseError``) a wrong length or format byte, the point at
        infinity, coordinates outside the field and points not on the curve."""
        data = bytes(data)
        if data == b"\x00":
            raise ParseError(f"{self.name}: point at infinity")
        if len(data) != 1 + 2 * self.size:
            raise ParseError(f"{self.name}: point of {len(data)} bytes, expected {1 + 2 * self.size}")
        if data[0] != 0x04:
            raise ParseError(f"{self.name}: not an uncompressed point (format byte {data[0]:02X})")
        x = int.from_bytes(data[1:1 + self.size], "big")
        y = int.from_bytes(data[1 + self.size:], "big")
        if not (x < self.p and y < self.p) or not self.contains((x, y)):
            raise ParseError(f"{self.name}: point not on the curve")
        return x, y

    def encode_field(self, x: int) -> bytes:
        """FE2OS (BSI TR-03111 §3.1.3): a field element as ``size`` bytes."""
        return x.to_bytes(self.size, "big")


@dataclass(frozen=True, eq=False)
class ModpGroup:
    """A prime-order subgroup of (Z/pZ)*: generator g of prime order q (RFC 5114)."""

    name: str
    p: int
    g: int
    q: int
    size: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "size", (self.p.bit_length() + 7) // 8)

    def __repr__(self) -> str:
        return f"ModpGroup({self.name})"

    @property
    def order_size(self) -> int:
        return (self.q.bit_length() + 7) // 8

    def encode_element(self, y: int) -> bytes:
        """I2OS with the length of p (the wire format of DH public values)."""
        return y.to_bytes(self.size, "big")

    def decode_element(self, data: bytes) -> int:
        """Parse and validate a received group element: 1 < y < p - 1 and y^q = 1."""
        data = bytes(data)
        if not data or len(data) > self.size + 1 or (len(data) > self.size and data[0]):
            raise ParseError(f"{self.name}: element of {len(data)} bytes, expected {self.size}")
        y = int.from_bytes(data, "big")
        if not 1 < y < self.p - 1 or pow(y, self.q, self.p) != 1:
            raise ParseError(f"{self.name}: element not in the prime-order subgroup")
        return y


def random_scalar(order: int, rng: Callable[[int], bytes] = os.urandom) -> int:
    """A uniform integer in [1, order - 1] by rejection sampling over ``rng`` bytes."""
    nbytes = (order.bit_length() + 7) // 8
    mask = (1 << order.bit_length()) - 1
    for _ in range(128):
        k = int.from_bytes(rng(nbytes), "big") & mask
        if 0 < k < order:
            return k
    raise CardError("random number generator keeps returning out-of-range values")


# --- parameters (SEC 2, FIPS 186-4, RFC 5639, RFC 5114) ------------------------------

P192 = Curve(
    "secp192r1", "1.2.840.10045.3.1.1",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFC,
    b=0x64210519E59C80E70FA7E9AB72243049FEB8DEECC146B9B1,
    gx=0x188DA80EB03090F67CBF20EB43A18800F4FF0AFD82FF1012,
    gy=0x07192B95FFC8DA78631011ED6B24CDD573F977A11E794811,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFF99DEF836146BC9B1B4D22831,
)
BRAINPOOL_P192R1 = Curve(
    "brainpoolP192r1", "1.3.36.3.3.2.8.1.1.3",
    p=0xC302F41D932A36CDA7A3463093D18DB78FCE476DE1A86297,
    a=0x6A91174076B1E0E19C39C031FE8685C1CAE040E5C69A28EF,
    b=0x469A28EF7C28CCA3DC721D044F4496BCCA7EF4146FBF25C9,
    gx=0xC0A0647EAAB6A48753B033C56CB0F0900A2F5C4853375FD6,
    gy=0x14B690866ABD5BB88B5F4828C1490002E6773FA2FA299B8F,
    n=0xC302F41D932A36CDA7A3462F9E9E916B5BE8F1029AC4ACC1,
)
P224 = Curve(
    "secp224r1", "1.3.132.0.33",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF000000000000000000000001,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFE,
    b=0xB4050A850C04B3ABF54132565044B0B7D7BFD8BA270B39432355FFB4,
    gx=0xB70E0CBD6BB4BF7F321390B94A03C1D356C21122343280D6115C1D21,
    gy=0xBD376388B5F723FB4C22DFE6CD4375A05A07476444D5819985007E34,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFF16A2E0B8F03E13DD29455C5C2A3D,
)
BRAINPOOL_P224R1 = Curve(
    "brainpoolP224r1", "1.3.36.3.3.2.8.1.1.5",
    p=0xD7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF,
    a=0x68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43,
    b=0x2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B,
    gx=0x0D9029AD2C7E5CF4340823B2A87DC68C9E4CE3174C1E6EFDEE12C07D,
    gy=0x58AA56F772C0726F24C6B89E4ECDAC24354B9E99CAA3F6D3761402CD,
    n=0xD7C134AA264366862A18302575D0FB98D116BC4B6DDEBCA3A5A7939F,
)
P256 = Curve(
    "secp256r1", "1.2.840.10045.3.1.7",
    p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
)
BRAINPOOL_P256R1 = Curve(
    "brainpoolP256r1", "1.3.36.3.3.2.8.1.1.7",
    p=0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    a=0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    b=0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    gx=0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    gy=0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    n=0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)
BRAINPOOL_P320R1 = Curve(
    "brainpoolP320r1", "1.3.36.3.3.2.8.1.1.9",
    p=0xD35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27,
    a=0x3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4,
    b=0x520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6,
    gx=0x43BD7E9AFB53D8B85289BCC48EE5BFE6F20137D10A087EB6E7871E2A10A599C710AF8D0D39E20611,
    gy=0x14FDD05545EC1CC8AB4093247F77275E0743FFED117182EAA9C77877AAAC6AC7D35245D1692E8EE1,
    n=0xD35E472036BC4FB7E13C785ED201E065F98FCFA5B68F12A32D482EC7EE8658E98691555B44C59311,
)
P384 = Curve(
    "secp384r1", "1.3.132.0.34",
    p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF,
    a=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC,
    b=0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    gx=0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    gy=0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
    n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
)
BRAINPOOL_P384R1 = Curve(
    "brainpoolP384r1", "1.3.36.3.3.2.8.1.1.11",
    p=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53,
    a=0x7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826,
    b=0x04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11,
    gx=0x1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E,
    gy=0x8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315,
    n=0x8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565,
)
BRAINPOOL_P512R1 = Curve(
    "brainpoolP512r1", "1.3.36.3.3.2.8.1.1.13",
    p=0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3,
    a=0x7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA,
    b=0x3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723,
    gx=0x81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822,
    gy=0x7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892,
    n=0xAADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069,
)
P521 = Curve(
    "secp521r1", "1.3.132.0.35",
    p=(1 << 521) - 1,
    a=(1 << 521) - 4,
    b=0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
    gx=0x00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
    gy=0x011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
    n=0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
)

MODP_1024_160 = ModpGroup(
    "RFC 5114 1024-bit MODP, 160-bit subgroup",
    p=0xB10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C013ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371,
    g=0xA4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28AD662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5,
    q=0xF518AA8781A8DF278ABA4E7D64B7CB9D49462353,
)
MODP_2048_224 = ModpGroup(
    "RFC 5114 2048-bit MODP, 224-bit subgroup",
    p=0xAD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71CF9DE5384E71B81C0AC4DFFE0C10E64F,
    g=0xAC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFAAB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98AE247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EFBB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC017981BC087F2A7065B384B890D3191F2BFA,
    q=0x801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB,
)
MODP_2048_256 = ModpGroup(
    "RFC 5114 2048-bit MODP, 256-bit subgroup",
    p=0x87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597,
    g=0x3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659,
    q=0x8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3,
)

#: ICAO 9303-11 §9.5.1 (Table 11) standardized domain parameters; 3-7 and 19-31 are RFU.
STANDARD_DOMAIN_PARAMETERS: dict[int, Curve | ModpGroup] = {
    0: MODP_1024_160,
    1: MODP_2048_224,
    2: MODP_2048_256,
    8: P192,
    9: BRAINPOOL_P192R1,
    10: P224,
    11: BRAINPOOL_P224R1,
    12: P256,
    13: BRAINPOOL_P256R1,
    14: BRAINPOOL_P320R1,
    15: P384,
    16: BRAINPOOL_P384R1,
    17: BRAINPOOL_P512R1,
    18: P521,
}

CURVES_BY_OID: dict[str, Curve] = {
    c.oid: c for c in STANDARD_DOMAIN_PARAMETERS.values() if isinstance(c, Curve) and c.oid
}


def standard_domain_parameters(parameter_id: int) -> Curve | ModpGroup:
    """The standardized domain parameters for a PACEInfo ``parameterId``."""
    try:
        return STANDARD_DOMAIN_PARAMETERS[parameter_id]
    except (KeyError, TypeError):
        raise UnsupportedCardError(f"unsupported standardized domain parameters id {parameter_id!r}") from None
