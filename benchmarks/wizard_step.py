"""Step-to-step transition in the wizard (issue 5): <= 50 ms in the engine, <= 100 ms
to the next rendered frame.

Engine: ``Session.next()`` on the long procedure with its example answers (validation
of the step, conditions, the next visible step), then ``presenter.screen()`` (what the
screen shows). Frame: a touch on Continue through the view model, to the rendered
frame (``grabWindow()``: polish, sync, render and read-back, an upper bound).

    .venv/bin/python benchmarks/wizard_step.py [ROUNDS]
"""

import os
import statistics
import sys
import tempfile
import time

os.environ["QT_QPA_PLATFORM"] = "offscreen"

LONG = "cnss.ipe"


def walk(session, answers, on_next):
    from kiosk.session import State

    session.choose(LONG)
    session.begin_procedure()
    while session.state is State.WIZARD:
        session.answer_step(answers)
        on_next()
    if session.state is not State.REVIEW:
        raise RuntimeError(f"walk ended in {session.state.value}: {session.last_end}")
    session.leave_procedure()


def report(name, times):
    times.sort()
    print(f"{name}: median {statistics.median(times):.2f} ms, p90 {times[int(len(times) * 0.9)]:.2f} ms, "
          f"max {times[-1]:.2f} ms (n={len(times)})")


def main(rounds: int) -> None:
    from ui.main import configure_qt
    configure_qt()
    from kiosk import presenter
    from kiosk.card.demo import load_demo_identity
    from kiosk.paths import KioskPaths
    from kiosk.procedures.examples import example_answers
    from kiosk.services import Services
    from ui.app import Kiosk
    from ui.shots import _to_confirm

    with tempfile.TemporaryDirectory() as home:
        services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home}))
        from kiosk.card.demo import DemoCardReader
        kiosk = Kiosk(services, fullscreen=False, demo=True, animations=False,
                      reader=DemoCardReader(delay=0.05))
        kiosk.window.show()
        session = kiosk.session
        answers = example_answers(services.catalog.get(LONG), "fr", load_demo_identity().prefill())
        _to_confirm(session)
        session.confirm_identity(True)
        engine, frame = [], []

        def engine_next():
            t0 = time.perf_counter()
            session.wizard.next()
            presenter.screen(session)
            engine.append((time.perf_counter() - t0) * 1000)
            session.wizard.back()
            kiosk.model.next()

        from PySide6.QtCore import QCoreApplication, QEvent

        def idle():
            # What the running event loop does between touches: deferred deletions of
            # the screens replaced (processEvents() alone never runs them).
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            kiosk.app.processEvents()

        def frame_next():
            idle()
            kiosk.window.grabWindow()
            t0 = time.perf_counter()
            kiosk.model.next()
            kiosk.app.processEvents()
            kiosk.window.grabWindow()
            frame.append((time.perf_counter() - t0) * 1000)

        for i in range(rounds):
            walk(session, answers, engine_next if i % 2 == 0 else frame_next)
            if os.environ.get("TRACE") and i % 2:
                print(i, f"{statistics.median(frame[-8:]):.1f}")
        report("engine: next() + what the next screen shows", engine)
        report("touch on Continue to the next rendered frame", frame)
        kiosk.close()
        services.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
