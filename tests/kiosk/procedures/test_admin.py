"""The technician's catalog screen, as data: a tampered or foreign package is refused
with a translated message and the precise reason, and the catalog in use stays."""

import pytest

from kiosk.config import Settings
from kiosk.i18n import LANGUAGES
from kiosk.paths import KioskPaths
from kiosk.procedures import package as pkg
from kiosk.procedures.admin import CatalogAdmin

from .test_package import make_package, members, write_zip


@pytest.fixture
def usb(tmp_path):
    stick = tmp_path / "media" / "technicien" / "CLE-USB"
    stick.mkdir(parents=True)
    return stick


@pytest.fixture
def admin(tmp_path, usb):
    paths = KioskPaths.from_env({"KIOSK_HOME": str(tmp_path / "home")}).ensure()
    return CatalogAdmin(paths, Settings.load(paths.config_file), usb_roots=[tmp_path / "media"])


def tampered(tmp_path, usb):
    good = make_package(tmp_path, 5)
    entries = members(good)
    name = next(n for n in entries if n.startswith("catalog/") and n.endswith(".yaml")
                and not n.endswith("catalog.yaml"))
    entries[name] = entries[name].replace(b"version: 1", b"version: 9", 1)
    return write_zip(usb / "catalogue-modifie.zip", entries)


def test_packages_on_the_stick_are_listed(admin, usb, tmp_path):
    make_package(usb, 3, name="edition-3.zip")
    (usb / "notes.txt").write_text("x")
    assert [p.name for p in admin.packages()] == ["edition-3.zip"]


def test_a_tampered_package_is_refused_and_nothing_changes(admin, usb, tmp_path):
    before = pkg.active_catalog_dir(admin.paths)
    outcome = admin.import_package(tampered(tmp_path, usb))
    assert not outcome.ok and outcome.code == "tampered"
    assert "catalog/" in outcome.detail  # the precise file, for the technician
    assert pkg.active_catalog_dir(admin.paths) == before and pkg.installed(admin.paths) == []
    texts = {lang: admin.view(lang)["outcome"]["text"] for lang in LANGUAGES}
    assert len(set(texts.values())) == 3
    assert texts["fr"].startswith("Refusé")


def test_a_package_from_an_unknown_publisher_is_refused(admin, usb, tmp_path):
    priv, _, _ = pkg.keygen(tmp_path / "stranger")
    outcome = admin.import_package(make_package(usb, 4, key=priv, name="inconnu.zip"))
    assert not outcome.ok and outcome.code == "unknown-key"
    assert pkg.installed(admin.paths) == []


def test_a_good_package_is_installed_then_rolled_back(admin, usb, tmp_path):
    two, three = make_package(usb, 2, name="e2.zip"), make_package(usb, 3, name="e3.zip")
    assert admin.import_package(two).ok and admin.import_package(three).ok
    view = admin.view("fr")
    assert view["inUse"] == "Catalogue en service : édition 3"
    assert [(e["edition"], e["active"]) for e in view["editions"]] == [(2, False), (3, True)]
    outcome = admin.rollback(2)
    assert outcome.ok and admin.view("ar")["outcome"]["text"] and pkg.active_edition(admin.paths) == 2
    # An older edition offered again is refused (rollback is the way back, on purpose).
    assert admin.import_package(two).code in ("already-installed", "older-version")
