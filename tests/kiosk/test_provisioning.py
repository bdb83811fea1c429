"""Setting a kiosk up from a USB stick, offline: the back office writes a provisioning
file, the technician applies it (all or nothing), and brings the kiosk's public key back
for enrolment. Through the real CLI, on real files."""

import datetime as dt
import os
from pathlib import Path

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
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
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
    first = settings_now()["catalog.trusted_keys"]
    other = publisher_pem()
    profile = prov.read(stick / prov.PROFILE_NAME)
    prov.write_profile(stick, endpoint=profile.endpoint, backoffice_key=profile.backoffice_key,
                       intake_key=profile.intake_key, publisher_keys=[other],
                       signing_key=IntakeKeys.load(keys_dir(db)).signing)
    run("provision", "apply", stick)
    folder = settings_now()["catalog.trusted_keys"]
    assert folder != first and not os.path.exists(first)  # the old material is gone
    assert [p.read_bytes() for p in sorted(Path(folder).glob("*.pem"))] == [other]
    assert not list(Path(folder).parent.glob(".catalog-publishers*"))


def test_once_set_up_a_kiosk_takes_sending_changes_only_signed_by_its_intake(run, office, tmp_path):
    db, stick, files = office
    run("provision", "apply", stick)
    signed = prov.read(stick / prov.PROFILE_NAME)
    assert signed.signature and signed.signed_by(settings_now()["sync.intake_key"])
    # An unsigned file pointing the kiosk elsewhere: refused, nothing changed.
    rogue = tmp_path / "rogue"
    rogue.mkdir()
    prov.write_profile(rogue, endpoint="https://evil.example", backoffice_key="x25519:" + "E" * 43,
                       intake_key="ed25519:" + "E" * 43)
    before = settings_now().values
    assert "signed by the office's intake key" in run("provision", "apply", rogue, ok=False).output
    # Signed, but by another key: refused too.
    prov.write_profile(rogue, endpoint="https://evil.example", backoffice_key="x25519:" + "E" * 43,
                       intake_key="ed25519:" + "E" * 43, signing_key=Ed25519PrivateKey.generate())
    assert "signed by the office's intake key" in run("provision", "apply", rogue, ok=False).output
    # A file touching nothing of the sending needs no signature (office name, languages).
    prov.write_profile(rogue, endpoint=signed.endpoint, backoffice_key=signed.backoffice_key,
                       intake_key=signed.intake_key, settings={"kiosk.office": "Agence Salé"})
    run("provision", "apply", rogue)
    after = settings_now().values
    assert after["kiosk.office"] == "Agence Salé"
    assert {k: v for k, v in after.items() if k != "kiosk.office"} == \
        {k: v for k, v in before.items() if k != "kiosk.office"}
    # The office's own signed file, with a new endpoint: accepted.
    prov.write_profile(stick, endpoint="https://intake2.example.gov.ma", backoffice_key=signed.backoffice_key,
                       intake_key=signed.intake_key, signing_key=IntakeKeys.load(keys_dir(db)).signing)
    run("provision", "apply", stick)
    assert settings_now()["sync.endpoint"] == "https://intake2.example.gov.ma"


def test_what_the_kiosk_would_refuse_at_start_is_refused_now(tmp_path, services):
    """Checked with the kiosk's own loaders: a CSCA block with something else after its
    certificate, the DEMO catalog key on a production kiosk, settings kept local."""
    from kiosk.procedures.package import DEMO_PUBLIC_KEY

    def profile(**kw):
        folder = tmp_path / "p"
        folder.mkdir(exist_ok=True)
        body = {"endpoint": "https://intake.example.gov.ma", "backoffice_key": "x25519:" + "A" * 43,
                "intake_key": "ed25519:" + "A" * 43, **kw}
        return prov.write_profile(folder, **body)

    path = profile(csca=[CSCA])
    text = path.read_text()
    path.write_text(text.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE-----\\n-----BEGIN "
                                 "CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----", 1))
    with pytest.raises(prov.ProvisioningError, match="not a CA"):
        prov.read(path)
    demo = profile(publisher_keys=[Path(DEMO_PUBLIC_KEY).read_bytes()])
    services.settings.values["kiosk.mode"] = "production"
    with pytest.raises(prov.ProvisioningError, match="DEMO catalog key"):
        prov.plan(prov.read(demo), services.paths, services.settings)
    for name, value in (("kiosk.mode", "demo"), ("kiosk.id", "X-1"), ("card.source", "demo")):
        with pytest.raises(prov.ProvisioningError):
            profile(settings={name: value})


def test_a_failed_write_changes_nothing(run, office, monkeypatch):
    db, stick, files = office
    before = settings_now().values

    def full_disk(self):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Settings, "save", full_disk)
    assert "nothing was changed" in run("provision", "apply", stick, ok=False).output
    monkeypatch.undo()
    assert settings_now().values == before
    trust = KioskPaths.from_env().config / "trust"
    assert not trust.exists() or not [p for p in trust.iterdir()]  # what was written went away


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
