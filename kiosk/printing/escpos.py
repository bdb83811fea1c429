"""Thermal receipt printers without a CUPS driver, spoken to in ESC/POS.

The receipt always travels as a picture (text mode cannot shape Arabic nor print
Tifinagh): ``raster.rasterise`` turns the PDF into 1-bit dots at the printer's width, and
the job is::

    ESC @                       initialise
    GS v 0 m xL xH yL yH d...   raster bit image, in bands of at most FRAGMENT_ROWS rows
    GS V 65 0                   feed the paper to the cutter and cut

State comes from the real-time status requests ``DLE EOT n`` (Epson ESC/POS reference):
n=1 printer status, n=2 offline cause, n=4 roll paper sensor; each is answered with one
byte whose bits 1 and 4 are set and bits 0 and 7 clear (``0b0xx1xx10``). Anything else
that comes back (noise, an automatic status block, XON/XOFF) is not an answer.

``print_pdf`` on one connection: read the status (paper end: "media-empty"; cover open:
"door-open"; no answer: "offline"), rasterise, send the job, then ask ``DLE EOT`` again.
The printer reads its input in order, so its answer to that last request also says it
has taken every byte of the job; paper end in that answer means the roll ran out during
the job and the receipt was probably cut short: "media-empty".

Why the ``GS v 0`` bytes are built here and not by python-escpos's ``image()``: a
printer acts on real-time commands (``DLE EOT``, ``DLE ENQ``, ``DLE DC4``: ``10 04``,
``10 05``, ``10 14``) wherever they appear in its input, *even inside bit image data*
(the ESC/POS references, Epson's and its clones', give that very example: bit image
data holding 10 04 01), and ordinary receipt rasters hold such byte pairs (0 to 5 in
each of the sample receipts), which would make the printer answer out of turn or, for
DLE ENQ / DLE DC4, act. python-escpos has no way to avoid that, so ``raster_image``
escapes them by turning the lone dot that makes the ``10`` byte into two dots (``10`` ->
``18``): a stroke of a letter one dot wider here and there, never a missing dot (at 576
dots no bar or QR module is one dot wide, so only text can hold a lone dot). The
encoding is otherwise byte for byte python-escpos's ``image(impl="bitImageRaster")``
(a test checks it); python-escpos also prints to stdout on every image when its printer
profile has no media width. It is still used for USB (``escpos.printer.Usb``).

USB (``usb:VID:PID``) goes through python-escpos's ``Usb`` (pyusb, libusb), with its
default endpoints (bulk OUT 0x01, bulk IN 0x82, Epson's); status is read with the same
``DLE EOT`` bytes on the IN endpoint. It cannot be tested without a device; without
pyusb installed, a USB printer is "not-configured" and its status "unreachable".
"""

from __future__ import annotations

import logging
import re
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from PIL import Image

from .base import Printer, PrinterStatus, PrintFailed
from .raster import rasterise

log = logging.getLogger(__name__)

ESC, GS, DLE, EOT = b"\x1b", b"\x1d", b"\x10", b"\x04"
INIT = ESC + b"@"
FEED_AND_CUT = GS + b"V" + bytes((65, 0))  # function B: feed to the cutter + n, full cut
#: DLE EOT n: real-time status requests
PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4
STATUS_REQUESTS = (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR)
#: GS v 0 band height; <= 1023 keeps yH <= 3, so a header never holds 10 04/05/14 either
FRAGMENT_ROWS = 960
DEFAULT_PORT = 9100

_REALTIME = re.compile(rb"\x10(?=[\x04\x05\x14])")  # DLE followed by EOT, ENQ or DC4


def realtime_request(n: int) -> bytes:
    return DLE + EOT + bytes((n,))


# ---------------------------------------------------------------------------------------
# status bytes


def is_status_byte(b: int) -> bool:
    """The fixed bits of a DLE EOT 1/2/4 answer: bit 1 and bit 4 set, bit 0 and bit 7 clear."""
    return (b & 0x93) == 0x12


def status_byte(answer: bytes | None) -> int | None:
    """The first byte of what came back that can be a DLE EOT answer, or None."""
    for b in answer or b"":
        if is_status_byte(b):
            return b
    return None


@dataclass(frozen=True)
class RealtimeStatus:
    """The answers to DLE EOT 1, 2 and 4 (None: no valid answer)."""

    printer: int | None = None        # DLE EOT 1
    offline_cause: int | None = None  # DLE EOT 2
    paper: int | None = None          # DLE EOT 4

    @classmethod
    def from_answers(cls, answers: Mapping[int, bytes | None]) -> "RealtimeStatus":
        """From whatever came back for each request (bytes from outside: any garbage)."""
        return cls(status_byte(answers.get(PRINTER_STATUS)),
                   status_byte(answers.get(OFFLINE_CAUSE)),
                   status_byte(answers.get(PAPER_SENSOR)))

    @property
    def answered(self) -> bool:
        return any(b is not None for b in (self.printer, self.offline_cause, self.paper))

    @property
    def offline(self) -> bool:  # bit 3 offline; bit 5 waiting for online recovery
        return self.printer is not None and bool(self.printer & 0x28)

    @property
    def cover_open(self) -> bool:  # DLE EOT 2 bit 2
        return self.offline_cause is not None and bool(self.offline_cause & 0x04)

    @property
    def paper_end(self) -> bool:  # DLE EOT 4 bits 5-6; DLE EOT 2 bit 5: stopped by paper end
        return ((self.paper is not None and bool(self.paper & 0x60))
                or (self.offline_cause is not None and bool(self.offline_cause & 0x20)))

    @property
    def paper_near_end(self) -> bool:  # DLE EOT 4 bits 2-3
        return self.paper is not None and bool(self.paper & 0x0C)

    @property
    def error(self) -> bool:  # DLE EOT 2 bit 6: an error occurred (cutter, head, ...)
        return self.offline_cause is not None and bool(self.offline_cause & 0x40)

    @property
    def feeding(self) -> bool:  # DLE EOT 2 bit 3: paper fed by the FEED button (transient)
        return self.offline_cause is not None and bool(self.offline_cause & 0x08)

    def reasons(self) -> tuple[str, ...]:
        """IPP printer-state-reasons keywords."""
        if not self.answered:
            return ("offline",)
        out = []
        if self.paper_end:
            out.append("media-empty")
        elif self.paper_near_end:
            out.append("media-low")
        if self.cover_open:
            out.append("door-open")
        if self.error:
            out.append("other")
        if self.offline and not out:
            out.append("offline")
        return tuple(out)

    def failure(self) -> tuple[str, str] | None:
        """(failure code, detail) if a receipt cannot be printed now, else None."""
        if not self.answered:
            return "offline", "no answer to DLE EOT"
        if self.cover_open:
            return "door-open", "cover open (DLE EOT 2)"
        if self.paper_end:
            return "media-empty", "paper end (DLE EOT 4)"
        if self.error:
            return "error", "printer error (DLE EOT 2 bit 6: cutter, head or mechanism)"
        if self.offline and not self.feeding:
            return "offline", "printer offline (DLE EOT 1)"
        return None

    def describe(self) -> str:
        raw = ", ".join(f"DLE EOT {n}: {'-' if b is None else f'0x{b:02x}'}"
                        for n, b in zip(STATUS_REQUESTS, (self.printer, self.offline_cause, self.paper)))
        words = [w for w, on in (("offline", self.offline), ("cover open", self.cover_open),
                                 ("paper end", self.paper_end),
                                 ("paper near end", self.paper_near_end and not self.paper_end),
                                 ("error", self.error), ("feeding", self.feeding)) if on]
        return f"{'; '.join(words) or 'ready'} ({raw})"

    def hex(self) -> dict:
        return {str(n): None if b is None else f"0x{b:02x}"
                for n, b in zip(STATUS_REQUESTS, (self.printer, self.offline_cause, self.paper))}


# ---------------------------------------------------------------------------------------
# encoding


def escape_realtime(bitmap: bytes) -> bytes:
    """Raster data with no DLE EOT / DLE ENQ / DLE DC4 byte pair in it (see module doc)."""
    return _REALTIME.sub(b"\x18", bitmap)


def raster_image(img: Image.Image, fragment_rows: int = FRAGMENT_ROWS) -> bytes:
    """``GS v 0`` bands for a mode "1" image (black = printed dot), top to bottom."""
    if not 1 <= fragment_rows <= 1023:
        raise ValueError(f"fragment_rows {fragment_rows} not in 1..1023")
    if img.mode != "1":
        img = img.convert("L").point([0] * 128 + [255] * 128, "1")
    w, h = img.size
    width_bytes = (w + 7) // 8
    if not (1 <= width_bytes <= 0xFFFF and h >= 1):
        raise ValueError(f"cannot send a {w}x{h} image")
    # "1;I": inverted packing, 1 = black = a dot; rows padded to whole bytes with 0 (blank)
    data = img.tobytes("raw", "1;I")
    out = bytearray()
    for top in range(0, h, fragment_rows):
        rows = min(fragment_rows, h - top)
        out += GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + rows.to_bytes(2, "little")
        out += escape_realtime(data[top * width_bytes:(top + rows) * width_bytes])
    return bytes(out)


def raster_job(img: Image.Image, fragment_rows: int = FRAGMENT_ROWS) -> bytes:
    """The whole job: initialise, the image, feed to the cutter and cut."""
    return INIT + raster_image(img, fragment_rows) + FEED_AND_CUT


# ---------------------------------------------------------------------------------------
# transports


class _Unreachable(Exception):
    """The device cannot be reached (refused, no route, unplugged, link lost)."""


class _Timeout(Exception):
    """The device stopped taking data."""


class _Tcp:
    def __init__(self, host: str, port: int, timeout: float):
        try:
            self.sock = socket.create_connection((host, port), timeout=max(timeout, 0.01))
        except socket.timeout as e:
            raise _Unreachable(f"{host}:{port}: no answer to connect in {timeout:g} s") from e
        except OSError as e:
            raise _Unreachable(f"{host}:{port}: {e.strerror or e}") from e
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes, deadline: float) -> None:
        view, sent = memoryview(data), 0
        try:
            while sent < len(data):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise _Timeout(f"the printer took {sent} of {len(data)} bytes")
                self.sock.settimeout(left)
                try:
                    sent += self.sock.send(view[sent:sent + 65536])
                except socket.timeout:
                    raise _Timeout(f"the printer took {sent} of {len(data)} bytes") from None
        except OSError as e:
            raise _Unreachable(f"connection lost after {sent} of {len(data)} bytes: {e}") from e

    def read(self, deadline: float) -> bytes:
        """What arrives before the deadline (b"" if nothing)."""
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                self.sock.setblocking(False)
            else:
                self.sock.settimeout(left)
            chunk = self.sock.recv(64)
        except (socket.timeout, BlockingIOError):
            return b""
        except OSError as e:
            raise _Unreachable(f"connection lost: {e}") from e
        if not chunk:
            raise _Unreachable("the printer closed the connection")
        return chunk

    def close(self) -> None:
        try:  # read what is left first: closing on unread data resets the connection
            self.sock.setblocking(False)
            while self.sock.recv(4096):
                pass
        except OSError:
            pass
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class _Usb:
    """python-escpos's Usb device (pyusb): writes to bulk OUT, reads answers on bulk IN."""

    def __init__(self, vid: int, pid: int, timeout: float):
        try:
            from escpos.printer import Usb
        except ImportError as e:  # pragma: no cover - python-escpos is a dependency
            raise _NotConfigured(f"python-escpos: {e}") from e
        if not Usb.is_usable():
            raise _NotConfigured("USB printing needs pyusb (and libusb), not installed")
        self.p = Usb(vid, pid, timeout=int(timeout * 1000))
        try:
            self.p.open()
        except Exception as e:  # DeviceNotFoundError, USBNotFoundError, usb.core.USBError
            raise _Unreachable(f"USB {vid:04x}:{pid:04x}: {e}") from e

    def write(self, data: bytes, deadline: float) -> None:
        import usb.core
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            raise _Timeout("no time left to send the job")
        try:
            self.p.device.write(self.p.out_ep, data, left_ms)
        except usb.core.USBTimeoutError as e:
            raise _Timeout(f"USB write: {e}") from e
        except usb.core.USBError as e:
            raise _Unreachable(f"USB write: {e}") from e

    def read(self, deadline: float) -> bytes:
        import usb.core
        left_ms = max(1, int((deadline - time.monotonic()) * 1000))
        try:
            return bytes(self.p.device.read(self.p.in_ep, 64, left_ms))
        except usb.core.USBTimeoutError:
            return b""
        except usb.core.USBError as e:
            raise _Unreachable(f"USB read: {e}") from e

    def close(self) -> None:
        try:
            self.p.close()
        except Exception:  # closing an unplugged device
            pass


class _NotConfigured(Exception):
    """The address cannot be used on this machine (USB without pyusb)."""


_TCP = re.compile(r"tcp:(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9._-]+))(?::(?P<port>[0-9]{1,5}))?")
_USB = re.compile(r"usb:(?P<vid>[0-9A-Fa-f]{1,4}):(?P<pid>[0-9A-Fa-f]{1,4})")


def parse_address(address: str) -> tuple[str, str | int, int]:
    """``tcp:HOST[:PORT]`` -> ("tcp", host, port); ``usb:VID:PID`` -> ("usb", vid, pid)."""
    a = (address or "").strip()
    m = _TCP.fullmatch(a)
    if m:
        port = int(m["port"] or DEFAULT_PORT)
        if 1 <= port <= 65535:
            return "tcp", m["v6"] or m["host"], port
    m = _USB.fullmatch(a)
    if m:
        return "usb", int(m["vid"], 16), int(m["pid"], 16)
    raise ValueError(f"bad ESC/POS printer address {address!r}: expected tcp:HOST[:PORT] "
                     "(port 1-65535, default 9100; IPv6 in brackets) or usb:VID:PID in hex, "
                     "e.g. tcp:192.168.1.50:9100 or usb:04b8:0e15")


# ---------------------------------------------------------------------------------------
# the printer


class EscposPrinter(Printer):
    kind = "escpos"

    def __init__(self, address: str, width_dots: int = 576, dpi: int = 203,
                 timeout: float = 5.0):
        """``width_dots``: printable width (576 on 80 mm paper, 384 on 58 mm, at 203 dpi);
        ``timeout``: how long to wait for the device to connect and answer a status
        request (``print_pdf`` has its own overall timeout)."""
        self.transport, self.host, self.port = parse_address(address)
        if width_dots <= 0 or dpi <= 0:
            raise ValueError(f"bad printer geometry: {width_dots} dots at {dpi} dpi")
        self.address = address.strip()
        self.width_dots, self.dpi, self.timeout = int(width_dots), dpi, float(timeout)

    def __repr__(self) -> str:
        return f"EscposPrinter({self.address!r}, width_dots={self.width_dots}, dpi={self.dpi})"

    # -- plumbing -----------------------------------------------------------------------

    def _open(self, timeout: float):
        if self.transport == "tcp":
            return _Tcp(self.host, self.port, timeout)
        return _Usb(self.host, self.port, timeout)

    @staticmethod
    def _ask(dev, n: int, deadline: float) -> bytes | None:
        """Send DLE EOT n; what came back until a valid answer or the deadline."""
        for _ in range(64):  # drop what was left unread (bounded: a device may babble)
            if not dev.read(time.monotonic() - 1):
                break
        dev.write(realtime_request(n), deadline)
        got = b""
        while time.monotonic() < deadline:
            got += dev.read(deadline)
            if status_byte(got) is not None:
                return got
        return got or None

    def _read_status(self, dev, timeout: float) -> RealtimeStatus:
        """DLE EOT 1, 2, 4 in turn, within ``timeout`` in all."""
        deadline = time.monotonic() + timeout
        answers: dict[int, bytes | None] = {}
        for n in STATUS_REQUESTS:
            answers[n] = self._ask(dev, n, deadline)
            if status_byte(answers[n]) is None:
                if n != STATUS_REQUESTS[0]:
                    log.info("escpos %s: no answer to DLE EOT %d", self.address, n)
                break  # do not wait again for the others
        return RealtimeStatus.from_answers(answers)

    # -- Printer ------------------------------------------------------------------------

    def status(self) -> PrinterStatus:
        try:
            dev = self._open(self.timeout)
        except (_Unreachable, _NotConfigured) as e:
            return PrinterStatus(self.kind, self.address, False, "unreachable", ("offline",),
                                 str(e))
        try:
            st = self._read_status(dev, self.timeout)
        except (_Unreachable, _Timeout) as e:
            return PrinterStatus(self.kind, self.address, False, "unreachable", ("offline",),
                                 str(e))
        finally:
            dev.close()
        if not st.answered:
            return PrinterStatus(self.kind, self.address, False, "unreachable", ("offline",),
                                 f"no valid answer to DLE EOT within {self.timeout:g} s",
                                 {"dle_eot": st.hex()})
        ready = st.failure() is None
        return PrinterStatus(self.kind, self.address, ready, "idle" if ready else "stopped",
                             st.reasons(), st.describe(),
                             {"dle_eot": st.hex(), "width_dots": self.width_dots, "dpi": self.dpi})

    def print_pdf(self, pdf: Path, *, width_mm: float, height_mm: float, title: str,
                  timeout: float = 30.0) -> None:
        """Print the receipt; the page size comes from the PDF itself (``width_mm`` and
        ``height_mm`` are only logged), ESC/POS has no job name (``title`` is logged)."""
        start = time.monotonic()
        deadline = start + timeout
        try:
            dev = self._open(min(self.timeout, timeout))
        except _NotConfigured as e:
            raise PrintFailed("not-configured", f"{self.address}: {e}") from e
        except _Unreachable as e:
            raise PrintFailed("offline", f"{self.address}: {e}") from e
        try:
            self._print_on(dev, Path(pdf), deadline, title, width_mm, height_mm)
        except _Unreachable as e:
            raise PrintFailed("offline", f"{self.address}: {e}") from e
        except _Timeout as e:
            raise PrintFailed("timeout", f"{self.address}: {e} in {timeout:g} s") from e
        finally:
            dev.close()
        log.info("escpos %s: printed %r in %.2f s", self.address, title, time.monotonic() - start)

    def _print_on(self, dev, pdf: Path, deadline: float, title: str, width_mm: float,
                  height_mm: float) -> None:
        before = self._read_status(dev, min(self.timeout, max(deadline - time.monotonic(), 0)))
        failed = before.failure()
        if failed:
            code, detail = failed
            raise PrintFailed(code, f"{self.address}: {detail}; nothing sent "
                                    f"[{before.describe()}]")
        try:
            img = rasterise(pdf, self.width_dots, self.dpi)
        except Exception as e:  # a missing, broken or empty PDF
            raise PrintFailed("error", f"cannot rasterise {pdf}: {e}") from e
        job = raster_job(img)
        log.info("escpos %s: %r (%.0f x %.0f mm) as %dx%d dots, %d bytes", self.address,
                 title, width_mm, height_mm, img.width, img.height, len(job))
        dev.write(job, deadline)
        # Answered only once the printer has read every byte before it (in order).
        after = self._read_status(dev, max(deadline - time.monotonic(), 0.0))
        if not after.answered:
            raise _Timeout("no answer to DLE EOT after the job")
        if after.paper_end:
            raise PrintFailed("media-empty", f"{self.address}: paper end after the job: the "
                                             f"receipt was probably cut short [{after.describe()}]")
        failed = after.failure()
        if failed:
            code, detail = failed
            raise PrintFailed(code, f"{self.address}: {detail} after the job "
                                    f"[{after.describe()}]")
