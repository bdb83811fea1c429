"""Offline transfer on a USB stick: export, import at the intake (idempotently), signed
acknowledgements brought back; a tampered bundle or acknowledgement file is refused."""

import json

from .conftest import kiosk_cmd as kiosk, provision as provision_intake


def provision(tmp_path):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision_intake(db)
    return db


def submit(n):
    example = kiosk("catalog", "example", "cnss.attestation-affiliation")
    return [json.loads(kiosk("queue", "submit", "--procedure", "cnss.attestation-affiliation",
                             "--answers", "-", input=example))["id"] for _ in range(n)]


def status():
    return json.loads(kiosk("queue", "status", "--json"))


def test_usb_round_trip_is_idempotent(kiosk_home, tmp_path):
    db = provision(tmp_path)
    submit(3)
    stick = tmp_path / "usb"
    assert "3 submissions" in kiosk("queue", "export", stick)
    [bundle] = stick.glob("guichet-bundle-*.json")
    assert b"0612345678" not in bundle.read_bytes()  # sealed: useless to whoever finds the stick
    assert "stored 3, already had 0" in kiosk("intake", "import-bundle", "--db", db, bundle)
    assert "stored 0, already had 3" in kiosk("intake", "import-bundle", "--db", db, bundle)
    acks = bundle.with_name(bundle.stem + ".acks.json")
    assert "3 acknowledged" in kiosk("queue", "import-acks", acks)
    assert status()["acknowledged"] == 3 and status()["queued"] == 0
    assert "0 acknowledged" in kiosk("queue", "import-acks", acks)
    assert json.loads(kiosk("intake", "stats", "--db", db, "--json"))["unique"] == 3


def test_tampered_bundle_and_acks_are_refused(kiosk_home, tmp_path):
    db = provision(tmp_path)
    submit(2)
    stick = tmp_path / "usb"
    kiosk("queue", "export", stick)
    [bundle] = stick.glob("guichet-bundle-*.json")
    good = bundle.read_text(encoding="utf-8")
    doc = json.loads(good)
    doc["items"][0]["procedure_version"] = 99
    bundle.write_text(json.dumps(doc), encoding="utf-8")
    assert "signature does not match" in kiosk("intake", "import-bundle", "--db", db, bundle, ok=False)
    assert json.loads(kiosk("intake", "stats", "--db", db, "--json"))["received"] == 0
    bundle.write_text(good, encoding="utf-8")
    kiosk("intake", "import-bundle", "--db", db, bundle)
    acks = bundle.with_name(bundle.stem + ".acks.json")
    adoc = json.loads(acks.read_text(encoding="utf-8"))
    adoc["results"].append({"id": "00000000-0000-4000-8000-000000000000", "status": "stored"})
    acks.write_text(json.dumps(adoc), encoding="utf-8")
    assert "refused" in kiosk("queue", "import-acks", acks, ok=False)
    assert status()["acknowledged"] == 0


def test_a_bundle_from_an_unknown_kiosk_is_refused(kiosk_home, tmp_path):
    db = tmp_path / "other" / "intake.sqlite"
    kiosk("intake", "init", "--db", db)
    kiosk("keys", "init")
    submit(1)
    stick = tmp_path / "usb"
    kiosk("queue", "export", stick)
    [bundle] = stick.glob("guichet-bundle-*.json")
    assert "not enrolled" in kiosk("intake", "import-bundle", "--db", db, bundle, ok=False)
