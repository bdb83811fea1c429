"""`kiosk doctor` and `kiosk diagnostics export`: every check says what it found and the
fix; broken set-ups give precise FAIL lines; the bundle holds no citizen's personal data."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk import doctor, keys
from kiosk.cli import cli
from kiosk.doctor import FAIL, OK, WARN, run_checks, scrub
from kiosk.paths import KioskPaths
from tests.staff_helpers import AGENT, TECH, make_staff_cli

CREATED = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone.utc)


def by_name(checks) -> dict:
    return {c.name: c for c in checks}


def lines(checks) -> str:
    return "\n".join(c.line() for c in checks)


def run(*args, ok=True, env=None):
    r = CliRunner().invoke(cli, [str(a) for a in args], env=env or {})
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(services, name: str, **kw):
    return by_name(run_checks(services.paths, **kw))[name]


def submit(services, payload: dict | None = None):
    return services.outbox.submit("cnss.ipe", 2, "fr", payload or {"cin": "AB123456"},
                                  {"office": "Rabat"})


# --- a healthy demo kiosk -----------------------------------------------------------
def test_a_healthy_demo_kiosk_has_no_fail(services):
    submit(services)
    start = time.monotonic()
    checks = run_checks(services.paths)
    elapsed = time.monotonic() - start
    warnings = [c.line() for c in checks if c.status == WARN]
    assert not [c for c in checks if c.status == FAIL], lines(checks)
    assert elapsed < 3.0, f"{elapsed:.2f} s"
    assert [c.name for c in checks] == [name for name, _ in doctor.CHECKS]
    for c in checks:
        assert c.status in (OK, WARN, FAIL) and c.found, c
        assert (c.fix == "") == (c.status == OK), c.line()
        assert "\n" not in c.line()
    found = by_name(checks)
    assert found["config"].found.startswith("demo mode"), warnings
    assert "1 queued" in found["database"].found and "integrity ok" in found["database"].found
    assert found["sync"].status == WARN and "submissions wait on the kiosk" in found["sync"].found
    assert "bundled catalog" in found["catalog"].found


def test_one_failing_or_hanging_check_never_stops_the_others(services, monkeypatch):
    def broken(ctx):
        raise ZeroDivisionError("boom")

    def hangs(ctx):
        time.sleep(30)

    monkeypatch.setattr(doctor, "HANG_MARGIN", 0.5)
    monkeypatch.setattr(doctor, "CHECKS", (("broken", broken), ("hangs", hangs),
                                           *doctor.CHECKS[:2]))
    checks = by_name(run_checks(services.paths, timeout=0.2))
    assert checks["broken"].status == FAIL
    assert checks["broken"].found == "the check failed: ZeroDivisionError: boom"
    assert checks["hangs"].status == FAIL and "hangs" in checks["hangs"].found
    assert checks["config"].status == OK and checks["identity"].status == OK


# --- broken set-ups: the precise FAIL and its fix ------------------------------------
def test_damaged_database(services):
    submit(services)
    services.close()
    for suffix in ("-wal", "-shm"):
        Path(str(services.paths.database) + suffix).unlink(missing_ok=True)
    services.paths.database.write_bytes(b"this is not a database, " * 200)
    c = check(services, "database")
    assert c.status == FAIL, c.line()
    assert c.found.startswith("damaged:") and "not a database" in c.found
    assert "`kiosk queue recover`" in c.fix


def test_old_pending_submissions_warn(services):
    submit(services)
    c = check(services, "database", now=dt.datetime.now().astimezone() + dt.timedelta(days=3))
    assert c.status == WARN and "oldest pending 3.0 days" in c.found, c.line()
    assert "`kiosk queue export DIR`" in c.fix


def test_tampered_audit_log(kiosk_home, services):
    run("config", "set", "kiosk.office", "Agence Rabat")
    run("config", "set", "kiosk.office", "Agence Salé")
    assert check(services, "audit-log").found == "2 records, hash chain intact"
    log = services.paths.audit_log
    log.write_text(log.read_text().replace("Rabat", "Fès"))
    c = check(services, "audit-log")
    assert c.status == FAIL, c.line()
    assert c.found.startswith("TAMPERED: line 1: record 1 was changed after it was written")
    assert "`kiosk audit verify`" in c.fix


def test_production_with_the_demo_backoffice_key_and_no_kiosk_key(services):
    services.settings.set("kiosk.mode", "production")
    checks = by_name(run_checks(services.paths))
    sealing = checks["sealing-key"]
    assert sealing.status == FAIL, sealing.line()
    assert "DEMO back-office key" in sealing.found and "no submission can be saved" in sealing.found
    assert "`kiosk config set sync.backoffice_key x25519:…`" in sealing.fix
    key = checks["kiosk-key"]
    assert key.status == FAIL and key.found.startswith("no kiosk signing key at "), key.line()
    assert key.fix.startswith("`kiosk keys init`")
    identity = checks["identity"]
    assert identity.status == FAIL and "kiosk.id and kiosk.code are still the demo default" in identity.found
    assert "`kiosk config set kiosk.code CODE`" in identity.fix
    assert checks["staff"].status == FAIL and "`kiosk staff add" in checks["staff"].fix
    assert checks["config"].found.startswith("production mode")
    assert checks["catalog"].status == FAIL and "catalog.trusted_keys" in checks["catalog"].fix
    assert checks["card-trust"].status == FAIL and "card.trust_store" in checks["card-trust"].fix

    # the same kiosk, set up: its key, the back office's key
    public = keys.public_text(keys.init(services.paths).public_key())
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    backoffice = keys.public_text(X25519PrivateKey.generate().public_key())
    services.settings.set("sync.backoffice_key", backoffice)
    checks = by_name(run_checks(services.paths))
    assert checks["kiosk-key"].status == OK and checks["kiosk-key"].found.startswith(public)
    assert checks["sealing-key"].status == OK and backoffice in checks["sealing-key"].found


def test_demo_card_source_fails_in_production(services):
    services.settings.set("card.source", "demo")
    assert check(services, "card-reader").status == OK
    services.settings.set("kiosk.mode", "production")
    c = check(services, "card-reader")
    assert c.status == FAIL and "the sample identity, no card is read" in c.found
    assert "`kiosk config set card.source pcsc`" in c.fix


def test_unreadable_kiosk_key(services):
    keys.key_path(services.paths).write_text("not a key")
    c = check(services, "kiosk-key")
    assert c.status == FAIL and "unreadable key" in c.found and "`kiosk keys init --force`" in c.fix


def test_invalid_and_unknown_settings(services):
    path = services.paths.config_file
    path.write_text('[kiosk]\nmode = "demo"\ncode = "x"\n[printr]\nkind = "file"\n')
    c = check(services, "config")
    assert c.status == FAIL and "kiosk.code: 'x' is not 3-8 capital letters or digits" in c.found
    path.write_text('[kiosk]\nmode = "demo"\n[printr]\nkind = "file"\n')
    c = check(services, "config")
    assert c.status == WARN and "printr.kind" in c.found
    path.write_text('[kiosk\nmode = "production"\n')
    c = check(services, "config")
    assert c.status == FAIL and "cannot be read" in c.found and "the kiosk runs on defaults" in c.found


def test_printer_folder_not_writable(services, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    services.settings.set("printer.folder", str(blocker / "receipts"))
    c = check(services, "printer")
    assert c.status == FAIL, c.line()
    assert c.found.startswith(f"file {blocker / 'receipts'}: not ready (unreachable; offline)")
    assert "`kiosk config set printer.folder DIR`" in c.fix and "`kiosk printer test`" in c.fix


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_printer_folder_without_write_permission(services, tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o500)
    services.settings.set("printer.folder", str(folder))
    c = check(services, "printer")
    assert c.status == FAIL and "folder not writable" in c.found


def test_printer_unreachable(services):
    address = f"tcp:127.0.0.1:{free_port()}"
    services.settings.set("printer.kind", "escpos")
    services.settings.set("printer.address", address)
    c = check(services, "printer")
    assert c.status == FAIL, c.line()
    assert c.found.startswith(f"escpos {address}: not ready (unreachable; offline)")
    assert f"check its cable and address {address}" in c.fix
    assert "`kiosk config set printer.address tcp:HOST:9100`" in c.fix


def test_cups_without_a_queue_name(services):
    services.settings.set("printer.kind", "cups")
    c = check(services, "printer")
    assert c.status == FAIL and "bad CUPS queue name" in c.found
    assert "`kiosk config set printer.queue NAME`" in c.fix


def test_disk_thresholds(services, monkeypatch):
    assert check(services, "disk").status == OK
    monkeypatch.setattr(doctor, "DISK_WARN_BYTES", 10**18)
    c = check(services, "disk")
    assert c.status == WARN and "below 1000000000.0 GB" in c.found and "receipts" in c.fix
    monkeypatch.setattr(doctor, "DISK_FAIL_BYTES", 10**18)
    assert check(services, "disk").status == FAIL


def test_a_clock_before_2026_fails(services):
    c = check(services, "clock", now=dt.datetime(2000, 1, 1, 0, 5, tzinfo=dt.timezone.utc))
    assert c.status == FAIL and "the system clock says 2000-01-01T00:05:00" in c.found
    assert "timedatectl set-time" in c.fix


# --- the catalog ----------------------------------------------------------------------
def install(tmp_path, paths, edition: int):
    from kiosk.procedures import package as pkg
    from tests.kiosk.procedures.test_package import make_package

    return pkg.import_package(paths, make_package(tmp_path, edition),
                              [pkg.load_public_key(pkg.DEMO_PUBLIC_KEY)])


def test_tampered_installed_catalog_edition(services, tmp_path):
    from kiosk.procedures.package import bundled_edition

    edition = install(tmp_path, services.paths, bundled_edition() + 1)
    c = check(services, "catalog")
    assert c.status == OK and c.found.startswith(
        f"edition {edition.edition}: signature by publisher key "), c.line()
    procedure = next(p for p in edition.path.glob("*.yaml") if p.name != "catalog.yaml")
    procedure.write_text(procedure.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    c = check(services, "catalog")
    assert c.status == FAIL, c.line()
    assert c.found == f"edition {edition.edition}: {edition.path / procedure.name} was modified after installation"
    assert "no earlier edition to roll back to" in c.fix and "`kiosk catalog import FILE`" in c.fix

    newer = install(tmp_path, services.paths, edition.edition + 1)
    (newer.path / "extra.yaml").write_text("id: x\n")
    c = check(services, "catalog")
    assert c.status == FAIL and "files differ from its manifest (extra.yaml)" in c.found
    assert f"`kiosk catalog rollback` (to edition {edition.edition})" in c.fix


def test_installed_edition_signed_by_a_key_no_longer_trusted(services, tmp_path):
    from kiosk.procedures import package as pkg

    edition = install(tmp_path, services.paths, pkg.bundled_edition() + 1)
    _private, public, kid = pkg.keygen(tmp_path / "publisher")
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    public.rename(trusted / public.name)
    services.settings.set("catalog.trusted_keys", str(trusted))
    c = check(services, "catalog")
    assert c.status == FAIL and f"edition {edition.edition}: the package is signed by publisher key" in c.found
    assert kid in c.found and "catalog.trusted_keys" in c.fix


# --- sync -----------------------------------------------------------------------------
def test_sync_endpoint_on_a_closed_port_is_a_warning(services):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    services.settings.set("sync.endpoint", f"http://127.0.0.1:{free_port()}")
    c = check(services, "sync")
    assert c.status == FAIL and "sync.intake_key is empty" in c.found
    services.settings.set("sync.intake_key", keys.public_text(Ed25519PrivateKey.generate().public_key()))
    c = check(services, "sync")
    assert c.status == WARN, c.line()
    assert "unreachable (ConnectError" in c.found and "the kiosk works offline" in c.found
    assert "`kiosk queue export DIR`" in c.fix
    rc = CliRunner().invoke(cli, ["doctor"])
    assert rc.exit_code == 0, rc.output  # a warning is not a failure


def test_sync_with_a_real_intake(services, tmp_path):
    from tests.kiosk.sync.conftest import Intake, serve

    intake = Intake(tmp_path)
    url, stop = serve(intake.app)
    try:
        services.settings.set("sync.endpoint", url + "/")
        services.settings.set("sync.intake_key", keys.public_text(intake.keys.signing.public_key()))
        c = check(services, "sync")
        assert c.status == OK, c.line()
        assert c.found.startswith(f"{url}/v1/health answers in ") and "(protocol " in c.found
        services.settings.set("sync.endpoint", url + "/elsewhere")
        c = check(services, "sync")
        assert c.status == FAIL and "HTTP 404" in c.found and "without /v1" in c.fix
    finally:
        stop()
        intake.storage.close()


def test_sync_with_an_unreadable_ca_file(services, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    services.settings.set("sync.endpoint", "https://127.0.0.1:9")
    services.settings.set("sync.intake_key", keys.public_text(Ed25519PrivateKey.generate().public_key()))
    services.settings.set("sync.ca_file", str(bad))
    c = check(services, "sync")
    assert c.status == FAIL and "sync.ca_file" in c.found and "sync.ca_file" in c.fix


# --- the command ------------------------------------------------------------------------
def test_doctor_command_output_and_exit_codes(services):
    out = run("doctor")
    assert len(out.splitlines()) == len(doctor.CHECKS)
    assert out.splitlines()[0].startswith("ok    config: demo mode")
    data = json.loads(run("doctor", "--json"))
    assert [d["name"] for d in data] == [name for name, _ in doctor.CHECKS]
    assert set(data[0]) == {"name", "status", "found", "fix", "title"}  # title: added
    assert all(isinstance(d[k], str) for d in data for k in ("name", "status", "found", "fix"))
    assert data[0]["title"] == "Settings" and data[0]["found"].startswith("demo mode")

    services.close()
    services.paths.database.parent.mkdir(parents=True, exist_ok=True)
    services.paths.database.write_bytes(b"\x00garbage" * 512)
    out = run("doctor", ok=False)
    line = next(ln for ln in out.splitlines() if ln.startswith("FAIL  database: "))
    assert line.startswith("FAIL  database: damaged: ") and line.endswith(
        "— `kiosk queue recover` (keeps the damaged file aside, copies every readable "
        "submission to a new one)")
    assert CliRunner().invoke(cli, ["doctor", "--json"]).exit_code == 1


# --- the scrubber -----------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "cin AB123456 read", "CIN: K654321", "call 0612345678 now", "tel 06 12 34 56 78.",
    "tel 07-12-34-56-78", "phone +212612345678", "phone +212 6 12 34 56 78", "00212712345678",
    "mail fatima.zahra@example.ma", "rib 007780000123456789012345", "RIB 007 780 0001234567890123 45",
    "iban MA64 0077 8000 0123 4567 8901 2345", "born 17/04/1991", "born 7.4.1991",
    "born 1991-04-17 in Fès", "IDMAR1234567<8AB123456<<<<<<<<", "P<MARALAOUI<<FATIMA<ZAHRA<<<<<<<<<<<<<<<<<<<",
    'payload {"surname": "Alaoui"}', "given_names=Fatima",
])
def test_scrub_removes_what_looks_like_personal_data(text):
    out = scrub(text)
    assert "[removed]" in out, out
    for secret in ("AB123456", "654321", "12345678", "fatima", "0123456789", "1991", "ALAOUI",
                   "Alaoui", "Fatima"):
        assert secret not in out, (text, out)


@pytest.mark.parametrize("text", [
    "2026-11-22 10:31:05,123 INFO kiosk.services: receipt for DEMO1-261122-0001-8 printed",
    "saved at 2026-11-22T10:31:05+01:00, attempts 3, HTTP 503, port 9100",
    "sealed with X25519 to the back office; Ed25519 signature; edition 12; 2048 bytes",
    "WARNING kiosk.card.reading: status 6A82 (file not found), 0.612 s",
    "an interrupted session was cleaned up: procedure cnss.ipe v2, step 3",
    "R12345-261122-0007-X acknowledged",
])
def test_scrub_keeps_the_technicians_information(text):
    assert scrub(text) == text


# --- the diagnostic bundle ------------------------------------------------------------
SEEDED = (
    "2026-11-22 10:31:05,123 INFO kiosk.services: submission DEMO1-261122-0001-8 saved\n"
    "2026-11-22 10:31:06,001 WARNING kiosk.x: oops cin AB123456 phone 0612345678 "
    "mail fatima.zahra@example.ma\n"
)


def test_diagnostics_export(services, tmp_path):
    secret = "Fatima Zahra ALAOUI AB123456"
    services.settings.set("kiosk.office", "Agence Rabat-Agdal")
    saved = submit(services, {"name": secret, "cin": "AB123456"})
    sealed = services.outbox.get(saved.id)["payload"]
    (services.paths.logs / "kiosk.log").write_text(SEEDED, encoding="utf-8")
    (services.paths.logs / "kiosk.log.1").write_text("old line 0712345678\n", encoding="utf-8")
    usb = tmp_path / "usb"
    out = run("diagnostics", "export", usb)
    bundle = Path(out.strip().splitlines()[-1])
    assert bundle.parent == usb and bundle.name.startswith("guichet-diag-DEMO-KIOSK-01-")
    assert len(bundle.name) == len("guichet-diag-DEMO-KIOSK-01-20261122-103105")
    assert "were removed from the logs" in out  # said on stderr (mixed in by CliRunner)
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert files == ["audit-verify.json", "config.toml", "doctor.json", "logs/kiosk.log",
                     "logs/kiosk.log.1", "manifest.json", "queue.json", "versions.json"]
    assert not [p for p in usb.iterdir() if p.name.startswith(".")]  # no temporary left

    assert (bundle / "config.toml").read_bytes() == services.paths.config_file.read_bytes()
    assert b"Agence Rabat-Agdal" in (bundle / "config.toml").read_bytes()
    checks = json.loads((bundle / "doctor.json").read_text())
    assert {c["name"] for c in checks} == {name for name, _ in doctor.CHECKS}
    queue = json.loads((bundle / "queue.json").read_text())
    assert queue["counts"]["queued"] == 1 and queue["oldest_pending_seconds"] is not None
    row = queue["submissions"][0]
    assert row["tracking"] == saved.tracking and row["state"] == "queued"
    assert row["procedure_id"] == "cnss.ipe" and row["attempts"] == 0
    assert not {"payload", "receipt", "language", "assisted_by", "id"} & set(row)
    assert json.loads((bundle / "audit-verify.json").read_text())["ok"] is True
    v = json.loads((bundle / "versions.json").read_text())
    assert v["python"] and v["packages"]["cryptography"] and "httpx" in v["packages"]

    log = (bundle / "logs" / "kiosk.log").read_text(encoding="utf-8")
    assert "AB123456" not in log and "0612345678" not in log and "example.ma" not in log
    assert log.count("[removed]") == 3
    assert "DEMO1-261122-0001-8" in log and "2026-11-22 10:31:05,123" in log
    assert "2026-11-22 10:31:06,001 WARNING" in log
    assert (bundle / "logs" / "kiosk.log.1").read_text() == "old line [removed]\n"
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["scrubbed"]["kiosk.log"] == {"cin": 1, "phone": 1, "email": 1}
    assert manifest["errors"] == {}

    everything = b"".join(p.read_bytes() for p in bundle.rglob("*") if p.is_file())
    for needle in (sealed, sealed[:32], sealed.hex().encode(), sealed[-32:].hex().encode(),
                   base64.b64encode(sealed), base64.urlsafe_b64encode(sealed).rstrip(b"="),
                   secret.encode(), b"AB123456", b"Fatima"):
        assert needle not in everything, needle[:40]

    # a second export in the same second gets its own folder
    again = Path(run("diagnostics", "export", usb).strip().splitlines()[-1])
    assert again != bundle and again.exists()


def test_diagnostics_export_with_a_damaged_database(services, tmp_path):
    services.close()
    services.paths.database.write_bytes(b"garbage" * 1000)
    bundle = doctor.export_bundle(services.paths, tmp_path / "usb")
    manifest = json.loads((bundle.path / "manifest.json").read_text())
    assert "queue.json" in manifest["errors"] and "OutboxDamaged" in manifest["errors"]["queue.json"]
    assert not (bundle.path / "queue.json").exists()
    assert by_name(bundle.checks)["database"].status == FAIL
    assert (bundle.path / "doctor.json").exists() and (bundle.path / "versions.json").exists()


def test_diagnostics_export_is_refused_for_an_agent(kiosk_home, tmp_path):
    make_staff_cli(run)
    tech, agent = TECH, AGENT
    usb = tmp_path / "usb"
    assert "--as" in run("diagnostics", "export", usb, ok=False)
    assert "may not diagnostics.export" in run("diagnostics", "export", usb, ok=False, env=agent)
    assert not usb.exists() or not list(usb.iterdir())
    bundle = Path(run("diagnostics", "export", usb, env=tech).strip().splitlines()[-1])
    assert (bundle / "doctor.json").exists()
    records = json.loads(run("audit", "show", "--json"))
    actions = [(r["actor"], r["action"]) for r in records]
    assert ("2001", "diagnostics.export.denied") in actions
    assert ("1001", "diagnostics.export") in actions
    staff = next(c for c in json.loads((bundle / "doctor.json").read_text())
                 if c["name"] == "staff")
    assert staff == {"name": "staff", "status": "ok", "found": "1 technician(s), 1 agent(s)",
                     "fix": "", "title": "Staff accounts"}
    assert by_name(run_checks(KioskPaths.from_env()))["audit-log"].status == OK
