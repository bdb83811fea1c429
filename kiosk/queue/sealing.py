"""Sealed payloads: HPKE (RFC 9180) to the back office's public key.

Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305. The ``info`` binds a
ciphertext to its submission id, so a payload moved to another row does not open.
The kiosk only ever holds the public key: what is on its disk it cannot read back.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from ..paths import ASSETS

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
DEMO_PUBLIC_KEY = ASSETS / "demo" / "backoffice-DEMO-ONLY-public.pem"
DEMO_PRIVATE_KEY = ASSETS / "demo" / "backoffice-DEMO-ONLY-private.pem"


def _info(submission_id: str) -> bytes:
    return b"guichet/submission/v1|" + submission_id.encode("ascii")


def load_public_key(path: Path) -> X25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, X25519PublicKey):
        raise ValueError(f"{path}: not an X25519 public key")
    return key


def load_private_key(path: Path) -> X25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, X25519PrivateKey):
        raise ValueError(f"{path}: not an X25519 private key")
    return key


def is_demo_key(key: X25519PublicKey) -> bool:
    raw = serialization.PublicFormat.Raw
    demo = load_public_key(DEMO_PUBLIC_KEY)
    return key.public_bytes(serialization.Encoding.Raw, raw) == demo.public_bytes(
        serialization.Encoding.Raw, raw)


def seal(payload: dict, submission_id: str, public_key: X25519PublicKey) -> bytes:
    plaintext = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SUITE.encrypt(plaintext, public_key, info=_info(submission_id))


def open_sealed(ciphertext: bytes, submission_id: str, private_key: X25519PrivateKey) -> dict:
    """Back-office side (and tests): decrypt a sealed payload."""
    return json.loads(SUITE.decrypt(ciphertext, private_key, info=_info(submission_id)))
