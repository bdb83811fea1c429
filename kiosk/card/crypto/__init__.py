"""Cryptography of ICAO 9303-11 access control and secure messaging, no I/O.

- ``ec``: elliptic-curve and MODP group arithmetic, standardized domain parameters (§9.5.1)
- ``kdf``: key derivation (§9.7), BAC keys, PACE K_pi
- ``cipher``: 3DES/AES CBC, ISO/IEC 9797-1 padding, retail MAC, AES-CMAC
- ``sm``: secure messaging (§9.8), terminal and chip side
- ``tlv``: the small BER-TLV codec the above parse card data with
"""

from .cipher import Cipher
from .sm import SecureMessaging, SMUnprotectedError

__all__ = ["Cipher", "SecureMessaging", "SMUnprotectedError"]
