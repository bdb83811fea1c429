"""The citizen's receipt: an 80 mm roll PDF whose height follows its content.

Only non-personal data is printed: the tracking number, the procedure, the time, the
office and kiosk, and what to do next. Texts come from the catalog and the gettext
catalogs in the receipt's language; dates through Babel.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import qrcode
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ..i18n import N_, format_datetime, gettext, is_rtl
from ..procedures.model import Catalog
from . import textline

ROLL_WIDTH = 80 * mm
MARGIN = 4 * mm
PAPER_WIDTHS = (80, 58)


@dataclass(frozen=True)
class ReceiptData:
    tracking: str
    language: str
    created_at: dt.datetime
    procedure_title: str
    next_steps: str
    documents: tuple[str, ...]
    office: str
    kiosk_id: str
    #: the signed text of the QR code (authenticity.qr_text); the bare tracking number if empty
    qr: str = ""
    #: the office's second language on the receipt (title lines repeated in it), or ""
    second_language: str = ""
    second_title: str = ""
    paper_mm: int = 80
    #: the office's logo (PNG/JPEG) at the top, or None
    logo: Path | None = None

    @classmethod
    def from_row(cls, row: dict, catalog: Catalog, qr: str = "", second_language: str = "",
                 paper_mm: int = 80, logo: Path | None = None) -> "ReceiptData":
        meta = json.loads(row["receipt"])
        lang = meta["language"]
        proc = catalog.get(meta["procedure_id"])
        second = second_language_for(lang, second_language)
        return cls(meta["tracking"], lang, dt.datetime.fromisoformat(row["created_at"]),
                   proc.title(lang), proc.next_steps(lang),
                   tuple(d(lang) for d in proc.documents), meta["office"], meta["kiosk_id"],
                   qr, second, proc.title(second) if second else "", paper_mm, logo)

    @property
    def width(self) -> float:
        return self.paper_mm * mm


Block = tuple[float, Callable[[Canvas, float], None]]  # (height, draw at top y)


class _Layout:
    def __init__(self, lang: str, width: float):
        self.lang, self.rtl, self.width = lang, is_rtl(lang), width
        self.blocks: list[Block] = []

    def space(self, h: float) -> None:
        self.blocks.append((h, lambda c, y: None))

    def text(self, text: str, size: float, bold: bool = False, align: str = "start",
             leading: float = 1.35, lang: str | None = None, fit: bool = False) -> None:
        """Wrapped lines of ``text`` (in ``lang``'s direction, default the receipt's);
        ``fit`` shrinks the size until one line holds it (tracking numbers never wrap)."""
        rtl = is_rtl(lang) if lang else self.rtl
        if fit:
            while size > 6 and textline.width(text, rtl, size, bold) > self.width:
                size -= 0.5
        for line in textline.wrap(text, rtl, size, self.width, bold):
            runs = textline.layout(line, rtl, size, bold)
            w = sum(r.width for r in runs)
            if align == "center":
                x = MARGIN + (self.width - w) / 2
            elif (align == "start") == rtl:
                x = MARGIN + self.width - w
            else:
                x = MARGIN
            h = size * leading

            def draw(c: Canvas, top: float, runs=runs, x=x, size=size, h=h) -> None:
                textline.draw(c, runs, x, top - h + size * 0.3, size)
            self.blocks.append((h, draw))

    def rule(self) -> None:
        def draw(c: Canvas, top: float) -> None:
            c.setLineWidth(0.5)
            c.setDash(2, 2)
            c.line(MARGIN, top - 2 * mm, MARGIN + self.width, top - 2 * mm)
            c.setDash()
        self.blocks.append((4 * mm, draw))

    def qr(self, text: str, size: float) -> None:
        """A QR code (level M), modules drawn as one rectangle per horizontal run."""
        matrix = _qr_matrix(text)
        n = len(matrix)
        cell = size / n

        def draw(c: Canvas, top: float) -> None:
            x0 = MARGIN + (self.width - size) / 2
            c.setFillColorRGB(0, 0, 0)
            for r, row in enumerate(matrix):
                y = top - (r + 1) * cell
                col = 0
                while col < n:
                    if row[col]:
                        start = col
                        while col < n and row[col]:
                            col += 1
                        c.rect(x0 + start * cell, y, (col - start) * cell, cell, stroke=0, fill=1)
                    else:
                        col += 1
        self.blocks.append((size + 2 * mm, draw))

    def image(self, path: Path, h: float) -> None:
        """A logo, centred, ``h`` high (its width follows its proportions)."""
        img = _image(str(path), path.stat().st_mtime_ns)
        iw, ih = img.getSize()
        w = min(self.width, h * iw / ih)

        def draw(c: Canvas, top: float) -> None:
            c.drawImage(img, MARGIN + (self.width - w) / 2, top - h, w, h, mask="auto",
                        preserveAspectRatio=True)
        self.blocks.append((h + 1.5 * mm, draw))

    def barcode(self, code: Code128, h: float) -> None:
        """Drawn straight on the canvas (no graphics tree: a tenth of the time)."""
        def draw(c: Canvas, top: float) -> None:
            code.drawOn(c, MARGIN + (self.width - code.width) / 2, top - h + (h - code.height) / 2)
        self.blocks.append((h, draw))


@functools.lru_cache(maxsize=4)
def _image(path: str, mtime: int) -> ImageReader:
    """The logo decoded once (a new file, or a changed one, is read again)."""
    return ImageReader(path)


def second_language_for(lang: str, configured: str) -> str:
    """The office's second language; when the citizen chose it, the other official one."""
    if configured == lang:
        return "ar" if lang != "ar" else "fr"
    return configured


def _qr_matrix(text: str) -> list[list[bool]]:
    # A fixed mask: choosing the best of eight costs 15 ms a receipt for a code that
    # scans either way (the ESC/POS tests read it back with zbar at 203 dpi).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0,
                         mask_pattern=2)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def _t(lang: str, msgid: str) -> str:
    return gettext(lang, msgid)


def build(data: ReceiptData) -> _Layout:
    lang, second = data.language, data.second_language
    narrow = data.paper_mm < 80
    lay = _Layout(lang, data.width - 2 * MARGIN)

    def both(msgid: str, size: float, bold: bool = False) -> None:
        lay.text(_t(lang, msgid), size, bold=bold, align="center")
        if second:
            lay.text(_t(second, msgid), size * 0.85, bold=bold, align="center", lang=second)

    lay.space(3 * mm)
    if data.logo is not None:
        lay.image(data.logo, 14 * mm)
    both(N_("Kingdom of Morocco"), 9)
    lay.text(data.office, 10, bold=True, align="center")
    lay.rule()
    both(N_("Receipt"), 13, bold=True)
    lay.text(data.procedure_title, 11, align="center")
    if second and data.second_title:
        lay.text(data.second_title, 9.5, align="center", lang=second)
    lay.space(2 * mm)
    both(N_("Tracking number"), 9)
    lay.text(data.tracking, 17, bold=True, align="center", fit=True)
    # 0.25 mm = 2 dots at 203 dpi: crisp bars on thermal heads.
    lay.barcode(Code128(data.tracking, barHeight=12 * mm, barWidth=(0.19 if narrow else 0.25) * mm,
                        humanReadable=False, quiet=False), 14 * mm)
    lay.qr(data.qr or data.tracking, 26 * mm)
    lay.text(format_datetime(data.created_at, lang, "medium"), 9, align="center")
    lay.rule()
    lay.text(_t(lang, N_("Next steps")), 10, bold=True)
    lay.text(data.next_steps, 9)
    if data.documents:
        lay.space(1 * mm)
        lay.text(_t(lang, N_("Documents to bring")), 10, bold=True)
        for doc in data.documents:
            lay.text("• " + doc, 9)
    lay.rule()
    lay.text(_t(lang, N_("Kiosk")) + " " + data.kiosk_id, 8, align="center")
    both(N_("This receipt carries no personal data. Keep it to follow your request."), 8)
    lay.space(6 * mm)
    return lay


@dataclass(frozen=True)
class Rendered:
    path: Path
    width_mm: float
    height_mm: float


def render_pdf(data: ReceiptData, out: Path) -> Path:
    """Render and write atomically (a half-written receipt is never left in the spool)."""
    return render(data, out).path


def render(data: ReceiptData, out: Path) -> Rendered:
    """The receipt as a one-page PDF as wide as the roll and as tall as its content."""
    lay = build(data)
    height = sum(h for h, _ in lay.blocks)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".receipt.", suffix=".pdf")
    os.close(fd)
    try:
        c = Canvas(tmp, pagesize=(data.width, height), pageCompression=1)
        c.setTitle(data.tracking)
        c.setCreator("Guichet")
        top = height
        for h, draw in lay.blocks:
            draw(c, top)
            top -= h
        c.showPage()
        c.save()
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Rendered(out, data.width / mm, height / mm)
