"""A submission made by touch prints its receipt through a real CUPS server (a private
cupsd started here): the Done screen follows the job; a printer fault leaves the
tracking number on screen, tells the citizen to see an agent, and puts the receipt in
the agent's reprint list, from which it prints once the printer is back."""

import itertools
import os
import shutil
import subprocess

import pytest

from kiosk.receipts.authenticity import verify
from tests.printing.cups_server import PrivateCups
from tests.staff_helpers import make_staff
from tests.ui.test_gui_slice import answers_for
from ui.driver import complete_procedure

PROC = "commune.extrait-acte-naissance"
_n = itertools.count(1)


@pytest.fixture(scope="module")
def cups():
    with PrivateCups() as server:
        yield server


@pytest.fixture
def queue(cups, services):
    name = f"kiosk{next(_n)}"
    cups.add_queue(name)
    services.settings.values.update({"printer.kind": "cups", "printer.queue": name,
                                     "printer.cups_server": cups.server})
    services._printer = None
    yield name
    cups.delete_queue(name)


def submit_by_touch(kiosk, driver, lang):
    driver.click(f"lang-{lang}")
    driver.click("demoCard")
    driver.wait_state("confirm")
    driver.click("confirmMe")
    complete_procedure(driver, PROC, answers_for(kiosk, PROC, lang))
    driver.wait_state("review")
    driver.click("consent")
    driver.click("submit")
    driver.wait_state("done")
    return driver.text_of("trackingNumber")


def wait_print(kiosk, driver, timeout=15.0):
    import time
    deadline = time.monotonic() + timeout
    while kiosk.model.screen.get("done", {}).get("print") == "printing":
        assert time.monotonic() < deadline, "the print never finished"
        driver.pump(0.02)
    return kiosk.model.screen["done"]["print"]


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_receipt_prints_through_cups(kiosk, driver, services, cups, queue, lang, tmp_path):
    number = submit_by_touch(kiosk, driver, lang)
    assert wait_print(kiosk, driver) == "printed"
    assert services.outbox.by_tracking(number)["printed_at"] is not None
    out = cups.output(queue)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    w = float(info.split("Page size:")[1].split("x")[0])
    assert abs(w - 80 / 25.4 * 72) < 1, info  # the roll, not A4
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True).stdout
    assert number in text
    # What the agent's scanner would read verifies against this kiosk's key.
    qr = services.receipt_data(number).qr
    assert verify(qr, lambda k: services.kiosk_key().public_key()).valid
    # The printed page as an image, kept with the test run's artefacts (not committed).
    artefacts = os.environ.get("GUICHET_ARTEFACTS", str(tmp_path))
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(out),
                        os.path.join(artefacts, f"printed-receipt-{lang}")], check=True)
    driver.click("finish")
    driver.wait_state("welcome")


def test_paused_printer_keeps_the_number_and_feeds_the_reprint_list(kiosk, driver, services, cups, queue):
    from kiosk.desk import Desk

    cups.disable(queue, "paper being changed")
    number = submit_by_touch(kiosk, driver, "fr")
    assert wait_print(kiosk, driver) == "failed"
    assert driver.text_of("trackingNumber") == number            # still on screen
    assert "agent" in driver.text_of("receiptStatus")            # see an agent (fr)
    row = services.outbox.by_tracking(number)
    assert row["printed_at"] is None and row["print_error"] == "paused" and row["state"] == "queued"
    assert [r["tracking"] for r in services.outbox.unprinted()] == [number]
    driver.click("finish")
    driver.wait_state("welcome")
    # The agent sees it, the printer comes back, the agent reprints it.
    make_staff(services.paths)
    desk = Desk(services)
    assert desk.sign_in("2001", "559301")
    view = desk.view("fr")
    assert view["unprinted"] == 1 and view["today"][0]["print_problem"]
    cups.enable(queue)
    desk.reprint(number)
    assert desk.error is None and services.outbox.by_tracking(number)["printed_at"]
    assert cups.output(queue).exists()


def test_card_removed_mid_print_ends_the_session_and_the_outcome_is_recorded(kiosk, driver, services, cups, queue):
    """The citizen takes the card while the receipt prints: Welcome at once (no grace on
    Done), the print goes on in the background and its outcome lands in the outbox row."""
    import time

    cups.disable(queue, "paper being changed")  # the job then takes about a second to fail
    number = submit_by_touch(kiosk, driver, "fr")
    assert kiosk.model.screen["done"]["print"] == "printing"
    kiosk.model.removeCard()
    driver.wait_state("welcome", timeout=2)
    assert kiosk.session.result is None and kiosk.session.identity is None
    deadline = time.monotonic() + 15
    while services.outbox.by_tracking(number)["print_error"] is None:
        assert time.monotonic() < deadline, "the print outcome was never recorded"
        driver.pump(0.05)
    row = services.outbox.by_tracking(number)
    assert row["print_error"] == "paused" and row["state"] == "queued" and row["payload"]
    assert kiosk.model.state == "welcome" and not driver.items("cardAway")


def test_rejecting_queue_is_a_failure_with_the_submission_intact(kiosk, driver, services, cups, queue):
    cups.reject(queue, "out of order")
    number = submit_by_touch(kiosk, driver, "ar")
    assert wait_print(kiosk, driver) == "failed"
    row = services.outbox.by_tracking(number)
    assert row["print_error"] == "rejected" and row["state"] == "queued" and row["payload"]


def test_technician_chooses_the_cups_queue_and_prints_a_test(kiosk, driver, services, cups, queue):
    from tests.ui.test_gui_desk import sign_in

    other = f"other{next(_n)}"
    cups.add_queue(other)
    services.settings.values.update({"printer.kind": "file"})
    services._printer = None
    gate = make_staff(services.paths)
    # An agent sees no printer choice.
    sign_in(driver)
    assert not driver.items(f"printer-cups-{other}") and kiosk.desk.view["printers"] == []
    driver.click("deskSignOut")
    sign_in(driver, pin="482913", staff="1001")
    driver.click(f"printer-cups-{other}")
    assert services.settings["printer.kind"] == "cups" and services.settings["printer.queue"] == other
    from kiosk.config import Settings
    assert Settings.load(services.paths.config_file)["printer.queue"] == other  # kept on disk
    driver.click("deskTestPrint")
    assert driver.text_of("deskNotice")
    assert cups.output(other).exists()
    actions = [(r["actor"], r["action"]) for r in gate.audit.records()]
    assert ("1001", "printer.choose") in actions and ("1001", "printer.test") in actions
    cups.delete_queue(other)
