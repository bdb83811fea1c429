"""Which CSCA certificates passive authentication trusts, from the settings.

Production: only what the technician installed (``card.trust_store``: a folder
of CSCA certificates and ICAO master lists). Demo: that folder if set, else the
emulator's TEST-ONLY CSCA, so the emulated card verifies and a foreign one does not.
"""

from __future__ import annotations

from pathlib import Path

from .errors import CardError
from .passive import TrustStore


class TrustStoreError(CardError):
    code = "CARD-TRUST-STORE"


def load_trust_store(folder: Path | str | None = None, settings=None) -> TrustStore:
    if folder is None and settings is not None:
        folder = settings["card.trust_store"] or None
    if folder is not None:
        path = Path(folder)
        if not path.is_dir():
            raise TrustStoreError(f"trust store {path} is not a folder")
        store = TrustStore.from_folder(path)
        if not store.certificates:
            raise TrustStoreError(f"trust store {path} holds no certificate")
        return store
    if settings is not None and settings["kiosk.mode"] == "production":
        raise TrustStoreError("production mode needs card.trust_store (CSCA certificates)")
    from .emulator.pki import load_test_pki

    store = TrustStore()
    store.add(load_test_pki().csca.der)
    return store
