"""The technician's provisioning page: the office's file on a USB stick, what it would
change, apply it through the gate, and this kiosk's key written back onto the stick."""

import pytest

from kiosk import provisioning as prov
from kiosk.desk import Desk
from kiosk.keys import init as init_key
from kiosk.provisioning_screen import ProvisionPage
from tests.kiosk.test_provisioning import publisher_pem
from tests.staff_helpers import make_staff

X25519 = "x25519:" + "B" * 43
ED25519 = "ed25519:" + "C" * 43


@pytest.fixture
def usb(tmp_path):
    root = tmp_path / "media"
    (root / "STICK").mkdir(parents=True)
    return root


@pytest.fixture
def desk(services):
    make_staff(services.paths)
    return Desk(services)


def write(usb, **extra):
    return prov.write_profile(usb / "STICK", endpoint="https://intake.example.gov.ma",
                              backoffice_key=X25519, intake_key=ED25519, issuer="CNSS Rabat",
                              publisher_keys=[publisher_pem()], **extra)


def test_technician_reads_the_changes_then_applies_them(desk, services, usb):
    assert desk.sign_in("1001", "482913")
    page = ProvisionPage(desk, [usb], mounted_only=False)
    page.scan()
    assert page.view("fr")["status"] == "no_file"
    write(usb, settings={"kiosk.office": "Agence CNSS Rabat-Agdal"})
    page.scan()
    view = page.view("ar")
    assert view["status"] == "ready" and view["canApply"] and view["issuer"] == "CNSS Rabat"
    shown = {c["setting"]: c for c in view["changes"]}
    assert {"sync.endpoint", "sync.backoffice_key", "kiosk.office", "catalog.trusted_keys"} <= set(shown)
    assert shown["catalog.trusted_keys"]["new"].count(" ") == 3  # a fingerprint, not a folder
    assert "B" * 10 not in shown["sync.backoffice_key"]["new"]  # a fingerprint, not the key
    assert services.settings["sync.endpoint"] == ""  # reading changed nothing
    page.apply()
    assert page.view("fr")["status"] == "applied" and page.view("fr")["notice"]
    assert services.settings["sync.endpoint"] == "https://intake.example.gov.ma"
    assert services.settings["kiosk.office"] == "Agence CNSS Rabat-Agdal"
    assert "provision.apply" in [r["action"] for r in desk.gate.audit.records()]
    page.scan()
    assert page.view("fr")["line"] and not page.view("fr")["canApply"]  # nothing left to change


def test_a_refused_file_says_so_and_changes_nothing(desk, services, usb):
    assert desk.sign_in("1001", "482913")
    path = write(usb)
    path.write_text(path.read_text().replace("x25519:", "x25519:Z"))
    page = ProvisionPage(desk, [usb], mounted_only=False)
    page.scan()
    view = page.view("fr")
    assert view["status"] == "refused" and view["problem"] and not view["canApply"]
    page.apply()
    assert services.settings["sync.endpoint"] == ""


def test_an_agent_cannot_apply(desk, services, usb):
    write(usb)
    assert desk.sign_in("2001", "559301")
    page = ProvisionPage(desk, [usb], mounted_only=False)
    page.scan()
    page.apply()
    assert services.settings["sync.endpoint"] == "" and desk.error is not None
    assert "provision.apply.denied" in [r["action"] for r in desk.gate.audit.records()]


def test_the_kiosk_key_goes_onto_the_stick(desk, services, usb):
    assert desk.sign_in("1001", "482913")
    page = ProvisionPage(desk, [usb], mounted_only=False)
    page.scan()
    page.export_kiosk()
    assert "kiosk keys init" in page.view("fr")["problem"]  # the command is a parameter-free name
    assert not list((usb / "STICK").glob("guichet-kiosk-*"))
    init_key(services.paths)
    page.export_kiosk()
    written = usb / "STICK" / f"guichet-kiosk-{services.settings['kiosk.id']}.toml"
    assert prov.read_kiosk(written)["id"] == services.settings["kiosk.id"]
    assert page.view("fr")["exported"] == written.name


def test_no_stick(desk, tmp_path):
    assert desk.sign_in("1001", "482913")
    page = ProvisionPage(desk, [tmp_path / "nothing"])
    page.scan()
    assert page.view("zgh")["status"] == "no_stick" and page.view("zgh")["line"]


def test_a_refused_setting_is_told_in_the_desk_language(desk, usb):
    assert desk.sign_in("1001", "482913")
    write(usb, settings={"session.idle_warning": 5})
    page = ProvisionPage(desk, [usb], mounted_only=False)
    page.scan()
    ar, fr = page.view("ar")["problem"], page.view("fr")["problem"]
    assert page.status == "refused" and "session.idle_warning" in fr and "600" in fr
    assert ar != fr and any("\u0600" <= c <= "\u06ff" for c in ar)  # Arabic, the rule included
