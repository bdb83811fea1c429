"""`kiosk intake serve` as the command a back office runs: a real process, real uvicorn,
plain HTTP and HTTPS with a private CA that the kiosk trusts through `sync.ca_file`."""

import datetime as dt
import ipaddress
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .conftest import free_port, kiosk_cmd as kiosk, provision


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(folder):
    """A private CA and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("Test office CA")).issuer_name(_name("Test office CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("intake.test")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return folder / "ca.pem", folder / "cert.pem", folder / "key.pem"


class Served:
    """`kiosk intake serve` in its own process, stopped (SIGTERM, then kill) at the end."""

    def __init__(self, db, *extra):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "KIOSK_HOME"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "intake", "serve", "--db", str(db),
             "--port", str(self.port), *map(str, extra)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, self.proc.stdout.read()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "kiosk intake serve did not listen"
                time.sleep(0.05)

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out


def submit_one() -> dict:
    example = kiosk("catalog", "example", "cnss.ipe")
    return json.loads(kiosk("queue", "submit", "--procedure", "cnss.ipe", "--answers", "-",
                            input=example))


def test_https_with_the_office_ca(kiosk_home, tmp_path):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision(db)
    ca, cert, key = make_pki(tmp_path / "pki")
    server = Served(db, "--certfile", cert, "--keyfile", key)
    try:
        kiosk("config", "set", "sync.endpoint", f"https://127.0.0.1:{server.port}")
        saved = submit_one()
        # Without the office's CA the certificate is not trusted: nothing is sent, the
        # submission waits, and the technician reads why.
        refused = json.loads(kiosk("sync", "run", "--once", "--json"))
        assert refused["acknowledged"] == 0 and refused["pending"] == 1
        assert "certificate is not trusted" in refused["last_error"]
        kiosk("config", "set", "sync.ca_file", ca)
        sent = json.loads(kiosk("sync", "run", "--until-empty", "--json"))
        assert sent["acknowledged"] == 1 and sent["pending"] == 0, sent
        shown = json.loads(kiosk("intake", "show", "--db", db, saved["tracking"]))
        assert shown["tracking"] == saved["tracking"] and "0612345678" in json.dumps(shown["payload"])
        assert json.loads(kiosk("intake", "stats", "--db", db, "--json"))["unique"] == 1
    finally:
        log = server.stop()
    # The server's log names requests, never what they carry.
    assert "0612345678" not in log


def test_plain_http_command_and_restart_keeps_exactly_once(kiosk_home, tmp_path):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision(db)
    # Twice: the intake restarts in between (a deploy); the second round sends the new
    # submission only, the first is not stored again.
    for _ in range(2):
        server = Served(db)
        try:
            kiosk("config", "set", "sync.endpoint", f"http://127.0.0.1:{server.port}")
            submit_one()
            assert json.loads(kiosk("sync", "run", "--json"))["acknowledged"] == 1
        finally:
            server.stop()
    stats = json.loads(kiosk("intake", "stats", "--db", db, "--json"))
    assert stats["unique"] == 2 and stats["duplicates"] == 0, stats


@pytest.mark.parametrize("args, message", [
    (["--certfile", "CERT"], "both --certfile and --keyfile"),
    (["--certfile", "CERT", "--keyfile", "CERT"], "key"),
])
def test_bad_tls_options_are_refused_clearly(tmp_path, args, message):
    db = tmp_path / "intake.sqlite"
    kiosk("intake", "init", "--db", db)
    _, cert, _ = make_pki(tmp_path / "pki")
    args = [str(cert) if a == "CERT" else a for a in args]
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "intake", "serve", "--db", str(db),
                        "--port", str(free_port()), *args], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert message in (r.stdout + r.stderr)
