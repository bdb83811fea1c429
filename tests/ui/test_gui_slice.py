"""Click through the whole slice, as a citizen would, in each language."""

import json

import pytest

from kiosk.queue import tracking
from ui.driver import complete_procedure



def answers_for(kiosk, procedure, lang):
    from kiosk.card.demo import load_demo_identity
    from kiosk.procedures.examples import example_answers

    return example_answers(kiosk.session.catalog.get(procedure), lang, load_demo_identity().prefill())


@pytest.mark.parametrize("lang,procedure", [("ar", "cnss.attestation-affiliation"),
                                            ("fr", "commune.extrait-acte-naissance"),
                                            ("zgh", "cnss.attestation-affiliation")])
def test_citizen_completes_a_submission(kiosk, driver, services, lang, procedure):
    driver.click(f"lang-{lang}")
    driver.wait_state("identify")
    assert kiosk.model.language == lang and kiosk.model.rtl == (lang == "ar")
    driver.click("demoCard")
    driver.wait_state("confirm")
    assert driver.text_of("arabicName") == "سلمى العمراني"
    driver.click("confirmMe")
    driver.wait_state("catalog")
    complete_procedure(driver, procedure, answers_for(kiosk, procedure, lang))
    driver.wait_state("review")
    driver.click("submit")  # refused: consent not given yet
    assert kiosk.model.state == "review"
    driver.click("consent")
    driver.click("submit")
    driver.wait_state("done")
    number = driver.text_of("trackingNumber")
    assert tracking.is_valid(number)
    row = services.outbox.by_tracking(number)
    assert row["procedure_id"] == procedure and row["language"] == lang and row["state"] == "queued"
    assert json.loads(row["receipt"])["tracking"] == number
    receipt = services.paths.receipts / f"{number}.pdf"
    assert receipt.exists() and receipt.stat().st_size > 1000
    driver.click("finish")
    driver.wait_state("welcome")
    assert kiosk.session.identity is None and kiosk.model.photoUrl == ""
    assert kiosk.model.screen == {"state": "welcome", "error": "", "assisted": "", "outOfService": [],
                                  "idleLeft": -1, "idleLeftText": "", "cardAway": "", "cardAwayLeftText": ""}


def test_language_switch_mid_wizard_keeps_answers_and_retranslates(kiosk, driver):
    driver.click("lang-fr")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("confirmMe")
    driver.click("proc-cnss.attestation-affiliation")
    driver.click("begin")
    driver.click("next")  # the identity step: read from the card
    driver.click("option-purpose-administration")
    driver.click("next")  # copies missing: a message in French
    assert "obligatoire" in driver.text_of("error-copies")
    back_fr = driver.find("back").property("text")
    driver.click("switch-ar")
    assert kiosk.model.rtl
    assert driver.text_of("error-copies") == "هذا الجواب إجباري."
    assert driver.find("back").property("text") == "رجوع" != back_fr
    assert kiosk.session.wizard.answers["purpose"] == "administration"
    # Mirrored: in Arabic, Back sits on the right and Continue on the left.
    back = driver.find("back").mapToScene(driver.find("back").boundingRect().center())
    nxt = driver.find("next").mapToScene(driver.find("next").boundingRect().center())
    assert back.x() > nxt.x()
    driver.click("switch-zgh")
    assert not kiosk.model.rtl and driver.find("back").property("text") == "ⴰⵖⵓⵍ"
    back = driver.find("back").mapToScene(driver.find("back").boundingRect().center())
    nxt = driver.find("next").mapToScene(driver.find("next").boundingRect().center())
    assert back.x() < nxt.x()


def test_ending_the_session_from_the_header_wipes_it(kiosk, driver):
    driver.click("lang-zgh")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("endSession")
    driver.click("endConfirm")
    driver.wait_state("welcome")
    assert kiosk.session.identity is None and kiosk.session.last_end.value == "cancelled"
