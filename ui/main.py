"""Entry points of the Qt kiosk: interactive run, and the scripted offscreen demo."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kiosk.logs import setup_logging
from kiosk.paths import KioskPaths


def configure_qt() -> None:
    """The Basic Qt Quick Controls style: the same look on every kiosk, no platform theme."""
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and \
        os.environ.get("QT_QPA_PLATFORM") != "offscreen"


def run_kiosk(fullscreen: bool, demo: bool, size: tuple[int, int] = (1080, 1920)) -> int:
    import faulthandler
    import logging

    from kiosk import watchdog
    from kiosk.services import Services
    configure_qt()
    from . import appliance
    from .app import Kiosk

    log = logging.getLogger(__name__)
    paths = KioskPaths.from_env().ensure()
    setup_logging(paths)
    faulthandler.enable()  # a watchdog kill (SIGABRT) leaves the stuck thread's stack in the journal
    marker = watchdog.record_start(paths)  # logs how the previous run ended
    services = Services.open(paths)  # drafts a crash interrupted are destroyed here
    try:  # a batch that was being sent when the kiosk stopped is queued again
        if requeued := services.outbox.reset_sending():
            log.warning("%d submissions interrupted while sending are queued again", requeued)
    except Exception as e:  # noqa: BLE001 (the kiosk still starts; submitting will say why)
        log.error("outbox not opened at start: %s", type(e).__name__)
    services.start_sync()  # the queue goes to the back office in the background, when configured
    kiosk = Kiosk(services, fullscreen=fullscreen, demo=demo, size=size)
    if fullscreen:  # production: system shortcuts are swallowed, the window refuses to close
        blocker = appliance.ShortcutBlocker(kiosk.app)
        kiosk.app.installEventFilter(blocker)
    heartbeat = appliance.Heartbeat(marker, appliance.heartbeat_period(), kiosk.app)
    heartbeat.start()
    appliance.ReadyAfterFirstFrame(kiosk.window, "Welcome", kiosk.app)  # READY=1 after the first frame
    # SIGTERM ends the event loop; the clean exit is marked at once (under cage the
    # compositor may close the window before this function gets to return)
    stop = appliance.StopOnSignals(kiosk.app, on_stop=marker.end)
    try:
        code = kiosk.app.exec()
        marker.end(stop.received or f"exit {code}")
        watchdog.stopping()
        return code
    finally:
        heartbeat.stop()
        stop.close()
        kiosk.close()
        services.close()


def scripted_demo(out: Path, size: tuple[int, int]) -> int:
    """A citizen session played offscreen by clicking the real screens: card, procedure,
    answers, submit, receipt. Prints where the screenshots and the receipt are."""
    from kiosk.services import Services
    configure_qt()
    from .app import Kiosk
    from .driver import Driver, complete_procedure
    from kiosk.procedures.examples import example_answers

    out.mkdir(parents=True, exist_ok=True)
    home = os.environ.get("KIOSK_HOME") or tempfile.mkdtemp(prefix="guichet-demo-")
    paths = KioskPaths.from_env({"KIOSK_HOME": home}).ensure()
    setup_logging(paths)
    services = Services.open(paths)
    kiosk = Kiosk(services, fullscreen=False, demo=True, size=size, animations=False)
    kiosk.window.show()
    d = Driver(kiosk)
    n = 0

    def shot(name: str) -> None:
        nonlocal n
        n += 1
        kiosk.window.grabWindow().save(str(out / f"{n:02d}-{name}.png"))

    print(f"Guichet demo (offscreen, no display found): kiosk home {home}")
    shot("welcome")
    d.click("lang-fr")
    d.wait_state("identify")
    shot("identify")
    d.click("demoCard")
    if getattr(kiosk.reader, "demo_can", ""):  # the emulated chip asks for its access number
        d.wait_state("access")
        shot("access")
        d.enter_can(kiosk.reader.demo_can)
    d.wait_state("confirm")
    shot("confirm")
    d.click("switch-ar")  # the citizen changes language mid-way: everything is kept
    shot("confirm-ar")
    d.click("confirmMe")
    d.wait_state("catalog")
    shot("catalog")
    procedure = "cnss.attestation-affiliation"
    answers = example_answers(services.catalog.get(procedure), "ar", kiosk.session.identity.prefill())
    complete_procedure(d, procedure, answers)
    d.wait_state("review")
    d.click("consent")
    shot("review")
    d.click("submit")
    d.wait_state("done")
    shot("done")
    result = kiosk.session.result
    print(f"  submission saved: tracking number {result.tracking}")
    print(f"  receipt PDF:      {result.receipt}")
    print(f"  screenshots:      {out.resolve()}/")
    d.click("finish")
    d.wait_state("welcome")
    kiosk.close()
    services.close()
    return 0
