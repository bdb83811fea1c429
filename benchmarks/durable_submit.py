"""Durable submit, in process (issue 6): seal (HPKE) + SQLite commit (WAL,
synchronous=FULL) of one submission, median and p99 over N, and submissions per second.

The payload is the long procedure's example answers with the demo identity, the size
a real submission has. Each submit returns only once its commit is on disk.

    .venv/bin/python benchmarks/durable_submit.py [N]
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from kiosk.card.demo import load_demo_identity
from kiosk.procedures.examples import example_answers
from kiosk.procedures.loader import load_catalog
from kiosk.procedures.wizard import payload_from_answers
from kiosk.queue.outbox import Outbox
from kiosk.queue.sealing import DEMO_PUBLIC_KEY, load_public_key


def main(n: int) -> None:
    proc = load_catalog().get("cnss.ipe")
    prefill = load_demo_identity().prefill()
    payload = payload_from_answers(proc, example_answers(proc, "fr", prefill), prefill)
    with tempfile.TemporaryDirectory() as tmp:
        outbox = Outbox(Path(tmp) / "outbox.sqlite", "BENCH1", load_public_key(DEMO_PUBLIC_KEY))
        times = []
        t_all = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            outbox.submit(proc.id, proc.version, "fr", payload, {"procedure_id": proc.id})
            times.append((time.perf_counter() - t0) * 1000)
        total = time.perf_counter() - t_all
        assert outbox.counts()["queued"] == n and outbox.integrity_ok()
        outbox.close()
    times.sort()
    print(f"durable submit (seal + commit), n={n}: median {statistics.median(times):.2f} ms, "
          f"p99 {times[int(n * 0.99) - 1]:.2f} ms, max {times[-1]:.2f} ms; {n / total:.0f} submissions/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
