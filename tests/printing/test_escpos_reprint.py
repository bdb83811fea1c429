"""A thermal printer out of paper (ESC/POS paper sensor) costs nothing: the submission
is kept, the receipt lands in the agent's reprint list, and prints once paper is back."""

from kiosk.procedures.examples import example_answers
from kiosk.procedures.wizard import payload_from_answers

from .escpos_listener import FakeThermalPrinter


def submit(services):
    proc = services.catalog.get("cnss.ipe")
    payload = {"answers": payload_from_answers(proc, example_answers(proc, "ar"), {})}
    return services.submit(proc, "ar", payload)


def test_paper_out_then_reprint(services):
    with FakeThermalPrinter("out") as printer:
        services.settings.values.update({"printer.kind": "escpos",
                                         "printer.address": printer.address})
        services._printer = None
        saved = submit(services)
        outcome = services.print_receipt(saved.tracking)
        assert not outcome.ok and outcome.code == "media-empty"
        row = services.outbox.by_tracking(saved.tracking)
        assert row["print_error"] == "media-empty" and row["state"] == "queued" and row["payload"]
        assert [r["tracking"] for r in services.outbox.unprinted()] == [saved.tracking]
        first = printer.wait_closed(1)[0]
        assert not first.rasters     # nothing was sent to a printer without paper
        printer.set_state("ok")      # the agent loads paper
        assert services.print_receipt(saved.tracking).ok
        assert services.outbox.unprinted() == []
        image = printer.wait_closed(2)[1].image()
        assert image.width == 576 and image.height > 1000
