"""The card-removal grace through a real pcscd + vpcd: a card put back must open with
the session's access number (PACE-CAN) and show the same document, or the session ends."""

import queue
import time

import pytest

from kiosk.card.chip_reader import ChipCardReader, PcscLink, Policy
from kiosk.card.emulator.chip import profile_path
from kiosk.card.emulator.document import EmulatedDocument
from kiosk.card.emulator.pcscd import VIRTUAL_READER
from kiosk.session import EndReason, Session, State


@pytest.fixture
def reading(pcscd, services, trust):
    """(session, pump): a session fed by a ChipCardReader on the virtual reader; ``pump``
    hands the reader thread's events to the session on this thread, as the UI does."""
    events: queue.Queue = queue.Queue()
    reader = ChipCardReader(PcscLink(VIRTUAL_READER), Policy(trust))
    session = Session(services, services.catalog, "fr", card_grace=30, provide_access=reader.provide_access)
    reader.start(events.put)

    def pump(until, timeout=15.0):
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, f"stuck in {session.state.value}/{session.card_away}"
            try:
                session.on_card_event(events.get(timeout=0.05))
            except queue.Empty:
                pass

    yield session, pump
    reader.stop()


def open_session(session, pump, virtual_card, document):
    session.start("fr")
    card = virtual_card(document)
    card.__enter__()
    pump(lambda: session.state is State.ACCESS)
    for d in document.can:
        session.type_can(d)
    session.provide_access(session.submit_can())
    pump(lambda: session.state is State.CONFIRM)
    session.confirm_identity(True)
    return card


def take_out(session, pump, card):
    card.__exit__(None, None, None)
    pump(lambda: session.card_away == "waiting")
    assert session.state is State.CATALOG


def test_the_same_card_back_is_proven_and_resumes(reading, virtual_card, cnie):
    session, pump = reading
    card = open_session(session, pump, virtual_card, cnie)
    number = session.identity.document_number
    take_out(session, pump, card)
    with virtual_card(cnie):
        pump(lambda: session.card_away is None)
        assert session.state is State.CATALOG and session.identity.document_number == number
    session.end(EndReason.COMPLETED)


def test_another_card_the_access_number_does_not_open_ends_it(reading, virtual_card, cnie):
    session, pump = reading
    card = open_session(session, pump, virtual_card, cnie)
    take_out(session, pump, card)
    other = EmulatedDocument.from_profile(profile_path("cnie"), {"can": "902211"})
    with virtual_card(other):
        pump(lambda: session.state is State.WELCOME)
    assert session.last_end is EndReason.CARD_REMOVED and session.identity is None


def test_another_document_that_opens_with_the_same_number_ends_it(reading, virtual_card, cnie):
    """Even if the access number happened to open another card, its document differs."""
    session, pump = reading
    card = open_session(session, pump, virtual_card, cnie)
    take_out(session, pump, card)
    other = EmulatedDocument.from_profile(profile_path("cnie"), {"document": {"number": "TST009911"}})
    assert other.can == cnie.can
    with virtual_card(other):
        pump(lambda: session.state is State.WELCOME)
    assert session.last_end is EndReason.CARD_REMOVED
