"""Block ciphers and MACs of ICAO 9303-11: 2-key 3DES and AES-128/192/256 in CBC
mode, ISO/IEC 9797-1 padding method 2, the ISO/IEC 9797-1 MAC algorithm 3
("retail MAC", §9.8.6.2 / §4.3) and AES-CMAC truncated to 8 bytes (§9.8.7.2).
"""

from __future__ import annotations

import enum

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher as _Cipher
from cryptography.hazmat.primitives.ciphers import algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC

from ..errors import SecureMessagingError

MAC_LENGTH = 8


class Cipher(enum.Enum):
    """The session cipher of BAC/PACE secure messaging."""

    TDES = "3DES"
    AES128 = "AES-128"
    AES192 = "AES-192"
    AES256 = "AES-256"

    @property
    def key_length(self) -> int:
        return {"3DES": 16, "AES-128": 16, "AES-192": 24, "AES-256": 32}[self.value]

    @property
    def block_size(self) -> int:
        return 8 if self is Cipher.TDES else 16

    @property
    def is_aes(self) -> bool:
        return self is not Cipher.TDES


def _tdes(key: bytes) -> TripleDES:
    """3DES with an 8-byte (single DES) or 16-byte (two-key) key, spelled out as the
    24-byte K1 || K2 || K1 that ``cryptography`` wants."""
    key = bytes(key)
    return TripleDES(key * 3 if len(key) == 8 else key + key[:8])


def _algorithm(cipher: Cipher, key: bytes):
    if len(key) != cipher.key_length:
        raise ValueError(f"{cipher.value} needs a {cipher.key_length}-byte key, got {len(key)}")
    return algorithms.AES(key) if cipher.is_aes else _tdes(key)


def pad(data: bytes, block_size: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2: ``80`` then zeros up to the block size."""
    data = bytes(data) + b"\x80"
    return data + bytes(-len(data) % block_size)


def unpad(data: bytes) -> bytes:
    """Remove padding method 2; malformed padding is a secure-messaging failure."""
    stripped = bytes(data).rstrip(b"\x00")
    if not stripped or stripped[-1] != 0x80:
        raise SecureMessagingError("bad padding in decrypted data")
    return stripped[:-1]


def encrypt_cbc(cipher: Cipher, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    """CBC encryption of block-aligned ``data``; IV zero unless given."""
    iv = iv if iv is not None else bytes(cipher.block_size)
    enc = _Cipher(_algorithm(cipher, key), modes.CBC(iv)).encryptor()
    return enc.update(bytes(data)) + enc.finalize()


def decrypt_cbc(cipher: Cipher, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    if len(data) % cipher.block_size:
        raise SecureMessagingError("ciphertext is not a whole number of blocks")
    iv = iv if iv is not None else bytes(cipher.block_size)
    dec = _Cipher(_algorithm(cipher, key), modes.CBC(iv)).decryptor()
    return dec.update(bytes(data)) + dec.finalize()


def encrypt_block(cipher: Cipher, key: bytes, block: bytes) -> bytes:
    """One block in ECB mode (the AES secure-messaging IV is E(KS_enc, SSC), §9.8.6.1)."""
    enc = _Cipher(_algorithm(cipher, key), modes.ECB()).encryptor()
    return enc.update(bytes(block)) + enc.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES, over already padded ``data``:
    single-DES CBC with K_a, then the last block through E(K_a) . D(K_b)."""
    if len(key) != 16:
        raise ValueError("retail MAC needs a 16-byte key")
    if not data or len(data) % 8:
        raise ValueError("retail MAC input must be padded to 8-byte blocks")
    ka = key[:8]
    head, last = data[:-8], data[-8:]
    h = bytes(8)
    if head:
        enc = _Cipher(_tdes(ka), modes.CBC(bytes(8))).encryptor()
        h = (enc.update(head) + enc.finalize())[-8:]
    x = bytes(a ^ b for a, b in zip(h, last))
    # E_Ka(D_Kb(E_Ka(x))) is two-key 3DES-EDE of x
    enc = _Cipher(_tdes(key), modes.ECB()).encryptor()
    return enc.update(x) + enc.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B) truncated to 8 bytes."""
    c = CMAC(algorithms.AES(key))
    c.update(bytes(data))
    return c.finalize()[:MAC_LENGTH]


def mac(cipher: Cipher, key: bytes, data: bytes) -> bytes:
    """The 8-byte secure-messaging MAC over already padded ``data`` (§9.8.6.2)."""
    return aes_cmac(key, data) if cipher.is_aes else retail_mac(key, data)
