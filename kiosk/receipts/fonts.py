"""Bundled fonts for receipts, registered with ReportLab once per process."""

from __future__ import annotations

import threading

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..paths import ASSETS

FONTS = {
    "Latin": "NotoSans-Regular.ttf",
    "Latin-Bold": "NotoSans-Bold.ttf",
    "Arabic": "NotoNaskhArabic-Regular.ttf",
    "Arabic-Bold": "NotoNaskhArabic-Bold.ttf",
    "Tifinagh": "NotoSansTifinagh-Regular.ttf",
    "Tifinagh-Bold": "NotoSansTifinagh-Regular.ttf",  # the family has no bold face
}
_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def register() -> dict[str, TTFont]:
    with _lock:
        if not _registered:
            for name, file in FONTS.items():
                font = TTFont(f"Guichet-{name}", str(ASSETS / "fonts" / file))
                pdfmetrics.registerFont(font)
                _registered[name] = font
    return _registered


def covers(font: TTFont, ch: str) -> bool:
    return ord(ch) in font.face.charToGlyph


def script_of(ch: str) -> str | None:
    """The script whose font must draw ``ch``; None for neutral characters."""
    cp = ord(ch)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0xFB50 <= cp <= 0xFEFF:
        return "Arabic"
    if 0x2D30 <= cp <= 0x2D7F:
        return "Tifinagh"
    if ch.isalpha():
        return "Latin"
    return None
