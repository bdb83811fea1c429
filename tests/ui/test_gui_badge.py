"""Staff entry by badge, on the real screens: an enrolled badge on the reader at Welcome
opens the PIN keypad with its staff number; the PIN is still needed; an unknown badge is
refused with the reason; during a citizen's session a badge opens nothing."""

import time

from kiosk.card.emulator.badge import EmulatedBadge
from tests.staff_helpers import make_staff


def wait_for(driver, condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the badge was not handled"
        driver.pump(0.02)


def test_enrolled_badge_then_pin_signs_the_agent_in(kiosk, driver, services):
    gate = make_staff(services.paths)
    badge = EmulatedBadge.create("2001")
    gate.staff.enrol_card(gate.staff.authenticate("1001", "482913"), "2001", badge.public_key)
    kiosk.reader.insert(badge)
    driver.find("staffBadge", timeout=5)
    assert kiosk.desk.mode == "sign_in" and kiosk.desk.view["id"] == "2001"
    assert kiosk.desk.view["field"] == "pin"
    for d in "000001":  # a wrong PIN is still a wrong PIN
        driver.click(f"staffkey-{d}")
    driver.click("staffOk")
    assert kiosk.desk.mode == "sign_in" and driver.text_of("staffError")
    for d in "559301":
        driver.click(f"staffkey-{d}")
    driver.click("staffOk")
    assert kiosk.desk.mode == "dashboard" and kiosk.desk.desk.actor.id == "2001"
    kiosk.reader.remove()
    driver.pump(0.1)
    assert kiosk.desk.mode == "dashboard"  # taking the badge away does not sign out


def test_a_badge_nobody_enrolled_is_refused(kiosk, driver, services):
    make_staff(services.paths)
    kiosk.reader.insert(EmulatedBadge.create("2001"))
    driver.find("staffError", timeout=5)
    assert kiosk.desk.mode == "sign_in" and kiosk.desk.view["id"] == "" and not kiosk.desk.view["badge"]


def test_a_badge_during_a_citizens_session_opens_nothing(kiosk, driver, services):
    gate = make_staff(services.paths)
    badge = EmulatedBadge.create("2001")
    gate.staff.enrol_card(gate.staff.authenticate("1001", "482913"), "2001", badge.public_key)
    driver.click("lang-fr")
    driver.wait_state("identify")
    kiosk.reader.insert(badge)
    driver.pump(0.3)
    assert kiosk.desk.mode == "closed" and kiosk.model.state == "identify"


def test_technician_enrols_a_badge_on_the_staff_page(kiosk, driver, services):
    from tests.ui.test_gui_desk import sign_in

    gate = make_staff(services.paths)
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskStaffAccounts")
    driver.click("staffBadge-2001")
    driver.find("staffBadgeWait-2001")
    kiosk.reader.insert(EmulatedBadge.create("2009"))  # somebody else's badge: refused
    wait_for(driver, lambda: "2009" in (kiosk.desk.view.get("error") or ""))
    assert not [r for r in gate.staff.listing() if r["badge"]]
    kiosk.reader.remove()
    driver.click("staffBadge-2001")
    badge = EmulatedBadge.create("2001")
    kiosk.reader.insert(badge)
    wait_for(driver, lambda: kiosk.desk.view.get("notice"))
    rows = {r["id"]: r for r in gate.staff.listing()}
    assert rows["2001"]["badge"] and not rows["1001"]["badge"]
    assert "staff.card_enrol" in [r["action"] for r in gate.audit.records()]
    # The badge now signs the agent in (with the PIN), from Welcome.
    kiosk.reader.remove()
    driver.click("deskBack")
    driver.click("deskSignOut")
    kiosk.reader.insert(badge)
    driver.find("staffBadge", timeout=5)
    assert kiosk.desk.view["id"] == "2001"
    # And removing it on the staff page unbinds it.
    kiosk.desk.close()
    kiosk.reader.remove()
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskStaffAccounts")
    driver.click("staffBadgeRemove-2001")
    assert not {r["id"]: r for r in gate.staff.listing()}["2001"]["badge"]
