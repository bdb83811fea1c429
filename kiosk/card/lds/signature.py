"""Public keys and signatures as eMRTD PKI uses them (Doc 9303 Part 12, BSI TR-03111).

- ``load_public_key`` a SubjectPublicKeyInfo to a ``cryptography`` key: RSA (also
  under the id-RSASSA-PSS algorithm), EC with named curves and with explicit
  (specified) domain parameters, which many CSCAs use: those are matched to the
  named curve with the same generator (brainpool and NIST curves).
- ``verify`` a signature under an AlgorithmIdentifier: RSA PKCS#1 v1.5,
  RSASSA-PSS with its parameters, ECDSA (DER signature) and BSI plain ECDSA (r||s).
- ``sign`` the reverse, for the emulator and the test PKI.
"""

from __future__ import annotations

from functools import lru_cache

from asn1crypto import algos, core, keys
from cryptography import x509 as cx509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from ..errors import ParseError, UnsupportedCardError, VerificationError
from .asn1util import guarded

HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}

#: signature algorithm OID -> (scheme, hash or None = from the digest algorithm)
_SIG_OIDS = {
    "1.2.840.113549.1.1.1": ("pkcs1v15", None),  # rsaEncryption
    "1.2.840.113549.1.1.5": ("pkcs1v15", "sha1"),
    "1.2.840.113549.1.1.14": ("pkcs1v15", "sha224"),
    "1.2.840.113549.1.1.11": ("pkcs1v15", "sha256"),
    "1.2.840.113549.1.1.12": ("pkcs1v15", "sha384"),
    "1.2.840.113549.1.1.13": ("pkcs1v15", "sha512"),
    "1.2.840.113549.1.1.10": ("pss", None),
    "1.2.840.10045.2.1": ("ecdsa", None),  # id-ecPublicKey used as a signature algorithm
    "1.2.840.10045.4.1": ("ecdsa", "sha1"),
    "1.2.840.10045.4.3.1": ("ecdsa", "sha224"),
    "1.2.840.10045.4.3.2": ("ecdsa", "sha256"),
    "1.2.840.10045.4.3.3": ("ecdsa", "sha384"),
    "1.2.840.10045.4.3.4": ("ecdsa", "sha512"),
    # BSI TR-03111 ecdsa-plain-signatures: r || s, each the size of the order
    "0.4.0.127.0.7.1.1.4.1.1": ("ecdsa-plain", "sha1"),
    "0.4.0.127.0.7.1.1.4.1.2": ("ecdsa-plain", "sha224"),
    "0.4.0.127.0.7.1.1.4.1.3": ("ecdsa-plain", "sha256"),
    "0.4.0.127.0.7.1.1.4.1.4": ("ecdsa-plain", "sha384"),
    "0.4.0.127.0.7.1.1.4.1.5": ("ecdsa-plain", "sha512"),
}
_ECDSA_OIDS = {"sha1": "1.2.840.10045.4.1", "sha224": "1.2.840.10045.4.3.1",
               "sha256": "1.2.840.10045.4.3.2", "sha384": "1.2.840.10045.4.3.3",
               "sha512": "1.2.840.10045.4.3.4"}
_RSA_OIDS = {"sha1": "1.2.840.113549.1.1.5", "sha224": "1.2.840.113549.1.1.14",
             "sha256": "1.2.840.113549.1.1.11", "sha384": "1.2.840.113549.1.1.12",
             "sha512": "1.2.840.113549.1.1.13"}

_CURVES = (ec.SECP256R1, ec.BrainpoolP256R1, ec.SECP384R1, ec.BrainpoolP384R1, ec.SECP521R1,
           ec.BrainpoolP512R1, ec.SECP224R1, ec.SECP192R1, ec.SECP256K1)


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    try:
        return HASHES[name]()
    except KeyError:
        raise UnsupportedCardError(f"hash algorithm {name} not supported") from None


def digest(name: str, data: bytes) -> bytes:
    h = hashes.Hash(hash_algorithm(name))
    h.update(data)
    return h.finalize()


# ------------------------------------------------------------- public keys


@lru_cache(maxsize=None)
def _generator(curve_cls) -> tuple[int, int]:
    g = ec.derive_private_key(1, curve_cls()).public_key().public_numbers()
    return g.x, g.y


def curve_from_explicit(params: keys.SpecifiedECDomain) -> ec.EllipticCurve:
    """The named curve whose generator and field size match explicit parameters."""
    def read():
        p = params["field_id"]["parameters"].native
        base = params["base"].native
        return p, base
    p, base = guarded("EC domain parameters", read)
    if not isinstance(p, int) or not isinstance(base, bytes) or not base:
        raise ParseError("EC domain parameters: not a prime field with a base point")
    size = (p.bit_length() + 7) // 8
    for cls in _CURVES:
        if (cls.key_size + 7) // 8 != size:
            continue
        gx, gy = _generator(cls)
        if base[0] == 4 and base[1:] == gx.to_bytes(size, "big") + gy.to_bytes(size, "big"):
            return cls()
        if base[0] in (2, 3) and base[1:] == gx.to_bytes(size, "big") and (gy & 1) == (base[0] & 1):
            return cls()
    raise UnsupportedCardError(f"explicit EC parameters of a {p.bit_length()}-bit curve "
                               "match no supported named curve")


def load_public_key(spki: keys.PublicKeyInfo | bytes):
    """A ``cryptography`` public key from a SubjectPublicKeyInfo (DER or asn1crypto)."""
    if isinstance(spki, (bytes, bytearray)):
        spki = guarded("SubjectPublicKeyInfo", lambda: keys.PublicKeyInfo.load(bytes(spki), strict=True))
    algo = guarded("SubjectPublicKeyInfo", lambda: spki["algorithm"]["algorithm"].native)
    try:
        if algo in ("rsa", "rsassa_pss"):
            rsa_key = guarded("RSA public key", lambda: spki["public_key"].parsed)
            n, e = guarded("RSA public key", lambda: (rsa_key["modulus"].native,
                                                      rsa_key["public_exponent"].native))
            if not (isinstance(n, int) and isinstance(e, int)) or n <= 0 or e <= 0:
                raise ParseError("RSA public key: bad modulus or exponent")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if algo == "ec":
            params = guarded("EC public key", lambda: spki["algorithm"]["parameters"])
            point = guarded("EC public key", lambda: spki["public_key"].native)
            if params.name == "named":
                oid = params.chosen.dotted
                try:
                    curve = ec.get_curve_for_oid(cx509.ObjectIdentifier(oid))()
                except LookupError:
                    raise UnsupportedCardError(f"EC curve {oid} not supported") from None
            elif params.name == "specified":
                curve = curve_from_explicit(params.chosen)
            else:
                raise UnsupportedCardError("EC key with implicit curve parameters")
            if not isinstance(point, bytes):
                raise ParseError("EC public key: point is not a byte string")
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    except (ValueError, UnsupportedAlgorithm) as e:
        raise ParseError(f"public key rejected ({type(e).__name__})") from None
    raise UnsupportedCardError(f"public key algorithm {algo} not supported")


# --------------------------------------------------------------- signatures


def describe(algorithm: algos.SignedDigestAlgorithm) -> str:
    """'rsassa_pss/sha256', 'ecdsa/sha256'... for reports."""
    oid = guarded("signature algorithm", lambda: algorithm["algorithm"].dotted)
    scheme, h = _SIG_OIDS.get(oid, (oid, None))
    if scheme == "pss":
        params = guarded("RSASSA-PSS parameters", lambda: algorithm["parameters"].native) or {}
        h = (params.get("hash_algorithm") or {}).get("algorithm", "sha1")
        return f"rsassa_pss/{h}"
    return f"{scheme}/{h}" if h else scheme


def verify(public_key, algorithm: algos.SignedDigestAlgorithm, signature: bytes, data: bytes,
           digest_algorithm: str | None = None) -> None:
    """Check ``signature`` over ``data``; VerificationError if it does not hold.
    ``digest_algorithm`` supplies the hash when the algorithm does not name one
    (rsaEncryption, id-ecPublicKey used as signature algorithms in some SODs)."""
    oid = guarded("signature algorithm", lambda: algorithm["algorithm"].dotted)
    if oid not in _SIG_OIDS:
        raise UnsupportedCardError(f"signature algorithm {oid} not supported")
    scheme, hname = _SIG_OIDS[oid]
    try:
        if scheme in ("pkcs1v15", "pss"):
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise VerificationError(f"{scheme} signature but the key is not RSA")
            if scheme == "pkcs1v15":
                hname = hname or digest_algorithm
                if not hname:
                    raise VerificationError("rsaEncryption signature without a digest algorithm")
                public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm(hname))
            else:
                pad, h = pss_padding(algorithm)
                public_key.verify(signature, data, pad, h)
        else:
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise VerificationError("ECDSA signature but the key is not EC")
            hname = hname or digest_algorithm
            if not hname:
                raise VerificationError("ECDSA signature without a digest algorithm")
            sig = signature
            if scheme == "ecdsa-plain":
                size = (public_key.curve.key_size + 7) // 8
                if len(signature) != 2 * size:
                    raise VerificationError("plain ECDSA signature has the wrong length")
                sig = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                           int.from_bytes(signature[size:], "big"))
            public_key.verify(sig, data, ec.ECDSA(hash_algorithm(hname)))
    except InvalidSignature:
        raise VerificationError("signature does not verify") from None
    except (ValueError, TypeError) as e:  # a malformed DER ECDSA signature, a too-long PSS salt...
        raise VerificationError(f"signature does not verify ({type(e).__name__})") from None


def pss_padding(algorithm: algos.SignedDigestAlgorithm) -> tuple[padding.PSS, hashes.HashAlgorithm]:
    """PSS padding from RSASSA-PSS-params (defaults of RFC 4055: SHA-1, MGF1-SHA-1, 20)."""
    params = guarded("RSASSA-PSS parameters", lambda: algorithm["parameters"].native) or {}
    h = (params.get("hash_algorithm") or {}).get("algorithm", "sha1")
    mgf = params.get("mask_gen_algorithm") or {"algorithm": "mgf1", "parameters": {"algorithm": "sha1"}}
    if mgf.get("algorithm") != "mgf1":
        raise UnsupportedCardError("RSASSA-PSS with a mask generation other than MGF1")
    mgf_h = (mgf.get("parameters") or {}).get("algorithm", "sha1")
    salt = params.get("salt_length", 20)
    trailer = params.get("trailer_field", "trailer_field_bc")
    if trailer not in ("trailer_field_bc", 1):
        raise UnsupportedCardError("RSASSA-PSS trailer field other than 0xBC")
    if not isinstance(salt, int) or salt < 0:
        raise ParseError("RSASSA-PSS salt length invalid")
    return padding.PSS(mgf=padding.MGF1(hash_algorithm(mgf_h)), salt_length=salt), hash_algorithm(h)


def signature_algorithm_for(private_key, hash_name: str = "sha256", pss: bool = False
                            ) -> algos.SignedDigestAlgorithm:
    """The AlgorithmIdentifier ``sign`` uses for a key."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": _ECDSA_OIDS[hash_name]})
    if pss:
        size = hash_algorithm(hash_name).digest_size
        return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": {
            "hash_algorithm": {"algorithm": hash_name},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
            "salt_length": size, "trailer_field": "trailer_field_bc"}})
    return algos.SignedDigestAlgorithm({"algorithm": _RSA_OIDS[hash_name], "parameters": core.Null()})


def sign(private_key, data: bytes, hash_name: str = "sha256", pss: bool = False
         ) -> tuple[bytes, algos.SignedDigestAlgorithm]:
    """(signature, its AlgorithmIdentifier): ECDSA (DER) for EC keys, PKCS#1 v1.5
    or RSASSA-PSS for RSA keys."""
    alg = signature_algorithm_for(private_key, hash_name, pss)
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return private_key.sign(data, ec.ECDSA(hash_algorithm(hash_name))), alg
    if pss:
        pad, h = pss_padding(alg)
        return private_key.sign(data, pad, h), alg
    return private_key.sign(data, padding.PKCS1v15(), hash_algorithm(hash_name)), alg


def public_key_info(public_key) -> keys.PublicKeyInfo:
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return keys.PublicKeyInfo.load(der)
