"""A pcscd with the vsmartcard "Virtual PCD" reader, for tests, benchmarks and the demo.

pcsc-lite has one daemon per machine (its socket is /run/pcscd/pcscd.comm; the
daemon ignores PCSCLITE_CSOCK_NAME). ``ensure_pcscd()`` reuses a running daemon
that shows the virtual reader, or starts ``pcscd -f`` and returns a handle that
stops it again.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass

from ..errors import TransportError

VIRTUAL_READER = "Virtual PCD 00 00"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"


class PcscdUnavailable(TransportError):
    code = "CARD-READER-UNAVAILABLE"


def virtual_reader_ready() -> bool:
    from ..pcsc import Context

    try:
        with Context() as ctx:
            return VIRTUAL_READER in ctx.readers()
    except TransportError:
        return False


@dataclass
class PcscdHandle:
    process: subprocess.Popen | None  # None: somebody else's daemon, left running

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def ensure_pcscd(timeout: float = 10.0) -> PcscdHandle:
    if virtual_reader_ready():
        return PcscdHandle(None)
    binary = shutil.which("pcscd") or ("/usr/sbin/pcscd" if shutil.os.path.exists("/usr/sbin/pcscd") else None)
    missing = [what for what, ok in (("pcscd", binary), ("vsmartcard-vpcd", shutil.os.path.exists(VPCD_DRIVER)))
               if not ok]
    if missing:
        raise PcscdUnavailable("missing system packages: " + " ".join(missing)
                               + " (make setup installs them)")
    process = subprocess.Popen([binary, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace").strip().splitlines()
            raise PcscdUnavailable(f"pcscd exited with {process.returncode}: {err[-1] if err else ''}"
                                   " (another pcscd running without the vpcd reader, or not root?)")
        if virtual_reader_ready():
            return PcscdHandle(process)
        time.sleep(0.05)
    PcscdHandle(process).stop()
    raise PcscdUnavailable(f"pcscd did not show {VIRTUAL_READER!r} within {timeout:.0f} s")


def wait_card(present: bool, reader: str = VIRTUAL_READER, timeout: float = 10.0) -> bool:
    """Wait until pcscd sees a card in ``reader`` (or none)."""
    from smartcard import scard

    from ..pcsc import Context

    deadline = time.monotonic() + timeout
    with Context() as ctx:
        while time.monotonic() < deadline:
            hresult, states = scard.SCardGetStatusChange(ctx.handle, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            if hresult == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT) == present:
                return True
            time.sleep(0.02)
    return False
