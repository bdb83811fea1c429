import pytest

from kiosk.card.reader import CardErrorCode, CardEvent, CardEventKind
from kiosk.session import EndReason, Session, State, TransitionError

from .helpers import fill, to_catalog

PROC = "cnss.attestation-affiliation"


@pytest.fixture
def session(services):
    return Session(services, services.catalog, "ar")


def test_full_session_saves_once_and_wipes(session, services, demo_identity):
    to_catalog(session, demo_identity, "fr")
    fill(session, PROC)
    assert session.state is State.REVIEW
    session.set_consent(True)
    result = session.submit()
    assert session.state is State.DONE
    row = services.outbox.by_tracking(result.tracking)
    assert row["procedure_id"] == PROC and row["state"] == "queued"
    assert result.receipt is not None and result.receipt.exists()
    assert session.wizard.answers == {}  # sealed in the outbox, dropped from memory
    session.end(EndReason.COMPLETED)
    assert session.state is State.WELCOME
    assert session.identity is None and session.wizard is None and session.result is None
    assert demo_identity.document_number == "" and not any(demo_identity.photo)
    assert session.language == "ar"  # back to the default language
    assert services.outbox.counts()["queued"] == 1


@pytest.mark.parametrize("where", ["confirm", "catalog", "wizard", "review"])
def test_card_removal_ends_and_wipes_at_any_point(session, demo_identity, where):
    session.card_grace = 0  # no grace: the session ends as the card leaves
    session.start("fr")
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    if where != "confirm":
        session.confirm_identity(True)
    if where in ("wizard", "review"):
        session.choose(PROC)
        session.begin_procedure()
        session.next()
        session.answer("purpose", "bank")
    if where == "review":
        session.answer("copies", "1")
        session.next()
        session.answer("phone", "0612345678")
        session.next()
        assert session.state is State.REVIEW
    session.on_card_event(CardEvent(CardEventKind.REMOVED))
    assert session.state is State.WELCOME
    assert session.last_end is EndReason.CARD_REMOVED
    assert session.identity is None and session.wizard is None
    assert demo_identity.surname == ""


def test_not_me_ends_session(session, demo_identity):
    session.start("zgh")
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    session.confirm_identity(False)
    assert session.state is State.WELCOME and session.last_end is EndReason.NOT_ME
    assert session.identity is None


def test_card_error_shows_translated_message_and_retry(session):
    session.start("fr")
    session.on_card_event(CardEvent(CardEventKind.ERROR, error=CardErrorCode.EXPIRED))
    assert session.state is State.CARD_ERROR
    fr = session.error.render("fr")
    ar = session.error.render("ar")
    assert "expiré" in fr and ar != fr and ar != session.error.msgid
    session.retry_card()
    assert session.state is State.IDENTIFY and session.error is None


def test_identity_nobody_asked_for_is_wiped(session, demo_identity):
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=demo_identity))
    assert session.state is State.WELCOME and session.identity is None
    assert demo_identity.document_number == ""


def test_language_switch_keeps_answers(session, demo_identity):
    to_catalog(session, demo_identity, "fr")
    session.choose(PROC)
    session.begin_procedure()
    session.next()
    session.answer("purpose", "employer")
    for lang in ("ar", "zgh", "fr"):
        session.set_language(lang)
        assert session.state is State.WIZARD
        assert session.wizard.answers["purpose"] == "employer"
        assert session.wizard.index == 1


def test_submit_needs_consent(session, demo_identity):
    to_catalog(session, demo_identity)
    fill(session, PROC)
    with pytest.raises(TransitionError):
        session.begin_submit()
    assert session.state is State.REVIEW
    assert "09-08" not in session.error.render("fr") and session.error.render("fr")


def test_back_is_always_possible(session, demo_identity):
    to_catalog(session, demo_identity)
    fill(session, PROC)
    path = []
    while session.state is not State.CONFIRM:
        session.back()
        path.append(session.state)
    assert path[-3:] == [State.INTRO, State.CATALOG, State.CONFIRM]


def test_wrong_transitions_are_refused(session):
    with pytest.raises(TransitionError):
        session.confirm_identity(True)
    with pytest.raises(TransitionError):
        session.choose(PROC)


def test_failed_save_tells_the_citizen(session, demo_identity, services, monkeypatch):
    to_catalog(session, demo_identity, "ar")
    fill(session, PROC)
    session.set_consent(True)

    def broken(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(services, "submit", broken)
    session.submit()
    assert session.state is State.SUBMIT_FAILED
    assert session.error.render("ar") != session.error.msgid
    assert services.outbox.counts()["queued"] == 0
