"""Setting a kiosk up from a USB stick, offline: the back office writes a provisioning
file, the technician applies it (all or nothing), and brings the kiosk's public key back
for enrolment. Through the real CLI, on real files."""

import datetime as dt
import os

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kiosk import provisioning as prov
from kiosk.cli import cli
from kiosk.config import Settings
from kiosk.paths import KioskPaths
from tests.mutations import mutated
from tests.staff_helpers import TECH, make_staff_cli


def ca_pem(cn="Office CA", is_ca=True) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def publisher_pem() -> bytes:
    return Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def csca_pem() -> bytes:
    from kiosk.card.emulator.pki import load_test_pki

    return load_test_pki().csca.certificate.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def invoke(*args, ok=True, env=None):
        r = runner.invoke(cli, [str(a) for a in args], env=env)
        assert (r.exit_code == 0) == ok, r.output
        return r
    return invoke


@pytest.fixture
def office(tmp_path, run):
    """The back office's intake and a USB stick holding its provisioning file."""
    db = tmp_path / "office" / "intake.sqlite"
    run("intake", "init", "--db", db)
    stick = tmp_path / "usb"
    files = {"ca": tmp_path / "ca.pem", "pub": tmp_path / "publisher.pem", "csca": tmp_path / "csca.pem"}
    files["ca"].write_bytes(ca_pem())
    files["pub"].write_bytes(publisher_pem())
    files["csca"].write_bytes(csca_pem())
    run("intake", "provisioning", "--db", db, "--endpoint", "https://intake.example.gov.ma",
        "--issuer", "CNSS Rabat", "--ca-file", files["ca"], "--catalog-key", files["pub"],
        "--csca", files["csca"], "--set", "kiosk.office=Agence CNSS Rabat-Agdal",
        "--set", "kiosk.region=Rabat-Salé-Kénitra", "--out", stick)
    return db, stick, files


def settings_now():
    return Settings.load(KioskPaths.from_env().config_file)


def test_offline_round_trip_from_the_stick(run, office, tmp_path):
    from kiosk.card.trust import load_trust_store
    from kiosk.procedures.package import load_trusted_keys
    from kiosk.sync.intake.storage import SqliteStorage

    db, stick, files = office
    shown = run("provision", "show", stick).output
    assert "sync.endpoint" in shown and "kiosk.office" in shown and "CNSS Rabat" in shown
    assert settings_now()["sync.endpoint"] == ""  # show changes nothing
    run("provision", "apply", stick)
    st = settings_now()
    assert st["sync.endpoint"] == "https://intake.example.gov.ma"
    assert st["sync.backoffice_key"].startswith("x25519:") and st["sync.intake_key"].startswith("ed25519:")
    assert st["kiosk.office"] == "Agence CNSS Rabat-Agdal"
    assert open(st["sync.ca_file"], "rb").read() == files["ca"].read_bytes()
    # The kiosk's own loaders accept what was installed.
    assert len(load_trust_store(settings=st).certificates) == 1
    assert len(load_trusted_keys(st)) == 1
    assert "nothing to change" in run("provision", "show", stick).output
    # The kiosk's key goes back on the stick; the back office enrols it from the file.
    run("keys", "init")
    exported = run("provision", "export-kiosk", stick).output.strip()
    assert os.path.basename(exported) == f"guichet-kiosk-{st['kiosk.id']}.toml"
    assert prov.read_kiosk(exported)["region"] == "Rabat-Salé-Kénitra"
    run("intake", "enrol", "--db", db, "--from", exported)
    storage = SqliteStorage(db)
    try:
        assert storage.kiosk_key(st["kiosk.id"]) == run("keys", "show", "--public").output.strip()
    finally:
        storage.close()


@pytest.mark.parametrize("damage, reason", [
    (lambda t: t.replace('backoffice_key = "x25519:', 'backoffice_key = "x25519:A'), "sending key"),
    (lambda t: t.replace("[settings]", '[settings]\n"kiosk.code" = "lower"'), "kiosk.code"),
    (lambda t: t.replace("[settings]", '[settings]\n"sync.endpoint" = "http://x"'), "own section"),
    (lambda t: t.replace("[settings]", '[settings]\n"kiosk.colour" = "red"'), "unknown setting"),
    (lambda t: t.replace('format = "guichet-provisioning/1"', 'format = "guichet-provisioning/9"'), "format"),
], ids=["bad-key", "bad-value", "managed", "unknown", "version"])
def test_a_bad_profile_changes_nothing(run, office, damage, reason):
    db, stick, files = office
    path = stick / prov.PROFILE_NAME
    path.write_text(damage(path.read_text()))
    before = settings_now().values
    out = run("provision", "apply", stick, ok=False).output
    assert reason in out
    assert settings_now().values == before
    assert not (KioskPaths.from_env().config / "trust").exists()


def test_a_csca_that_is_not_a_ca_is_refused(tmp_path):
    path = tmp_path / prov.PROFILE_NAME
    path.write_text('format = "guichet-provisioning/1"\n[card]\ncsca = [%r]\n' % ca_pem(is_ca=False).decode())
    with pytest.raises(prov.ProvisioningError, match="not a CA"):
        prov.read(path)


def test_reapplying_replaces_the_trust_folders_whole(run, office, tmp_path):
    db, stick, files = office
    run("provision", "apply", stick)
    other = publisher_pem()
    profile = prov.read(stick / prov.PROFILE_NAME)
    prov.write_profile(stick, endpoint=profile.endpoint, backoffice_key=profile.backoffice_key,
                       intake_key=profile.intake_key, publisher_keys=[other])
    run("provision", "apply", stick)
    folder = KioskPaths.from_env().config / "trust" / "catalog-publishers"
    assert [p.read_bytes() for p in folder.glob("*.pem")] == [other]  # the old key is gone
    assert not list(folder.parent.glob(".catalog-publishers.*"))


def test_once_staff_exist_applying_needs_a_technician_and_is_audited(run, office):
    db, stick, files = office
    env = {k: None for k in ("KIOSK_STAFF", "KIOSK_PIN")}
    make_staff_cli(lambda *a, env=None: run(*a, env=env))
    assert "--as" in run("provision", "apply", stick, ok=False, env=env).output
    agent = {"KIOSK_STAFF": "2001", "KIOSK_PIN": "559301"}
    run("provision", "apply", stick, ok=False, env=agent)
    run("provision", "apply", stick, env=TECH)
    log = run("audit", "show", env=TECH).output
    assert "provision.apply.denied" in log and "provision.apply" in log


@hsettings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_profiles_are_read_or_refused(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    seed = prov.write_profile(folder, endpoint="https://intake.example.gov.ma",
                              backoffice_key="x25519:" + "A" * 43, intake_key="ed25519:" + "A" * 43,
                              publisher_keys=[PUBLISHER], ca_pem=CA, csca=[CSCA],
                              settings={"kiosk.office": "Rabat"}).read_bytes()
    path = folder / prov.PROFILE_NAME
    path.write_bytes(data.draw(mutated(seed)))
    try:
        prov.read(path)
    except prov.ProvisioningError as e:
        assert e.message.render("fr")


PUBLISHER = publisher_pem()
CA = ca_pem()
CSCA = csca_pem()
