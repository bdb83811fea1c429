from kiosk.card.reader import CardEvent, CardEventKind
from kiosk.session import Session, State

def to_catalog(session: Session, identity, lang: str = "fr") -> None:
    session.start(lang)
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=identity))
    session.confirm_identity(True)


def fill(session: Session, procedure_id: str) -> dict:
    """From the catalog to the review, answering every step with the procedure's example
    answers (``kiosk catalog example``); returns them."""
    from kiosk.procedures.examples import example_answers

    session.choose(procedure_id)
    answers = example_answers(session.procedure, session.language, session.identity.prefill())
    session.begin_procedure()
    while session.state is State.WIZARD:
        session.answer_step(answers)
        assert session.next(), session.wizard.errors
    return answers
