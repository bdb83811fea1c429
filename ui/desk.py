"""The staff desk's view model: adapts ``kiosk.desk.Desk`` to QML. No logic of its own.

``mode`` is "closed" (the citizen's screens), "sign_in" (staff number and PIN on a
keypad), "dashboard", "settings" or "catalog". On the dashboard, ``page`` is a page over
it ("reader", "staff", "my_pin"; "" the dashboard itself). The data is re-read from the
core after every action and whenever the sync worker reports (its callback arrives on
the worker's thread and comes back through a queued signal). ``sync`` feeds the
discreet indicator of Welcome.

Slow work never runs on the UI thread: the doctor (about a second) and a test read of
the card reader (waiting for a card) run on worker threads; their results come back
through queued signals and are applied on the UI thread.
"""

from __future__ import annotations

import copy
import logging
import threading

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.desk import Desk
from kiosk.keyboards import layout as keyboard_layout
from kiosk.procedures.admin import USB_ROOTS
from kiosk.provisioning_screen import ProvisionPage
from kiosk.settings_screen import SettingsEditor
from kiosk.staff import Forbidden
from kiosk.session import TransitionError

log = logging.getLogger(__name__)
IDLE_SIGN_OUT_MS = 120_000


class DeskModel(QObject):
    changed = Signal()
    syncChanged = Signal()
    keyboardChanged = Signal()
    _syncStatus = Signal(object)
    _doctorDone = Signal(object)
    _cardTested = Signal(object)

    def __init__(self, desk: Desk, session_model, parent=None):
        super().__init__(parent)
        self._desk = desk
        self._vm = session_model
        self._mode = "closed"
        self._view: dict = {}
        self._sync = {"ok": True, "pending": 0}
        self._syncStatus.connect(self._on_sync_status)
        self._doctorDone.connect(self._on_doctor_done)
        self._cardTested.connect(self._on_card_tested)
        #: the actor a doctor run on a worker thread belongs to (None: none running)
        self._doctor_for = None
        self._doctor_thread: threading.Thread | None = None
        self._card_thread: threading.Thread | None = None
        #: the name keyboard's layout, rebuilt only when the keyboard or language changes
        #: (so QML keeps the page the technician is on while typing)
        self._keyboard_key = ("", "")
        self._keyboard: dict = {}
        self._settings = SettingsEditor(desk)
        #: where USB sticks are mounted (tests and shots point it at a folder)
        self.usb_roots = list(USB_ROOTS)
        self._provision = ProvisionPage(desk, self.usb_roots)
        self._catalog = None
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_SIGN_OUT_MS)
        self._idle.timeout.connect(self.close)
        session_model.languageChanged.connect(lambda _lang: self._refresh())
        session_model.changed.connect(self._on_session_changed)
        session_model.staffCard.connect(self._on_staff_card)
        self._read_sync()

    def _on_session_changed(self) -> None:
        if self._vm.state == "welcome":
            self._read_sync()  # a session just ended: the indicator counts its submission

    # --- the sync worker (any thread) -> the indicator ---------------------------
    def sync_status(self, status) -> None:
        self._syncStatus.emit(status)

    def _on_sync_status(self, status) -> None:
        self._sync = {"ok": not status.last_error, "pending": status.pending}
        self.syncChanged.emit()
        if self._mode == "dashboard":
            self._refresh()

    def _read_sync(self) -> None:
        worker = self._desk.services.sync_worker
        if worker is not None:
            st = worker.status
            sync = {"ok": not st.last_error, "pending": st.pending}
        else:  # not configured: what waits on the kiosk (one COUNT query)
            try:
                counts = self._desk.services.outbox.counts()
            except Exception:  # noqa: BLE001 (the indicator never takes the kiosk down)
                counts = {}
            sync = {"ok": True, "pending": counts.get("queued", 0) + counts.get("sending", 0)}
        if sync != self._sync:
            self._sync = sync
            self.syncChanged.emit()

    @Property("QVariantMap", notify=syncChanged)
    def sync(self) -> dict:
        return self._sync

    # --- state -> QML ------------------------------------------------------------
    def _refresh(self) -> None:
        lang = self._vm.language
        if self._mode == "sign_in":
            self._view = self._desk.sign_in_view(lang)
        elif self._mode == "dashboard" and self._desk.page:
            self._view = self._desk.page_view(lang)
        elif self._mode == "dashboard":
            self._view = {**self._desk.view(lang), "doctor_running": self._doctor_for is not None}
        elif self._mode == "provision":
            d = self._desk
            self._view = {**self._provision.view(lang), "error": d.error.render(lang) if d.error else ""}
        elif self._mode == "settings":
            d = self._desk
            self._view = {**self._settings.view(lang),
                          "error": d.error.render(lang) if d.error else "",
                          "notice": d.notice.render(lang) if d.notice else ""}
        else:
            self._view = {}
        self._update_keyboard(lang)
        self.changed.emit()

    def _update_keyboard(self, lang: str) -> None:
        # One layout object per keyboard and language: QML's keyboard keeps the page the
        # technician is on (digits, symbols) while typing, for the staff form and settings.
        if self._mode == "settings":
            name = self._settings.keyboard_name() if self._settings.editing else ""
        else:
            form = (self._view.get("form") or {}) if self._mode == "dashboard" else {}
            name = form.get("keyboard", "")
        key = (name, lang if name else "")
        if key != self._keyboard_key:
            self._keyboard_key = key
            self._keyboard = keyboard_layout(key[0], lang) if key[0] else {}
            self.keyboardChanged.emit()

    @Property("QVariantMap", notify=keyboardChanged)
    def keyboard(self) -> dict:
        return self._keyboard

    @Property(str, notify=changed)
    def page(self) -> str:
        return self._desk.page if self._mode == "dashboard" else ""

    def _touched(self) -> None:
        if self._mode != "closed":
            self._idle.start()

    @Property(str, notify=changed)
    def mode(self) -> str:
        return self._mode

    @Property("QVariantMap", notify=changed)
    def view(self) -> dict:
        return self._view

    @property
    def desk(self) -> Desk:
        return self._desk

    # --- QML -> desk ---------------------------------------------------------------
    @Slot()
    def open(self) -> None:
        """The hidden gesture on Welcome."""
        if self._vm.state != "welcome":
            return
        self._desk.sign_out()
        self._mode = "sign_in"
        self._touched()
        self._refresh()

    def _on_staff_card(self, event) -> None:
        """A staff badge on Welcome opens the PIN keypad with its staff number; during a
        citizen's session, or with someone signed in, it opens nothing."""
        if self._mode == "dashboard" and self._desk.page == "staff" and self._desk.badge_for:
            self._act(self._desk.enrol_badge, event.staff_card)  # the technician enrols it
            return
        if self._vm.state != "welcome" or self._mode not in ("closed", "sign_in"):
            return
        self._mode = "sign_in"
        self._act(self._desk.badge, event.staff_card)

    @Slot()
    def close(self) -> None:
        """Sign out (the button, or two minutes without a touch): back to Welcome."""
        self._settings.cancel()
        self._provision = ProvisionPage(self._desk, self.usb_roots)
        self._desk.sign_out()
        self._mode = "closed"
        self._idle.stop()
        self._vm.session.set_language(self._vm.session.default_language)
        self._refresh()

    @Slot(str)
    def digit(self, d: str) -> None:
        self._desk.type_digit(d)
        self._touched()
        self._refresh()

    @Slot()
    def erase(self) -> None:
        self._desk.erase()
        self._touched()
        self._refresh()

    @Slot()
    def confirm(self) -> None:
        if self._desk.confirm():
            self._mode = "dashboard"
        self._touched()
        self._refresh()

    def _act(self, fn, *args) -> None:
        self._touched()
        try:
            fn(*args)
        except Exception as e:  # an action must never take the kiosk down
            log.error("desk action failed: %s", type(e).__name__)
        try:
            self._refresh()
        except Exception as e:  # nor can drawing its outcome (a damaged file read for the view)
            log.error("desk view failed: %s", type(e).__name__)

    @Slot()
    def sendNow(self) -> None:  # noqa: N802
        self._act(self._desk.send_now)

    @Slot(str)
    def reprint(self, tracking: str) -> None:
        self._act(self._desk.reprint, tracking)

    @Slot(bool, str)
    def setService(self, in_service: bool, reason: str) -> None:  # noqa: N802
        self._act(self._desk.set_service, in_service, reason or "see_agent")

    @Slot()
    def testPrint(self) -> None:  # noqa: N802
        self._act(self._desk.test_print)

    @Slot(str, str)
    def choosePrinter(self, kind: str, queue: str) -> None:  # noqa: N802
        self._act(self._desk.choose_printer, kind, queue)

    # --- the technician's settings ----------------------------------------------------
    @Slot()
    def openSettings(self) -> None:  # noqa: N802
        if self._desk.actor is not None and self._desk.actor.can("config.write"):
            self._settings.cancel()
            self._desk.error = self._desk.notice = None
            self._mode = "settings"
        self._touched()
        self._refresh()

    @Slot()
    def closeSettings(self) -> None:  # noqa: N802
        self._settings.cancel()
        self._mode = "dashboard" if self._desk.actor is not None else "closed"
        self._touched()
        self._refresh()

    @Slot(str)
    def editSetting(self, name: str) -> None:  # noqa: N802
        self._act(self._settings.start, name)

    @Slot("QVariant")
    def settingKey(self, key_data) -> None:  # noqa: N802
        if hasattr(key_data, "toVariant"):
            key_data = key_data.toVariant()
        key = dict(key_data)
        # The keyboard's own "done" key saves, like the Save button.
        self._act(self._settings.save if key.get("action") == "done" else self._settings.type_key,
                  *(() if key.get("action") == "done" else (key,)))

    @Slot()
    def saveSetting(self) -> None:  # noqa: N802
        self._act(self._settings.save)

    @Slot()
    def cancelSetting(self) -> None:  # noqa: N802
        self._act(self._settings.cancel)

    @Slot(str, int)
    def chooseSetting(self, name: str, index: int) -> None:  # noqa: N802
        self._act(self._settings.choose, name, index)

    # --- provisioning from a USB stick (technicians) ---------------------------------------
    @Slot()
    def openProvision(self) -> None:  # noqa: N802
        if self._desk.actor is not None and self._desk.actor.can("config.write"):
            self._desk.error = self._desk.notice = None
            self._provision = ProvisionPage(self._desk, self.usb_roots)
            self._mode = "provision"
            self._act(self._provision.scan)
            return
        self._touched()
        self._refresh()

    @Slot()
    def closeProvision(self) -> None:  # noqa: N802
        self._provision = ProvisionPage(self._desk, self.usb_roots)
        self._mode = "dashboard" if self._desk.actor is not None else "closed"
        self._touched()
        self._refresh()

    @Slot()
    def provisionScan(self) -> None:  # noqa: N802
        self._act(self._provision.scan)

    @Slot()
    def provisionApply(self) -> None:  # noqa: N802
        self._act(self._provision.apply)

    @Slot()
    def provisionExport(self) -> None:  # noqa: N802
        self._act(self._provision.export_kiosk)

    @property
    def provision(self) -> ProvisionPage:
        return self._provision

    # --- the catalog (technicians): the same screen as `kiosk technician` -----------------
    @Property(QObject, constant=True)
    def catalog(self):
        if self._catalog is None:
            from kiosk.procedures.admin import CatalogAdmin

            from .technician import TechnicianModel
            services = self._desk.services
            self._catalog = TechnicianModel(services, CatalogAdmin(services.paths, services.settings),
                                            self._vm.language, parent=self, guard=self._desk.guarded)
            self._vm.languageChanged.connect(self._catalog.setLanguage)
        return self._catalog

    @Slot()
    def openCatalog(self) -> None:  # noqa: N802
        if self._desk.actor is not None and self._desk.actor.can("catalog.manage"):
            self.catalog.setLanguage(self._vm.language)
            self._mode = "catalog"
        self._touched()
        self._refresh()

    @Slot()
    def closeCatalog(self) -> None:  # noqa: N802
        self._mode = "dashboard" if self._desk.actor is not None else "closed"
        self._touched()
        self._refresh()

    @Slot(str)
    def unlock(self, staff_id: str) -> None:
        self._act(self._desk.unlock, staff_id)

    # --- the doctor, on a worker thread ----------------------------------------------------
    @Slot()
    def runDoctor(self) -> None:  # noqa: N802
        """`kiosk doctor` (about a second) on a worker thread; "running…" meanwhile."""
        self._touched()
        desk = self._desk
        if self._doctor_for is not None:
            return  # one run at a time
        if desk.actor is None or not desk.actor.can("diagnostics.export"):
            self._act(desk.run_doctor)  # refused at once by the gate, and recorded
            return
        # The run works on a shallow copy of the desk (same services, gate and actor), so
        # the worker never writes what the UI thread reads; its outcome (checks, message)
        # is applied here, on the UI thread, when it comes back.
        shadow = copy.copy(desk)
        desk.error = desk.notice = None
        self._doctor_for = desk.actor
        self._doctor_thread = threading.Thread(target=self._doctor_work, args=(shadow, desk.actor),
                                               name="desk-doctor", daemon=True)
        self._doctor_thread.start()
        self._refresh()

    def _doctor_work(self, shadow: Desk, actor) -> None:
        try:
            shadow.run_doctor()
        except Exception as e:  # noqa: BLE001 (reported on the desk, never a dead thread)
            log.error("doctor failed: %s", type(e).__name__)
        self._doctorDone.emit((actor, shadow))

    def _on_doctor_done(self, done) -> None:
        actor, shadow = done
        self._doctor_for = None
        self._doctor_thread = None
        desk = self._desk
        if desk.actor is not actor:
            return  # signed out meanwhile: nothing for whoever comes next
        desk.checks = shadow.checks
        if shadow.error is not None:
            desk.error = shadow.error
        if shadow.notice is not None:
            desk.notice = shadow.notice
        self._refresh()

    @property
    def doctor_running(self) -> bool:
        return self._doctor_for is not None

    # --- pages over the dashboard ---------------------------------------------------------
    @Slot(str)
    def openPage(self, page: str) -> None:  # noqa: N802
        if self._mode == "dashboard":
            self._act(self._desk.open_page, page)
        else:
            self._touched()

    @Slot()
    def closePage(self) -> None:  # noqa: N802
        self._act(self._desk.close_page)

    # the staff page's forms (technicians) and "my PIN" (anyone)
    @Slot(str, str)
    def staffForm(self, kind: str, target: str) -> None:  # noqa: N802
        self._act(self._desk.start_form, kind, target)

    @Slot()
    def cancelForm(self) -> None:  # noqa: N802
        self._act(self._desk.cancel_form)

    @Slot(str)
    def formFocus(self, field: str) -> None:  # noqa: N802
        self._act(self._desk.form_focus, field)

    @Slot(str)
    def formDigit(self, d: str) -> None:  # noqa: N802
        self._act(self._desk.form_digit, d)

    @Slot()
    def formErase(self) -> None:  # noqa: N802
        self._act(self._desk.form_erase)

    @Slot("QVariant")
    def formKey(self, key_data) -> None:  # noqa: N802
        if hasattr(key_data, "toVariant"):
            key_data = key_data.toVariant()
        self._act(self._desk.form_key, dict(key_data))

    @Slot(str)
    def formRole(self, role: str) -> None:  # noqa: N802
        self._act(self._desk.form_role, role)

    @Slot()
    def formNext(self) -> None:  # noqa: N802
        self._act(self._desk.form_next)

    @Slot()
    def formSubmit(self) -> None:  # noqa: N802
        self._act(self._desk.submit_form)

    # staff badges on the staff page (technicians)
    @Slot(str)
    def waitBadge(self, staff_id: str) -> None:  # noqa: N802
        self._act(self._desk.wait_badge, staff_id)

    @Slot()
    def cancelBadge(self) -> None:  # noqa: N802
        self._desk.badge_for = ""
        self._touched()
        self._refresh()

    @Slot(str)
    def removeBadge(self, staff_id: str) -> None:  # noqa: N802
        self._act(self._desk.remove_badge, staff_id)

    # the card reader page (technicians)
    @Slot(str)
    def chooseReader(self, name: str) -> None:  # noqa: N802
        self._act(self._desk.choose_reader, name)

    @Slot()
    def refreshReaders(self) -> None:  # noqa: N802
        self._act(self._desk.refresh_readers)

    @Slot()
    def testRead(self) -> None:  # noqa: N802
        """Wait for a card on a worker thread; the result comes back queued."""
        self._touched()
        try:
            job = self._desk.begin_card_test()
        except Exception as e:  # noqa: BLE001
            log.error("card test not started: %s", type(e).__name__)
            job = None
        if job is not None:
            self._card_thread = threading.Thread(target=self._card_work, args=(job,),
                                                 name="desk-card-test", daemon=True)
            self._card_thread.start()
        self._refresh()

    def _card_work(self, job) -> None:
        from kiosk.card.probe import FAILED, ProbeResult
        try:
            result = job.run()
        except Exception as e:  # noqa: BLE001
            result = ProbeResult(FAILED, detail=type(e).__name__)
        self._cardTested.emit((job, result))

    def _on_card_tested(self, done) -> None:
        job, result = done
        self._desk.finish_card_test(job, result)
        self._refresh()

    @Slot()
    def cancelTestRead(self) -> None:  # noqa: N802
        self._act(self._desk.cancel_card_test)

    @Slot()
    def exportDiagnostics(self) -> None:  # noqa: N802
        self._act(self._desk.export_diagnostics)

    @Slot()
    def refresh(self) -> None:
        self._touched()
        self._refresh()

    @Slot()
    def startAssisted(self) -> None:  # noqa: N802
        """Leave the desk and start a citizen session that records this agent."""
        try:
            agent = self._desk.start_assisted()
        except Forbidden:  # signed out meanwhile (two minutes untouched)
            agent = None
        if agent is None:
            self._refresh()
            return
        lang = self._vm.language
        self._desk.sign_out()
        self._mode = "closed"
        self._idle.stop()
        try:
            self._vm.session.start(lang, assisted_by=agent)
        except TransitionError as e:
            log.warning("assisted session not started: %s", e)
        self._refresh()
