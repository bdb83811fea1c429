"""Every bundled procedure, completed through the screens in every language, with the
example answers typed on the on-screen keyboards; invalid answers show their messages."""


import pytest

from kiosk.card.demo import load_demo_identity
from kiosk.i18n import LANGUAGES
from kiosk.paths import ASSETS
from kiosk.procedures.examples import example_answers
from kiosk.procedures.loader import load_catalog
from kiosk.queue import tracking
from kiosk.queue.sealing import load_private_key, open_sealed
from ui.driver import answer_field, complete_procedure, type_text

pytestmark = pytest.mark.gui

CATALOG = load_catalog()
PROCEDURES = [p.id for p in CATALOG.procedures]
LONG = "cnss.ipe"
DEMO_PRIVATE = ASSETS / "demo" / "backoffice-DEMO-ONLY-private.pem"


def to_catalog(driver, lang):
    driver.click(f"lang-{lang}")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("confirmMe")
    driver.wait_state("catalog")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("procedure_id", PROCEDURES)
def test_every_procedure_can_be_completed_in_every_language(kiosk, driver, services, procedure_id, lang):
    procedure = CATALOG.get(procedure_id)
    prefill = load_demo_identity().prefill()
    answers = example_answers(procedure, lang, prefill)
    to_catalog(driver, lang)
    complete_procedure(driver, procedure_id, answers)
    driver.wait_state("review")
    driver.click("consent")
    driver.click("submit")
    driver.wait_state("done")
    number = driver.text_of("trackingNumber")
    assert tracking.is_valid(number)
    row = services.outbox.by_tracking(number)
    assert (row["procedure_id"], row["procedure_version"]) == (procedure.id, procedure.version)
    # What reached the (sealed) payload is what was typed and chosen on the screens.
    sealed = open_sealed(row["payload"], row["id"], load_private_key(DEMO_PRIVATE))
    sent = sealed["answers"] if "answers" in sealed else sealed
    for field_id, value in answers.items():
        assert sent[field_id] == value, field_id
    driver.click("finish")
    driver.wait_state("welcome")


def test_search_in_each_script_finds_and_opens_a_procedure(kiosk, driver):
    to_catalog(driver, "fr")
    for lang, query in (("fr", "indemnite"), ("ar", "فقدان"), ("zgh", "ⵜⴰⵙⵖⴰⵔⵜ")):
        driver.click(f"switch-{lang}")
        driver.click("search")
        kiosk.session.search_text = ""
        type_text(driver, query if lang != "zgh" else CATALOG.get(LONG).title("zgh").split()[0])
        assert kiosk.session.search_text
        assert driver.items(f"proc-{LONG}"), (lang, kiosk.session.search_text)
        for _ in kiosk.session.search_text:
            driver.click(f"kbd-{kiosk.model.keyboard['name']}-backspace")
    driver.click(f"proc-{LONG}")
    driver.wait_state("intro")


def _start_long(driver, lang):
    to_catalog(driver, lang)
    driver.click(f"proc-{LONG}")
    driver.click("begin")
    driver.wait_state("wizard")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_invalid_answers_show_their_messages_next_to_the_field(kiosk, driver, lang):
    _start_long(driver, lang)
    session = kiosk.session
    # Not eligible: the catalog's explanation, and a way back to the list.
    first = CATALOG.get(LONG).eligibility[0]
    driver.click(f"option-{first.id}-{'no' if first.expect == 'yes' else 'yes'}")
    driver.click("next")
    assert driver.text_of(f"error-{first.id}") == first.otherwise(lang)
    assert driver.items("choose-another")
    answers = example_answers(CATALOG.get(LONG), lang, load_demo_identity().prefill())
    w = session.wizard
    for f in w.step.fields:
        answer_field(driver, f, answers[f.id])
    driver.click("next")
    # Walk to the step with the RIB, typing a wrong key, and to the phone, typing a landline.
    bad = {"rib": answers["rib"][:-2] + ("00" if answers["rib"][-2:] != "00" else "01"),
           "phone": "612"}
    seen = set()
    while session.state.value == "wizard":
        step = w.step
        for f in step.fields:
            if f.type == "prefill" or not w.field_visible(f) or f.id not in answers:
                continue
            answer_field(driver, f, bad.get(f.id, answers[f.id]))
        index = w.index
        driver.click("next")
        if w.index == index:
            for fid in bad:
                if fid in w.errors:
                    text = driver.text_of(f"error-{fid}")
                    assert text and text == session.wizard.errors[fid].render(lang)
                    seen.add(fid)
                    driver.click(f"entry-{fid}")
                    for _ in range(30):
                        driver.click(f"kbd-{kiosk.model.keyboard['name']}-backspace")
                    type_text(driver, answers[fid])
            assert not set(w.errors) - set(bad), w.errors
            driver.click("next")
    assert seen == {"rib", "phone"}
    assert session.state.value == "review"


def test_language_switch_keeps_typed_answers_and_the_keyboard_follows(kiosk, driver):
    _start_long(driver, "fr")
    w = kiosk.session.wizard
    for f in w.step.fields:
        answer_field(driver, f, CATALOG.get(LONG).eligibility[0].expect)
    driver.click("next")
    field = next(f for f in w.step.fields if f.type == "text")
    driver.click(f"entry-{field.id}")
    keyboard_fr = kiosk.model.keyboard["name"]
    type_text(driver, "123")
    driver.click("switch-ar")
    assert w.value(field) == "123"
    assert kiosk.model.keyboard["name"] in (keyboard_fr, "arabic", "digits")
    driver.click("switch-zgh")
    assert w.value(field) == "123"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_long_procedure_on_a_landscape_screen(landscape_driver, services, lang):
    driver = landscape_driver
    answers = example_answers(CATALOG.get(LONG), lang, load_demo_identity().prefill())
    to_catalog(driver, lang)
    complete_procedure(driver, LONG, answers)
    driver.wait_state("review")
    # The keyboard sits beside the fields: no entry box is under it.
    assert driver.kiosk.session.wizard.complete()
