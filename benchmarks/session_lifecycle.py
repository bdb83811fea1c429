"""Sessions (issue 8): the idle wipe and memory over many citizens.

1. Idle wipe: a citizen on a wizard step stops touching; from the moment the countdown
   reaches zero to the first rendered frame of Welcome with the session's data gone
   (the kiosk's own 100 ms tick drives it, as in production). N runs.
2. Memory: M citizen sessions in one process, each through the real screens' states
   (card, confirm, catalog, procedure, answers, review, submit, Done, end), every state
   rendered; resident memory (RSS) after the first 50 and after M.

    .venv/bin/python benchmarks/session_lifecycle.py [N] [M]
"""

import gc
import os
import statistics
import sys
import tempfile
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def main(n: int, m: int) -> None:
    from ui.main import configure_qt
    configure_qt()
    from kiosk.paths import KioskPaths
    from kiosk.procedures.examples import example_answers
    from kiosk.services import Services
    from kiosk.session import EndReason, State
    from ui.app import Kiosk
    from ui.shots import _to_wizard

    with tempfile.TemporaryDirectory() as home:
        services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home}))
        kiosk = Kiosk(services, fullscreen=False, demo=True, animations=False)
        kiosk.window.show()
        session, app = kiosk.session, kiosk.app

        from PySide6.QtCore import QCoreApplication, QEvent

        def render():
            app.processEvents()
            # Replaced screens are deleted by a running event loop; here, by hand.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            kiosk.window.grabWindow()

        # 1. idle wipe
        lat = []
        for _ in range(n):
            _to_wizard(session, "cnss.attestation-affiliation")
            render()
            session.idle_warning, session.idle_countdown = 0.2, 0.3
            session.touch()
            deadline = session._last_touch + 0.5  # the countdown reaches zero here
            while session.state is not State.WELCOME:
                app.processEvents()
                time.sleep(0.001)
            render()
            assert session.identity is None and session.wizard is None
            lat.append((time.monotonic() - deadline) * 1000)
        lat.sort()
        print(f"idle wipe, countdown at zero to Welcome rendered with the data gone: median "
              f"{statistics.median(lat):.0f} ms, max {lat[-1]:.0f} ms (n={n}, tick 100 ms)")
        session.idle_warning, session.idle_countdown = 600, 120

        # 2. memory over many sessions
        proc = services.catalog.get("cnss.attestation-affiliation")
        answers = example_answers(proc, "fr")
        marks = {}
        t0 = time.perf_counter()
        for i in range(1, m + 1):
            _to_wizard(session, proc.id)
            render()
            while session.state is State.WIZARD:
                session.answer_step(answers)
                session.next()
                render()
            session.set_consent(True)
            session.submit()
            render()
            session.end(EndReason.COMPLETED)
            render()
            if i in (50, m) or i % 100 == 0:
                gc.collect()
                marks[i] = rss_mib()
        took = time.perf_counter() - t0
        base = marks[50]
        print(f"memory over {m} sessions: RSS {base:.1f} MiB after 50, "
              + ", ".join(f"{v:.1f} after {k}" for k, v in sorted(marks.items()) if k != 50)
              + f"; growth {100 * (marks[m] - base) / base:+.1f} % ({took / m * 1000:.0f} ms per session)")
        assert services.outbox.counts()["queued"] == m
        kiosk.close()
        services.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2 else 500)
