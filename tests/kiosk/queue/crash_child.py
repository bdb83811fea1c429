"""Crash-safety driver, run as its own process (no threads, so fork is safe):
fork a child that submits in a loop, SIGKILL it at a random moment, check the database,
repeat. Prints one JSON line with what it found.

    python -m tests.kiosk.queue.crash_child DB ROUNDS SEED
"""

import json
import os
import random
import signal
import sqlite3
import sys
import time
from pathlib import Path

from kiosk.queue.outbox import Outbox
from kiosk.queue.sealing import DEMO_PUBLIC_KEY, load_public_key

PAYLOAD = {"name": "Salma El Amrani", "answers": {"purpose": "bank", "copies": "2"}}


def child(db: Path, out_fd: int) -> None:
    outbox = Outbox(db, "CRASH1", load_public_key(DEMO_PUBLIC_KEY))
    while True:
        saved = outbox.submit("cnss.attestation-affiliation", 1, "fr", PAYLOAD,
                              {"procedure_id": "cnss.attestation-affiliation"})
        os.write(out_fd, f"{saved.id} {saved.tracking}\n".encode())  # after the commit returned


def main(db: Path, rounds: int, seed: int) -> dict:
    rng = random.Random(seed)
    confirmed: dict[str, str] = {}
    problems: list[str] = []
    for r in range(rounds):
        rfd, wfd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(rfd)
            try:
                child(db, wfd)
            finally:
                os._exit(1)
        os.close(wfd)
        time.sleep(rng.uniform(0.0, 0.08))  # sometimes while opening, mostly mid-submit
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        data = b""
        while chunk := os.read(rfd, 65536):
            data += chunk
        os.close(rfd)
        for line in data.decode().splitlines():
            parts = line.split()
            if len(parts) == 2:  # a line cut by the kill is not a confirmation
                confirmed[parts[0]] = parts[1]
        conn = sqlite3.connect(db)
        try:
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                problems.append(f"round {r}: integrity {check}")
            tables = {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "submissions" not in tables:  # killed before the schema was created (atomically)
                if tables or confirmed:
                    problems.append(f"round {r}: schema half-created: {sorted(tables)}")
                rows = {}
            else:
                rows = dict(conn.execute("SELECT id, tracking FROM submissions").fetchall())
                dup = conn.execute("SELECT COUNT(*) - COUNT(DISTINCT tracking) FROM submissions").fetchone()[0]
                if dup:
                    problems.append(f"round {r}: {dup} duplicate tracking numbers")
        finally:
            conn.close()
        missing = [i for i in confirmed if rows.get(i) != confirmed[i]]
        if missing:
            problems.append(f"round {r}: {len(missing)} confirmed submissions missing or changed")
    return {"rounds": rounds, "confirmed": len(confirmed), "stored": len(rows), "problems": problems}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
