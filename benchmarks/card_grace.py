"""The card-removal grace (issue 8): a citizen takes the card out mid-procedure and puts
it back. From the moment pcscd reports the card back to the session resumed (the card
opened again with the session's CAN by PACE, read and verified, the same document), N
times, through a real pcscd with vpcd and the emulated CNIE. No display needed.

    .venv/bin/python benchmarks/card_grace.py [N]
"""

import contextlib
import queue
import statistics
import sys
import tempfile
import time


def main(n: int) -> None:
    from kiosk.card.chip_reader import ChipCardReader, PcscLink, Policy
    from kiosk.card.emulator.chip import chip_for
    from kiosk.card.emulator.pcscd import VIRTUAL_READER, ensure_pcscd, wait_card
    from kiosk.card.emulator.vpcd import VpcdCard
    from kiosk.card.reader import CardEventKind
    from kiosk.card.source import demo_document
    from kiosk.card.trust import load_trust_store
    from kiosk.paths import KioskPaths
    from kiosk.services import Services
    from kiosk.session import Session, State

    pcscd = ensure_pcscd()
    document = demo_document()

    @contextlib.contextmanager
    def card():
        c = VpcdCard(chip_for(document)).start()
        assert c.wait_connected(10) and wait_card(True)
        try:
            yield
        finally:
            c.stop()
            wait_card(False)

    events: queue.Queue = queue.Queue()
    reader = ChipCardReader(PcscLink(VIRTUAL_READER), Policy(load_trust_store()))
    times = []
    with tempfile.TemporaryDirectory() as home:
        services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home}))
        session = Session(services, services.catalog, "fr", card_grace=60,
                          provide_access=reader.provide_access)
        reader.start(events.put)

        def pump(until, timeout=20.0, mark=None):
            deadline = time.monotonic() + timeout
            while not until():
                assert time.monotonic() < deadline, f"stuck: {session.state.value}/{session.card_away}"
                try:
                    event = events.get(timeout=0.05)
                except queue.Empty:
                    continue
                if mark is not None and event.kind is CardEventKind.INSERTED:
                    mark.append(time.perf_counter())
                session.on_card_event(event)
            return time.perf_counter()

        session.start("fr")
        first = card()
        first.__enter__()
        pump(lambda: session.state is State.ACCESS)
        for d in document.can:
            session.type_can(d)
        session.provide_access(session.submit_can())
        pump(lambda: session.state is State.CONFIRM)
        session.confirm_identity(True)
        first.__exit__(None, None, None)
        for _ in range(n):
            pump(lambda: session.card_away == "waiting")
            with card():
                mark: list = []
                done = pump(lambda: session.card_away is None, mark=mark)
                times.append((done - mark[0]) * 1000)
        reader.stop()
        services.close()
    pcscd.stop()
    times.sort()
    print(f"same card put back -> session resumed (PACE-CAN + read + passive auth + compare), n={n}: "
          f"median {statistics.median(times):.1f} ms, min {times[0]:.1f}, max {times[-1]:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
