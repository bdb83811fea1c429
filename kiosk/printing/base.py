"""What every receipt printer offers the kiosk: its state, and a print followed to the end.

A printer never raises anything but ``PrintFailed`` from ``print_pdf``; its ``code`` is one
of ``FAILURE_CODES`` (stable: the agent's screen and the logs translate or show it), its
``detail`` the precise reason for the technician. ``print_pdf`` returns only when the
device has taken the whole receipt (the CUPS job is completed, the ESC/POS bytes were
written and the paper sensor still says paper), or raises.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: why a receipt did not print; the agent sees these translated (kiosk/printing/messages.py)
FAILURE_CODES = (
    "media-empty",      # out of paper
    "media-jam",        # paper jammed
    "door-open",        # cover or door open
    "offline",          # the printer does not answer / is disconnected
    "paused",           # the CUPS queue is disabled (cupsdisable) or the printer stopped
    "rejected",         # the CUPS queue refuses jobs (cupsreject) or the job was aborted
    "timeout",          # the job did not complete in time
    "not-configured",   # no such queue or device
    "error",            # anything else (detail says what)
)


@dataclass(frozen=True)
class PrinterStatus:
    kind: str                       # "cups", "escpos" or "file"
    name: str                       # queue name, device address or folder
    ready: bool                     # a receipt can be printed now
    state: str                      # "idle", "processing", "stopped" or "unreachable"
    reasons: tuple[str, ...] = ()   # IPP printer-state-reasons keywords (media-low, ...)
    detail: str = ""                # precise text for the technician
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        return d


class PrintFailed(Exception):
    def __init__(self, code: str, detail: str):
        if code not in FAILURE_CODES:
            raise ValueError(f"unknown print failure code {code!r}")
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class Printer(ABC):
    kind: str = ""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Read the printer's state now (never raises; an unreachable printer is a state)."""

    @abstractmethod
    def print_pdf(self, pdf: Path, *, width_mm: float, height_mm: float, title: str,
                  timeout: float = 30.0) -> None:
        """Print one receipt PDF whose single page is width_mm x height_mm (a roll: the
        page size must reach the device unchanged, never reflowed to A4); return once
        the device has it, or raise ``PrintFailed``."""
