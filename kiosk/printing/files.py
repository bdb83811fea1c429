"""The PDF-folder printer of demo machines without CUPS: each receipt is copied to a
folder (an "out tray" a person can open), atomically, and is always ready."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .base import PrinterStatus, Printer, PrintFailed


class FolderPrinter(Printer):
    kind = "file"

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def status(self) -> PrinterStatus:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ok = os.access(self.folder, os.W_OK)
        except OSError as e:
            return PrinterStatus(self.kind, str(self.folder), False, "unreachable", ("offline",), str(e))
        return PrinterStatus(self.kind, str(self.folder), ok, "idle" if ok else "stopped",
                             () if ok else ("offline",), "" if ok else "folder not writable")

    def print_pdf(self, pdf: Path, *, width_mm: float, height_mm: float, title: str,
                  timeout: float = 30.0) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{title}.pdf.tmp"
            shutil.copyfile(pdf, tmp)
            os.replace(tmp, self.folder / f"{title}.pdf")
        except OSError as e:
            raise PrintFailed("offline", f"{self.folder}: {e.strerror or e}") from e
