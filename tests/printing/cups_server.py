"""A private CUPS scheduler for the tests: its own config, spool, logs and queues in one
temporary directory, listening on 127.0.0.1 on a free port. It never reads or writes
/etc/cups, /var/spool/cups or /run/cups, and never talks to the system's cupsd.

    with PrivateCups() as cups:
        out = cups.add_queue("receipt")            # file:///DIR/out/receipt.pdf
        CupsPrinter("receipt", server=cups.server).print_pdf(...)

As root: cupsd runs filters and backends as ``User`` (``lp`` here, the Debian default);
cupsd itself opens the ``file:`` output, but the filters (pdftopdf, running as lp) read
the spooled job from RequestRoot, so the temporary directory is made 0755 (mkdtemp
makes it 0700, which lp cannot traverse). cupsd refuses ``User root``; it needs no
other care. As an ordinary user: cupsd runs everything as that user and ignores
User/Group; nothing else changes (checked with uid 1000 on Debian 12, CUPS 2.4.2).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from kiosk.printing import ipp

PACKAGES = "cups cups-client cups-bsd"
_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin")

# The stock "Generic PDF Printer" PPD (lsb/usr/cupsfilters/Generic-PDF_Printer-PDF.ppd)
# declares fixed sizes only (Letter, A4, ...): CUPS ignores PageSize=Custom.80x150mm on it
# and pdftopdf puts the receipt on Letter. A roll printer's driver declares a custom page
# size; this PPD is the Generic PDF one reduced to that: PDF straight to the device, A4 by
# default (so a lost roll size shows as A4), custom sizes up to A4 wide and 3 m long.
ROLL_PPD = """*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "GROLLPDF.PPD"
*Manufacturer: "Guichet"
*Product: "(Roll PDF Printer)"
*ModelName: "Guichet Roll PDF Printer"
*ShortNickName: "Guichet Roll PDF Printer"
*NickName: "Guichet Roll PDF Printer (test double)"
*PSVersion: "(3010.000) 0"
*LanguageLevel: "3"
*ColorDevice: False
*DefaultColorSpace: Gray
*FileSystem: False
*Throughput: "1"
*LandscapeOrientation: Plus90
*TTRasterizer: Type42
*cupsVersion: 2.4
*cupsManualCopies: True
*cupsFilter: "application/vnd.cups-pdf 0 -"
*HWMargins: 0 0 0 0
*VariablePaperSize: True
*MaxMediaWidth: "842"
*MaxMediaHeight: "8504"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595 842]/ImagingBBox null>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595 842"
*CustomPageSize True: "pop pop pop <</PageSize[5 -2 roll]/ImagingBBox null>>setpagedevice"
*ParamCustomPageSize Width: 1 points 28 842
*ParamCustomPageSize Height: 2 points 28 8504
*ParamCustomPageSize WidthOffset: 3 points 0 0
*ParamCustomPageSize HeightOffset: 4 points 0 0
*ParamCustomPageSize Orientation: 5 int 0 0
*DefaultFont: Courier
*Font Courier: Standard "(002.004S)" Standard ROM
"""

CUPSD_CONF = """# Private test scheduler: loopback only, no browsing, no web UI, no authentication.
Listen 127.0.0.1:{port}
LogLevel info
MaxLogSize 0
Browsing No
WebInterface No
DefaultAuthType None
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""

CUPS_FILES_CONF = """# Every path the scheduler writes is under {root}
FileDevice Yes
ServerRoot {root}/etc
RequestRoot {root}/spool
CacheDir {root}/cache
StateDir {root}/state
TempDir {root}/tmp
Printcap {root}/printcap
ErrorLog {root}/log/error_log
AccessLog {root}/log/access_log
PageLog {root}/log/page_log
"""


def find_tool(name: str) -> str | None:
    """cupsd, lpadmin, cupsenable... live in /usr/sbin, often not on a user's PATH."""
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unused_port() -> int:
    """A loopback port nothing listens on (for "server down")."""
    return free_port()


class PrivateCups:
    def __init__(self, startup_timeout: float = 10.0):
        self.startup_timeout = startup_timeout
        self.root: Path | None = None
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.tools: dict[str, str] = {}

    @property
    def server(self) -> str:
        return f"127.0.0.1:{self.port}"

    # -- life --

    def __enter__(self) -> "PrivateCups":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        missing = [t for t in ("cupsd", "lpadmin", "cupsenable", "cupsdisable",
                               "cupsaccept", "cupsreject", "lpstat", "cancel") if not find_tool(t)]
        if missing:
            pytest.fail(f"CUPS is needed to test printing; not found: {', '.join(missing)}. "
                        f"Install it: apt-get install {PACKAGES}", pytrace=False)
        self.tools = {t: find_tool(t) for t in ("cupsd", "lpadmin", "cupsenable",
                                                "cupsdisable", "cupsaccept", "cupsreject",
                                                "lpstat", "cancel")}
        self.root = Path(tempfile.mkdtemp(prefix="guichet-cups-"))
        if os.geteuid() == 0:
            self.root.chmod(0o755)      # filters run as lp (see the module docstring)
        for d in ("etc", "etc/ppd", "spool", "cache", "state", "tmp", "log", "out"):
            (self.root / d).mkdir(exist_ok=True)
        (self.root / "roll.ppd").write_text(ROLL_PPD, encoding="ascii")
        for attempt in range(3):        # the free port may be taken between probe and bind
            self.port = free_port()
            (self.root / "cupsd.conf").write_text(CUPSD_CONF.format(port=self.port))
            (self.root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
            if self._launch():
                return
            self._terminate()
        log = self.error_log()[-3000:]
        self.stop()
        pytest.fail(f"private cupsd did not start; error_log ends with:\n{log}", pytrace=False)

    def _launch(self) -> bool:
        assert self.root is not None
        stdout = open(self.root / "log" / "cupsd.out", "ab")
        try:
            self.proc = subprocess.Popen(
                [self.tools["cupsd"], "-f", "-c", str(self.root / "cupsd.conf"),
                 "-s", str(self.root / "cups-files.conf")],
                stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.STDOUT,
                env=self._env())
        finally:
            stdout.close()
        deadline = time.monotonic() + self.startup_timeout
        with ipp.IppClient(self.server, timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    return False
                try:        # any IPP answer, even "no such printer", means it is up
                    client.get_printer_attributes("__probe__", ["printer-state"])
                    return True
                except ipp.IppStatusError:
                    return True
                except ipp.IppError:
                    time.sleep(0.05)
        return False

    def _terminate(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def stop(self) -> None:
        self._terminate()
        if self.root is not None and not os.environ.get("GUICHET_KEEP_CUPS"):
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def _env(self) -> dict:
        env = dict(os.environ, CUPS_SERVER=self.server)
        env.pop("CUPS_USER", None)
        return env

    def error_log(self) -> str:
        if self.root is None:
            return ""
        parts = []
        for name in ("cupsd.out", "error_log"):
            p = self.root / "log" / name
            if p.exists():
                parts.append(p.read_text(errors="replace"))
        return "\n".join(parts)

    # -- administration (the same commands a technician uses) --

    def run(self, tool: str, *args: str) -> str:
        r = subprocess.run([self.tools[tool], "-h", self.server, *args], env=self._env(),
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({r.returncode}): "
                               f"{r.stderr.strip()}")
        return r.stdout

    def output(self, queue: str) -> Path:
        assert self.root is not None
        return self.root / "out" / f"{queue}.pdf"

    def add_queue(self, queue: str, device: str | None = None, ppd: Path | None = None) -> Path:
        """A queue printing to ``out/QUEUE.pdf`` (or ``device``), enabled and accepting."""
        assert self.root is not None
        self.run("lpadmin", "-p", queue, "-E", "-v", device or f"file://{self.output(queue)}",
                 "-P", str(ppd or self.root / "roll.ppd"))
        return self.output(queue)

    def delete_queue(self, queue: str) -> None:
        self.run("lpadmin", "-x", queue)

    def disable(self, queue: str, reason: str = "") -> None:
        self.run("cupsdisable", *(["-r", reason] if reason else []), queue)

    def enable(self, queue: str) -> None:
        self.run("cupsenable", queue)

    def reject(self, queue: str, reason: str = "") -> None:
        self.run("cupsreject", *(["-r", reason] if reason else []), queue)

    def accept(self, queue: str) -> None:
        self.run("cupsaccept", queue)

    def cancel_all(self, queue: str) -> None:
        self.run("cancel", "-a", queue)

    def set_reasons(self, queue: str, *reasons: str) -> None:
        """Set printer-state-reasons the way a backend would (``media-empty-error``...):
        CUPS-Add-Modify-Printer takes the attribute; ``none`` clears them."""
        with ipp.IppClient(self.server) as client:
            client.request(0x4003, queue, groups=[ipp.group(
                ipp.PRINTER_ATTRIBUTES,
                ipp.attr(ipp.KEYWORD, "printer-state-reasons", *(reasons or ("none",))))])

    def active_jobs(self, queue: str) -> list[str]:
        """Ids (``QUEUE-N``) of the queue's jobs not yet completed, cancelled or aborted."""
        out = self.run("lpstat", "-W", "not-completed", "-o", queue)
        return [line.split()[0] for line in out.splitlines() if line.strip()]
