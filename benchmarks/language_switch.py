"""Language switch on a populated wizard screen, to the next rendered frame.

The frame is rendered synchronously with grabWindow() (polish, sync, render and a
read-back of the pixels), so the figure is an upper bound of what a screen shows.

    .venv/bin/python benchmarks/language_switch.py [N]
"""

import os
import statistics
import sys
import tempfile
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def main(n: int) -> None:
    from ui.main import configure_qt
    configure_qt()
    from kiosk.paths import KioskPaths
    from kiosk.services import Services
    from ui.app import Kiosk
    from ui.shots import _to_wizard

    with tempfile.TemporaryDirectory() as home:
        services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home}))
        kiosk = Kiosk(services, fullscreen=False, demo=True, animations=False)
        kiosk.window.show()
        session = kiosk.session
        _to_wizard(session, "cnss.attestation-affiliation")
        session.next()  # identity, read from the card
        session.answer("purpose", "bank")
        session.next()  # "copies" is missing: an error message is shown too
        kiosk.window.grabWindow()
        times = []
        langs = ["ar", "zgh", "fr"]
        for i in range(n):
            t0 = time.perf_counter()
            kiosk.model.setLanguage(langs[i % 3])
            kiosk.app.processEvents()
            kiosk.window.grabWindow()
            times.append(time.perf_counter() - t0)
        times.sort()
        print(f"language switch on a wizard step to next frame: median {statistics.median(times)*1000:.1f} ms, "
              f"p90 {times[int(len(times)*0.9)]*1000:.1f} ms, max {times[-1]*1000:.1f} ms (n={n})")
        kiosk.close()
        services.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
