"""The wizard engine: every field type, rule and condition, on the sample procedure."""

import datetime as dt
import json

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.procedures.examples import example_answers
from kiosk.procedures.fields import check, normalise, render, rib_key_ok, rib_with_key, sent_value
from kiosk.procedures.wizard import ELIGIBILITY, Wizard, WizardError

TODAY = dt.date(2026, 11, 22)
PREFILL = {"identity.full_name": "SALMA BENANI", "identity.birth_date": "1990-03-15"}


@pytest.fixture
def w(everything):
    return Wizard(everything, PREFILL, today=lambda: TODAY)


def field(everything, fid):
    return everything.field(fid) if fid != "resident" else None


def problem(everything, fid, value, lang="fr"):
    f = everything.field(fid)
    p = check(f, normalise(f, value), TODAY)
    return render(p, lang) if p else None


# --- field types ----------------------------------------------------------------------------
@pytest.mark.parametrize("value,ok", [
    ("0612345678", True), ("06 12 34 56 78", True), ("+212612345678", True),
    ("00212712345678", True), ("06.12.34.56.78", True), ("0522123456", False),  # mobile only
    ("061234567", False), ("06123456789", False), ("abcdefghij", False), ("0912345678", False),
])
def test_phone_mobile_only(everything, value, ok):
    assert (problem(everything, "phone", value) is None) is ok


def test_phone_is_kept_in_one_form(everything):
    f = everything.field("phone")
    assert normalise(f, "+212 6 12 34 56 78") == "0612345678"
    assert normalise(f, "00212-712345678") == "0712345678"


@pytest.mark.parametrize("value,ok", [
    ("AB123456", True), ("ab 123456", True), ("J123", True), ("ABC12345", False),
    ("123456", False), ("AB1234567", False), ("A-1234", False),
])
def test_cin(everything, value, ok):
    assert (problem(everything, "other_cin", value) is None) is ok


def test_rib_length_and_key(everything):
    good = rib_with_key("0077800001234567890123")
    assert len(good) == 24 and rib_key_ok(good)
    assert problem(everything, "rib", good) is None
    assert problem(everything, "rib", " ".join([good[:3], good[3:6], good[6:22], good[22:]])) is None
    bad_key = good[:-2] + f"{(int(good[-2:]) + 1) % 100:02d}"
    assert "clé de contrôle" in problem(everything, "rib", bad_key)
    assert "24 chiffres" in problem(everything, "rib", good[:-1])
    assert "24 chiffres" in problem(everything, "rib", good[:-1] + "X")


@pytest.mark.parametrize("value,ok", [
    ("nom@exemple.ma", True), ("a.b+c@sub.example.com", True), ("nom@exemple", False),
    ("nom exemple.ma", False), ("@exemple.ma", False), ("nom@@exemple.ma", False),
    ("x" * 250 + "@a.ma", False),
])
def test_email(everything, value, ok):
    assert (problem(everything, "email", value) is None) is ok


def test_email_is_optional_but_checked_when_given(everything):
    assert problem(everything, "email", "") is None
    assert problem(everything, "phone", "") == "Cette réponse est obligatoire."


@pytest.mark.parametrize("value,ok", [("1", True), ("5", True), ("0", False), ("6", False),
                                      ("2.5", False), ("deux", False), ("-1", False)])
def test_number_range(everything, value, ok):
    assert (problem(everything, "copies", value) is None) is ok


def test_number_messages_use_the_language_digits_and_words(everything):
    assert problem(everything, "copies", "9", "fr") == "Le nombre doit être au plus 5."
    for lang in LANGUAGES:
        assert "5" in problem(everything, "copies", "9", lang)


@pytest.mark.parametrize("value,kept,sent,ok", [
    ("1250", "1250", "1250.00", True), ("1250,5", "1250.5", "1250.50", True),
    ("1 250,50", "1250.50", "1250.50", True), ("0", "0", "0.00", True),
    ("100001", "100001", "100001.00", False), ("12,345", "12.345", "12.345", False),
    ("abc", "abc", "abc", False), ("1250,", "1250.", "1250.", False),
])
def test_amount(everything, value, kept, sent, ok):
    f = everything.field("salary")
    assert normalise(f, value) == kept  # as typed: typing goes on from here
    assert sent_value(f, normalise(f, value)) == sent
    assert (check(f, normalise(f, value), TODAY) is None) is ok


def test_date_ranges_relative_to_today(everything):
    f = everything.field("start")  # min today-10y, max today
    assert normalise(f, "22112026") == "2026-11-22"  # typed on the keypad DDMMYYYY
    assert check(f, "2026-11-22", TODAY) is None
    too_late = check(f, "2026-11-23", TODAY)
    assert render(too_late, "fr") == "La date doit être au plus tard le 22 novembre 2026."
    assert "2016" in render(check(f, "2016-11-21", TODAY), "fr")
    assert check(f, "2016-11-22", TODAY) is None
    assert check(f, normalise(f, "31022026"), TODAY) is not None  # 31 February
    assert check(f, "2026-13-01", TODAY) is not None


def test_text_lengths_and_pattern(everything):
    assert problem(everything, "nickname", "x") == "Écrivez au moins 2 caractères."
    assert problem(everything, "nickname", "x" * 11) == "Écrivez au plus 10 caractères."
    assert problem(everything, "nickname", "") is None  # optional
    assert problem(everything, "employer_number", "1234567") is None
    assert problem(everything, "employer_number", "123456", "ar") == "سبعة أرقام"  # the catalog's message
    assert problem(everything, "employer_number", "123456", "zgh") == "ⵙⴰ ⵏ ⵉⵙⵡⵉⵏⴳⵏ"


def test_multiline_minimum(everything):
    assert problem(everything, "story", "trop court") is None
    assert problem(everything, "story", "court") is not None


def test_choice_and_yesno_accept_only_their_values(everything):
    assert problem(everything, "payment", "cheque") is not None
    assert problem(everything, "payment", "cash") is None
    assert problem(everything, "other", "maybe") is not None
    assert problem(everything, "other", "no") is None


def test_multichoice_counts_and_order(everything):
    f = everything.field("needs")
    assert normalise(f, ["c", "a", "c"]) == ["a", "c"]
    assert check(f, [], TODAY) is not None  # required
    assert render(check(f, ["a", "b", "c"], TODAY), "fr") == "Choisissez-en au plus 2."
    assert check(f, ["a", "z"], TODAY) is not None
    assert check(f, ["b"], TODAY) is None


# --- the walk -------------------------------------------------------------------------------
def test_eligibility_comes_first_and_blocks_with_the_catalog_explanation(w):
    assert w.step.id == ELIGIBILITY and w.first
    w.set_answer("resident", "no")
    assert not w.next() and w.ineligible
    assert render(w.errors["resident"], "ar") == "اذهب إلى جماعتك"
    w.set_answer("resident", "yes")
    assert not w.ineligible and "resident" not in w.errors
    assert w.next() and w.step.id == "who"


def test_prefilled_fields_are_read_only(w):
    with pytest.raises(PermissionError):
        w.set_answer("name", "SOMEONE ELSE")
    assert w.value(w.field("name")) == "SALMA BENANI"


def test_cross_field_rule_shows_its_message_on_the_named_field(w):
    w.set_answer("resident", "yes")
    w.next()
    w.next()  # "who": all optional
    w.set_answer("start", "2026-01-10")
    w.set_answer("end", "2025-12-31")
    w.set_answer("copies", "2")
    w.set_answer("salary", "3000")
    assert not w.next()
    assert set(w.errors) == {"end"}
    assert render(w.errors["end"], "fr") == "La fin vient après le début"
    w.set_answer("end", "2026-01-10")  # equal is allowed (gte)
    assert w.next() and w.step.id == "choices"


def test_conditional_field_and_step_are_skipped_and_not_sent(w):
    answers = {"resident": "yes", "start": "2026-01-01", "end": "2026-02-01", "copies": "1",
               "salary": "10", "payment": "cash", "needs": ["a"], "other": "no",
               "phone": "0612345678"}
    for k, v in answers.items():
        w.set_answer(k, v)
    w.set_answer("rib", "not a rib")  # typed, then hidden by choosing cash: not checked, not sent
    assert [s.id for s in w.steps] == [ELIGIBILITY, "who", "facts", "choices", "contact"]
    while not w.at_review:
        assert w.next(), w.errors
    payload = w.payload()
    assert "rib" not in payload and "other_cin" not in payload and "story" not in payload
    assert payload["name"] == "SALMA BENANI" and payload["needs"] == ["a"]
    assert w.progress == (6, 6)
    # Choosing "c" among the needs adds the "extra" step before the contact.
    w.go_to("choices")
    w.set_answer("needs", ["a", "c"])
    assert [s.id for s in w.steps][-2:] == ["extra", "contact"]
    assert w.progress == (4, 7)
    assert w.next() and w.step.id == "extra"
    assert not w.next() and "story" in w.errors


def test_back_skips_hidden_steps_and_stops_at_the_first(w):
    w.set_answer("resident", "yes")
    for k, v in {"start": "2026-01-01", "end": "2026-02-01", "copies": "1", "salary": "1",
                 "payment": "cash", "needs": ["a"], "other": "no"}.items():
        w.set_answer(k, v)
    while w.step.id != "contact":
        assert w.next()
    assert w.back() and w.step.id == "choices"  # "extra" is hidden
    while w.back():
        pass
    assert w.step.id == ELIGIBILITY and not w.back()


def test_review_lists_visible_answers_and_edit_goes_back(w, everything):
    for k, v in example_answers(everything, "fr", PREFILL, today=lambda: TODAY).items():
        w.set_answer(k, v)
    while not w.at_review:
        assert w.next(), w.errors
    assert w.complete()
    steps = [s.id for s, _ in w.review()]
    assert steps[0] == ELIGIBILITY and "contact" in steps
    w.go_to("facts")
    assert w.step.id == "facts" and not w.at_review
    with pytest.raises(WizardError):
        w.go_to("nope")


def test_errors_are_shown_again_in_another_language_with_answers_kept(w):
    w.set_answer("resident", "yes")
    w.next()
    w.next()
    w.set_answer("copies", "9")
    assert not w.next()
    texts = {lang: render(w.errors["copies"], lang) for lang in LANGUAGES}
    assert len(set(texts.values())) == 3
    assert w.answers["copies"] == "9"


def test_a_corrected_answer_clears_its_message_but_typing_raises_none(w):
    w.set_answer("resident", "yes")
    w.next()
    w.next()
    w.set_answer("salary", "abc")
    assert "salary" not in w.errors  # not raised while typing
    assert not w.next() and "salary" in w.errors
    w.set_answer("salary", "12")
    assert "salary" not in w.errors


def test_snapshot_round_trip_without_card_data(w, everything):
    w.set_answer("resident", "yes")
    w.next()
    w.set_answer("nickname", "Sisi")
    w.set_answer("needs", ["a", "c"])
    snap = w.snapshot()
    text = json.dumps(snap, ensure_ascii=False)
    assert "SALMA" not in text and "1990" not in text
    other = Wizard(everything, PREFILL, today=lambda: TODAY)
    other.restore(json.loads(text))
    assert other.answers == w.answers and other.index == w.index


@pytest.mark.parametrize("bad", [
    {"procedure": "x", "version": 2, "index": 0, "answers": {}},
    {"procedure": "test.everything", "version": 1, "index": 0, "answers": {}},
    {"procedure": "test.everything", "version": 2, "index": 99, "answers": {}},
    {"procedure": "test.everything", "version": 2, "index": 0, "answers": {"name": "x"}},
    {"procedure": "test.everything", "version": 2, "index": 0, "answers": {"unknown": "x"}},
    {"procedure": "test.everything", "version": 2, "index": "0", "answers": {}},
])
def test_restore_refuses_what_does_not_fit(w, bad):
    with pytest.raises(WizardError):
        w.restore(bad)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_example_answers_complete_the_procedure(everything, lang):
    answers = example_answers(everything, lang, today=lambda: TODAY)
    w = Wizard(everything, PREFILL, today=lambda: TODAY)
    for k, v in answers.items():
        w.set_answer(k, v)
    while not w.at_review:
        assert w.next(), w.errors
    assert w.complete()
    # The most revealing answers: the RIB and the second person's CIN are asked.
    assert {"rib", "other_cin"} <= set(answers)


def test_wipe_forgets_everything(w):
    w.set_answer("resident", "yes")
    w.wipe()
    assert w.answers == {} and w.prefill == {} and w.errors == {} and w.index == 0
