"""The technician sets the kiosk up from the office's USB stick, by touch: the page shows
what would change, applies it, and writes the kiosk's key back onto the stick."""

from kiosk import provisioning as prov
from kiosk.keys import init as init_key
from tests.kiosk.test_provisioning import publisher_pem
from tests.staff_helpers import make_staff
from tests.ui.test_gui_desk import sign_in


def test_set_up_from_the_stick_by_touch(kiosk, driver, services, tmp_path):
    make_staff(services.paths)
    init_key(services.paths)
    root = tmp_path / "media"
    (root / "USB").mkdir(parents=True)
    prov.write_profile(root / "USB", endpoint="https://intake.example.gov.ma",
                       backoffice_key="x25519:" + "B" * 43, intake_key="ed25519:" + "C" * 43,
                       issuer="CNSS Rabat", publisher_keys=[publisher_pem()],
                       settings={"kiosk.office": "Agence CNSS Rabat-Agdal"})
    kiosk.desk.usb_roots[:] = [root]
    sign_in(driver, pin="482913", staff="1001")
    driver.click("deskProvision")
    assert kiosk.desk.mode == "provision"
    assert len(driver.items("change-0")) == 1 and kiosk.desk.view["canApply"]
    assert services.settings["sync.endpoint"] == ""
    driver.click("provisionApply")
    assert services.settings["sync.endpoint"] == "https://intake.example.gov.ma"
    assert services.settings["kiosk.office"] == "Agence CNSS Rabat-Agdal"
    assert driver.text_of("provisionNotice") != "" and not driver.items("provisionApply")
    driver.click("provisionExport")
    assert (root / "USB" / f"guichet-kiosk-{services.settings['kiosk.id']}.toml").exists()
    driver.click("provisionBack")
    assert kiosk.desk.mode == "dashboard"


def test_an_agent_has_no_way_in(kiosk, driver, services):
    make_staff(services.paths)
    sign_in(driver)  # the agent
    assert not driver.items("deskProvision")
    kiosk.desk.openProvision()  # even called directly
    assert kiosk.desk.mode == "dashboard"
