"""The intake's keys, in a folder next to its database (``<db>.keys/``), files mode 0600:

* ``sealing-private.pem`` / ``sealing-public.pem``: the back office's X25519 pair
  (PKCS#8 / SubjectPublicKeyInfo PEM, read by kiosk/queue/sealing.py's loaders);
  kiosks seal payloads to the public one, ``kiosk intake show`` opens them.
* ``signing-private.pem``: the intake's Ed25519 key; it signs every response, so
  kiosks can trust acknowledgements.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from ...keys import KioskKeyError, private_pem, public_text, write_private_pem
from ...queue.sealing import load_private_key


def keys_dir(db: Path) -> Path:
    return db.with_name(db.name + ".keys")


@dataclass(frozen=True)
class IntakeKeys:
    sealing: X25519PrivateKey
    signing: Ed25519PrivateKey

    @property
    def sealing_public_text(self) -> str:
        return public_text(self.sealing.public_key())

    @property
    def signing_public_text(self) -> str:
        return public_text(self.signing.public_key())

    @classmethod
    def create(cls, folder: Path) -> "IntakeKeys":
        if (folder / "sealing-private.pem").exists() or (folder / "signing-private.pem").exists():
            raise KioskKeyError(f"{folder}: the intake's keys already exist")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        keys = cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())
        write_private_pem(folder / "sealing-private.pem", private_pem(keys.sealing))
        write_private_pem(folder / "signing-private.pem", private_pem(keys.signing))
        (folder / "sealing-public.pem").write_bytes(keys.sealing.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        return keys

    @classmethod
    def load(cls, folder: Path) -> "IntakeKeys":
        try:
            sealing = load_private_key(folder / "sealing-private.pem")
            signing = serialization.load_pem_private_key(
                (folder / "signing-private.pem").read_bytes(), password=None)
        except FileNotFoundError as e:
            raise KioskKeyError(f"missing intake key {e.filename}; run `kiosk intake init`") from None
        if not isinstance(signing, Ed25519PrivateKey):
            raise KioskKeyError(f"{folder}/signing-private.pem: not an Ed25519 private key")
        return cls(sealing, signing)
