"""The kiosk's long-lived parts, wired once: settings, outbox, catalog, receipts.

``Services.open()`` is what ``kiosk run``, the demo, the CLI and the tests use, so they
all take the same path from a citizen's answers to a saved, sealed submission.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .paths import KioskPaths
from .procedures.active import load_active
from .procedures.drafts import DraftJournal
from .procedures.model import Catalog, Procedure
from .queue.outbox import Outbox, Saved
from .queue.sealing import DEMO_PUBLIC_KEY, is_demo_key, load_public_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitResult:
    saved: Saved
    receipt: Path | None
    receipt_error: str | None = None
    #: the rendered receipt (path and page size), what the printer is given
    rendered: object | None = None

    @property
    def tracking(self) -> str:
        return self.saved.tracking


class Services:
    def __init__(self, paths: KioskPaths, settings: Settings, catalog: Catalog):
        self.paths = paths
        self.settings = settings
        self.catalog = catalog
        self._outbox: Outbox | None = None
        #: the sealed draft of the procedure in progress (memory-only key)
        self.journal = DraftJournal(paths.spool / "drafts")
        #: sessions a crash interrupted, found (and destroyed) at start
        self.interrupted: list = []
        #: the background sync worker, when started (``start_sync``)
        self.sync_worker = None
        self._printer = None

    @classmethod
    def open(cls, paths: KioskPaths | None = None) -> "Services":
        paths = (paths or KioskPaths.from_env()).ensure()
        settings = Settings.load(paths.config_file)
        for problem in settings.problems:
            log.warning("config: %s", problem)
        services = cls(paths, settings, load_active(paths))
        services.interrupted = services.journal.clean_up_interrupted()
        return services

    # --- the service state an agent sets (out of service, with a message) -------------
    @property
    def service_file(self):
        return self.paths.data / "service.json"

    def service_state(self):
        from .desk import load_service
        return load_service(self.service_file)

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            configured = self.settings["sync.backoffice_key"]
            if configured:
                from .keys import parse_x25519
                key = parse_x25519(configured)
            else:
                key = load_public_key(DEMO_PUBLIC_KEY)
            if self.settings["kiosk.mode"] == "production" and is_demo_key(key):
                raise RuntimeError("production mode refuses to seal with the demo back-office key")
            self._outbox = Outbox(self.paths.database, self.settings["kiosk.code"], key)
        return self._outbox

    def sync_client(self, endpoint: str | None = None, own_connection: bool = False):
        """The sync client for this kiosk's settings (``kiosk sync run``; the background
        worker asks for its own connection to the outbox)."""
        from . import keys
        from .sync.client import SyncClient

        url = endpoint or self.settings["sync.endpoint"]
        if not url:
            raise RuntimeError("no sync endpoint: `kiosk config set sync.endpoint URL`")
        if not self.settings["sync.intake_key"]:
            raise RuntimeError("no intake key: `kiosk config set sync.intake_key ed25519:...`")
        outbox = self.outbox
        if own_connection:
            outbox = Outbox(self.paths.database, self.settings["kiosk.code"], outbox.backoffice_key)
        return SyncClient(outbox, url, self.settings["kiosk.id"], keys.load(self.paths),
                          keys.parse_ed25519(self.settings["sync.intake_key"]),
                          batch_size=self.settings["sync.batch_size"],
                          ca_file=self.settings["sync.ca_file"])

    def start_sync(self, interval: float = 30.0, on_status=None):
        """Start the background worker when sync is configured; None when it is not."""
        from .sync.worker import SyncWorker

        if not (self.settings["sync.endpoint"] and self.settings["sync.intake_key"]):
            log.info("sync: not configured (sync.endpoint, sync.intake_key); the queue waits")
            return None
        self.outbox  # the schema exists before the worker's connection opens
        self.sync_worker = SyncWorker(lambda: self.sync_client(own_connection=True), interval,
                                      on_status)
        self.sync_worker.start()
        return self.sync_worker

    def reload_catalog(self) -> Catalog:
        """After a technician installed or rolled back an edition: the next session uses it."""
        self.catalog = load_active(self.paths)
        return self.catalog

    def close(self) -> None:
        if self.sync_worker is not None:
            self.sync_worker.stop()
            self.sync_worker = None
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None

    def submit(self, procedure: Procedure, language: str, payload: dict,
               assisted_by: str | None = None) -> SubmitResult:
        """Seal and commit, then render the receipt. The commit comes first: a receipt
        problem never costs the citizen their submission."""
        receipt_meta = {
            "procedure_id": procedure.id,
            "procedure_version": procedure.version,
            "language": language,
            "kiosk_id": self.settings["kiosk.id"],
            "office": self.settings["kiosk.office"],
        }
        if assisted_by:
            payload = {**payload, "assisted_by": assisted_by}
        saved = self.outbox.submit(procedure.id, procedure.version, language, payload,
                                   receipt_meta, assisted_by=assisted_by)
        if self.sync_worker is not None:
            self.sync_worker.poke()
        try:
            rendered = self.render_receipt(saved.tracking)
            return SubmitResult(saved, rendered.path, rendered=rendered)
        except Exception as e:
            log.error("receipt for a saved submission failed: %s: %s", type(e).__name__, e)
            return SubmitResult(saved, None, type(e).__name__)

    # --- receipts and the printer -----------------------------------------------------
    def kiosk_key(self):
        """The kiosk's signing key (receipts' QR codes, sync). A demo kiosk makes one on
        first use; a production kiosk must have been given one (`kiosk keys init`)."""
        from . import keys
        try:
            return keys.load(self.paths)
        except keys.KioskKeyError:
            if self.settings["kiosk.mode"] != "demo" or keys.key_path(self.paths).exists():
                raise
            return keys.init(self.paths)

    def receipt_data(self, tracking: str):
        from .receipts.authenticity import qr_text
        from .receipts.render import ReceiptData

        row = self.outbox.by_tracking(tracking)
        if row is None:
            raise KeyError(tracking)
        try:
            qr = qr_text(tracking, dt.datetime.fromisoformat(row["created_at"]),
                         self.settings["kiosk.id"], self.kiosk_key())
        except Exception as e:  # no key: the receipt still prints, its QR is unsigned
            log.error("receipt QR not signed: %s", type(e).__name__)
            qr = ""
        return ReceiptData.from_row(row, self.catalog, qr, self.settings["receipt.second_language"],
                                    self.settings["receipt.paper_width"], self.receipt_logo())

    def receipt_logo(self) -> Path | None:
        configured = self.settings["receipt.logo"]
        if configured:
            path = Path(configured)
            if path.is_file():
                return path
            log.error("receipt.logo %s: no such file; receipts print without a logo", path)
            return None
        if self.settings["kiosk.mode"] == "demo":
            from .paths import ASSETS
            return ASSETS / "demo" / "office-logo-DEMO.png"
        return None

    def render_receipt(self, tracking: str):
        from .receipts.render import render

        return render(self.receipt_data(tracking), self.paths.receipts / f"{tracking}.pdf")

    @property
    def printer(self):
        if self._printer is None:
            from .printing.receipts import printer_from_settings
            self._printer = printer_from_settings(self.settings, self.paths.spool)
        return self._printer

    def printer_status(self):
        from .printing.receipts import safe_status
        return safe_status(self.printer)

    def sample_receipt(self, prefix: str, lang: str, paper_mm: int | None = None):
        """A receipt for no submission (the first procedure of the catalog), laid out with
        this kiosk's settings: `kiosk receipt render --sample`, test prints."""
        from .receipts.authenticity import qr_text
        from .receipts.render import ReceiptData, second_language_for

        p = self.catalog.procedures[0]
        now = dt.datetime.now().astimezone()
        number = f"{prefix}-{now:%y%m%d}-0000-0"
        kiosk_id = self.settings["kiosk.id"]
        second = second_language_for(lang, self.settings["receipt.second_language"])
        return ReceiptData(number, lang, now, p.title(lang), p.next_steps(lang),
                           tuple(d(lang) for d in p.documents), self.settings["kiosk.office"],
                           kiosk_id, qr_text(number, now, kiosk_id, self.kiosk_key()), second,
                           p.title(second) if second else "",
                           paper_mm or self.settings["receipt.paper_width"], self.receipt_logo())

    def print_test(self):
        """A sample receipt (Arabic, signed QR) on the printer in use."""
        import tempfile

        from .printing.receipts import print_pdf
        from .receipts.render import render

        data = self.sample_receipt("TEST", "ar")
        number = data.tracking
        with tempfile.TemporaryDirectory() as tmp:
            r = render(data, Path(tmp) / "test.pdf")
            return print_pdf(self.printer, r.path, number, r.height_mm, r.width_mm)

    def print_receipt(self, tracking: str, timeout: float = 30.0, rendered=None):
        """Print a receipt (rendered again from the row unless given: reprints need no
        stored PDF); the row is marked printed or failed (the agent's reprint list).
        Never raises."""
        from .printing.receipts import PrintOutcome, print_pdf

        try:
            rendered = rendered or self.render_receipt(tracking)
        except Exception as e:  # noqa: BLE001
            log.error("receipt rendering failed: %s: %s", type(e).__name__, e)
            outcome = PrintOutcome(False, "error", f"rendering: {type(e).__name__}")
        else:
            outcome = print_pdf(self.printer, rendered.path, tracking, rendered.height_mm,
                                rendered.width_mm, timeout)
        try:
            if outcome.ok:
                self.outbox.mark_printed(tracking)
            else:
                self.outbox.mark_print_failed(tracking, outcome.code)
        except Exception as e:  # noqa: BLE001 (a full disk: the receipt state is lost, not the submission)
            log.error("could not record the receipt's state: %s", type(e).__name__)
        return outcome
