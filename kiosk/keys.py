"""The kiosk's own Ed25519 signing key (it authenticates the kiosk to the intake).

The private key is a PEM (PKCS#8) file, mode 0600, in the kiosk's config folder
(``KioskPaths.config / "kiosk-signing-key.pem"``). ``init`` creates it once and never
overwrites it unless asked (``force``): a new key means enrolling the kiosk again.

Public keys travel as one line of text, ``ed25519:`` followed by the raw 32 bytes in
base64url without padding, so a technician can read one out, paste it in a command or
a settings file. The back office's X25519 sealing key uses the same form, ``x25519:...``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from .paths import KioskPaths
from .sync.protocol import b64, unb64

FILE_NAME = "kiosk-signing-key.pem"
_RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


class KioskKeyError(RuntimeError):
    """The kiosk key is missing, already there, or unreadable."""


def public_text(key: Ed25519PublicKey | X25519PublicKey) -> str:
    """``ed25519:BASE64URL`` or ``x25519:BASE64URL`` (raw key, no padding)."""
    kind = "ed25519" if isinstance(key, Ed25519PublicKey) else "x25519"
    return f"{kind}:{b64(key.public_bytes(*_RAW))}"


def _parse(text: str, kind: str) -> bytes:
    prefix, _, rest = text.strip().partition(":")
    if prefix != kind:
        raise ValueError(f"not an {kind} public key (expected '{kind}:' and 43 base64url characters)")
    try:
        raw = unb64(rest)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ValueError(f"not an {kind} public key (expected '{kind}:' and 43 base64url characters)")
    return raw


def parse_ed25519(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_parse(text, "ed25519"))


def parse_x25519(text: str) -> X25519PublicKey:
    return X25519PublicKey.from_public_bytes(_parse(text, "x25519"))


def write_private_pem(path: Path, pem: bytes, force: bool = False) -> None:
    """Write a private key file, mode 0600, atomically; refuse to replace one unless ``force``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not force:
        raise KioskKeyError(f"{path} already exists (use --force to replace it)")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key.")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
            f.flush()
            os.fsync(f.fileno())
        if force:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if someone created it meanwhile
            os.unlink(tmp)
    except FileExistsError:
        os.unlink(tmp)
        raise KioskKeyError(f"{path} already exists (use --force to replace it)") from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def private_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def key_path(paths: KioskPaths | None = None) -> Path:
    return (paths or KioskPaths.from_env()).config / FILE_NAME


def init(paths: KioskPaths | None = None, force: bool = False) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    write_private_pem(key_path(paths), private_pem(key), force)
    return key


def load(paths: KioskPaths | None = None) -> Ed25519PrivateKey:
    path = key_path(paths)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KioskKeyError(f"no kiosk key at {path}; run `kiosk keys init`") from None
    except ValueError as e:
        raise KioskKeyError(f"{path}: unreadable key ({e})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KioskKeyError(f"{path}: not an Ed25519 private key")
    return key


def public_key_text(paths: KioskPaths | None = None) -> str:
    return public_text(load(paths).public_key())


def sign(message: bytes, paths: KioskPaths | None = None) -> bytes:
    return load(paths).sign(message)
