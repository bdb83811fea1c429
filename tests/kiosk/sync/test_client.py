"""The kiosk's sync client against the reference intake over real HTTP on 127.0.0.1,
directly and through a proxy that drops, resets, delays, fails and repeats requests:
every submission ends acknowledged, and the intake stores each exactly once."""

import datetime as dt
import random
import socket
import threading

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.queue.outbox import Outbox
from kiosk.sync import client as sync_client
from kiosk.sync.client import SyncClient

from .conftest import KIOSK

PROC = "cnss.attestation-affiliation"


@pytest.fixture
def outbox(tmp_path, served):
    o = Outbox(tmp_path / "outbox.sqlite", "TEST1", served.keys.sealing.public_key())
    yield o
    o.close()


def fill(outbox, n):
    return [outbox.submit(PROC, 3, "fr", {"phone": "0612345678", "i": i},
                          {"procedure_id": PROC}).id for i in range(n)]


def make_client(outbox, intake, url, **kw):
    return SyncClient(outbox, url, KIOSK, intake.kiosk_key, intake.keys.signing.public_key(), **kw)


def stored_once(intake) -> tuple[int, int]:
    return tuple(intake.storage.db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM submissions").fetchone())


def test_a_backlog_is_sent_and_acknowledged_once(outbox, served):
    ids = fill(outbox, 250)
    client = make_client(outbox, served, served.url, batch_size=100)
    assert client.run_until_empty() == 250
    assert outbox.counts()["acknowledged"] == 250 and client.status.pending == 0
    assert client.status.last_error is None and client.status.online
    assert served.storage.stats()["unique"] == 250 and stored_once(served) == (250, 250)
    # Sent again (as after a crash mid-batch): acknowledged as duplicates, not stored twice.
    outbox.db.execute("UPDATE submissions SET state = 'queued'")
    assert client.run_until_empty() == 250
    after = served.storage.stats()
    assert after["unique"] == 250 and after["duplicates"] == 250
    assert stored_once(served) == (250, 250) and len(set(ids)) == 250


def test_network_loss_is_normal_and_backs_off(outbox, tmp_path):
    fill(outbox, 5)
    signing = Ed25519PrivateKey.generate()
    client = SyncClient(outbox, "http://127.0.0.1:9", KIOSK, signing, signing.public_key(),
                        rng=random.Random(1))
    r = client.run_once()
    assert r.sent == 5 and r.error.startswith("network") and client.status.online is False
    assert outbox.counts() == {"queued": 5, "sending": 0, "acknowledged": 0, "rejected": 0}
    row = outbox.list()[0]
    assert row["attempts"] == 1
    # Not due before its backoff.
    assert client.run_once().sent == 0


def test_retry_after_is_honoured(outbox):
    now = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)
    response = httpx.Response(503, headers={"Retry-After": "120"})
    assert sync_client._retry_after(response, now) == 120
    http_date = "Sun, 22 Nov 2026 10:05:00 GMT"
    assert sync_client._retry_after(httpx.Response(429, headers={"Retry-After": http_date}), now) == 300


def test_an_acknowledgement_not_signed_by_the_intake_is_not_believed(outbox, served):
    fill(outbox, 3)
    other = Ed25519PrivateKey.generate()
    client = SyncClient(outbox, served.url, KIOSK, served.kiosk_key, other.public_key())
    r = client.run_once()
    assert r.acknowledged == 0 and "acknowledgement refused" in r.error
    assert outbox.counts()["queued"] == 3


class FaultyProxy:
    """Between kiosk and intake: drops connections, resets mid-response, delays past the
    client's timeout, answers 500/502/503/429 itself, or forwards the request twice."""

    def __init__(self, upstream: str, seed: int):
        self.upstream = upstream
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.http = httpx.Client(timeout=30)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.counts: dict[str, int] = {}
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def close(self):
        self.sock.close()

    def _loop(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(headers.get("Content-Length", headers.get("content-length", "0")))
        while len(body) < length:
            body += conn.recv(65536)
        return lines[0].split()[1], headers, body

    def _handle(self, conn):
        with conn:
            req = self._read_request(conn)
            if req is None:
                return
            path, headers, body = req
            with self.lock:
                fault = self.rng.choice(["ok", "ok", "ok", "drop", "reset", "slow", "500", "502",
                                         "503", "429", "twice"])
                self.counts[fault] = self.counts.get(fault, 0) + 1
            if fault == "drop":
                return
            if fault in ("500", "502", "503", "429"):
                extra = "Retry-After: 0\r\n" if fault in ("503", "429") else ""
                conn.sendall(f"HTTP/1.1 {fault} X\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n".encode())
                return
            fwd = {k: v for k, v in headers.items() if k.lower().startswith(("x-guichet", "content-type"))}
            upstream = self.http.post(self.upstream + path, content=body, headers=fwd)
            if fault == "twice":
                upstream = self.http.post(self.upstream + path, content=body, headers=fwd)
            if fault == "slow":
                threading.Event().wait(1.2)  # past the client's read timeout in this test
            raw = upstream.content
            head = (f"HTTP/1.1 {upstream.status_code} X\r\nContent-Length: {len(raw)}\r\n"
                    + "".join(f"{k}: {v}\r\n" for k, v in upstream.headers.items()
                              if k.lower().startswith("x-guichet") or k.lower() == "content-type")
                    + "Connection: close\r\n\r\n").encode()
            if fault == "reset":
                conn.sendall(head + raw[: len(raw) // 2])
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                return
            conn.sendall(head + raw)


def test_2000_submissions_through_a_faulty_network_are_stored_exactly_once(outbox, served):
    ids = fill(outbox, 2000)
    proxy = FaultyProxy(served.url, seed=7)
    clock = [dt.datetime.now().astimezone()]
    client = SyncClient(outbox, proxy.url, KIOSK, served.kiosk_key, served.keys.signing.public_key(),
                        batch_size=50, http=httpx.Client(timeout=httpx.Timeout(1.0)),
                        now=lambda: clock[0], rng=random.Random(3))
    try:
        for _ in range(2000):
            if outbox.counts()["acknowledged"] == 2000:
                break
            client.run_once()
            clock[0] += dt.timedelta(hours=2)  # every backoff is over at the next round
    finally:
        proxy.close()
    assert outbox.counts() == {"queued": 0, "sending": 0, "acknowledged": 2000, "rejected": 0}
    assert served.storage.stats()["unique"] == 2000
    assert stored_once(served) == (2000, 2000)
    assert set(ids) == {r["id"] for r in outbox.list(limit=5000)}
    for fault in ("drop", "reset", "slow", "500", "429", "twice"):
        assert proxy.counts.get(fault, 0) > 0, proxy.counts
