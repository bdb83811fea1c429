import socket
import threading
import time
import uuid

import pytest
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.keys import public_text
from kiosk.queue.sealing import seal
from kiosk.sync import protocol as p
from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage

KIOSK = "KIOSK-TEST-01"


def make_item(keys: IntakeKeys, n: int = 1, payload: dict | None = None) -> p.Item:
    sid = str(uuid.uuid4())
    sealed = seal(payload or {"answers": {"name": "Fatima Zahra"}, "n": n}, sid,
                  keys.sealing.public_key())
    return p.Item(sid, f"DEMO1-261122-{n:04d}-X", "cnss.ipe", 2,
                  "2026-11-22T10:00:00+01:00", sealed, {"office": "Rabat"})


class Intake:
    def __init__(self, tmp_path):
        self.db = tmp_path / "intake.sqlite"
        self.keys = IntakeKeys.create(keys_dir(self.db))
        self.storage = SqliteStorage(self.db, create=True)
        self.kiosk_key = Ed25519PrivateKey.generate()
        self.storage.register_kiosk(KIOSK, public_text(self.kiosk_key.public_key()))
        self.app = create_app(self.storage, self.keys.signing)

    def post_args(self, body: bytes, key=None, kiosk=KIOSK, **kw):
        headers = p.sign_request(key or self.kiosk_key, kiosk, body, **kw)
        headers["Content-Type"] = "application/json"
        return headers


@pytest.fixture
def intake(tmp_path):
    i = Intake(tmp_path)
    yield i
    i.storage.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app):
    """Run ``app`` on a real uvicorn server on 127.0.0.1 in a thread; return (url, stop)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)

    def stop():
        server.should_exit = True
        t.join(10)
    return f"http://127.0.0.1:{port}", stop


@pytest.fixture
def served(intake):
    """The intake on a real uvicorn server on 127.0.0.1, in a thread."""
    intake.url, stop = serve(intake.app)
    yield intake
    stop()


def kiosk_cmd(*args, ok=True, input=None) -> str:
    """Run the real `kiosk` command (KIOSK_HOME from the test's fixture)."""
    from click.testing import CliRunner

    from kiosk.cli import cli

    r = CliRunner().invoke(cli, [str(a) for a in args], input=input)
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def provision(db, point_kiosk: bool = True) -> tuple[str, str]:
    """As a technician does it: intake init, kiosk key, enrol, and (optionally) point the
    kiosk's settings at the intake's keys. Returns (sealing key, response key)."""
    sealing, signing = kiosk_cmd("intake", "init", "--db", db).split()[:2]
    kiosk_cmd("intake", "enrol", "--db", db, "--kiosk-id", "DEMO-KIOSK-01",
              "--key", kiosk_cmd("keys", "init").strip())
    if point_kiosk:
        kiosk_cmd("config", "set", "sync.backoffice_key", sealing)
        kiosk_cmd("config", "set", "sync.intake_key", signing)
    return sealing, signing
