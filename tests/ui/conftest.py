import pytest


def make_kiosk(services, size):
    from ui.main import configure_qt
    configure_qt()
    from ui.app import Kiosk
    from kiosk.card.demo import DemoCardReader

    k = Kiosk(services, fullscreen=False, demo=True, size=size, animations=False,
              reader=DemoCardReader(delay=0.05))
    k.window.show()
    return k


@pytest.fixture
def kiosk(services, qapp):
    k = make_kiosk(services, (1080, 1920))
    yield k
    k.close()


@pytest.fixture
def driver(kiosk):
    from ui.driver import Driver

    return Driver(kiosk)


@pytest.fixture
def landscape_driver(services, qapp):
    """A kiosk on a landscape screen (the keyboard goes to the side column)."""
    from ui.driver import Driver

    k = make_kiosk(services, (1920, 1080))
    yield Driver(k)
    k.close()
