"""ESC/POS raster printing: a real receipt, rasterised, sent to a fake thermal printer."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageFilter
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.printing import escpos, raster
from kiosk.printing.base import FAILURE_CODES, PrintFailed, PrinterStatus
from kiosk.printing.escpos import EscposPrinter, RealtimeStatus, parse_address
from kiosk.printing.raster import rasterise
from kiosk.receipts.render import MARGIN, ReceiptData, render_pdf

from .escpos_listener import STATES, FakeThermalPrinter, decode, raster_blocks, realtime_in
from .escpos_listener import raster as decode_raster  # "raster" is kiosk.printing.raster

TRACKING = "GC-2025-000123-X7"
DPI = 203
IPP_REASONS = {"offline", "media-empty", "media-low", "door-open", "other"}


def receipt(tmp_path: Path, lang: str = "fr", documents: int = 2, name: str = "") -> Path:
    data = ReceiptData(
        TRACKING, lang, dt.datetime(2025, 3, 14, 10, 30),
        "نسخة موجزة من رسم الولادة" if lang == "ar" else "Extrait d'acte de naissance",
        "Revenez dans 3 jours ouvrables avec ce reçu.",
        tuple(f"Pièce justificative numéro {i + 1}" for i in range(documents)),
        "Commune de Rabat-Agdal", "K-042")
    return render_pdf(data, tmp_path / f"{name or lang}-{documents}.pdf")


def page_size(pdf: Path) -> tuple[float, float]:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return doc[0].get_size()
    finally:
        doc.close()


def edges_pdf(path: Path, width_mm: float, height_mm: float = 40) -> Path:
    """A page whose content (black bars) runs exactly to the 4 mm margins."""
    w, h = width_mm * mm, height_mm * mm
    c = Canvas(str(path), pagesize=(w, h))
    c.setFillColorRGB(0, 0, 0)
    c.rect(MARGIN, 10 * mm, 2 * mm, 20 * mm, stroke=0, fill=1)          # left edge of content
    c.rect(w - MARGIN - 2 * mm, 10 * mm, 2 * mm, 20 * mm, stroke=0, fill=1)  # right edge
    c.showPage()
    c.save()
    return path


def black_fraction(img: Image.Image) -> float:
    return img.histogram()[0] / (img.width * img.height)


@pytest.fixture
def fake():
    with FakeThermalPrinter() as p:
        yield p


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------
# rasterise


@pytest.mark.parametrize("width_dots", [576, 384])
def test_rasterise_exact_width_and_height(tmp_path, width_dots):
    pdf = receipt(tmp_path)
    img = rasterise(pdf, width_dots)
    w_pt, h_pt = page_size(pdf)
    assert img.mode == "1" and img.width == width_dots
    scale, _ = raster.geometry(w_pt, width_dots, DPI)
    if width_dots == 576:  # 72 mm of content at the printer's resolution: not scaled
        assert scale == pytest.approx(DPI / 72)
        assert abs(img.height - h_pt / 72 * DPI) <= 1
    else:  # 72 mm of content onto 384 dots
        assert scale == pytest.approx(384 / (w_pt - 2 * MARGIN))
        assert abs(img.height - h_pt * scale) <= 1
    assert 0.03 < black_fraction(img) < 0.4


@pytest.mark.parametrize("page_mm, width_dots", [(80, 576), (58, 384), (80, 384), (58, 576)])
def test_rasterise_crops_the_margins_not_the_content(tmp_path, page_mm, width_dots):
    img = rasterise(edges_pdf(tmp_path / "edges.pdf", page_mm), width_dots)
    assert img.size[0] == width_dots
    row = [img.getpixel((x, img.height // 2)) for x in range(width_dots)]
    black = [x for x, v in enumerate(row) if v == 0]
    content_mm = page_mm - 8
    if content_mm * DPI / 25.4 <= width_dots + 0.5:  # fits: native size, centred
        bar = 2 / 25.4 * DPI
        span = content_mm / 25.4 * DPI
        assert abs(black[-1] - black[0] + 1 - span) <= 1.5
        assert abs((black[0] + black[-1]) / 2 - (width_dots - 1) / 2) <= 1.5
        assert abs(sum(1 for v in row[:width_dots // 2] if v == 0) - bar) <= 1.5
    else:  # content scaled onto the whole width: it touches both edges, nothing lost
        assert black[0] == 0 and black[-1] == width_dots - 1
    if page_mm == 58 and width_dots == 384:
        assert raster.geometry(58 * mm, 384, DPI)[0] == pytest.approx(384 / (50 * mm))


def test_layout_margin_agrees_with_the_receipt_layout():
    assert raster.LAYOUT_MARGIN_PT == pytest.approx(MARGIN)


def test_rasterise_threshold_no_grey_no_dither(tmp_path):
    img = rasterise(receipt(tmp_path), 576)
    assert set(img.convert("L").get_flattened_data()) <= {0, 255}
    with pytest.raises(ValueError):
        rasterise(receipt(tmp_path), 576, threshold=0)


@pytest.mark.parametrize("width_dots", [576, 384])
def test_thin_rules_never_vanish(tmp_path, width_dots):
    """0.5 pt rules (0.94 dot on a 384-dot printer) at every sub-dot position."""
    pdf = tmp_path / "rules.pdf"
    c = Canvas(str(pdf), pagesize=(80 * mm, 100 * mm))
    c.setLineWidth(0.5)
    for i in range(40):
        y = 10 * mm + i * (2 * mm + 0.037 * mm)  # the phase drifts by 1/4 dot a line
        c.line(MARGIN, y, 80 * mm - MARGIN, y)
    c.showPage()
    c.save()
    img = rasterise(pdf, width_dots)
    full = [y for y in range(img.height)
            if img.crop((0, y, width_dots, y + 1)).histogram()[0] > 0.95 * width_dots]
    lines = [y for y in full if y - 1 not in full]
    assert len(lines) == 40


def barcode_band(img: Image.Image) -> tuple[int, int]:
    """The rows of the Code 128: the longest run of identical rows with >= 25 bars."""
    px = img.load()
    rows = [bytes(px[x, y] for x in range(img.width)) for y in range(img.height)]

    def bars(row: bytes) -> int:
        return sum(1 for i in range(len(row)) if row[i] == 0 and (i == 0 or row[i - 1] != 0))

    best, y = (0, 0), 0
    while y < len(rows):
        z = y
        while z + 1 < len(rows) and rows[z + 1] == rows[y]:
            z += 1
        if z - y > best[1] - best[0] and bars(rows[y]) >= 25:
            best = (y, z)
        y = z + 1
    return best


def runs(row: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for v in row:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


def pdf_bars(pdf: Path) -> list[tuple[float, float]]:
    """The Code 128 bars of a receipt: (left, right) in PDF points, from the page's paths."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for obj in doc[0].get_objects(max_depth=4):
            if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH:
                left, bottom, right, top = obj.get_bounds()
                if abs(top - bottom - 12 * mm) < 0.5 and right - left < 2 * mm:
                    out.append((left, right))
        return sorted(out)
    finally:
        doc.close()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_code128_bars_are_crisp(tmp_path, lang):
    pdf = receipt(tmp_path, lang)
    img = rasterise(pdf, 576)
    top, bottom = barcode_band(img)
    assert bottom - top + 1 >= 12 / 25.4 * DPI - 3  # 12 mm of identical rows
    scale, side = raster.geometry(page_size(pdf)[0], 576, DPI)
    assert scale == pytest.approx(DPI / 72)
    true = [((a - side) * scale, (b - side) * scale) for a, b in pdf_bars(pdf)]
    row = [img.getpixel((x, (top + bottom) // 2)) for x in range(img.width)]
    x, found = 0, []
    for v, n in runs(row):
        if v == 0:
            found.append((x, x + n))
        x += n
    assert len(found) == len(true) >= 3 * (len(TRACKING) + 2) // 2 + 4
    # every bar a run of whole dots whose edges are within 2/3 dot of the true edges: half
    # a dot of rounding, plus PDFium's outward snapping of rectangles to whole pixels,
    # a third of a dot at supersample 3 (at the printer's resolution it made every bar
    # half a dot wider, edges up to 0.9 dot off)
    for (x0, x1), (t0, t1) in zip(found, true):
        assert abs(x0 - t0) <= 2 / 3 and abs(x1 - t1) <= 2 / 3, ((x0, x1), (t0, t1))
    width_error = sum((x1 - x0) - (t1 - t0) for (x0, x1), (t0, t1) in zip(found, true))
    assert abs(width_error / len(true)) < 0.25  # no systematic fattening or thinning
    # the rows just outside the band are blank: no stray dots at the ends of the bars
    assert img.crop((0, top - 3, img.width, top - 1)).histogram()[0] == 0
    assert img.crop((0, bottom + 2, img.width, bottom + 4)).histogram()[0] == 0


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools not installed")
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_code128_and_qr_decode(tmp_path, lang):
    img = rasterise(receipt(tmp_path, lang), 576)
    # a thermal head's dot gain: every black dot one dot wider to the right
    gained = ImageChops.logical_and(img, ImageChops.offset(img, 1, 0))
    for name, picture in (("plain", img), ("gain", gained)):
        png = tmp_path / f"{name}.png"
        picture.save(png)
        out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True,
                             text=True).stdout.split()
        assert out.count(TRACKING) == 2, (name, out)  # the Code 128 and the QR


def _within_a_dot(a: Image.Image, b: Image.Image) -> float:
    """The fraction of a's black dots that have a black dot of b within one dot."""
    near_b = b.convert("L").filter(ImageFilter.MinFilter(3)).point([255] + [0] * 255)
    a_black = a.convert("L").point([255] + [0] * 255)
    missed = ImageChops.logical_and(a_black.convert("1"), ImageChops.invert(near_b).convert("1"))
    return 1 - missed.histogram()[-1] / a_black.histogram()[-1]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("width_dots", [576, 384])
def test_same_picture_as_poppler(tmp_path, width_dots):
    """An independent renderer, cropped and scaled by hand, sees the same receipt: not
    mirrored, not shifted, not scaled oddly."""
    pdf = receipt(tmp_path, "ar")
    ours = rasterise(pdf, width_dots)
    scale, side = raster.geometry(page_size(pdf)[0], width_dots, DPI)
    subprocess.run(["pdftoppm", "-gray", "-r", f"{scale * 72}", "-x", str(round(side * scale)),
                    "-y", "0", "-W", str(width_dots), "-H", str(ours.height), "-png",
                    "-singlefile", str(pdf), str(tmp_path / "poppler")], check=True)
    ref = Image.open(tmp_path / "poppler.png").convert("L").point([0] * 128 + [255] * 128, "1")
    assert ref.size == ours.size
    assert _within_a_dot(ours, ref) > 0.995 and _within_a_dot(ref, ours) > 0.995
    assert _within_a_dot(ours.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ref) < 0.9


# ---------------------------------------------------------------------------------------
# encoding


def test_gs_v_0_matches_python_escpos():
    from escpos.printer import Dummy

    img = Image.new("1", (576, 2000), 255)
    for y in range(0, 2000, 7):
        for x in range(y % 50, 576, 50):
            img.putpixel((x, y), 0)
    ours = escpos.raster_image(img)
    assert not realtime_in(ours)
    d = Dummy()
    d.profile.profile_data = {**d.profile.profile_data,
                              "media": {"width": {"pixels": 576, "mm": 72}, "dpi": DPI}}
    d.image(img, impl="bitImageRaster", fragment_height=escpos.FRAGMENT_ROWS)
    assert ours == d.output
    blocks = raster_blocks(ours)
    assert [b.height for b in blocks] == [960, 960, 80] and {b.width_bytes for b in blocks} == {72}


def test_realtime_sequences_in_raster_are_escaped():
    img = Image.new("1", (64, 3), 255)
    # row 0: byte 0 = 0x10 (one dot at x=3), byte 1 = 0x04 (x=13), byte 2 = 0x01: DLE EOT 1
    for x in (3, 13, 23):
        img.putpixel((x, 0), 0)
    # row 1: DLE ENQ 2 and DLE DC4
    for x in (3, 13, 15, 22, 27, 35, 43, 51):
        img.putpixel((x, 1), 0)
    raw = img.tobytes("raw", "1;I")
    assert realtime_in(raw)
    job = escpos.raster_job(img)
    assert not realtime_in(job)
    [block] = raster_blocks(job)
    out = block.image()
    diff = [(x, y) for y in range(3) for x in range(64) if out.getpixel((x, y)) != img.getpixel((x, y))]
    assert diff and all(img.getpixel((x - 1, y)) == 0 and out.getpixel((x, y)) == 0 for x, y in diff)


# ---------------------------------------------------------------------------------------
# printing to the fake printer


def check_job(conn, expected: Image.Image) -> Image.Image:
    cmds = [c for c in conn.commands if c.name != "DLE EOT"]
    assert cmds[0].name == "ESC @"
    assert cmds[-1].name == "GS V" and cmds[-1].args == (65, 0)  # feed to the cutter, cut
    assert {c.name for c in cmds} == {"ESC @", "GS v 0", "GS V"}
    assert conn.requests == [1, 2, 4, 1, 2, 4]  # status before and after the job
    assert not conn.spurious  # no DLE EOT/ENQ/DC4 hidden in the image
    img = conn.image()
    assert img.size == expected.size
    # dot for dot what rasterise made, but for the escaped DLE pairs: a dot added to the
    # right of a lone dot, a handful per receipt at most
    assert img.tobytes() == decode_raster(escpos.raster_image(expected)).tobytes()
    added = ImageChops.logical_xor(img, expected)
    box = added.getbbox()
    if box:
        px, ex = added.load(), expected.load()
        dots = [(x, y) for y in range(box[1], box[3]) for x in range(box[0], box[2]) if px[x, y]]
        assert len(dots) <= 10 and all(ex[x, y] and not ex[x - 1, y] for x, y in dots)
    return img


@pytest.mark.parametrize("width_dots", [576, 384])
def test_print_receipt(tmp_path, fake, width_dots):
    pdf = receipt(tmp_path)
    p = EscposPrinter(fake.address, width_dots=width_dots)
    p.print_pdf(pdf, width_mm=80, height_mm=100, title=TRACKING)
    [conn] = fake.wait_closed(1)
    img = check_job(conn, rasterise(pdf, width_dots))
    img.save(tmp_path / f"receipt-{width_dots}.png")  # artefact to look at
    w_pt, h_pt = page_size(pdf)
    scale = DPI / 72 if width_dots == 576 else width_dots / (w_pt - 2 * MARGIN)
    assert img.width == width_dots and abs(img.height - h_pt * scale) <= 3
    assert black_fraction(img) > 0.03
    # margins cropped: the left-aligned French text reaches the left edge of the printable
    # width (mirroring and scaling are checked against poppler, test_same_picture_as_poppler)
    assert img.crop((0, 0, 3, img.height)).histogram()[0] > 0


def test_print_arabic_receipt(tmp_path, fake):
    pdf = receipt(tmp_path, "ar")
    EscposPrinter(fake.address).print_pdf(pdf, width_mm=80, height_mm=100, title=TRACKING)
    [conn] = fake.wait_closed(1)
    img = check_job(conn, rasterise(pdf, 576))
    img.save(tmp_path / "receipt-ar.png")
    # right-aligned Arabic headings reach the right edge of the printable width
    assert img.crop((573, 0, 576, img.height)).histogram()[0] > 0


def test_tall_receipt_goes_through_in_bands(tmp_path, fake):
    pdf = receipt(tmp_path, documents=40, name="tall")
    EscposPrinter(fake.address).print_pdf(pdf, width_mm=80, height_mm=300, title="tall")
    [conn] = fake.wait_closed(1)
    img = check_job(conn, rasterise(pdf, 576))
    heights = [c.args[2] for c in conn.rasters]
    assert len(heights) >= 3 and all(h == escpos.FRAGMENT_ROWS for h in heights[:-1])
    assert sum(heights) == img.height == pytest.approx(page_size(pdf)[1] / 72 * DPI, abs=3)
    assert img.crop((0, img.height - 150, 576, img.height)).histogram()[0] > 0  # the end is there


def test_paper_out_before_nothing_sent(tmp_path, fake):
    fake.set_state("out")
    with pytest.raises(PrintFailed) as e:
        EscposPrinter(fake.address).print_pdf(receipt(tmp_path), width_mm=80, height_mm=100,
                                              title="x")
    assert e.value.code == "media-empty"
    [conn] = fake.wait_closed(1)
    assert not conn.rasters and {c.name for c in conn.commands} == {"DLE EOT"}


def test_cover_open_before(tmp_path, fake):
    fake.set_state("cover-open")
    with pytest.raises(PrintFailed) as e:
        EscposPrinter(fake.address).print_pdf(receipt(tmp_path), width_mm=80, height_mm=100,
                                              title="x")
    assert e.value.code == "door-open"
    assert not fake.wait_closed(1)[0].rasters


def test_paper_out_after_the_job(tmp_path):
    with FakeThermalPrinter(after_cut="out") as fake:
        with pytest.raises(PrintFailed) as e:
            EscposPrinter(fake.address).print_pdf(receipt(tmp_path), width_mm=80,
                                                  height_mm=100, title="x")
        assert e.value.code == "media-empty" and "cut short" in e.value.detail
        [conn] = fake.wait_closed(1)
        assert conn.rasters and conn.requests == [1, 2, 4, 1, 2, 4]


def test_near_end_prints_and_says_so(tmp_path):
    with FakeThermalPrinter("near-end") as fake:
        p = EscposPrinter(fake.address)
        s = p.status()
        assert s.ready and s.state == "idle" and s.reasons == ("media-low",)
        p.print_pdf(receipt(tmp_path), width_mm=80, height_mm=100, title="x")


def test_garbage_before_answers_is_skipped(tmp_path):
    with FakeThermalPrinter(garbage=b"\x00\xff\x11\x13\x90") as fake:
        p = EscposPrinter(fake.address)
        assert p.status().ready
        p.print_pdf(receipt(tmp_path), width_mm=80, height_mm=100, title="x")
        fake.set_state("out")
        assert p.status().reasons == ("media-empty",)


@pytest.mark.parametrize("state, ready, reasons", [
    ("ok", True, ()),
    ("near-end", True, ("media-low",)),
    ("out", False, ("media-empty",)),
    ("cover-open", False, ("door-open",)),
    ("error", False, ("other",)),
])
def test_status(fake, state, ready, reasons):
    fake.set_state(state)
    s = EscposPrinter(fake.address).status()
    assert isinstance(s, PrinterStatus) and s.kind == "escpos" and s.name == fake.address
    assert (s.ready, s.reasons, s.state) == (ready, reasons, "idle" if ready else "stopped")
    assert s.extra["dle_eot"] == {str(n): f"0x{b:02x}" for n, b in STATES[state].items()}
    assert s.to_json()["reasons"] == list(reasons)


def test_raw_status_bytes(fake):
    p = EscposPrinter(fake.address, timeout=0.3)
    fake.set_state({1: 0x12, 2: 0x12, 4: 0x1E | 0x60})  # near end and end: empty
    assert p.status().reasons == ("media-empty",)
    fake.set_state({1: 0x16, 2: 0x12, 4: 0x12})  # drawer pin high: nothing to us
    assert p.status().ready
    fake.set_state({1: 0x12, 2: 0x1A, 4: 0x12})  # paper being fed by the button: busy
    assert p.status().ready
    fake.set_state({1: 0x00, 2: 0xFF, 4: 0x80})  # none of these is a status byte
    s = p.status()
    assert (s.state, s.reasons) == ("unreachable", ("offline",))


def test_not_running_is_unreachable(tmp_path):
    p = EscposPrinter(f"tcp:127.0.0.1:{closed_port()}", timeout=1)
    s = p.status()
    assert (s.ready, s.state, s.reasons) == (False, "unreachable", ("offline",))
    with pytest.raises(PrintFailed) as e:
        p.print_pdf(receipt(tmp_path), width_mm=80, height_mm=100, title="x")
    assert e.value.code == "offline"


def test_silent_printer_is_unreachable(tmp_path, fake):
    fake.set_state("silent")
    p = EscposPrinter(fake.address, timeout=0.3)
    t = time.monotonic()
    s = p.status()
    assert (s.ready, s.state, s.reasons) == (False, "unreachable", ("offline",))
    with pytest.raises(PrintFailed) as e:
        p.print_pdf(receipt(tmp_path), width_mm=80, height_mm=100, title="x")
    assert e.value.code == "offline"
    assert time.monotonic() - t < 3
    assert all(not c.rasters for c in fake.wait_closed(2))


def test_goes_silent_during_the_job_is_a_timeout(tmp_path):
    with FakeThermalPrinter(after_cut="silent") as fake:
        with pytest.raises(PrintFailed) as e:
            EscposPrinter(fake.address).print_pdf(receipt(tmp_path), width_mm=80,
                                                  height_mm=100, title="x", timeout=2)
        assert e.value.code == "timeout"


def test_also_listens_on_9100_if_free():
    with FakeThermalPrinter(also_9100=True) as fake:
        assert fake.port != 9100
        if fake.port_9100:
            assert EscposPrinter("tcp:127.0.0.1").status().ready


def test_usb_without_pyusb(tmp_path):
    from escpos.printer import Usb
    if Usb.is_usable():
        pytest.skip("pyusb is installed: a real device would be looked for")
    p = EscposPrinter("usb:04b8:0e15")
    assert p.status().state == "unreachable"
    with pytest.raises(PrintFailed) as e:
        p.print_pdf(receipt(tmp_path), width_mm=80, height_mm=100, title="x")
    assert e.value.code == "not-configured"


# ---------------------------------------------------------------------------------------
# addresses and the status parser


@pytest.mark.parametrize("address, parsed", [
    ("tcp:192.168.1.50", ("tcp", "192.168.1.50", 9100)),
    ("tcp:printer.local:9101", ("tcp", "printer.local", 9101)),
    ("tcp:[fe80::1]:9100", ("tcp", "fe80::1", 9100)),
    ("usb:04b8:0e15", ("usb", 0x04B8, 0x0E15)),
    (" usb:4B8:E15 ", ("usb", 0x04B8, 0x0E15)),
])
def test_parse_address(address, parsed):
    assert parse_address(address) == parsed


@pytest.mark.parametrize("address", [
    "", "192.168.1.50", "tcp:", "tcp:host:0", "tcp:host:70000", "tcp:host:port", "usb:04b8",
    "usb:04b8:0e15:1", "usb:xyz:0e15", "usb:12345:1", "lpt:1", "tcp:a b", "tcp:[::1",
])
def test_bad_address(address):
    with pytest.raises(ValueError, match="tcp:HOST"):
        EscposPrinter(address)


def test_parse_examples():
    out = RealtimeStatus.from_answers({1: b"\x1a", 2: b"\x32", 4: b"\x7e"})
    assert out.paper_end and out.offline and out.failure()[0] == "media-empty"
    assert RealtimeStatus.from_answers({1: b"\x12", 2: b"\x12", 4: b"\x12"}).failure() is None
    assert RealtimeStatus.from_answers({}).reasons() == ("offline",)
    # not a status byte (bit 4 clear, bit 7 set, ...): ignored, the next valid one counts
    assert RealtimeStatus.from_answers({4: b"\x00\xff\x72"}).paper == 0x72


answers = st.dictionaries(st.sampled_from([1, 2, 3, 4, 5]),
                          st.one_of(st.none(), st.binary(max_size=12)))


@settings(max_examples=500, deadline=None)
@given(answers)
def test_fuzz_status_parser(raw):
    s = RealtimeStatus.from_answers(raw)
    reasons = s.reasons()
    assert set(reasons) <= IPP_REASONS and len(set(reasons)) == len(reasons)
    failure = s.failure()
    if failure is not None:
        assert failure[0] in FAILURE_CODES and isinstance(failure[1], str)
        PrintFailed(*failure)
    assert isinstance(s.describe(), str) and set(s.hex()) == {"1", "2", "4"}
    for n, b in ((1, s.printer), (2, s.offline_cause), (4, s.paper)):
        if b is not None:
            assert escpos.is_status_byte(b) and b in (raw.get(n) or b"")
        else:
            assert not any(escpos.is_status_byte(x) for x in raw.get(n) or b"")
    if s.paper_end:
        assert failure is not None and "media-empty" in reasons
    if failure is None:
        assert s.answered and not (s.paper_end or s.cover_open or s.error)


@given(st.integers(0, 255))
def test_fuzz_one_paper_byte(b):
    s = RealtimeStatus.from_answers({1: b"\x12", 2: b"\x12", 4: bytes([b])})
    if not escpos.is_status_byte(b):
        assert s.paper is None and s.failure() is None  # paper unknown: not a refusal
    else:
        assert s.paper_end == bool(b & 0x60) and s.paper_near_end == bool(b & 0x0C)


def test_decoder_roundtrip():
    img = Image.new("1", (384, 20), 255)
    img.putpixel((0, 0), 0)
    img.putpixel((383, 19), 0)
    stream = escpos.raster_job(img) + escpos.realtime_request(4)
    names = [c.name for c in decode(stream)]
    assert names == ["ESC @", "GS v 0", "GS V", "DLE EOT"]
    [block] = raster_blocks(stream)
    assert block.image().tobytes() == img.tobytes()
    assert Counter(block.image().get_flattened_data())[0] == 2
