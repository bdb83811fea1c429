"""The agent's desk by touch: the hidden gesture, the PIN keypad, the dashboard, reprints,
out of service, an assisted session; and the sync indicator."""

import json

import pytest

from tests.staff_helpers import make_staff


@pytest.fixture
def staffed(services):
    return make_staff(services.paths, "Amina")


def sign_in(driver, pin="559301", staff="2001"):
    driver.hold("staffCorner", 3.3)
    assert driver.kiosk.desk.mode == "sign_in"
    for d in staff:
        driver.click(f"staffkey-{d}")
    driver.click("staffOk")
    for d in pin:
        driver.click(f"staffkey-{d}")
    driver.click("staffOk")


def test_a_short_touch_on_the_corner_opens_nothing(kiosk, driver, staffed):
    driver.hold("staffCorner", 0.5)
    assert kiosk.desk.mode == "closed"


def test_wrong_pin_is_explained_and_nothing_opens(kiosk, driver, staffed):
    sign_in(driver, pin="000001")
    assert kiosk.desk.mode == "sign_in"
    error = driver.text_of("staffError")
    assert error and "2" in error
    # The PIN typed is gone from the screen and from memory.
    assert kiosk.desk.view["pin"] == "" and kiosk.desk.desk.typed_pin == ""
    driver.click("staffCancel")
    assert kiosk.desk.mode == "closed" and kiosk.model.state == "welcome"


def test_agent_reprints_and_sees_the_queue(kiosk, driver, services, staffed):
    from tests.kiosk.staff.test_desk import submit
    saved = submit(services)
    services.outbox.mark_print_failed(saved.tracking, "media-empty")
    sign_in(driver)
    assert kiosk.desk.mode == "dashboard"
    assert "Amina" in driver.text_of("deskWho")
    counts = {c["state"]: c["n"] for c in kiosk.desk.view["counts"]}
    assert counts["queued"] == 1
    driver.click(f"reprint-{saved.tracking}")
    assert saved.tracking in driver.text_of("deskNotice")
    assert services.outbox.by_tracking(saved.tracking)["printed_at"]
    actions = [(r["actor"], r["action"]) for r in staffed.audit.records()]
    assert ("2001", "receipt.reprint") in actions
    driver.click("deskSignOut")
    assert kiosk.desk.mode == "closed" and kiosk.desk.desk.actor is None


def test_out_of_service_closes_the_welcome_screen_in_three_languages(kiosk, driver, staffed):
    sign_in(driver)
    driver.click("deskOff-maintenance")
    driver.click("deskSignOut")
    texts = {lang: driver.text_of(f"outOfService-{lang}") for lang in ("ar", "fr", "zgh")}
    assert len(set(texts.values())) == 3
    assert not driver.items("lang-fr")          # no way in
    with pytest.raises(Exception):
        kiosk.session.start("fr")
    sign_in(driver)
    driver.click("deskBackInService")
    driver.click("deskSignOut")
    driver.click("lang-fr")
    driver.wait_state("identify")


def test_assisted_session_is_recorded_with_the_agent(kiosk, driver, services, staffed):
    from tests.ui.test_gui_slice import answers_for
    from ui.driver import complete_procedure
    sign_in(driver)
    driver.click("deskAssist")
    driver.wait_state("identify")
    driver.find("assistedBanner")  # shown on every screen of the session
    assert kiosk.model.screen["assisted"] == "2001"
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("confirmMe")
    proc = "cnss.attestation-affiliation"
    complete_procedure(driver, proc, answers_for(kiosk, proc, kiosk.model.language))
    driver.wait_state("review")
    driver.click("consent")
    driver.click("submit")
    driver.wait_state("done")
    row = services.outbox.by_tracking(driver.text_of("trackingNumber"))
    assert row["assisted_by"] == "2001"
    driver.click("finish")
    driver.wait_state("welcome")
    assert kiosk.session.assisted_by is None and not driver.items("assistedBanner")


def test_sync_indicator_counts_what_waits(kiosk, driver, services):
    dot = driver.find("syncDot")
    assert kiosk.desk.sync == {"ok": True, "pending": 0}
    from tests.kiosk.staff.test_desk import submit
    submit(services)
    kiosk.session.end()
    driver.pump()
    assert kiosk.desk.sync["pending"] == 1 and not dot.property("ok")
    assert json.dumps(kiosk.desk.sync) == '{"ok": true, "pending": 1}'


def test_technician_changes_settings_by_touch(kiosk, driver, services, staffed):
    from kiosk.config import Settings
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskSettings")
    assert kiosk.desk.mode == "settings"
    driver.click("option-receipt.paper_width-1")                  # 58 mm
    assert services.settings["receipt.paper_width"] == 58
    driver.click("setting-session.idle_warning")
    driver.find("settingEditor")
    for _ in range(2):
        driver.click("kbd-digits-backspace")
    driver.click("kbd-digits-5")
    driver.click("settingSave")                                   # 5 s: refused, with the rule
    assert "10" in driver.text_of("editorError") and "600" in driver.text_of("editorError")  # the rule
    assert services.settings["session.idle_warning"] == 60
    driver.click("kbd-digits-0")
    driver.click("settingSave")                                   # 50 s: saved
    assert not driver.items("settingEditor") and driver.text_of("settingsNotice")
    saved = Settings.load(services.paths.config_file)
    assert saved["session.idle_warning"] == 50 and saved["receipt.paper_width"] == 58
    driver.click("settingsBack")
    assert kiosk.desk.mode == "dashboard"


def test_agent_has_no_settings_button(kiosk, driver, staffed):
    sign_in(driver)
    assert not driver.items("deskSettings")
    kiosk.desk.openSettings()                                     # even asked directly
    assert kiosk.desk.mode == "dashboard"


def test_offered_languages_follow_the_setting(services, qapp):
    from tests.ui.conftest import make_kiosk
    from ui.driver import Driver
    services.settings.set("display.languages", "fr,ar")
    k = make_kiosk(services, (1080, 1920))
    try:
        d = Driver(k)
        assert [x["code"] for x in k.model.languages] == ["fr", "ar"]
        assert d.items("lang-fr") and d.items("lang-ar") and not d.items("lang-zgh")
    finally:
        k.close()


def test_technician_installs_a_catalog_from_the_desk(kiosk, driver, services, staffed, tmp_path):
    from kiosk.procedures import package as pkg
    from tests.kiosk.procedures.test_package import make_package
    stick = tmp_path / "media" / "tech" / "USB"
    stick.mkdir(parents=True)
    make_package(stick, 7, name="edition-7.zip")
    kiosk.desk.catalog._admin.usb_roots = [tmp_path / "media"]
    # An agent has no catalog button, and the core refuses anyway.
    sign_in(driver)
    assert not driver.items("deskCatalog")
    kiosk.desk.openCatalog()
    assert kiosk.desk.mode == "dashboard"
    kiosk.desk.catalog.importPackage(str(stick / "edition-7.zip"))
    assert pkg.installed(services.paths) == []
    driver.click("deskSignOut")
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskCatalog")
    assert kiosk.desk.mode == "catalog"
    kiosk.desk.catalog.refresh()
    driver.click("package-0")
    assert services.catalog.version == 7 and pkg.active_edition(services.paths) == 7
    actions = [(r["actor"], r["action"]) for r in staffed.audit.records()]
    assert ("2001", "catalog.import.denied") in actions and ("1001", "catalog.import") in actions
    driver.click("catalogBack")
    assert kiosk.desk.mode == "dashboard"


def test_the_settings_keyboard_stays_on_its_page_while_typing(kiosk, driver, services, staffed):
    """Typing ':' and '/' of an address on the symbols page does not throw the technician
    back to the letters after each key."""
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskSettings")
    driver.click("setting-sync.endpoint")
    board = driver.find("settingKeyboard")
    name = kiosk.desk.keyboard["name"]
    driver.click(f"kbd-{name}-page-latin-symbols")
    assert board.property("page") == "latin-symbols"
    for key in ("/", "/", "1"):
        driver.click(f"kbd-{name}-{key}")
        assert board.property("page") == "latin-symbols"
    assert kiosk.desk.view["editing"]["text"].endswith("//1")
