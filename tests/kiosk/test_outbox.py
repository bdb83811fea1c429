import datetime as dt
import sqlite3

import pytest

from kiosk.queue import tracking
from kiosk.queue.outbox import Outbox
from kiosk.queue.sealing import (DEMO_PRIVATE_KEY, DEMO_PUBLIC_KEY, load_private_key,
                                 load_public_key, open_sealed)

PAYLOAD = {"name": "سلمى العمراني", "cin": "ZT9054321", "birth": "1991-04-17", "phone": "0612345678"}


@pytest.fixture
def outbox(tmp_path):
    o = Outbox(tmp_path / "outbox.sqlite", "RBT01", load_public_key(DEMO_PUBLIC_KEY))
    yield o
    o.close()


def test_submissions_get_sequential_valid_tracking_numbers(outbox):
    day = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)
    numbers = [outbox.submit("p", 1, "fr", PAYLOAD, {}, now=day).tracking for _ in range(3)]
    assert [n.split("-")[2] for n in numbers] == ["0001", "0002", "0003"]
    assert all(n.startswith("RBT01-261122-") and tracking.is_valid(n) for n in numbers)
    next_day = outbox.submit("p", 1, "fr", PAYLOAD, {}, now=day + dt.timedelta(days=1))
    assert next_day.tracking.split("-")[1:3] == ["261123", "0001"]


def test_check_character_catches_any_single_change():
    number = tracking.make("RBT01", dt.date(2026, 11, 22), 42)
    body = number[:-2]
    for i, ch in enumerate(body):
        if ch == "-":
            continue
        for other in tracking.ALPHABET:
            if other != ch:
                changed = body[:i] + other + body[i + 1:] + number[-2:]
                assert not tracking.is_valid(changed), changed


def test_payload_is_sealed_and_nothing_personal_is_in_clear(outbox, tmp_path):
    saved = outbox.submit("p", 1, "ar", PAYLOAD, {"kiosk_id": "K1"})
    row = outbox.get(saved.id)
    assert open_sealed(row["payload"], saved.id, load_private_key(DEMO_PRIVATE_KEY)) == PAYLOAD
    outbox.db.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    for f in tmp_path.iterdir():
        blob = f.read_bytes()
        for secret in ("ZT9054321", "0612345678", "1991-04-17", "العمراني"):
            assert secret.encode() not in blob, (f.name, secret)


def test_sealed_payload_does_not_open_under_another_id(outbox):
    a = outbox.submit("p", 1, "fr", PAYLOAD, {})
    b = outbox.submit("p", 1, "fr", PAYLOAD, {})
    key = load_private_key(DEMO_PRIVATE_KEY)
    with pytest.raises(Exception):
        open_sealed(outbox.get(a.id)["payload"], b.id, key)


def test_durability_settings_and_integrity(outbox, tmp_path):
    assert outbox.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    outbox.submit("p", 1, "fr", PAYLOAD, {})
    assert outbox.integrity_ok()
    # Another connection (another process after a crash) sees the committed row.
    other = sqlite3.connect(tmp_path / "outbox.sqlite")
    assert other.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 1


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "outbox.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(Exception, match="newer"):
        Outbox(path, "RBT01", load_public_key(DEMO_PUBLIC_KEY))
