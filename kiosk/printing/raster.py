"""A receipt PDF as a 1-bit image for a thermal printer's raster mode.

Text-mode ESC/POS cannot shape Arabic nor print Tifinagh, so a receipt reaches a thermal
printer without a CUPS driver as a picture: the one-page PDF is rendered in process by
PDFium (pypdfium2) at the printer's resolution, then thresholded to black and white.

Width: the printable width of a roll printer is narrower than its paper (72 mm = 576 dots
at 203 dpi on 80 mm paper; 48 mm = 384 dots on 58 mm paper), and the receipt layout keeps
``MARGIN`` (4 mm) clear on each side of its page (``kiosk/receipts/render.py``). So the
side margins are *cropped*, never printed, and the page is not scaled if its content fits:

* content fits the printable width (80 mm page on a 576-dot printer: 72 mm of content,
  576 dots at 203 dpi = 72.07 mm): render at the printer's own resolution, keep the
  middle ``width_dots`` columns of the page. One PDF point is exactly ``dpi / 72`` dots,
  a 0.3 mm bar stays 0.3 mm, text keeps its size; the window is 0.035 mm wider than the
  content on each side, so nothing of the content is lost. A page narrower than the
  printable width is centred on white.
* content wider than the printable width: the margins are cropped and the content (page
  width minus both margins) is scaled down to exactly ``width_dots``. An 80 mm receipt on
  a 58 mm printer (384 dots = 48.05 mm at 203 dpi) prints at 384 / 575.4 = 0.667 of its
  size (9 pt text becomes 6 pt: small but legible); a 58 mm page with 4 mm margins has
  50 mm of content = 399.6 dots, which does not fit 384 dots either: it is scaled by
  0.961 (cropping 1 mm more on each side would cut into the content, which may run to
  the margins).

The height follows: ``page height x scale`` dots (a roll has no fixed page length).

Threshold, not dithering: receipts are black text, a Code 128 barcode and a QR code on
white; error diffusion would fray the bar edges and speckle the text. A dot is printed
when its grey level is below ``THRESHOLD`` (144 of 255: more than 44 % of its area is
ink), so a bar edge falls on the dot boundary nearest to its true position, a bar is a
clean run of whole dots, the same in every row (no grey, no isolated dots). 144 rather
than the middle (128): a thin line that falls across two rows of dots covers each by
less than half and would vanish. A 0.5 pt rule (the receipt's dashed separators) is
0.94 dot thick on a 384-dot printer: at 128, 2 of 40 such lines at assorted sub-dot
positions vanished, at 144 none did. The barcode's bars are the same at 128 and 144
(at supersample 3 a dot at a bar edge is 1/3 or 2/3 inked, never in between).

Supersampling: PDFium fills an axis-aligned rectangle (every Code 128 bar) by snapping it
*outwards* to whole pixels, with or without anti-aliasing, so at the printer's resolution
each bar came out about half a dot too wide (a 0.3 mm module is 2.4 dots; bars of 3
dots, spaces of 2), and that, added to a thermal head's own dot gain, is what a scanner
fails on: with 1 dot of simulated gain, zbar no longer decoded the native rendering but
decoded the supersampled one. So the page is rendered at ``SUPERSAMPLE`` times the
resolution, averaged down to the printer's dots (box filter: the ink coverage of each
dot, to 1/9 of a dot) and only then thresholded. A receipt takes 12 to 15 ms instead of
6 to 8 ms (576 dots wide, on the development machine): nothing next to the second or so
the printer takes to print it.

On a 384-dot printer the 80 mm receipt's 0.3 mm module shrinks to 1.6 dots: zbar reads
it at supersample 3 (not at 2 or 4: it is that marginal) and never with a dot of gain,
which is why a 58 mm printer wants a 58 mm layout rather than a scaled 80 mm one (the
QR code, 24 mm wide, reads at every setting).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one document at a time

#: the receipt layout's side margins (kiosk/receipts/render.py MARGIN, 4 mm; a test
#: checks they agree: not imported, so that printing does not pull in the layout)
LAYOUT_MARGIN_PT = 4 * 72 / 25.4

#: grey levels below this (0 black .. 255 white) print as black dots
THRESHOLD = 144
#: the page is rendered this many times finer, then averaged down (see above)
SUPERSAMPLE = 3

_TABLE = [0] * THRESHOLD + [255] * (256 - THRESHOLD)  # PIL "1" mode: 0 black, 255 white


def _threshold_table(threshold: int) -> list[int]:
    if threshold == THRESHOLD:
        return _TABLE
    if not 1 <= threshold <= 255:
        raise ValueError(f"threshold {threshold} not in 1..255")
    return [0] * threshold + [255] * (256 - threshold)


def geometry(page_width_pt: float, width_dots: int, dpi: float,
             margin_pt: float = LAYOUT_MARGIN_PT) -> tuple[float, float]:
    """(scale in dots per PDF point, points cropped from each side) for a page this wide.

    80 mm page, 576 dots, 203 dpi: (203/72, 3.96 mm): not scaled, margins cropped.
    80 mm page, 384 dots: (384 / 72 mm, 4 mm): the 72 mm of content scaled by 0.667.
    58 mm page, 384 dots: (384 / 50 mm, 4 mm): the 50 mm of content scaled by 0.961.
    The crop is negative when the page is narrower than the printable width (58 mm page
    on a 576-dot printer): the page is then centred on white."""
    if width_dots <= 0 or dpi <= 0:
        raise ValueError(f"bad printer geometry: {width_dots} dots at {dpi} dpi")
    native = dpi / 72.0
    margin = min(max(margin_pt, 0.0), page_width_pt / 4)  # never crop more than half a page
    content = page_width_pt - 2 * margin
    printable = width_dots / native  # in points
    if content <= printable + 0.5 / native:  # fits (within half a dot)
        return native, (page_width_pt - printable) / 2
    return width_dots / content, margin


def rasterise(pdf: Path, width_dots: int, dpi: int = 203, *,
              margin_pt: float = LAYOUT_MARGIN_PT, threshold: int = THRESHOLD,
              supersample: int = SUPERSAMPLE) -> Image.Image:
    """Render the first page of ``pdf`` as a mode "1" image exactly ``width_dots`` wide
    (black = 0 = a printed dot), ``page height x scale`` dots high.

    See the module's docstring for how the page is fitted (side margins cropped, scaled
    only if its content is wider than the printable width) and thresholded. Raises
    ``ValueError`` for a PDF without a page, ``pypdfium2.PdfiumError`` for a broken one."""
    import pypdfium2 as pdfium  # imported here: the kiosk starts faster without it

    table = _threshold_table(threshold)
    ss = max(1, int(supersample))
    with _PDFIUM:
        grey, w, h = _render(pdfium, pdf, width_dots, dpi, margin_pt, ss)
    if w != width_dots:  # a page narrower than the printable width: centred on white
        canvas = Image.new("L", (width_dots, h), 255)
        canvas.paste(grey, ((width_dots - w) // 2, 0))
        grey = canvas
    return grey.point(table, "1")


def _render(pdfium, pdf: Path, width_dots: int, dpi: float, margin_pt: float,
            ss: int) -> tuple[Image.Image, int, int]:
    """The page in grey levels, ``w`` x ``h`` dots (``w`` <= ``width_dots``).

    Rendered through an explicit matrix (page point (x, y) -> dot ((x - crop) * s,
    (page height - y) * s)) rather than ``PdfPage.render(crop=...)``, which rounds the
    page size and the crop up to whole pixels: that stretched the page by up to a pixel
    and shifted it left by up to one, a third of a dot at supersample 3 (measured on the
    barcode's bars)."""
    raw = pdfium.raw
    doc = pdfium.PdfDocument(str(pdf))
    try:
        if len(doc) < 1:
            raise ValueError(f"{pdf}: no page")
        page = doc[0]
        try:
            page_w, page_h = page.get_size()
            scale, side = geometry(page_w, width_dots, dpi, margin_pt)
            crop = max(side, 0.0)
            w = min(width_dots, max(1, round((page_w - 2 * crop) * scale)))
            h = max(1, round(page_h * scale))
            s = scale * ss
            bitmap = pdfium.PdfBitmap.new_native(w * ss, h * ss, raw.FPDFBitmap_Gray)
            bitmap.fill_rect((255, 255, 255, 255), 0, 0, w * ss, h * ss)
            matrix = raw.FS_MATRIX(s, 0, 0, s, -crop * s, 0)
            clip = raw.FS_RECTF(0, 0, w * ss, h * ss)
            raw.FPDF_RenderPageBitmapWithMatrix(bitmap, page, matrix, clip,
                                                raw.FPDF_ANNOT | raw.FPDF_GRAYSCALE)
            grey = bitmap.to_pil()
            # reduce() averages exact ss x ss blocks: the box filter; copy() detaches the
            # picture from PDFium's buffer before the bitmap is freed
            grey = grey.reduce(ss) if ss > 1 else grey.copy()
            bitmap.close()
        finally:
            page.close()
    finally:
        doc.close()
    return grey, w, h
