"""Inactivity: a warning with a countdown, then the session ends and is wiped; any touch
starts the delay again; the Done screen goes back to Welcome on its own."""

import pytest

from kiosk import presenter
from kiosk.session import EndReason, Session, State

from .helpers import fill, to_catalog


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def session(services, clock):
    return Session(services, services.catalog, "ar", idle_warning=60, idle_countdown=20,
                   done_timeout=30, clock=clock)


def test_warning_counts_down_then_wipes(session, demo_identity, clock):
    to_catalog(session, demo_identity, "fr")
    session.choose("cnss.attestation-affiliation")
    session.begin_procedure()
    clock.t += 59.9
    session.tick()
    assert session.idle_left is None and presenter.screen(session)["idleLeft"] == -1
    clock.t += 0.2
    session.tick()
    assert session.idle_left == 20
    assert presenter.screen(session)["idleLeftText"] == "20"
    clock.t += 15
    session.tick()
    assert session.idle_left == 5
    clock.t += 5
    session.tick()
    assert session.state is State.WELCOME and session.last_end is EndReason.TIMEOUT
    assert session.identity is None and session.wizard is None and session.language == "ar"
    assert demo_identity.document_number == ""
    assert session.idle_left is None


def test_a_touch_during_the_countdown_keeps_everything(session, demo_identity, clock):
    to_catalog(session, demo_identity, "fr")
    clock.t += 70
    session.tick()
    assert session.idle_left == 10
    session.touch()
    assert session.idle_left is None
    clock.t += 59
    session.tick()
    assert session.state is State.CATALOG and session.identity is not None


def test_each_new_screen_gets_the_whole_delay(session, demo_identity, clock):
    to_catalog(session, demo_identity, "fr")
    clock.t += 50
    session.choose("cnss.attestation-affiliation")
    clock.t += 50
    session.tick()
    assert session.idle_left is None and session.state is State.INTRO


def test_arabic_countdown_uses_the_locale_digits_babel_gives(session, demo_identity, clock):
    from kiosk.i18n import format_number
    to_catalog(session, demo_identity, "ar")
    clock.t += 61
    session.tick()
    assert presenter.screen(session)["idleLeftText"] == format_number(19, "ar")


def test_done_screen_goes_back_to_welcome(session, demo_identity, clock, services):
    to_catalog(session, demo_identity, "fr")
    fill(session, "cnss.attestation-affiliation")
    session.set_consent(True)
    session.submit()
    assert session.state is State.DONE
    clock.t += 29
    session.tick()
    assert session.state is State.DONE and session.idle_left is None
    clock.t += 2
    session.tick()
    assert session.state is State.WELCOME and session.result is None
    assert services.outbox.counts()["queued"] == 1  # the submission stays, of course


def test_nothing_ticks_on_welcome_or_while_saving(session, demo_identity, clock):
    clock.t += 1000
    session.tick()
    assert session.state is State.WELCOME
    to_catalog(session, demo_identity, "fr")
    fill(session, "cnss.attestation-affiliation")
    session.set_consent(True)
    job = session.begin_submit()
    clock.t += 1000
    session.tick()
    assert session.state is State.SUBMITTING
    session.complete_submit(job.run())
    assert session.state is State.DONE
