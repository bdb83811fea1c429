"""The issue's 'done when': a submission made by touch on the kiosk's screens appears
once in `kiosk intake show` after `kiosk sync run`, through real HTTP on 127.0.0.1."""

import json

from kiosk.config import Settings
from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage
from tests.kiosk.sync.conftest import kiosk_cmd as kiosk_cli, provision, serve
from tests.ui.test_gui_printing import submit_by_touch


def test_touch_submission_reaches_the_intake_once(kiosk, driver, services, tmp_path):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision(db)                      # the technician's sequence, through the real CLI
    storage = SqliteStorage(db)
    url, stop = serve(create_app(storage, IntakeKeys.load(keys_dir(db)).signing))
    try:
        kiosk_cli("config", "set", "sync.endpoint", url)
        # The running kiosk reads its settings again (as after a technician's change).
        services.settings = Settings.load(services.paths.config_file)
        services.outbox.close()
        services._outbox = None
        number = submit_by_touch(driver.kiosk, driver, "zgh")
        driver.click("finish")
        first = json.loads(kiosk_cli("sync", "run", "--json"))
        assert first["acknowledged"] == 1 and first["pending"] == 0
        assert json.loads(kiosk_cli("sync", "run", "--json"))["acknowledged"] == 0
        shown = json.loads(kiosk_cli("intake", "show", "--db", db, number))
        assert shown["tracking"] == number and shown["procedure_id"] == "commune.extrait-acte-naissance"
        assert json.loads(kiosk_cli("intake", "stats", "--db", db, "--json"))["unique"] == 1
        assert services.outbox.by_tracking(number)["state"] == "acknowledged"
    finally:
        stop()
        storage.close()

