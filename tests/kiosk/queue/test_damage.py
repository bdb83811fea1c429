"""A damaged database is never written to; `kiosk queue recover` keeps it aside and
copies what is readable. A full disk refuses the submission cleanly, and the queue
works again once there is space."""

import pytest
from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.queue.outbox import Outbox, OutboxDamaged, OutboxError, recover
from kiosk.queue.sealing import DEMO_PUBLIC_KEY, load_public_key

KEY = load_public_key(DEMO_PUBLIC_KEY)


def fill(path, n):
    outbox = Outbox(path, "TEST1", KEY)
    ids = [outbox.submit("a.b", 1, "fr", {"x": "y" * 2000}, {}).id for _ in range(n)]
    outbox.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    outbox.close()
    return ids


def damage(path, at_fraction=0.6, size=4096):
    data = bytearray(path.read_bytes())
    start = int(len(data) * at_fraction) // 4096 * 4096
    data[start:start + size] = b"\xa5" * size
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_refused_then_recovered(tmp_path):
    db = tmp_path / "outbox.sqlite"
    ids = fill(db, 60)
    damage(db)
    with pytest.raises(OutboxDamaged, match="kiosk queue recover"):
        Outbox(db, "TEST1", KEY)
    kept, copied, lost = recover(db)
    assert kept.exists() and kept.name.startswith("outbox.sqlite.damaged-")
    assert 0 < copied < 60 and copied + lost <= 60
    outbox = Outbox(db, "TEST1", KEY)  # opens: a clean file
    try:
        assert outbox.integrity_ok()
        assert sum(1 for i in ids if outbox.get_or_none(i)) == copied
        outbox.submit("a.b", 1, "fr", {"x": "y"}, {})  # and takes new submissions
    finally:
        outbox.close()


def test_recover_from_the_cli(kiosk_home):
    from kiosk.paths import KioskPaths

    p = KioskPaths.from_env().ensure()
    fill(p.database, 30)
    damage(p.database)
    result = CliRunner().invoke(cli, ["queue", "recover"])
    assert result.exit_code == 0 and "damaged database kept as" in result.output


def test_a_full_disk_refuses_cleanly_and_the_queue_works_again(tmp_path):
    db = tmp_path / "outbox.sqlite"
    outbox = Outbox(db, "TEST1", KEY)
    try:
        pages = outbox.db.execute("PRAGMA page_count").fetchone()[0]
        outbox.db.execute(f"PRAGMA max_page_count={pages + 3}")
        saved = 0
        with pytest.raises(OutboxError, match="full"):
            for _ in range(100):
                outbox.submit("a.b", 1, "fr", {"x": "y" * 3000}, {})
                saved += 1
        assert not outbox.db.conn.in_transaction
        assert outbox.counts()["queued"] == saved and outbox.integrity_ok()
        outbox.db.execute("PRAGMA max_page_count=1073741823")  # space freed
        outbox.submit("a.b", 1, "fr", {"x": "y"}, {})
        assert outbox.counts()["queued"] == saved + 1
    finally:
        outbox.close()
