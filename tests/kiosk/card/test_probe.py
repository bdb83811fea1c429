"""The technician's reader check through a real pcscd + vpcd: readers listed, a test read
of the emulated CNIE (ATR, PACE, time), a passport without PACE, no card, cancel."""

import threading
import time

from kiosk.card import probe
from kiosk.card.emulator.chip import profile_path
from kiosk.card.emulator.document import EmulatedDocument
from kiosk.card.emulator.pcscd import VIRTUAL_READER


def test_readers_are_listed(pcscd):
    found = probe.list_readers()
    assert found.error == "" and VIRTUAL_READER in found.names
    assert probe.selects("", VIRTUAL_READER) and probe.selects("Virtual PCD", VIRTUAL_READER)
    assert not probe.selects("ACS", VIRTUAL_READER)


def test_cnie_answers_and_announces_pace(virtual_card, cnie):
    with virtual_card(cnie) as chip:
        commands = []
        process = chip.process
        chip.process = lambda raw: (commands.append(bytes(raw[:4])), process(raw))[1]
        result = probe.CardProbe("Virtual PCD", timeout=5).run()
    assert result.outcome == probe.OK, result
    assert result.reader == VIRTUAL_READER and result.answered
    assert result.atr == chip.atr and result.atr_hex.startswith("3B")
    assert result.card_access and result.pace
    assert 0 < result.ms < 5000
    # Only EF.CardAccess, unprotected: no application selected, no PACE, no data group.
    assert commands and all(c[1] == 0xB0 for c in commands), commands
    assert commands[0][2] == 0x80 | 0x1C


def test_a_card_put_on_the_reader_while_waiting(virtual_card, cnie):
    job = probe.CardProbe(VIRTUAL_READER, timeout=15)
    out = []
    t = threading.Thread(target=lambda: out.append(job.run()))
    t.start()
    time.sleep(0.5)
    assert t.is_alive()  # waiting for a card
    with virtual_card(cnie):
        t.join(15)
    assert out and out[0].outcome == probe.OK and out[0].pace


def test_passport_without_pace(virtual_card, passport):
    with virtual_card(passport):
        result = probe.CardProbe(timeout=5).run()
    assert result.outcome == probe.OK and result.answered
    assert not result.pace


def test_cnie_with_bac_only_has_no_pace(virtual_card):
    document = EmulatedDocument.from_profile(profile_path("cnie"), {"access": ["bac"]})
    with virtual_card(document):
        result = probe.CardProbe(timeout=5).run()
    assert result.outcome == probe.OK and not result.pace


def test_no_card_times_out_and_cancel_is_prompt(pcscd):
    started = time.monotonic()
    assert probe.CardProbe(VIRTUAL_READER, timeout=0.6).run().outcome == probe.TIMEOUT
    assert time.monotonic() - started < 3
    assert probe.CardProbe("no such reader", timeout=0.3).run().outcome == probe.NO_READER
    job = probe.CardProbe(VIRTUAL_READER, timeout=30, poll=5)
    out = []
    t = threading.Thread(target=lambda: out.append(job.run()))
    t.start()
    time.sleep(0.3)
    started = time.monotonic()
    job.cancel()
    t.join(5)
    assert out[0].outcome == probe.CANCELLED and time.monotonic() - started < 2
