"""The technician's card-reader check: the PC/SC readers pcscd sees, and a test read.

A test read waits for a card in one of the readers the ``card.reader`` setting selects
(a reader is selected when its name contains the setting; empty selects every reader,
as :class:`~kiosk.card.chip_reader.PcscLink` does), then tells what a technician needs
to know that the reader works: which reader, whether the card answered, its ATR,
whether it announces PACE (EF.CardAccess readable and holding a PACEInfo, as an ICAO
eMRTD like the CNIE does) and how long that took. Nothing personal is read: no CAN, no
secure messaging, no data group (EF.CardAccess holds only the chip's PACE parameters).

``CardProbe.run()`` blocks until a card, the timeout or ``cancel()``: call it on a
worker thread, never on the UI thread. pcsc-lite contexts belong to one thread, so the
probe makes its own. No Qt.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from .errors import CardError, CardRemovedError, ParseError, TransportError

log = logging.getLogger(__name__)

#: how long a test read waits for a card
TEST_SECONDS = 20.0

OK = "ok"                  # a card answered (PACE or not: see ``pace``)
NO_ANSWER = "no-answer"    # a card is in the reader but does not answer (mute, or connect refused)
REMOVED = "removed"        # the card left before the test ended
TIMEOUT = "timeout"        # no card within the time
NO_READER = "no-reader"    # no reader selected by the setting, the whole time
NO_PCSCD = "no-pcscd"      # pcscd cannot be reached
CANCELLED = "cancelled"
FAILED = "failed"          # anything else (detail says what)


def selects(name_filter: str, reader: str) -> bool:
    """Whether the ``card.reader`` setting selects this reader (as the kiosk does)."""
    return name_filter in reader


@dataclass(frozen=True)
class ReaderList:
    names: tuple[str, ...] = ()
    #: "" or NO_PCSCD
    error: str = ""
    detail: str = ""


def list_readers() -> ReaderList:
    """The readers pcscd sees now (one local call; no card is touched)."""
    from .pcsc import Context

    try:
        with Context() as ctx:
            return ReaderList(tuple(ctx.readers()))
    except TransportError as e:
        return ReaderList((), NO_PCSCD, str(e))


@dataclass(frozen=True)
class ProbeResult:
    outcome: str
    reader: str = ""
    #: the card answered (an ATR, and a connection)
    answered: bool = False
    atr: bytes = b""
    #: EF.CardAccess was read (None: not asked, the card did not answer)
    card_access: bool | None = None
    #: EF.CardAccess announces a PACE protocol the kiosk speaks
    pace: bool = False
    #: from powering the card to the answer about EF.CardAccess
    ms: float | None = None
    #: technical detail for the technician (English, never personal)
    detail: str = ""

    @property
    def atr_hex(self) -> str:
        return self.atr.hex(" ").upper()


class CardProbe:
    """One test read. ``run()`` on a worker thread; ``cancel()`` from any thread."""

    def __init__(self, name_filter: str = "", timeout: float = TEST_SECONDS, poll: float = 0.25):
        self.name_filter = name_filter
        self.timeout = timeout
        self.poll = poll
        self._cancelled = threading.Event()
        self._ctx = None
        self._ctx_lock = threading.Lock()

    def cancel(self) -> None:
        self._cancelled.set()
        with self._ctx_lock:
            if self._ctx is not None and self._ctx.handle is not None:
                self._ctx.cancel()  # wakes SCardGetStatusChange at once

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def run(self) -> ProbeResult:
        from .pcsc import Context

        try:
            ctx = Context()
        except TransportError as e:
            return ProbeResult(NO_PCSCD, detail=str(e))
        with self._ctx_lock:
            self._ctx = ctx
        try:
            return self._wait(ctx)
        except CardError as e:
            return ProbeResult(FAILED, detail=f"{type(e).__name__}: {e}")
        except Exception as e:  # noqa: BLE001 (a test must report, never kill its thread)
            log.exception("card test read failed")
            return ProbeResult(FAILED, detail=type(e).__name__)
        finally:
            with self._ctx_lock:
                self._ctx = None
            ctx.close()

    def _wait(self, ctx) -> ProbeResult:
        from smartcard import scard

        deadline = time.monotonic() + self.timeout
        states: dict[str, int] = {}
        seen_reader = False
        while True:
            if self._cancelled.is_set():
                return ProbeResult(CANCELLED)
            left = deadline - time.monotonic()
            if left <= 0:
                return ProbeResult(TIMEOUT if seen_reader else NO_READER)
            names = [n for n in ctx.readers() if selects(self.name_filter, n)]
            if not names:
                self._cancelled.wait(min(self.poll, left))
                continue
            seen_reader = True
            states = {n: states.get(n, scard.SCARD_STATE_UNAWARE) for n in names}
            hresult, result = scard.SCardGetStatusChange(
                ctx.handle, int(min(self.poll, left) * 1000), list(states.items()))
            if hresult == scard.SCARD_E_CANCELLED or self._cancelled.is_set():
                return ProbeResult(CANCELLED)
            if hresult in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_UNKNOWN_READER,
                           scard.SCARD_E_READER_UNAVAILABLE):
                continue  # nothing yet, or a reader unplugged: list them again
            if hresult != scard.SCARD_S_SUCCESS:
                return ProbeResult(FAILED, detail=f"pcscd: {scard.SCardGetErrorMessage(hresult).strip()}")
            for name, state, atr in result:
                states[name] = state & ~scard.SCARD_STATE_CHANGED
                if not state & scard.SCARD_STATE_PRESENT:
                    continue
                if state & scard.SCARD_STATE_MUTE:
                    return ProbeResult(NO_ANSWER, name, atr=bytes(atr),
                                       detail="the card does not answer (mute)")
                return self._probe(ctx, name)

    def _probe(self, ctx, name: str) -> ProbeResult:
        from .pace import parse_card_access, select_pace_info
        from .pcsc import Connection
        from .reading import AccessKey, Reader

        start = time.perf_counter()
        try:
            conn = Connection(ctx, name)
        except CardRemovedError as e:
            return ProbeResult(REMOVED, name, detail=str(e))
        except TransportError as e:
            return ProbeResult(NO_ANSWER, name, detail=str(e))
        try:
            try:
                # Unprotected, at MF level: the PACE parameters, nothing about the holder.
                data = Reader(conn.transmit, AccessKey()).read_card_access()
            except CardRemovedError as e:
                return ProbeResult(REMOVED, name, True, conn.atr, detail=str(e))
            except CardError as e:
                return ProbeResult(OK, name, True, conn.atr, False, False,
                                   (time.perf_counter() - start) * 1000, f"{type(e).__name__}: {e}")
            ms = (time.perf_counter() - start) * 1000
            pace, detail = False, ""
            if data:
                try:
                    pace = select_pace_info(parse_card_access(data)) is not None
                except ParseError as e:
                    detail = str(e)
            return ProbeResult(OK, name, True, conn.atr, data is not None, pace, ms, detail)
        finally:
            conn.close()
