"""A receipt printer behind a CUPS queue, spoken to in IPP (kiosk/printing/ipp.py).

``print_pdf`` checks the queue first (a paused queue or an empty roll fails at once),
submits the PDF with the roll size as ``PageSize=Custom.WxHmm`` (without it CUPS puts the
page on the queue's default paper, A4 or Letter), then follows the job: it returns when the
job is completed, and gives up promptly if the printer stops, pauses or reports a blocking
condition while the job waits (cancelling the job, so that it does not come out later for
nobody), or when ``timeout`` runs out.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import ipp
from .base import Printer, PrinterStatus, PrintFailed

PRINTER_ATTRIBUTES = ("printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "printer-state-message", "printer-make-and-model", "media-ready")
JOB_ATTRIBUTES = ("job-state", "job-state-reasons", "job-state-message")

#: printer-state-reasons (suffix stripped) that stop a receipt, in the order they are
#: reported when several hold, and the failure code each gives
BLOCKING_REASONS = {
    "media-empty": "media-empty",
    "media-needed": "media-empty",
    "media-jam": "media-jam",
    "door-open": "door-open",
    "cover-open": "door-open",
    "offline": "offline",
    "paused": "paused",
}
_SUFFIXES = ("-error", "-warning", "-report")


def base_reason(keyword: str) -> str:
    """``media-empty-error`` -> ``media-empty`` (IPP severity suffixes dropped)."""
    for suffix in _SUFFIXES:
        if keyword.endswith(suffix):
            return keyword[: -len(suffix)]
    return keyword


def blocking_code(status: PrinterStatus) -> str | None:
    """The failure code a print would get on a printer in this state, or None if ready."""
    if status.state == "unreachable":
        return status.extra.get("failure", "offline")
    found = {base_reason(r) for r in status.reasons}
    for reason, code in BLOCKING_REASONS.items():
        if reason in found:
            return code
    if status.state == "stopped":
        return "paused"
    if not status.extra.get("accepting", True):
        return "rejected"
    return None


def page_size(width_mm: float, height_mm: float) -> str:
    """The PPD custom size CUPS understands: ``Custom.80x150mm``, ``Custom.80x95.5mm``."""
    def num(v: float) -> str:
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return f"Custom.{num(width_mm)}x{num(height_mm)}mm"


def status_from_attributes(queue: str, attrs: ipp.Group, server: str = "") -> PrinterStatus:
    """Map a Get-Printer-Attributes reply to the kiosk's ``PrinterStatus``."""
    raw_state = attrs.get("printer-state")
    state = ipp.PRINTER_STATES.get(raw_state, "stopped" if raw_state is not None else "idle")
    reasons = tuple(r for r in attrs.getall("printer-state-reasons")
                    if isinstance(r, str) and r and r != "none")
    accepting = attrs.get("printer-is-accepting-jobs", True) is not False
    message = attrs.get("printer-state-message") or ""
    model = attrs.get("printer-make-and-model") or ""
    media = [m for m in attrs.getall("media-ready") if isinstance(m, str)]
    extra = {"server": server, "accepting": accepting, "make_and_model": str(model),
             "media_ready": media, "message": str(message)}
    status = PrinterStatus("cups", queue, False, state, reasons, "", extra)
    code = blocking_code(status)
    parts = [state, "accepting jobs" if accepting else "not accepting jobs"]
    if reasons:
        parts.append("reasons: " + ", ".join(reasons))
    if message:
        parts.append(f"message: {message}")
    detail = f"CUPS queue {queue} on {server}: " + "; ".join(parts)
    return PrinterStatus("cups", queue, code is None, state, reasons, detail, extra)


def _unreachable(queue: str, server: str, failure: str, detail: str) -> PrinterStatus:
    return PrinterStatus("cups", queue, False, "unreachable", (), detail,
                         {"server": server, "failure": failure})


class CupsPrinter(Printer):
    kind = "cups"
    #: how long a blocking condition (paused, stopped, media-empty...) must hold while a
    #: job waits before the print is given up (a flicker of "offline" is not a failure)
    stop_grace = 1.0
    #: the longest one IPP request may take
    request_timeout = 5.0

    def __init__(self, queue: str, server: str | None = None, poll: float = 0.1):
        if not queue or "/" in queue or any(c.isspace() for c in queue):
            raise ValueError(f"bad CUPS queue name {queue!r}")
        self.queue = queue
        self.poll = poll
        self._ipp = ipp.IppClient(server, timeout=self.request_timeout)
        self.server = self._ipp.server

    def close(self) -> None:
        self._ipp.close()

    def __repr__(self) -> str:
        return f"CupsPrinter({self.queue!r}, server={self.server!r})"

    # -- state --

    def status(self, timeout: float | None = None) -> PrinterStatus:
        try:
            attrs = self._ipp.get_printer_attributes(self.queue, PRINTER_ATTRIBUTES,
                                                     timeout=timeout)
        except ipp.IppConnectionError as e:
            return _unreachable(self.queue, self.server, "offline",
                                f"CUPS server {self.server} does not answer: {e}")
        except ipp.IppStatusError as e:
            if e.status == ipp.STATUS_NOT_FOUND:
                return _unreachable(self.queue, self.server, "not-configured",
                                    f"no CUPS queue {self.queue} on {self.server}: {e}")
            return _unreachable(self.queue, self.server, "error",
                                f"CUPS queue {self.queue} on {self.server}: {e}")
        except ipp.IppError as e:
            return _unreachable(self.queue, self.server, "error",
                                f"CUPS server {self.server}: bad reply: {e}")
        return status_from_attributes(self.queue, attrs, self.server)

    # -- printing --

    def print_pdf(self, pdf: Path, *, width_mm: float, height_mm: float, title: str,
                  timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        if not (width_mm > 0 and height_mm > 0):
            raise PrintFailed("error", f"bad page size {width_mm} x {height_mm} mm")
        try:
            document = Path(pdf).read_bytes()
        except OSError as e:
            raise PrintFailed("error", f"cannot read {pdf}: {e}") from None

        status = self.status(self._budget(deadline))
        code = blocking_code(status)
        if code is not None:
            raise PrintFailed(code, status.detail)

        size = page_size(width_mm, height_mm)
        try:
            job = self._ipp.print_job(
                self.queue, document, job_name=title or Path(pdf).name,
                job_attributes=[ipp.attr(ipp.NAME, "PageSize", size)],
                timeout=self._budget(deadline))
        except ipp.IppConnectionError as e:
            raise PrintFailed("offline", f"submitting to {self.queue}: {e}") from None
        except ipp.IppStatusError as e:
            if e.status == ipp.STATUS_NOT_FOUND:
                code = "not-configured"
            elif 0x0400 <= e.status < 0x0500 or e.status == ipp.STATUS_NOT_ACCEPTING_JOBS:
                code = "rejected"
            else:
                code = "error"
            raise PrintFailed(code, f"CUPS queue {self.queue} refused the job: {e}") from None
        except ipp.IppError as e:
            raise PrintFailed("error", f"submitting to {self.queue}: {e}") from None
        self._follow(job, deadline, timeout)

    def _budget(self, deadline: float) -> float:
        return min(self.request_timeout, max(0.5, deadline - time.monotonic()))

    def _cancel(self, job: int) -> str:
        try:
            self._ipp.cancel_job(self.queue, job, timeout=2.0)
            return f"job {job} cancelled"
        except ipp.IppError as e:
            return f"job {job} could not be cancelled: {e}"

    def _follow(self, job: int, deadline: float, timeout: float) -> None:
        """Poll the job until completed; raise PrintFailed otherwise."""
        blocked_code, blocked_since, last = None, 0.0, "not yet seen"
        delays = [0.01] * 5 + [0.02] * 5      # a receipt usually completes in 30-60 ms
        while True:
            code, detail = None, ""
            try:
                attrs = self._ipp.get_job_attributes(self.queue, job, JOB_ATTRIBUTES,
                                                     timeout=self._budget(deadline))
                state = attrs.get("job-state")
                name = ipp.JOB_STATES.get(state, f"state {state}")
                reasons = [r for r in attrs.getall("job-state-reasons") if isinstance(r, str)]
                message = attrs.get("job-state-message") or ""
                last = name + (f" ({', '.join(reasons)})" if reasons else "") + (
                    f": {message}" if message else "")
                if state == 9:                                      # completed
                    return
                if state in (7, 8):                                 # canceled, aborted
                    st = self.status(2.0)
                    code = blocking_code(st)
                    raise PrintFailed(code if code in ("media-empty", "media-jam",
                                                       "door-open", "offline") else "rejected",
                                      f"job {job} on {self.queue} {last}; {st.detail}")
                st = self.status(self._budget(deadline))
                code = blocking_code(st)
                if code == "rejected":      # the queue closed after taking our job: it
                    code = None             # still prints what it holds
                detail = st.detail
                if code is None and state == 6:
                    # processing-stopped on a printer that is not stopped: CUPS leaves a
                    # job so when its device failed (output not writable...); it never
                    # moves again
                    code = "error"
            except ipp.IppConnectionError as e:
                code, detail = "offline", f"CUPS server {self.server} does not answer: {e}"
            except ipp.IppStatusError as e:
                if e.status == ipp.STATUS_NOT_FOUND:
                    raise PrintFailed("error", f"job {job} vanished from {self.queue} "
                                      f"({last}): {e}") from None
                code, detail = "error", f"job {job} on {self.queue}: {e}"
            except ipp.IppError as e:
                code, detail = "error", f"job {job} on {self.queue}: bad reply: {e}"

            now = time.monotonic()
            if code is None:
                blocked_code = None
            elif code != blocked_code:
                blocked_code, blocked_since = code, now
            if blocked_code is not None and now - blocked_since >= self.stop_grace:
                raise PrintFailed(blocked_code, f"job {job} {last}; {detail}; "
                                  + self._cancel(job))
            if now >= deadline:
                raise PrintFailed("timeout", f"job {job} on {self.queue} still {last} after "
                                  f"{timeout:g} s; " + self._cancel(job))
            delay = delays.pop(0) if delays else self.poll
            time.sleep(max(0.0, min(delay, deadline - now)))
