"""The whole sequence as a technician and an agent run it, through the real `kiosk`
command and real HTTP on 127.0.0.1: provision the intake and the kiosk offline, submit,
`kiosk sync run`, and the submission appears once in `kiosk intake show`."""

import json

from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage

from .conftest import kiosk_cmd as kiosk, provision, serve


def test_submit_sync_show_exactly_once(kiosk_home, tmp_path):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision(db)
    storage = SqliteStorage(db)
    url, stop = serve(create_app(storage, IntakeKeys.load(keys_dir(db)).signing))
    try:
        kiosk("config", "set", "sync.endpoint", url)
        example = kiosk("catalog", "example", "cnss.ipe")
        saved = json.loads(kiosk("queue", "submit", "--procedure", "cnss.ipe", "--answers", "-",
                                 input=example))
        first = json.loads(kiosk("sync", "run", "--json"))
        assert first["acknowledged"] == 1 and first["pending"] == 0 and first["last_error"] is None
        again = json.loads(kiosk("sync", "run", "--json"))
        assert again["acknowledged"] == 0
        shown = kiosk("intake", "show", "--db", db, saved["tracking"])
        assert "0612345678" in shown and "cnss.ipe" in shown  # the back office reads it
        stats = json.loads(kiosk("intake", "stats", "--db", db, "--json"))
        assert stats["unique"] == 1
    finally:
        stop()
        storage.close()


def test_sync_without_settings_says_what_to_set(kiosk_home):
    assert "sync.endpoint" in kiosk("sync", "run", ok=False)
