"""Sync throughput of a backlog to the reference intake on 127.0.0.1 (issue 6):
submissions per second, and the resident memory of the kiosk and of the intake while
the backlog drains (sampled after every batch).

The intake runs in its own process (``kiosk intake serve``), as in production; the
kiosk side is this process: an outbox of N sealed submissions and the sync client.

    .venv/bin/python benchmarks/sync_backlog.py [N] [BATCH]
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk import keys
from kiosk.queue.outbox import Outbox
from kiosk.sync.client import SyncClient
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(n: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "intake.sqlite"
        ikeys = IntakeKeys.create(keys_dir(db))
        storage = SqliteStorage(db, create=True)
        kiosk_key = Ed25519PrivateKey.generate()
        storage.register_kiosk("BENCH-KIOSK", keys.public_text(kiosk_key.public_key()))
        storage.close()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "intake", "serve", "--db", str(db),
                                   "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(url + "/health", timeout=0.5)
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            outbox = Outbox(tmp / "outbox.sqlite", "BENCH1", ikeys.sealing.public_key())
            payload = {"answers": {f"field_{i}": "valeur de réponse" for i in range(20)},
                       "identity": {"name": "X" * 20, "cin": "AB123456"}}
            t0 = time.perf_counter()
            for _ in range(n):
                outbox.submit("cnss.ipe", 1, "fr", payload, {})
            fill = time.perf_counter() - t0
            client = SyncClient(outbox, url, "BENCH-KIOSK", kiosk_key, ikeys.signing.public_key(),
                                batch_size=batch)
            kiosk_mem, intake_mem = [], []
            t0 = time.perf_counter()
            while True:
                r = client.run_once()
                kiosk_mem.append(rss_mib(os.getpid()))
                intake_mem.append(rss_mib(server.pid))
                if r.sent == 0:
                    break
                assert r.error is None, r.error
            elapsed = time.perf_counter() - t0
            assert outbox.counts()["acknowledged"] == n
            print(f"backlog of {n} (filled in {fill:.1f} s), batches of {batch}: synced in {elapsed:.2f} s, "
                  f"{n / elapsed:.0f} submissions/s")
            q = len(kiosk_mem) // 10 or 1
            print(f"kiosk RSS MiB: first batches {kiosk_mem[q]:.1f}, last {kiosk_mem[-1]:.1f}, max {max(kiosk_mem):.1f}")
            print(f"intake RSS MiB: first batches {intake_mem[q]:.1f}, last {intake_mem[-1]:.1f}, max {max(intake_mem):.1f}")
            client.close()
            outbox.close()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000, int(sys.argv[2]) if len(sys.argv) > 2 else 500)
