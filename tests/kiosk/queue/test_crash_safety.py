"""A process submitting in a loop is killed with SIGKILL at random moments, 200 times:
after each kill the database passes integrity_check and every submission whose commit
returned is there, once, with its tracking number."""

import json
import subprocess
import sys

from kiosk.paths import ROOT


def test_sigkill_200_times_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "outbox.sqlite"
    run = subprocess.run([sys.executable, "-m", "tests.kiosk.queue.crash_child", str(db), "200", "20261122"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["problems"] == []
    assert result["rounds"] == 200
    # The kills landed while submissions were being made: many were confirmed.
    assert result["confirmed"] > 200 and result["stored"] >= result["confirmed"]
    # And the outbox opens normally afterwards.
    from kiosk.queue.outbox import Outbox
    from kiosk.queue.sealing import DEMO_PUBLIC_KEY, load_public_key

    outbox = Outbox(db, "CRASH1", load_public_key(DEMO_PUBLIC_KEY))
    try:
        assert outbox.integrity_ok() and outbox.counts()["queued"] == result["stored"]
        assert b"Salma" not in db.read_bytes()
    finally:
        outbox.close()
