"""The running kiosk's background sync: a saved submission wakes the worker, which sends
it on its own connection while the kiosk keeps saving; its status says so."""

import time

from kiosk.paths import KioskPaths
from kiosk.services import Services
from kiosk.session import Session
from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage

from ..helpers import fill, to_catalog
from .conftest import kiosk_cmd as kiosk, provision, serve


def test_a_submission_is_sent_in_the_background(kiosk_home, tmp_path, demo_identity):
    db = tmp_path / "backoffice" / "intake.sqlite"
    provision(db)
    storage = SqliteStorage(db)
    url, stop = serve(create_app(storage, IntakeKeys.load(keys_dir(db)).signing))
    kiosk("config", "set", "sync.endpoint", url)
    services = Services.open(KioskPaths.from_env())
    seen = []
    try:
        worker = services.start_sync(interval=60, on_status=seen.append)
        assert worker is not None
        for _ in range(3):
            session = Session(services, services.catalog, "fr")
            to_catalog(session, demo_identity)
            fill(session, "cnss.attestation-affiliation")
            session.set_consent(True)
            session.submit()
            session.end()
        deadline = time.monotonic() + 10
        while services.outbox.counts()["acknowledged"] < 3:
            assert time.monotonic() < deadline, services.outbox.counts()
            time.sleep(0.05)
        assert storage.stats()["unique"] == 3
        deadline = time.monotonic() + 5
        while not (seen and seen[-1].pending == 0 and seen[-1].last_success):
            assert time.monotonic() < deadline, seen[-1:]
            time.sleep(0.05)
        assert worker.status.online is True and worker.status.last_error is None
    finally:
        services.close()
        stop()
        storage.close()


def test_without_settings_no_worker_and_nothing_lost(services):
    assert services.start_sync() is None
