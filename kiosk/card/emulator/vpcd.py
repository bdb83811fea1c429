"""vpcd client: puts an emulated chip into the "Virtual PCD" reader of pcscd.

The vsmartcard vpcd driver, loaded by pcscd, listens on 127.0.0.1:35963 (first
reader) for a card. Framing: a 2-byte big-endian length, then the message; a
1-byte message is a control code (0 power off, 1 power on, 2 reset, 4 send the
ATR), anything longer is an APDU to answer with response data and SW1 SW2.

Measured: without TCP_NODELAY and TCP_QUICKACK each APDU costs about 48 ms
(Nagle's algorithm meets delayed ACKs); with both, about 0.1 ms. QUICKACK is not
sticky on Linux, so it is re-armed after every receive.
"""

from __future__ import annotations

import logging
import socket
import threading
from typing import Protocol

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class Chip(Protocol):
    atr: bytes

    def power_on(self) -> None: ...
    def process(self, apdu: bytes) -> bytes: ...


def _tune(sock: socket.socket) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _quickack(sock)


def _quickack(sock: socket.socket) -> None:
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise ConnectionError("vpcd closed the connection")
        buf += part
    _quickack(sock)
    return bytes(buf)


class VpcdCard:
    """Serves ``chip`` to vpcd until ``stop()``; reconnects if pcscd restarts.
    ``insert()``/``remove()`` model the citizen placing and taking the card:
    the card is "in the reader" while connected."""

    def __init__(self, chip: Chip, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        self.chip = chip
        self.host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.connected = threading.Event()
        self.apdus = 0

    def start(self) -> "VpcdCard":
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="vpcd-card", daemon=True)
        self._thread.start()
        return self

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self.connected.wait(timeout)

    def stop(self) -> None:
        """Take the card out: close the socket (pcscd sees the card removed)."""
        self._stop.set()
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.connected.clear()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                self._stop.wait(0.2)  # pcscd (vpcd) not up yet
                continue
            sock.settimeout(None)
            _tune(sock)
            self._sock = sock
            self.connected.set()
            try:
                self._serve(sock)
            except (ConnectionError, OSError) as e:
                if not self._stop.is_set():
                    log.info("vpcd link lost (%s), reconnecting", type(e).__name__)
            finally:
                self.connected.clear()
                self._sock = None
                sock.close()

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            length = int.from_bytes(_recv_exact(sock, 2), "big")
            msg = _recv_exact(sock, length) if length else b""
            if len(msg) == 1:
                code = msg[0]
                if code in (POWER_OFF, POWER_ON, RESET):
                    self.chip.power_on()
                elif code == GET_ATR:
                    self._send(sock, self.chip.atr)
                continue
            if not msg:
                continue
            self.apdus += 1
            self._send(sock, self.chip.process(msg))

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)
