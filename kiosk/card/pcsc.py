"""PC/SC with pyscard: readers, card events, connections and APDU exchange.

The low-level ``smartcard.scard`` API is used directly: it is the thinnest layer
over pcsc-lite (one C call per APDU) and lets the watcher block in
``SCardGetStatusChange`` until something happens, then be woken by
``SCardCancel`` when the kiosk stops, instead of polling.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable

from smartcard import scard

from .apdu import Command, Response
from .errors import CardRemovedError, TransportError

log = logging.getLogger(__name__)

PNP = "\\\\?PnP?\\Notification"

# PC/SC part 10 features announced by CM_IOCTL_GET_FEATURE_REQUEST.
FEATURE_VERIFY_PIN_DIRECT = 0x06
FEATURE_EXECUTE_PACE = 0x20
_FEATURE_NAMES = {FEATURE_VERIFY_PIN_DIRECT: "pin-pad", FEATURE_EXECUTE_PACE: "pace"}
_GET_FEATURE_REQUEST = scard.SCARD_CTL_CODE(3400)

_REMOVED = {
    scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD,
    scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_E_READER_UNAVAILABLE,
}


def _fail(hresult: int, what: str) -> TransportError:
    message = f"{what}: {scard.SCardGetErrorMessage(hresult).strip()} (0x{hresult & 0xFFFFFFFF:08X})"
    if hresult in _REMOVED:
        return CardRemovedError(message)
    return TransportError(message)


class Context:
    """A PC/SC context. pcsc-lite contexts are per thread: make one per thread."""

    def __init__(self):
        hresult, self.handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "cannot reach pcscd (is it running?)")

    def readers(self) -> list[str]:
        hresult, names = scard.SCardListReaders(self.handle, [])
        if hresult in (scard.SCARD_E_NO_READERS_AVAILABLE,):
            return []
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "cannot list readers")
        return list(names)

    def cancel(self) -> None:
        scard.SCardCancel(self.handle)

    def close(self) -> None:
        if self.handle is not None:
            scard.SCardReleaseContext(self.handle)
            self.handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class ReaderInfo:
    name: str
    card_present: bool
    atr: bytes = b""
    #: largest command the reader accepts (SCARD_ATTR_MAXINPUT), when it says
    max_input: int | None = None
    features: list[str] = field(default_factory=list)


class Connection:
    """A connection to the card in one reader; ``transmit`` is a ``Transmit``."""

    def __init__(self, context: Context, reader: str):
        self.reader = reader
        hresult, self.card, self.protocol = scard.SCardConnect(
            context.handle, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, f"cannot connect to the card in {reader!r}")
        hresult, _reader, _state, _proto, atr = scard.SCardStatus(self.card)
        self.atr = bytes(atr) if hresult == scard.SCARD_S_SUCCESS else b""
        self.apdu_count = 0

    # ATR historical bytes may carry "card capabilities" (tag 7x, third byte bit 0x40
    # = extended Lc/Le). Many eMRTD chips accept extended length without saying so,
    # so the reading layer also probes; this only tells it where to start.
    @property
    def announces_extended_length(self) -> bool:
        return _atr_extended_length(self.atr)

    def transmit(self, command: Command) -> Response:
        raw = command.encode()
        resp = self._exchange(raw)
        # T=0 procedure bytes: 61xx (more data: GET RESPONSE), 6Cxx (resend with Le=xx)
        if resp.sw1 == 0x6C and command.le is not None:
            resp = self._exchange(raw[:-1] + bytes((resp.sw2,)))
        data = bytearray(resp.data)
        while resp.sw1 == 0x61:
            resp = self._exchange(bytes((command.cla & 0x03, 0xC0, 0, 0, resp.sw2)))
            data += resp.data
        return Response(bytes(data), resp.sw)

    def _exchange(self, raw: bytes) -> Response:
        hresult, out = scard.SCardTransmit(self.card, self.protocol, list(raw))
        self.apdu_count += 1
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, f"transmit to {self.reader!r}")
        if len(out) < 2:
            raise TransportError(f"reader {self.reader!r} returned {len(out)} bytes, no status word")
        return Response(bytes(out[:-2]), (out[-2] << 8) | out[-1])

    def max_input(self) -> int | None:
        hresult, value = scard.SCardGetAttrib(self.card, scard.SCARD_ATTR_MAXINPUT)
        if hresult != scard.SCARD_S_SUCCESS or len(value) < 4:
            return None
        return int.from_bytes(bytes(value[:4]), "little") or None

    def features(self) -> list[str]:
        hresult, out = scard.SCardControl(self.card, _GET_FEATURE_REQUEST, [])
        if hresult != scard.SCARD_S_SUCCESS:
            return []
        found, i = [], 0
        while i + 1 < len(out):  # TLV: tag, length 4, control code
            tag, length = out[i], out[i + 1]
            if tag in _FEATURE_NAMES:
                found.append(_FEATURE_NAMES[tag])
            i += 2 + length
        return found

    def close(self, unpower: bool = False) -> None:
        if self.card is not None:
            scard.SCardDisconnect(self.card, scard.SCARD_UNPOWER_CARD if unpower else scard.SCARD_LEAVE_CARD)
            self.card = None


def _atr_extended_length(atr: bytes) -> bool:
    if len(atr) < 2:
        return False
    # Skip interface bytes to reach the historical bytes.
    t0 = atr[1]
    k = t0 & 0x0F
    i, y = 2, t0 >> 4
    while True:
        i += bin(y & 0xF).count("1")
        if not y & 0x8 or i > len(atr):
            break
        y = atr[i - 1] >> 4
    hist = atr[i:i + k]
    if not hist or hist[0] != 0x80:
        return False
    j = 1
    while j < len(hist):
        tag, length = hist[j] >> 4, hist[j] & 0x0F
        value = hist[j + 1:j + 1 + length]
        if tag == 0x7 and len(value) >= 3:
            return bool(value[2] & 0x40)
        j += 1 + length
    return False


def list_readers() -> list[ReaderInfo]:
    """Every reader with card presence; for a reader with a card, its capabilities."""
    out = []
    with Context() as ctx:
        names = ctx.readers()
        if not names:
            return []
        hresult, states = scard.SCardGetStatusChange(
            ctx.handle, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
        if hresult != scard.SCARD_S_SUCCESS:
            raise _fail(hresult, "cannot read reader states")
        for name, state, atr in states:
            info = ReaderInfo(name, bool(state & scard.SCARD_STATE_PRESENT), bytes(atr))
            if info.card_present:
                try:
                    conn = Connection(ctx, name)
                except TransportError:
                    pass
                else:
                    info.max_input = conn.max_input()
                    info.features = conn.features()
                    conn.close()
            out.append(info)
    return out


class Watcher:
    """Reports card insertions and removals in every reader, and readers coming
    and going, from one worker thread. ``on_insert(reader)`` and
    ``on_remove(reader)`` are called on that thread."""

    def __init__(self, on_insert: Callable[[str], None], on_remove: Callable[[str], None],
                 on_readers: Callable[[list[str]], None] | None = None):
        self.on_insert = on_insert
        self.on_remove = on_remove
        self.on_readers = on_readers
        self._stop = threading.Event()
        self._ctx: Context | None = None
        self._thread: threading.Thread | None = None
        self.error: str = ""

    def start(self) -> None:
        self._ctx = Context()  # fail here, in the caller, if pcscd is not there
        self._thread = threading.Thread(target=self._run, name="pcsc-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._ctx is not None:
            self._ctx.cancel()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._ctx is not None:
            self._ctx.close()
            self._ctx = None

    def _run(self) -> None:
        ctx = self._ctx
        present: dict[str, bool] = {}
        states: dict[str, int] = {}
        pnp_state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            names = ctx.readers()
            if set(names) != set(states):
                for gone in set(states) - set(names):
                    if present.pop(gone, False):
                        self.on_remove(gone)
                    states.pop(gone)
                for new in set(names) - set(states):
                    states[new] = scard.SCARD_STATE_UNAWARE
                if self.on_readers:
                    self.on_readers(sorted(names))
            query = list(states.items()) + [(PNP, pnp_state)]
            hresult, result = scard.SCardGetStatusChange(ctx.handle, 2000, query)
            if self._stop.is_set() or hresult == scard.SCARD_E_CANCELLED:
                return
            if hresult == scard.SCARD_E_TIMEOUT:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                self.error = f"pcscd: {scard.SCardGetErrorMessage(hresult).strip()}"
                log.warning("card watcher: %s", self.error)
                self._stop.wait(1.0)
                continue
            for name, state, _atr in result:
                if name == PNP:
                    pnp_state = state & ~scard.SCARD_STATE_CHANGED
                    continue
                states[name] = state & ~scard.SCARD_STATE_CHANGED
                is_present = bool(state & scard.SCARD_STATE_PRESENT) and not state & scard.SCARD_STATE_MUTE
                if is_present != present.get(name, False):
                    present[name] = is_present
                    (self.on_insert if is_present else self.on_remove)(name)
