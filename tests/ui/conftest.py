import pytest


@pytest.fixture
def kiosk(services, qapp):
    from ui.main import configure_qt
    configure_qt()
    from ui.app import Kiosk
    from kiosk.card.demo import DemoCardReader

    k = Kiosk(services, fullscreen=False, demo=True, size=(1080, 1920), animations=False,
              reader=DemoCardReader(delay=0.05))
    k.window.show()
    yield k
    k.close()


@pytest.fixture
def driver(kiosk):
    from ui.driver import Driver

    return Driver(kiosk)


@pytest.fixture
def landscape_driver(services, qapp):
    """A kiosk on a landscape screen (the keyboard goes to the side column)."""
    from ui.main import configure_qt
    configure_qt()
    from ui.app import Kiosk
    from ui.driver import Driver
    from kiosk.card.demo import DemoCardReader

    k = Kiosk(services, fullscreen=False, demo=True, size=(1920, 1080), animations=False,
              reader=DemoCardReader(delay=0.05))
    k.window.show()
    yield Driver(k)
    k.close()
