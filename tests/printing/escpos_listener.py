"""A fake ESC/POS thermal printer for the tests, and a decoder for what it received.

``FakeThermalPrinter`` listens on 127.0.0.1 on a port the OS chooses (and on 9100 as
well if asked and free), records every byte of every connection, and answers the
real-time status requests ``DLE EOT n`` (n = 1, 2, 4) with the bytes of its current
state ("ok", "near-end", "out", "cover-open", "error", "silent": no answer at all, or
any {n: byte} answers). Like a
real printer it reads its input in order and acts on a real-time request wherever it
appears, even inside bit image data (such hits are also recorded as ``spurious``). It
can change state once it has cut the paper (``after_cut``: the roll ran out during the
job), and put garbage before each answer.

``decode(stream)`` splits an ESC/POS byte stream into commands; ``raster(stream)``
rebuilds the picture from its ``GS v 0`` blocks (stacked top to bottom).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

from PIL import Image

#: answers to DLE EOT 1 (printer), 2 (offline cause), 4 (roll paper sensor), per the Epson
#: reference; fixed bits 0b0xx1xx10
STATES: dict[str, dict[int, int]] = {
    "ok": {1: 0x12, 2: 0x12, 4: 0x12},
    "near-end": {1: 0x12, 2: 0x12, 4: 0x1E},                # bits 2-3: near end
    "out": {1: 0x1A, 2: 0x32, 4: 0x7E},                     # offline; stopped by paper end; end
    "cover-open": {1: 0x1A, 2: 0x16, 4: 0x12},              # offline; cover open
    "error": {1: 0x1A, 2: 0x52, 4: 0x12},                   # offline; error occurred
    "silent": {},                                           # answers nothing
}


@dataclass
class Command:
    name: str                 # "ESC @", "GS v 0", "GS V", "DLE EOT", "ESC d", "byte", ...
    offset: int
    args: tuple = ()
    data: bytes = b""         # GS v 0 bitmap


@dataclass
class RasterBlock:
    mode: int
    width_bytes: int
    height: int
    bitmap: bytes

    def image(self) -> Image.Image:
        """Mode "1" image, black = a printed dot (bit 1 in ESC/POS)."""
        return Image.frombytes("1", (self.width_bytes * 8, self.height), self.bitmap, "raw", "1;I")


def parse_one(data: bytes | bytearray, pos: int) -> Command | None:
    """The command that starts at ``pos``, or None if it is not complete yet."""
    n = len(data)
    b = data[pos]

    def need(k: int) -> bool:
        return pos + k <= n

    if b == 0x10:  # DLE: real-time commands
        if not need(3):
            return None
        c, arg = data[pos + 1], data[pos + 2]
        name = {0x04: "DLE EOT", 0x05: "DLE ENQ", 0x14: "DLE DC4"}.get(c)
        if name:
            return Command(name, pos, (arg,))
        return Command("byte", pos, (b,))
    if b == 0x1B:  # ESC
        if not need(2):
            return None
        c = data[pos + 1]
        if c == ord("@"):
            return Command("ESC @", pos)
        if c in b"dJa3!E-":
            if not need(3):
                return None
            return Command(f"ESC {chr(c)}", pos, (data[pos + 2],))
        return Command(f"ESC 0x{c:02x}", pos)
    if b == 0x1D:  # GS
        if not need(2):
            return None
        c = data[pos + 1]
        if c == ord("v"):
            if not need(8):
                return None
            if data[pos + 2] not in (0x30, 0x00):
                return Command("GS v ?", pos, (data[pos + 2],))
            m = data[pos + 3]
            wb = data[pos + 4] | data[pos + 5] << 8
            h = data[pos + 6] | data[pos + 7] << 8
            if not need(8 + wb * h):
                return None
            return Command("GS v 0", pos, (m, wb, h), bytes(data[pos + 8:pos + 8 + wb * h]))
        if c == ord("V"):
            if not need(3):
                return None
            m = data[pos + 2]
            if m in (0, 1, 48, 49):
                return Command("GS V", pos, (m,))
            if not need(4):
                return None
            return Command("GS V", pos, (m, data[pos + 3]))
        if c == ord("r"):
            if not need(3):
                return None
            return Command("GS r", pos, (data[pos + 2],))
        return Command(f"GS 0x{c:02x}", pos)
    return Command("byte", pos, (b,))


def _size(cmd: Command) -> int:
    if cmd.name == "GS v 0":
        return 8 + len(cmd.data)
    if cmd.name in ("ESC @",) or cmd.name.startswith(("ESC 0x", "GS 0x")):
        return 2
    if cmd.name == "byte":
        return 1
    if cmd.name == "GS V":
        return 2 + len(cmd.args)
    return 3


def decode(stream: bytes) -> list[Command]:
    """Every command in a complete stream (a truncated last command is an error)."""
    out, pos = [], 0
    while pos < len(stream):
        cmd = parse_one(stream, pos)
        if cmd is None:
            raise ValueError(f"truncated command at byte {pos} of {len(stream)}")
        out.append(cmd)
        pos += _size(cmd)
    return out


def raster_blocks(stream: bytes) -> list[RasterBlock]:
    return [RasterBlock(c.args[0], c.args[1], c.args[2], c.data)
            for c in decode(stream) if c.name == "GS v 0"]


def raster(stream: bytes) -> Image.Image | None:
    """The GS v 0 blocks of a stream stacked top to bottom (None if there is none)."""
    blocks = raster_blocks(stream)
    if not blocks:
        return None
    widths = {b.width_bytes for b in blocks}
    if len(widths) != 1:
        raise ValueError(f"GS v 0 blocks of different widths: {sorted(widths)} bytes")
    img = Image.new("1", (widths.pop() * 8, sum(b.height for b in blocks)), 255)
    y = 0
    for b in blocks:
        img.paste(b.image(), (0, y))
        y += b.height
    return img


def realtime_in(bitmap: bytes) -> list[tuple[int, int, int]]:
    """(offset, command byte, argument) of every DLE EOT/ENQ/DC4 pair inside raster data."""
    return [(i, bitmap[i + 1], bitmap[i + 2] if i + 2 < len(bitmap) else -1)
            for i in range(len(bitmap) - 1)
            if bitmap[i] == 0x10 and bitmap[i + 1] in (0x04, 0x05, 0x14)]


@dataclass
class Connection:
    data: bytearray = field(default_factory=bytearray)
    commands: list[Command] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)       # DLE EOT n received, in order
    answered: list[int] = field(default_factory=list)       # status bytes sent back
    spurious: list[tuple[int, int, int]] = field(default_factory=list)  # in raster data
    closed: threading.Event = field(default_factory=threading.Event)

    @property
    def rasters(self) -> list[Command]:
        return [c for c in self.commands if c.name == "GS v 0"]

    def image(self) -> Image.Image | None:
        return raster(bytes(self.data))


class FakeThermalPrinter:
    def __init__(self, state: str | dict[int, int] = "ok", *, after_cut: str | None = None,
                 garbage: bytes = b"", also_9100: bool = False, delay: float = 0.0):
        self.state = state
        self.after_cut = after_cut
        self.garbage = garbage
        self.delay = delay          # seconds before each answer
        self.also_9100 = also_9100
        self.connections: list[Connection] = []
        self.port_9100 = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._servers: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    # -- life ---------------------------------------------------------------------------

    def start(self) -> "FakeThermalPrinter":
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        self.port = srv.getsockname()[1]
        self._servers.append(srv)
        if self.also_9100:
            extra = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                extra.bind(("127.0.0.1", 9100))
                extra.listen(8)
                self._servers.append(extra)
                self.port_9100 = True
            except OSError:
                extra.close()
        for s in self._servers:
            s.settimeout(0.1)
            t = threading.Thread(target=self._accept, args=(s,), daemon=True,
                                 name=f"fake-escpos-{s.getsockname()[1]}")
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in list(self._threads):
            t.join(timeout=2)
        for s in self._servers:
            s.close()

    def __enter__(self) -> "FakeThermalPrinter":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"tcp:127.0.0.1:{self.port}"

    def set_state(self, state: str | dict[int, int]) -> None:
        """A name from STATES, or the answers themselves ({n: byte}, n missing: silent)."""
        if isinstance(state, str) and state not in STATES:
            raise ValueError(state)
        with self._lock:
            self.state = state

    def wait_closed(self, count: int = 1, timeout: float = 5.0) -> list[Connection]:
        """The first ``count`` connections, once the client has closed each of them."""
        end = time.monotonic() + timeout
        while len(self.connections) < count and time.monotonic() < end:
            time.sleep(0.005)
        conns = self.connections[:count]
        for c in conns:
            if not c.closed.wait(max(end - time.monotonic(), 0)):
                raise TimeoutError("the client did not close its connection")
        if len(conns) < count:
            raise TimeoutError(f"{len(conns)} connection(s), expected {count}")
        return conns

    # -- serving ------------------------------------------------------------------------

    def _accept(self, srv: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                sock, _ = srv.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn = Connection()
            with self._lock:
                self.connections.append(conn)
            t = threading.Thread(target=self._serve, args=(sock, conn), daemon=True)
            t.start()
            self._threads.append(t)

    def _answer(self, sock: socket.socket, conn: Connection, n: int) -> None:
        with self._lock:
            byte = (STATES[self.state] if isinstance(self.state, str) else self.state).get(n)
        if byte is None:
            return
        if self.delay:
            time.sleep(self.delay)
        conn.answered.append(byte)
        try:
            sock.sendall(self.garbage + bytes((byte,)))
        except OSError:
            pass

    def _serve(self, sock: socket.socket, conn: Connection) -> None:
        sock.settimeout(0.1)
        pos = 0
        try:
            while not self._stop.is_set():
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                conn.data += chunk
                while pos < len(conn.data):
                    cmd = parse_one(conn.data, pos)
                    if cmd is None:
                        break
                    pos += _size(cmd)
                    conn.commands.append(cmd)
                    if cmd.name == "DLE EOT":
                        conn.requests.append(cmd.args[0])
                        self._answer(sock, conn, cmd.args[0])
                    elif cmd.name == "GS v 0":
                        # a real printer acts on DLE EOT even inside image data
                        for off, c, arg in realtime_in(cmd.data):
                            conn.spurious.append((cmd.offset + 8 + off, c, arg))
                            if c == 0x04 and arg in (1, 2, 3, 4):
                                self._answer(sock, conn, arg)
                    elif cmd.name == "GS V" and self.after_cut:
                        self.set_state(self.after_cut)
        finally:
            sock.close()
            conn.closed.set()
