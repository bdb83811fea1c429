"""Which on-screen keyboard a touch on a field opens, per field type and language, and
what the entry box shows while typing (dates as DD/MM/YYYY, amounts with the language's
decimal separator)."""

import pytest

from kiosk import presenter
from kiosk.session import Session

from .helpers import to_catalog

PROC = "cnss.ipe"


@pytest.fixture
def session(services, demo_identity):
    s = Session(services, services.catalog, "fr")
    to_catalog(s, demo_identity)
    s.choose(PROC)
    s.begin_procedure()
    for q in s.procedure.eligibility:
        s.answer(q.id, q.expect)
    assert s.next()
    return s


def go_to_field(session, field_id):
    from kiosk.procedures.examples import example_answers

    answers = example_answers(session.procedure, "fr", session.identity.prefill())
    w = session.wizard
    while True:
        for f in w.step.fields:  # in order: an answer may show the next field
            if f.id == field_id and w.field_visible(f):
                session.focus_on(field_id)
                return
            if f.id in answers and w.field_visible(f):
                session.answer(f.id, answers[f.id])
        assert session.next(), w.errors


@pytest.mark.parametrize("field_id,lang,expected", [
    ("employer_name", "fr", "azerty"), ("employer_name", "ar", "arabic"),
    ("employer_name", "zgh", "tifinagh"), ("employer_affiliation", "ar", "digits"),
    ("job_start", "zgh", "digits"), ("phone", "ar", "phone"), ("email", "ar", "email"),
    ("rib", "fr", "digits"),
])
def test_the_keyboard_follows_the_field_and_the_language(session, field_id, lang, expected):
    go_to_field(session, field_id)
    session.set_language(lang)
    assert presenter.keyboard(session) == expected


def test_no_keyboard_without_focus_or_on_a_choice(session):
    assert presenter.keyboard(session) == ""
    go_to_field(session, "employer_name")
    session.type_key({"action": "done"})
    assert session.focus is None and presenter.keyboard(session) == ""


def test_the_date_is_typed_day_month_year_and_shown_in_words(session):
    go_to_field(session, "job_start")
    for d in "0601":
        session.type_key({"insert": d, "action": None})
    field = next(f for f in presenter.step(session)["fields"] if f["id"] == "job_start")
    assert field["entry"] == "06/01/____"
    for d in "2026":
        session.type_key({"insert": d, "action": None})
    field = next(f for f in presenter.step(session)["fields"] if f["id"] == "job_start")
    assert session.wizard.answers["job_start"] == "2026-01-06"
    assert field["entry"] == "06/01/2026" and field["display"] == "6 janvier 2026"
    session.type_key({"action": "backspace", "insert": ""})
    assert session.wizard.answers["job_start"] == "0601202"
