"""The technician's catalog screen, touched: a tampered package on the USB stick is
refused with its reason and the catalog stays; a good one is installed and used."""

import pytest

from kiosk.procedures import package as pkg
from tests.kiosk.procedures.test_admin import tampered
from tests.kiosk.procedures.test_package import make_package

pytestmark = pytest.mark.gui


@pytest.fixture
def stick(tmp_path):
    usb = tmp_path / "media" / "tech" / "USB"
    usb.mkdir(parents=True)
    return usb


@pytest.fixture
def screen(services, qapp, tmp_path, stick):
    from ui.main import configure_qt
    configure_qt()
    from ui.technician import TechnicianWindow

    w = TechnicianWindow(services, size=(1080, 1920), lang="fr", usb_roots=[tmp_path / "media"])
    w.window.show()
    yield w
    w.close()


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_tampered_refused_then_good_installed(screen, services, stick, tmp_path, lang):
    bad = tampered(tmp_path, stick)
    good = make_package(stick, 7, name="z-edition-7.zip")
    screen.model.setLanguage(lang)
    screen.model.refresh()
    from ui.driver import Driver
    d = Driver(screen)
    names = [p["name"] for p in screen.model.screen["packages"]]
    assert names == [bad.name, good.name]
    d.click("package-0")
    outcome = screen.model.screen["outcome"]
    assert outcome["ok"] is False and outcome["code"] == "tampered"
    assert d.text_of("outcomeText") == outcome["text"] and d.text_of("outcomeDetail")
    assert pkg.installed(services.paths) == [] and services.catalog.version == 1
    d.click("package-1")
    assert screen.model.screen["outcome"]["ok"] is True
    assert services.catalog.version == 7 and pkg.active_edition(services.paths) == 7
    assert d.items("edition-7")
