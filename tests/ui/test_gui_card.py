"""The Identify screens with the emulated chip: CAN keypad, wrong CAN, reading, removal."""

import time

import pytest

from kiosk.card.chip_reader import ChipCardReader, EmulatorLink, Policy
from kiosk.card.emulator.chip import chip_for
from kiosk.card.source import demo_document
from kiosk.card.trust import load_trust_store


@pytest.fixture
def chip_kiosk(services, qapp):
    from ui.app import Kiosk
    from ui.driver import Driver
    from ui.main import configure_qt

    configure_qt()
    document = demo_document()
    reader = ChipCardReader(EmulatorLink(chip_for(document)), Policy(load_trust_store()))
    reader.demo_can = document.can
    k = Kiosk(services, fullscreen=False, demo=True, size=(1080, 1920), animations=False, reader=reader)
    k.window.show()
    yield k, Driver(k), document
    k.close()


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_can_entry_read_and_removal(chip_kiosk, lang):
    kiosk, driver, document = chip_kiosk
    driver.click(f"lang-{lang}")
    driver.wait_state("identify")
    driver.click("demoCard")
    driver.wait_state("access")
    assert not driver.find("canSubmit").property("active")
    wrong = "000000" if document.can != "000000" else "111111"
    driver.enter_can(wrong)
    assert kiosk.session.state.value in ("reading", "access")
    driver.wait_state("access")  # the chip refused it: type again, card stays
    deadline = time.monotonic() + 10
    while kiosk.session.error is None and time.monotonic() < deadline:
        driver.pump(0.01)
    assert driver.text_of("accessError") != ""
    assert kiosk.session.can_entry == ""
    driver.click("can-9")
    driver.click("can-erase")
    assert kiosk.session.can_entry == ""
    driver.enter_can(document.can)
    driver.wait_state("confirm")
    assert driver.text_of("arabicName") == "سلمى العمراني"
    assert kiosk.session.identity.verification == "verified"
    driver.click("switch-fr" if lang != "fr" else "switch-ar")  # language switch keeps the identity
    assert kiosk.model.state == "confirm"
    kiosk.session.card_grace = 0  # no grace: the session ends as the card leaves
    kiosk.reader.remove()  # the citizen takes the card: the session ends and is wiped
    driver.wait_state("welcome")
    assert kiosk.session.identity is None and kiosk.session.can_entry == ""
