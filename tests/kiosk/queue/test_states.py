"""The states a submission goes through while the sync worker sends it."""

import datetime as dt
import sqlite3

import pytest

from kiosk.queue.outbox import Outbox
from kiosk.queue.sealing import DEMO_PUBLIC_KEY, load_public_key

KEY = load_public_key(DEMO_PUBLIC_KEY)
T0 = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def outbox(tmp_path):
    o = Outbox(tmp_path / "outbox.sqlite", "TEST1", KEY)
    yield o
    o.close()


def submit(outbox, n, start=T0):
    return [outbox.submit("a.b", 1, "fr", {"i": i}, {}, now=start + dt.timedelta(seconds=i)).id
            for i in range(n)]


def test_claim_takes_the_oldest_due_and_marks_them_sending(outbox):
    ids = submit(outbox, 5)
    batch = outbox.claim(3, now=T0 + dt.timedelta(minutes=1))
    assert [r["id"] for r in batch] == ids[:3] and all(r["payload"] for r in batch)
    assert outbox.counts()["sending"] == 3 and outbox.claim(10, now=T0)[0]["id"] == ids[3]
    assert outbox.get(ids[0])["attempts"] == 1


def test_acknowledged_rejected_and_retried(outbox):
    a, b, c = submit(outbox, 3)
    outbox.claim(3, now=T0)
    assert outbox.acknowledge([a], now=T0) == 1 and outbox.acknowledge([a], now=T0) == 0
    outbox.reject(b, "procedure unknown to the back office")
    later = T0 + dt.timedelta(minutes=5)
    outbox.retry_later([c], "connection refused", later)
    assert outbox.counts() == {"queued": 1, "sending": 0, "acknowledged": 1, "rejected": 1}
    assert outbox.get(b)["last_error"].startswith("procedure unknown")
    assert outbox.claim(10, now=T0 + dt.timedelta(minutes=1)) == []  # not due yet
    [again] = outbox.claim(10, now=later)
    assert again["id"] == c and outbox.get(c)["attempts"] == 2


def test_a_batch_in_flight_at_a_crash_is_queued_again(outbox):
    submit(outbox, 4)
    outbox.claim(4, now=T0)
    assert outbox.reset_sending() == 4 and outbox.counts()["queued"] == 4


def test_payloads_are_purged_after_the_retention_period(outbox):
    a, b = submit(outbox, 2)
    outbox.claim(2, now=T0)
    outbox.acknowledge([a], now=T0)
    outbox.acknowledge([b], now=T0 + dt.timedelta(days=20))
    assert outbox.purge_acknowledged(dt.timedelta(days=30), now=T0 + dt.timedelta(days=31)) == 1
    assert outbox.get(a)["payload"] == b"" and outbox.get(b)["payload"]
    assert outbox.get(a)["tracking"]  # the history stays for the agent


def test_a_version_1_database_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE submissions (id TEXT PRIMARY KEY, tracking TEXT NOT NULL, procedure_id TEXT NOT NULL,
          procedure_version INTEGER NOT NULL, language TEXT, created_at TEXT NOT NULL, day TEXT NOT NULL,
          sequence INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'queued', attempts INTEGER DEFAULT 0,
          next_attempt_at TEXT, last_error TEXT, payload BLOB NOT NULL, receipt TEXT);
        INSERT INTO submissions (id, tracking, procedure_id, procedure_version, created_at, day, sequence, payload)
          VALUES ('x', 'TEST1-261122-0001-0', 'a.b', 1, '2026-11-22T10:00:00+00:00', '2026-11-22', 1, X'01');
        PRAGMA user_version=1;
    """)
    conn.close()
    o = Outbox(path, "TEST1", KEY)
    try:
        assert o.db.execute("PRAGMA user_version").fetchone()[0] == 3
        assert o.get("x")["acknowledged_at"] is None and o.counts()["queued"] == 1
        row = o.get("x")
        assert row["assisted_by"] is None and row["printed_at"] is None and row["print_error"] is None
    finally:
        o.close()
