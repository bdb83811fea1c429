"""CupsPrinter against a real, private cupsd (tests/printing/cups_server.py): the receipt
reaches the device at its roll size, and every failure gives its code quickly."""

import datetime as dt
import shutil
import subprocess
import threading
import time

import pytest

from kiosk.printing import ipp
from kiosk.printing.base import PrintFailed
from kiosk.printing.cups import CupsPrinter
from kiosk.receipts.render import ReceiptData, render_pdf

from .cups_server import unused_port

MM = 72 / 25.4
A4 = (595.0, 842.0)


def page_size(pdf) -> tuple[float, float]:
    if shutil.which("pdfinfo") is None:
        pytest.fail("pdfinfo is needed: apt-get install poppler-utils", pytrace=False)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    w, h = info.split("Page size:")[1].split("pts")[0].split(" x ")
    return float(w), float(h)


@pytest.fixture(scope="module")
def receipt(tmp_path_factory):
    """A real receipt (kiosk.receipts): 80 mm wide, as tall as its content."""
    data = ReceiptData("2026-000123", "fr", dt.datetime(2026, 11, 22, 10, 30),
                       "Extrait d'acte de naissance", "Revenez dans trois jours ouvrables.",
                       ("Carte nationale",), "Commune de Rabat-Agdal", "K-0042")
    pdf = render_pdf(data, tmp_path_factory.mktemp("receipt") / "receipt.pdf")
    w, h = page_size(pdf)
    assert abs(w - 80 * MM) < 0.5 and h < 842
    return pdf, w / MM, h / MM


def fails(code, fn, *args, **kw) -> tuple[PrintFailed, float]:
    t = time.monotonic()
    with pytest.raises(PrintFailed) as info:
        fn(*args, **kw)
    assert info.value.code == code, info.value
    return info.value, time.monotonic() - t


def test_receipt_reaches_the_device_at_its_roll_size(cups, queue, printer, receipt):
    pdf, w_mm, h_mm = receipt
    out = cups.output(queue)
    assert not out.exists()
    printer.print_pdf(pdf, width_mm=w_mm, height_mm=h_mm, title="2026-000123")
    # returned only once the job was completed: the file is there, whole
    assert out.read_bytes().startswith(b"%PDF")
    w, h = page_size(out)
    assert abs(w - 80 * MM) <= 1 and abs(h - h_mm * MM) <= 1, (w, h)
    assert (round(w), round(h)) != A4
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "2026-000123" in text
    assert cups.active_jobs(queue) == []


def test_without_the_page_size_the_queue_would_print_on_a4(cups, queue, receipt):
    """The control: the same PDF submitted without PageSize comes out reflowed to the
    queue's default A4, so the 80 mm above is the kiosk's doing."""
    pdf, _, _ = receipt
    with ipp.IppClient(cups.server) as client:
        job = client.print_job(queue, pdf.read_bytes(), job_name="no-size")
        deadline = time.monotonic() + 10
        while client.get_job_attributes(queue, job, ["job-state"]).get("job-state") != 9:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    w, h = page_size(cups.output(queue))
    assert (round(w), round(h)) == A4


def test_status_of_a_healthy_queue(cups, printer, queue):
    st = printer.status()
    assert st.kind == "cups" and st.name == queue
    assert st.ready and st.state == "idle" and st.reasons == ()
    assert st.extra["accepting"] is True
    assert st.extra["make_and_model"].startswith("Guichet Roll PDF Printer")
    assert st.to_json()["reasons"] == []


def test_disabled_queue_is_paused_and_fails_fast(cups, queue, printer, receipt):
    cups.disable(queue, "technicien: changement de rouleau")
    st = printer.status()
    assert not st.ready and st.state == "stopped" and "paused" in st.reasons
    assert "changement de rouleau" in st.detail
    pdf, w_mm, h_mm = receipt
    err, took = fails("paused", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                      title="t")
    assert took < 5
    assert cups.active_jobs(queue) == [] and not cups.output(queue).exists()
    cups.enable(queue)
    assert printer.status().ready


def test_queue_paused_while_the_job_waits(cups, stalled_queue, receipt):
    """The job is taken, then the technician disables the queue: the citizen is told
    within a second or two, and the job is cancelled (it must not come out later)."""
    pdf, w_mm, h_mm = receipt
    printer = CupsPrinter(stalled_queue, server=cups.server)
    timer = threading.Timer(0.3, cups.disable, (stalled_queue,))
    timer.start()
    try:
        err, took = fails("paused", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                          title="t", timeout=30)
    finally:
        timer.join()
        printer.close()
    assert took < 5, took
    assert "cancelled" in err.detail
    assert cups.active_jobs(stalled_queue) == []


def test_timeout_cancels_the_job(cups, stalled_queue, receipt):
    pdf, w_mm, h_mm = receipt
    printer = CupsPrinter(stalled_queue, server=cups.server)
    try:
        err, took = fails("timeout", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                          title="t", timeout=1.0)
    finally:
        printer.close()
    assert 1.0 <= took < 4, took
    assert "processing" in err.detail and "cancelled" in err.detail
    assert cups.active_jobs(stalled_queue) == []


def test_job_cancelled_by_the_technician_is_rejected(cups, stalled_queue, receipt):
    pdf, w_mm, h_mm = receipt
    printer = CupsPrinter(stalled_queue, server=cups.server)
    timer = threading.Timer(0.3, cups.cancel_all, (stalled_queue,))
    timer.start()
    try:
        err, took = fails("rejected", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                          title="t", timeout=30)
    finally:
        timer.join()
        printer.close()
    assert took < 5 and "canceled" in err.detail


def test_job_stopped_by_a_device_failure_is_an_error(cups, receipt):
    """CUPS cannot open the device: the job stays processing-stopped on an idle printer
    forever; the kiosk says so within seconds instead of waiting for the timeout."""
    queue = "broken1"
    cups.add_queue(queue, device=f"file://{cups.root}/no-such-dir/out.pdf")
    printer = CupsPrinter(queue, server=cups.server)
    pdf, w_mm, h_mm = receipt
    try:
        err, took = fails("error", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                          title="t", timeout=30)
    finally:
        printer.close()
        cups.delete_queue(queue)
    assert took < 5 and "processing-stopped" in err.detail


def test_rejecting_queue(cups, queue, printer, receipt):
    cups.reject(queue, "fermé")
    st = printer.status()
    assert not st.ready and st.state == "idle" and st.extra["accepting"] is False
    pdf, w_mm, h_mm = receipt
    fails("rejected", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm, title="t")
    assert not cups.output(queue).exists()


def test_printer_reasons(cups, queue, printer, receipt):
    pdf, w_mm, h_mm = receipt
    cups.set_reasons(queue, "media-empty-error")
    st = printer.status()
    assert not st.ready and st.reasons == ("media-empty-error",)   # raw keywords kept
    fails("media-empty", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm, title="t")
    cups.set_reasons(queue, "cover-open-report")
    fails("door-open", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm, title="t")
    cups.set_reasons(queue, "media-low-warning")       # a warning does not stop a receipt
    st = printer.status()
    assert st.ready and st.reasons == ("media-low-warning",)
    cups.set_reasons(queue)
    assert printer.status().reasons == ()


def test_unknown_queue_is_not_configured(cups, receipt):
    printer = CupsPrinter("no-such-queue", server=cups.server)
    st = printer.status()
    assert not st.ready and st.state == "unreachable"
    pdf, w_mm, h_mm = receipt
    fails("not-configured", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm, title="t")
    printer.close()


def test_server_down_is_offline(receipt):
    printer = CupsPrinter("receipt", server=f"127.0.0.1:{unused_port()}")
    st = printer.status()
    assert not st.ready and st.state == "unreachable" and "does not answer" in st.detail
    pdf, w_mm, h_mm = receipt
    err, took = fails("offline", printer.print_pdf, pdf, width_mm=w_mm, height_mm=h_mm,
                      title="t")
    assert took < 5
    printer.close()


def test_missing_pdf_is_an_error(tmp_path):
    printer = CupsPrinter("receipt", server=f"127.0.0.1:{unused_port()}")
    fails("error", printer.print_pdf, tmp_path / "none.pdf", width_mm=80, height_mm=100,
          title="t")
    printer.close()


def test_server_from_environment(monkeypatch):
    monkeypatch.setenv("CUPS_SERVER", "127.0.0.1:6310")
    printer = CupsPrinter("kiosk")
    assert printer.server == "127.0.0.1:6310"
    monkeypatch.delenv("CUPS_SERVER")
    default = CupsPrinter("kiosk")
    assert default.server == "localhost:631"
    printer.close()
    default.close()
