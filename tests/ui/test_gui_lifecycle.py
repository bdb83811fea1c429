"""Every way a citizen's session ends, driven on the real screens; afterwards no view
model and no QML property reachable from the window holds any of the citizen's data."""

import time

import pytest
from PySide6.QtCore import QObject

from kiosk.card.demo import load_demo_identity
from ui.driver import walk

PROC = "cnss.attestation-affiliation"


def secrets() -> list[str]:
    ident = load_demo_identity()
    out = [ident.document_number, ident.birth_date.isoformat() if hasattr(ident.birth_date, "isoformat")
           else str(ident.birth_date)]
    for attr in ("surname", "given_names", "surname_ar", "given_names_ar", "latin_name", "arabic_name"):
        value = getattr(ident, attr, "")
        value = value() if callable(value) else value
        if value and len(value) > 2:
            out.append(value)
    return [s for s in out if s]


def strings_in(value, depth=0):
    if depth > 6:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings_in(v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from strings_in(v, depth + 1)
    elif hasattr(value, "toVariant"):
        yield from strings_in(value.toVariant(), depth + 1)


def properties(obj: QObject):
    meta = obj.metaObject()
    for i in range(meta.propertyCount()):
        prop = meta.property(i)
        try:
            yield prop.name(), prop.read(obj)
        except Exception:  # noqa: BLE001 (some properties cannot be read from Python)
            continue


def leaks(kiosk) -> list[str]:
    found = []
    wanted = secrets()
    objects = [kiosk.model, kiosk.desk] + list(walk(kiosk.window.contentItem()))
    for obj in objects:
        for name, value in properties(obj):
            for text in strings_in(value):
                for s in wanted:
                    if s in text:
                        found.append(f"{obj.objectName() or type(obj).__name__}.{name} holds {s!r}")
    return found


def to_wizard(driver):
    driver.click("lang-fr")
    driver.click("demoCard")
    driver.wait_state("confirm")
    assert not leaks(driver.kiosk) == []  # the check does see the data while it is shown
    driver.click("confirmMe")
    driver.click(f"proc-{PROC}")
    driver.click("begin")
    driver.wait_state("wizard")


def end_by_finish(driver):
    from tests.ui.test_gui_slice import answers_for
    from ui.driver import complete_procedure
    driver.click("lang-fr")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("confirmMe")
    complete_procedure(driver, PROC, answers_for(driver.kiosk, PROC, "fr"))
    driver.wait_state("review")
    driver.click("consent")
    driver.click("submit")
    driver.wait_state("done")
    driver.click("finish")


def end_by_header(driver):
    to_wizard(driver)
    driver.click("endSession")
    driver.click("endConfirm")


def end_by_card_removal(driver):
    to_wizard(driver)
    driver.kiosk.session.card_grace = 0.4
    driver.kiosk.model.removeCard()
    driver.find("cardAway", timeout=3)  # the grace, shown, then the wipe when it runs out


def end_by_not_me(driver):
    driver.click("lang-fr")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("notMe")


def end_by_timeout(driver):
    to_wizard(driver)
    s = driver.kiosk.session
    s.idle_warning, s.idle_countdown = 0.3, 0.4
    s.touch()
    deadline = time.monotonic() + 5
    while not driver.items("idleWarning"):
        assert time.monotonic() < deadline, "no countdown shown"
        driver.pump(0.02)
    assert driver.text_of("idleSeconds") in ("1", "0")
    while driver.kiosk.model.state != "welcome":
        assert time.monotonic() < deadline, "the session did not end"
        driver.pump(0.02)


@pytest.mark.parametrize("end", [end_by_finish, end_by_header, end_by_card_removal,
                                 end_by_not_me, end_by_timeout],
                         ids=["finish", "header", "card-removed", "not-me", "timeout"])
def test_nothing_of_the_citizen_remains_after_the_session(kiosk, driver, end):
    end(driver)
    driver.wait_state("welcome")
    driver.pump(0.1)
    assert kiosk.model.language == "ar"          # Welcome in the default language
    assert kiosk.session.identity is None and kiosk.session.wizard is None
    assert kiosk.model.photo() is None and kiosk.model.photoUrl == ""  # nothing for the image provider
    assert leaks(kiosk) == []


def test_touch_during_the_countdown_keeps_the_session(kiosk, driver):
    to_wizard(driver)
    s = kiosk.session
    s.idle_warning, s.idle_countdown = 0.3, 3.0
    s.touch()
    driver.find("idleWarning", timeout=3)
    driver.click("stillHere")
    assert not driver.items("idleWarning") and kiosk.model.state == "wizard"


def test_card_taken_out_mid_procedure_is_hidden_then_resumes_when_the_same_card_is_back(kiosk, driver):
    from PySide6.QtGui import QColor

    to_wizard(driver)
    step = kiosk.session.wizard.step.id
    kiosk.session.answer("purpose", "bank")
    kiosk.model.removeCard()
    cover = driver.find("cardAway", timeout=3)
    # Opaque and over the whole window: nothing of the citizen's screen shows through.
    assert QColor(cover.property("color")).alpha() == 255
    assert (cover.width(), cover.height()) == (kiosk.window.width(), kiosk.window.height())
    assert driver.text_of("cardAwaySeconds") in ("20", "19")
    assert kiosk.model.state == "wizard"
    driver.click("demoCardBack")  # the demo reader puts the same card back
    deadline = time.monotonic() + 5
    while driver.items("cardAway"):
        assert time.monotonic() < deadline, "the same card did not resume the session"
        driver.pump(0.02)
    assert kiosk.model.state == "wizard" and kiosk.session.wizard.step.id == step
    assert kiosk.session.wizard.answers["purpose"] == "bank"


def test_the_end_button_during_the_grace_wipes(kiosk, driver):
    to_wizard(driver)
    kiosk.model.removeCard()
    driver.click("cardAwayEnd")
    driver.wait_state("welcome")
    assert kiosk.session.identity is None and leaks(kiosk) == []
