import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def kiosk_home(tmp_path, monkeypatch):
    home = tmp_path / "kiosk-home"
    monkeypatch.setenv("KIOSK_HOME", str(home))
    return home


@pytest.fixture
def services(kiosk_home):
    from kiosk.paths import KioskPaths
    from kiosk.services import Services

    s = Services.open(KioskPaths.from_env())
    yield s
    s.close()


@pytest.fixture
def demo_identity():
    from kiosk.card.demo import load_demo_identity

    return load_demo_identity()
