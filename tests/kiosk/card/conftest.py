import contextlib

import pytest


@pytest.fixture(scope="session")
def pcscd():
    """A real pcscd with the vsmartcard vpcd reader: reused if running, else started
    here and stopped at the end of the session."""
    from kiosk.card.emulator.pcscd import ensure_pcscd

    handle = ensure_pcscd()
    yield handle
    handle.stop()


@pytest.fixture
def virtual_card(pcscd):
    """Put an emulated document into "Virtual PCD 00 00" through vpcd:
    ``with virtual_card(document) as chip: ...``"""
    from kiosk.card.emulator.chip import chip_for
    from kiosk.card.emulator.pcscd import wait_card
    from kiosk.card.emulator.vpcd import VpcdCard

    @contextlib.contextmanager
    def insert(document, options=None):
        chip = chip_for(document, options)
        card = VpcdCard(chip).start()
        try:
            assert card.wait_connected(10), "vpcd did not accept the emulator"
            assert wait_card(True), "pcscd did not see the card"
            yield chip
        finally:
            card.stop()
            wait_card(False)

    return insert


@pytest.fixture
def virtual_badge(pcscd):
    """Put a TEST-ONLY staff badge into "Virtual PCD 00 00" through vpcd:
    ``with virtual_badge(EmulatedBadge.create("2001")) as badge: ...``"""
    from kiosk.card.emulator.pcscd import wait_card
    from kiosk.card.emulator.vpcd import VpcdCard

    @contextlib.contextmanager
    def insert(badge):
        card = VpcdCard(badge).start()
        try:
            assert card.wait_connected(10), "vpcd did not accept the emulator"
            assert wait_card(True), "pcscd did not see the badge"
            yield badge
        finally:
            card.stop()
            wait_card(False)

    return insert


@pytest.fixture(scope="session")
def cnie():
    from kiosk.card.emulator.chip import profile_path
    from kiosk.card.emulator.document import EmulatedDocument

    return EmulatedDocument.from_profile(profile_path("cnie"))


@pytest.fixture(scope="session")
def passport():
    from kiosk.card.emulator.chip import profile_path
    from kiosk.card.emulator.document import EmulatedDocument

    return EmulatedDocument.from_profile(profile_path("passport"))


@pytest.fixture(scope="session")
def trust():
    from kiosk.card.trust import load_trust_store

    return load_trust_store()
