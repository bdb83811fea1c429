"""Logging to the kiosk's log folder. Log lines never carry personal data: the core
logs states, codes and exception types, not values."""

from __future__ import annotations

import logging
import logging.handlers

from .paths import KioskPaths


def setup_logging(paths: KioskPaths, level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_guichet", False) for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(
        paths.logs / "kiosk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._guichet = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
