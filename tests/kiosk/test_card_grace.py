"""A card taken out mid-procedure: a grace to put the *same* card back, proven again.

The session keeps everything while the card is out; it resumes only when a card put
back opens with the session's access number and shows the same document; any other
card, or the end of the grace, ends the session and wipes it.
"""

import dataclasses

import pytest

from kiosk.card.reader import CardErrorCode, CardEvent, CardEventKind
from kiosk.presenter import screen
from kiosk.session import EndReason, Session, State


PROC = "cnss.attestation-affiliation"
CAN = "123456"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def opened(services, demo_identity, clock):
    """A session in the wizard, opened with a CAN as a chip card is; the access numbers
    the session gave the reader are recorded."""
    given = []
    s = Session(services, services.catalog, "ar", card_grace=20, clock=clock, provide_access=given.append)
    s.start("fr")
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    s.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    for d in CAN:
        s.type_can(d)
    assert s.submit_can() == CAN
    s.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    s.confirm_identity(True)
    s.choose(PROC)
    s.begin_procedure()
    s.next()
    s.answer("purpose", "bank")
    s.given = given
    return s


def finish_and_submit(session):
    """The opened session's remaining steps, consent and submission: on to Done."""
    session.answer("copies", "1")
    session.next()
    session.answer("phone", "0612345678")
    session.next()
    session.set_consent(True)
    session.submit()


def put_back(session, identity):
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=identity))


def test_same_card_back_resumes_with_everything_kept(opened, demo_identity, clock):
    from kiosk.card.demo import load_demo_identity

    step = opened.wizard.step.id
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    assert opened.card_away == "waiting" and opened.state is State.WIZARD
    view = screen(opened)
    assert view["cardAway"] == "waiting" and view["cardAwayLeftText"] == "20"
    clock.now += 7.2
    opened.tick()
    assert screen(opened)["cardAwayLeftText"] == "13"
    again = load_demo_identity()
    opened.on_card_event(CardEvent(CardEventKind.INSERTED))
    assert opened.card_away == "checking" and opened.state is State.WIZARD  # not READING
    opened.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    assert opened.given == [CAN]  # proven with the session's own access number
    opened.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=again))
    assert opened.card_away is None and screen(opened)["cardAway"] == ""
    assert opened.state is State.WIZARD and opened.wizard.step.id == step
    assert opened.wizard.answers["purpose"] == "bank"
    assert opened.identity is demo_identity and demo_identity.document_number  # the first read kept
    assert again.document_number == "" and not any(again.photo)  # the second read wiped
    # The whole idle delay again after resuming.
    clock.now += opened.idle_warning - 1
    opened.tick()
    assert opened.idle_left is None and opened.state is State.WIZARD


def test_another_document_ends_and_wipes(opened, demo_identity):
    from kiosk.card.demo import load_demo_identity

    other = dataclasses.replace(load_demo_identity(), document_number="ZZ999999")
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    put_back(opened, other)
    assert opened.state is State.WELCOME and opened.last_end is EndReason.CARD_REMOVED
    assert opened.identity is None and opened.wizard is None
    assert demo_identity.document_number == "" and other.document_number == ""
    assert opened.card_away is None and opened._access == ""


def test_a_card_the_access_number_does_not_open_ends_the_session(opened):
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    opened.on_card_event(CardEvent(CardEventKind.INSERTED))
    opened.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    opened.on_card_event(CardEvent(CardEventKind.ERROR, error=CardErrorCode.WRONG_ACCESS))
    assert opened.state is State.WELCOME and opened.last_end is EndReason.CARD_REMOVED


def test_grace_runs_out_then_wipe(opened, demo_identity, clock):
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    clock.now += 19.9
    opened.tick()
    assert opened.state is State.WIZARD and opened.card_away_left == 1
    clock.now += 0.2
    opened.tick()
    assert opened.state is State.WELCOME and opened.last_end is EndReason.CARD_REMOVED
    assert demo_identity.surname == "" and opened.wizard is None


def test_a_read_that_fails_lets_the_citizen_try_again_in_the_time_left(opened, demo_identity, clock):
    from kiosk.card.demo import load_demo_identity

    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    clock.now += 5
    opened.on_card_event(CardEvent(CardEventKind.INSERTED))
    opened.on_card_event(CardEvent(CardEventKind.ERROR, error=CardErrorCode.REMOVED_EARLY))
    assert opened.card_away == "waiting" and opened.state is State.WIZARD
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    clock.now += 5
    opened.tick()
    assert opened.card_away_left == 10  # the grace counts from the first removal
    put_back(opened, load_demo_identity())
    assert opened.card_away is None and opened.state is State.WIZARD


def test_a_card_being_proven_gets_a_little_longer_but_not_forever(opened, clock):
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    clock.now += 19
    opened.on_card_event(CardEvent(CardEventKind.INSERTED))
    clock.now += 3  # past the grace, the read still running
    opened.tick()
    assert opened.state is State.WIZARD and opened.card_away == "checking"
    clock.now += 10
    opened.tick()
    assert opened.state is State.WELCOME


def test_no_access_number_means_no_proof(services, demo_identity, clock):
    """A reader that needs an access number, but the session has none to give: end."""
    s = Session(services, services.catalog, "ar", card_grace=20, clock=clock)
    s.start("fr")
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    s.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    s.confirm_identity(True)
    s.on_card_event(CardEvent(CardEventKind.REMOVED))
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    s.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    assert s.state is State.WELCOME and s.last_end is EndReason.CARD_REMOVED


def test_removal_on_done_still_ends_at_once(opened, services):
    """Done is where the citizen takes the card and leaves: no grace there."""
    finish_and_submit(opened)
    assert opened.state is State.DONE
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    assert opened.state is State.WELCOME and opened.card_away is None


def test_end_button_during_the_grace_wipes(opened, demo_identity):
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    opened.end(EndReason.CANCELLED)
    assert opened.state is State.WELCOME and opened.card_away is None
    assert demo_identity.document_number == ""
    # The next session starts clean: no leftover grace or access number.
    opened.start("ar")
    assert opened.card_away is None and opened._access == ""


def test_grace_zero_ends_at_once(services, demo_identity):
    s = Session(services, services.catalog, "ar", card_grace=0)
    s.start("fr")
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    s.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    s.on_card_event(CardEvent(CardEventKind.REMOVED))
    assert s.state is State.WELCOME


def test_a_staff_badge_is_not_the_citizens_card(opened, services):
    """During the grace a badge is not the card that left; on Identify it is not read."""
    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    opened.on_card_event(CardEvent(CardEventKind.INSERTED))
    opened.on_card_event(CardEvent(CardEventKind.STAFF_CARD))
    assert opened.card_away == "waiting" and opened.given == []  # no access number given to a badge
    s = Session(services, services.catalog, "ar")
    s.start("fr")
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    assert s.state is State.READING
    s.on_card_event(CardEvent(CardEventKind.STAFF_CARD))
    assert s.state is State.IDENTIFY  # still waiting for the citizen's card


def test_nothing_moves_while_the_card_is_out(opened):
    """The core refuses the citizen's actions while the card is out (not only the
    opaque screen): no answer, no step, no submission for an absent card."""
    from kiosk.session import TransitionError

    opened.on_card_event(CardEvent(CardEventKind.REMOVED))
    for action in (lambda: opened.answer("purpose", "visa"), opened.next, opened.back,
                   lambda: opened.set_consent(True)):
        with pytest.raises(TransitionError):
            action()
    assert opened.wizard.answers["purpose"] == "bank"
    opened.set_language("ar")  # the language may still change
    assert opened.language == "ar"


def test_the_access_number_is_kept_only_while_it_can_serve(services, demo_identity, clock):
    s = Session(services, services.catalog, "ar", card_grace=0, clock=clock)
    s.start("fr")
    s.on_card_event(CardEvent(CardEventKind.INSERTED))
    s.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
    for d in CAN:
        s.type_can(d)
    s.submit_can()
    assert s._access == ""  # no grace: never kept


def test_the_access_number_is_dropped_once_submitted(opened):
    assert opened._access == CAN
    finish_and_submit(opened)
    assert opened.state is State.DONE and opened._access == ""
