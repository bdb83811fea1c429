from kiosk.card.reader import CardEvent, CardEventKind
from kiosk.session import Session, State

ANSWERS = {
    "cnss.attestation-affiliation": {"purpose": "bank", "copies": "2", "phone": "0612345678"},
    "etat-civil.extrait-acte-naissance": {"for_self": "yes", "copies": "1", "phone": "0522123456"},
}


def to_catalog(session: Session, identity, lang: str = "fr") -> None:
    session.start(lang)
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=identity))
    session.confirm_identity(True)


def fill(session: Session, procedure_id: str) -> None:
    """From the catalog to the review, answering every step."""
    session.choose(procedure_id)
    session.begin_procedure()
    while session.state is State.WIZARD:
        for f in session.wizard.step.fields:
            if f.id in ANSWERS[procedure_id]:
                session.answer(f.id, ANSWERS[procedure_id][f.id])
        assert session.next(), session.wizard.errors
