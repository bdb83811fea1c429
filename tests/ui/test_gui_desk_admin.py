"""The technician's desk pages by touch, offscreen: staff accounts (add an agent who then
signs in, a new PIN, removal with its confirmation, refusals), one's own PIN, the
doctor on a worker thread with the desk still responsive, and the card reader page
with a test read through a real pcscd + vpcd and the emulated CNIE."""

import json
import threading
import time

import pytest

from tests.kiosk.card.conftest import cnie, pcscd, virtual_card  # noqa: F401 (fixtures)
from tests.staff_helpers import make_staff
from tests.ui.test_gui_desk import sign_in
from ui.driver import type_text


@pytest.fixture
def staffed(services):
    return make_staff(services.paths, "Amina")


def as_technician(driver):
    sign_in(driver, pin="482913", staff="1001")
    assert driver.kiosk.desk.mode == "dashboard"


def keypad(driver, digits):
    for d in digits:
        driver.click(f"formkey-{d}")


def type_name(driver, text):
    """Type on the desk's on-screen keyboard, key by key, changing pages as needed."""
    type_text(driver, text, board="staffKeyboard", layout=driver.kiosk.desk.keyboard)


def no_pin_in_view(kiosk, *pins):
    dumped = json.dumps(kiosk.desk.view, ensure_ascii=False)
    for pin in pins:
        assert pin not in dumped


def test_technician_adds_an_agent_who_then_signs_in(kiosk, driver, staffed):
    as_technician(driver)
    driver.click("deskStaffAccounts")
    assert kiosk.desk.page == "staff"
    driver.click("staffAdd")
    driver.find("form-id")
    keypad(driver, "3001")
    driver.click("formOk")                          # to the name, on the keyboard
    assert kiosk.desk.view["form"]["field"] == "name"
    type_name(driver, "Karim B")
    assert driver.text_of("formValue-name") == "Karim B"
    driver.click("role-technician")
    driver.click("role-agent")
    driver.click("form-pin")                        # touch a box to type in it
    keypad(driver, "731946")
    driver.click("formOk")
    keypad(driver, "731946")
    assert driver.text_of("formValue-pin") == "••••••" and driver.text_of("formValue-again") == "••••••"
    no_pin_in_view(kiosk, "731946")
    driver.click("formOk")                          # Save
    assert "3001" in driver.text_of("staffNotice")
    driver.find("staffRow-3001")
    assert kiosk.desk.desk.form is None
    actions = [(r["actor"], r["action"], r["details"]) for r in staffed.audit.records()]
    assert ("1001", "staff.add", {"staff": "3001", "role": "agent"}) in actions
    driver.click("deskBack")
    driver.click("deskSignOut")
    sign_in(driver, pin="731946", staff="3001")
    assert kiosk.desk.mode == "dashboard" and "Karim B" in driver.text_of("deskWho")


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_a_weak_pin_and_a_taken_number_are_refused_and_wiped(kiosk, driver, staffed, lang):
    as_technician(driver)
    driver.click(f"switch-{lang}")
    driver.click("deskStaffAccounts")
    driver.click("staffAdd")
    keypad(driver, "2001")                          # Amina's number
    driver.click("form-name")
    type_name(driver, {"ar": "كريم", "fr": "karim", "zgh": "ⴽⴰⵔⵉⵎ"}[lang])
    driver.click("form-pin")
    keypad(driver, "111111")
    driver.click("formOk")
    keypad(driver, "111111")
    driver.click("formOk")
    error = driver.text_of("formError")
    assert error and kiosk.desk.desk.error.msgid.startswith("Staff number {staff} exists")
    form = kiosk.desk.desk.form
    assert form.pin == form.again == "" and form.field == "id"
    assert driver.text_of("formValue-pin") == ""
    for _ in range(4):                              # another number
        driver.click("formkey-erase")
    keypad(driver, "3001")
    driver.click("form-pin")
    keypad(driver, "111111")
    driver.click("form-again")
    keypad(driver, "111111")
    driver.click("formOk")
    assert kiosk.desk.desk.error.msgid.startswith("This PIN is too easy")
    assert driver.text_of("formError") != error and kiosk.desk.desk.form.field == "pin"
    driver.click("formCancel")
    assert kiosk.desk.desk.form is None and "3001" not in {r["id"] for r in kiosk.desk.view["staff"]}


def test_new_pin_for_an_agent_and_removal(kiosk, driver, staffed):
    as_technician(driver)
    driver.click("deskStaffAccounts")
    assert not driver.items("staffRemove-1001")    # never one's own account
    driver.click("staffPin-2001")
    assert "Amina" in driver.text_of("formTitle")
    keypad(driver, "640213")
    driver.click("formOk")
    keypad(driver, "640213")
    driver.click("formOk")
    assert "2001" in driver.text_of("staffNotice")
    driver.click("staffRemove-2001")
    assert "Amina" in driver.text_of("removeQuestion")
    driver.click("removeCancel")                    # thinking twice
    driver.find("staffRow-2001")
    driver.click("staffRemove-2001")
    driver.click("removeConfirm")
    assert not driver.items("staffRow-2001") and "2001" in driver.text_of("staffNotice")
    actions = [(r["actor"], r["action"]) for r in staffed.audit.records()]
    assert ("1001", "staff.pin") in actions and ("1001", "staff.remove") in actions
    driver.click("deskBack")
    driver.click("deskSignOut")
    sign_in(driver, pin="640213")
    assert kiosk.desk.mode == "sign_in"             # the account is gone


def test_an_agent_changes_their_own_pin(kiosk, driver, staffed):
    sign_in(driver)
    driver.click("deskMyPin")
    assert kiosk.desk.page == "my_pin"
    keypad(driver, "559301")
    driver.click("formOk")
    keypad(driver, "640213")
    driver.click("formOk")
    keypad(driver, "640219")                        # typed differently
    driver.click("formOk")
    assert driver.text_of("formError") and kiosk.desk.desk.form.field == "pin"
    assert kiosk.desk.desk.form.old == ""           # wiped: typed again
    driver.click("form-old")
    keypad(driver, "559301")
    driver.click("form-pin")
    keypad(driver, "640213")
    driver.click("form-again")
    keypad(driver, "640213")
    no_pin_in_view(kiosk, "559301", "640213")
    driver.click("formOk")
    assert kiosk.desk.page == "" and driver.text_of("deskNotice")
    driver.click("deskSignOut")
    sign_in(driver, pin="640213")
    assert kiosk.desk.mode == "dashboard"


def test_an_agent_cannot_reach_the_technician_pages(kiosk, driver, staffed, services):
    sign_in(driver)
    assert not driver.items("deskStaffAccounts") and not driver.items("deskReader")
    kiosk.desk.openPage("staff")                    # even asked directly
    kiosk.desk.openPage("reader")
    assert kiosk.desk.page == "" and driver.text_of("deskError")
    kiosk.desk.staffForm("add", "")
    kiosk.desk.chooseReader("Virtual PCD 00 00")
    kiosk.desk.testRead()
    assert kiosk.desk.desk.form is None and kiosk.desk.desk.card_probe is None
    assert services.settings["card.reader"] == ""
    from kiosk.desk import StaffForm                # and the core refuses a form slipped in
    kiosk.desk.desk.form = StaffForm("add", staff_id="3001", name="x", pin="731946", again="731946")
    kiosk.desk.formSubmit()
    assert kiosk.desk.desk.error.msgid == "Your role does not allow this."
    assert "3001" not in {r["id"] for r in staffed.staff.listing()}
    actions = [(r["actor"], r["action"]) for r in staffed.audit.records()]
    for denied in ("desk.staff.denied", "desk.reader.denied", "staff.add.denied", "config.set.denied",
                   "card.test.denied"):
        assert ("2001", denied) in actions, denied


def test_the_doctor_runs_off_the_ui_thread(kiosk, driver, staffed, monkeypatch):
    import kiosk.doctor as doctor
    real = doctor.run_checks
    release, threads = threading.Event(), []

    def slow(paths):
        threads.append(threading.current_thread())
        release.wait(10)
        return real(paths)
    monkeypatch.setattr(doctor, "run_checks", slow)
    as_technician(driver)
    started = time.monotonic()
    driver.click("deskDoctor")
    assert time.monotonic() - started < 1.5          # the click came back at once
    assert driver.text_of("deskDoctorRunning") and kiosk.desk.view["doctor_running"]
    deadline = time.monotonic() + 5
    while not threads and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threads and threads[0] is not threading.main_thread()
    # The desk answers meanwhile: another language, another action.
    button = driver.text_of("deskDoctor")
    driver.click("switch-ar" if kiosk.model.language != "ar" else "switch-fr")
    assert driver.text_of("deskDoctor") != button and driver.items("deskDoctorRunning")
    driver.click("deskDoctor")                       # a second touch starts nothing more
    driver.click("deskTestPrint")
    assert driver.text_of("deskNotice")
    release.set()
    deadline = time.monotonic() + 20
    while kiosk.desk.doctor_running and time.monotonic() < deadline:
        driver.pump(0.02)
    assert not driver.items("deskDoctorRunning")
    names = {c["name"] for c in kiosk.desk.view["checks"]}
    assert {"config", "database", "audit-log"} <= names and len(threads) == 1
    assert ("1001", "doctor") in [(r["actor"], r["action"]) for r in staffed.audit.records()]


def test_a_doctor_result_after_sign_out_is_dropped(kiosk, driver, staffed, monkeypatch):
    import kiosk.doctor as doctor
    release = threading.Event()
    real = doctor.run_checks
    monkeypatch.setattr(doctor, "run_checks", lambda paths: (release.wait(10), real(paths))[1])
    as_technician(driver)
    driver.click("deskDoctor")
    driver.click("deskSignOut")
    release.set()
    deadline = time.monotonic() + 20
    while kiosk.desk.doctor_running and time.monotonic() < deadline:
        driver.pump(0.02)
    assert kiosk.desk.desk.checks == []
    as_technician(driver)
    assert kiosk.desk.view["checks"] == []


def test_reader_page_chooses_and_test_reads_the_emulated_cnie(kiosk, driver, staffed, services,
                                                             virtual_card, cnie):  # noqa: F811
    from kiosk.card.emulator.pcscd import VIRTUAL_READER
    from kiosk.i18n import gettext
    as_technician(driver)
    driver.click("deskReader")
    assert kiosk.desk.page == "reader"
    names = [r["name"] for r in kiosk.desk.view["reader"]["readers"]]
    assert VIRTUAL_READER in names
    driver.click(f"reader-{names.index(VIRTUAL_READER)}")
    assert services.settings["card.reader"] == VIRTUAL_READER
    assert driver.text_of("readerNotice")
    assert kiosk.desk.desk.notice.msgid == "Saved. It takes effect when the kiosk restarts."
    assert kiosk.desk.view["reader"]["readers"][names.index(VIRTUAL_READER)]["selected"]
    driver.click("readerTest")
    driver.find("readerWaiting")
    driver.pump(0.3)
    driver.click("switch-fr")                        # the desk answers while it waits
    assert kiosk.desk.view["reader"]["test"]["state"] == "waiting"
    with virtual_card(cnie) as chip:
        deadline = time.monotonic() + 15
        while kiosk.desk.view["reader"]["test"]["state"] == "waiting" and time.monotonic() < deadline:
            driver.pump(0.02)
    test = kiosk.desk.view["reader"]["test"]
    assert test["state"] == "done" and test["ok"], test
    assert driver.text_of("readerResult-atr") == chip.atr.hex(" ").upper()
    assert driver.text_of("readerResult-reader") == VIRTUAL_READER
    assert driver.text_of("readerResult-pace") == gettext("fr", "yes")
    assert driver.text_of("readerResult-ms").split()[0].isdigit()
    assert driver.text_of("readerOutcome")
    actions = [(r["actor"], r["action"]) for r in staffed.audit.records()]
    assert ("1001", "card.test") in actions and ("1001", "config.set") in actions
    # No card: the test ends at its timeout; Stop ends it at once.
    driver.click("readerTest")
    driver.click("readerTestCancel")
    assert kiosk.desk.view["reader"]["test"]["state"] == "idle" and kiosk.desk.desk.card_probe is None
    driver.click("deskBack")
    assert kiosk.desk.page == ""
