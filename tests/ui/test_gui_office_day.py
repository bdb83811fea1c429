"""Issue 8's 'done when', as one day in an office, on the real screens, with a real
intake on 127.0.0.1: the technician sets the kiosk up from the office's USB stick and
enrols the agent's staff card, with no network for the kiosk; the kiosk restarts; the
agent signs in with the card and PIN, runs an assisted session, citizens serve
themselves, the agent sends the queue, closes the kiosk for a moment and opens it
again. Every submission reaches the back office once; the audit log holds the day."""

import json
import time

from kiosk.card.emulator.badge import EmulatedBadge
from kiosk.keys import init as init_key
from kiosk.paths import KioskPaths
from kiosk.services import Services
from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage
from tests.kiosk.sync.conftest import kiosk_cmd, serve
from tests.staff_helpers import make_staff
from tests.ui.conftest import make_kiosk
from tests.ui.test_gui_desk import sign_in
from tests.ui.test_gui_printing import submit_by_touch
from tests.ui.test_gui_slice import answers_for
from ui.driver import Driver, complete_procedure

ASSISTED = "cnss.attestation-affiliation"


def wait_for(driver, condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        driver.pump(0.05)


def test_an_office_day(services, qapp, tmp_path):
    # The back office, once: its intake, and the provisioning file on a USB stick.
    db = tmp_path / "backoffice" / "intake.sqlite"
    kiosk_cmd("intake", "init", "--db", db)
    storage = SqliteStorage(db)
    url, stop = serve(create_app(storage, IntakeKeys.load(keys_dir(db)).signing))
    media = tmp_path / "media"
    stick = media / "USB"
    stick.mkdir(parents=True)
    kiosk_cmd("intake", "provisioning", "--db", db, "--endpoint", url, "--issuer", "CNSS Rabat",
              "--set", "kiosk.office=Agence CNSS Rabat-Agdal", "--out", stick)
    try:
        # The technician at the kiosk, by touch: provisioning, the kiosk's key on the stick,
        # the agent's staff card.
        gate = make_staff(services.paths)
        init_key(services.paths)
        kiosk = make_kiosk(services, (1080, 1920))
        driver = Driver(kiosk)
        kiosk.desk.usb_roots[:] = [media]
        sign_in(driver, pin="482913", staff="1001")
        driver.click("deskProvision")
        driver.click("provisionApply")
        driver.click("provisionExport")
        driver.click("provisionBack")
        driver.click("deskStaffAccounts")
        driver.click("staffBadge-2001")
        badge = EmulatedBadge.create("2001")
        kiosk.reader.insert(badge)
        wait_for(driver, lambda: {r["id"]: r for r in gate.staff.listing()}["2001"]["badge"], "badge not enrolled")
        kiosk.reader.remove()
        driver.click("deskBack")
        driver.click("deskSignOut")
        kiosk.close()
        services.close()

        # The back office enrols the kiosk from the file the technician brought back.
        kiosk_cmd("intake", "enrol", "--db", db, "--from", stick / "guichet-kiosk-DEMO-KIOSK-01.toml")

        # The kiosk starts again with its new settings, as `kiosk run` does.
        services = Services.open(KioskPaths.from_env())
        assert services.settings["kiosk.office"] == "Agence CNSS Rabat-Agdal"
        assert services.start_sync(interval=60) is not None
        kiosk = make_kiosk(services, (1080, 1920))
        driver = Driver(kiosk)

        # The agent: staff card, PIN, an assisted session for a citizen.
        kiosk.reader.insert(badge)
        driver.find("staffBadge", timeout=5)
        for d in "559301":
            driver.click(f"staffkey-{d}")
        driver.click("staffOk")
        assert kiosk.desk.mode == "dashboard"
        kiosk.reader.remove()
        driver.click("deskAssist")
        driver.wait_state("identify")
        driver.click("demoCard")
        driver.wait_state("confirm")
        driver.click("confirmMe")
        complete_procedure(driver, ASSISTED, answers_for(kiosk, ASSISTED, "ar"))
        driver.wait_state("review")
        driver.click("consent")
        driver.click("submit")
        driver.wait_state("done")
        assisted = driver.text_of("trackingNumber")
        driver.click("finish")
        driver.wait_state("welcome")

        # Citizens on their own, in French and Tamazight.
        numbers = [assisted]
        for lang in ("fr", "zgh"):
            numbers.append(submit_by_touch(kiosk, driver, lang))
            driver.click("finish")
            driver.wait_state("welcome")

        # The agent's dashboard: today's three, one assisted; send now; the back office has
        # each once.
        sign_in(driver)
        today = {r["tracking"]: r for r in kiosk.desk.view["today"]}
        assert set(today) == set(numbers) and [n for n, r in today.items() if r["assisted"]] == [assisted]
        driver.click("deskSendNow")
        wait_for(driver, lambda: services.outbox.counts().get("acknowledged") == 3, "not all received")
        stats = json.loads(kiosk_cmd("intake", "stats", "--db", db, "--json"))
        assert (stats["unique"], stats["duplicates"], stats["rejected"]) == (3, 0, 0)
        assert services.outbox.by_tracking(assisted)["assisted_by"] == "2001"

        # Closed for a moment: citizens see why and cannot start; then open again.
        driver.click("deskOff-maintenance")
        driver.click("deskSignOut")
        assert kiosk.model.screen["outOfService"]
        kiosk.model.start("fr")
        assert kiosk.model.state == "welcome"
        sign_in(driver)
        driver.click("deskBackInService")
        driver.click("deskSignOut")
        kiosk.model.start("fr")
        assert kiosk.model.state == "identify"

        # The day in the audit log, its chain intact.
        actions = [r["action"] for r in gate.audit.records()]
        for action in ("provision.apply", "staff.card_enrol", "staff.card_presented", "session.assist",
                       "sync.now", "service.off", "service.on"):
            assert action in actions, action
        report = gate.audit.verify()
        assert report.ok and report.records == len(actions), report.problems
        kiosk.close()
    finally:
        stop()
        storage.close()
        services.close()
