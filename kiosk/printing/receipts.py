"""Printing a saved submission's receipt, and remembering whether it printed.

The receipt is rendered from the outbox row (no personal data), sent to the configured
printer, and the row is marked printed, or marked with the failure code so it shows in
the agent's reprint list. Nothing here can lose the submission: it is already committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from .base import Printer, PrinterStatus, PrintFailed
from .files import FolderPrinter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    code: str = ""       # a FAILURE_CODES entry when not ok
    detail: str = ""


def printer_from_settings(settings: Settings, spool: Path) -> Printer:
    kind = settings["printer.kind"]
    if kind == "cups":
        from .cups import CupsPrinter
        return CupsPrinter(settings["printer.queue"], settings["printer.cups_server"] or None)
    if kind == "escpos":
        from .escpos import EscposPrinter
        dots = 576 if settings["receipt.paper_width"] == 80 else 384
        return EscposPrinter(settings["printer.address"], width_dots=dots)
    return FolderPrinter(Path(settings["printer.folder"]) if settings["printer.folder"]
                         else spool / "printed")


def print_pdf(printer: Printer, pdf: Path, tracking: str, height_mm: float, width_mm: float,
              timeout: float = 30.0) -> PrintOutcome:
    try:
        printer.print_pdf(pdf, width_mm=width_mm, height_mm=height_mm, title=tracking,
                          timeout=timeout)
    except PrintFailed as e:
        log.warning("receipt did not print: %s (%s)", e.code, e.detail)
        return PrintOutcome(False, e.code, e.detail)
    except Exception as e:  # a printer driver bug must not reach the citizen
        log.error("printer: %s: %s", type(e).__name__, e)
        return PrintOutcome(False, "error", f"{type(e).__name__}: {e}")
    return PrintOutcome(True)


def safe_status(printer: Printer) -> PrinterStatus:
    try:
        return printer.status()
    except Exception as e:  # noqa: BLE001 (status must never raise into a screen)
        return PrinterStatus(printer.kind, "?", False, "unreachable", ("offline",),
                             f"{type(e).__name__}: {e}")

