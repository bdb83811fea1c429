"""The staff desk's view model: adapts ``kiosk.desk.Desk`` to QML. No logic of its own.

``mode`` is "closed" (the citizen's screens), "sign_in" (staff number and PIN on a
keypad) or "dashboard". The dashboard's data is re-read from the core after every action
and whenever the sync worker reports (its callback arrives on the worker's thread and
comes back through a queued signal). ``sync`` feeds the discreet indicator of Welcome.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.desk import Desk
from kiosk.settings_screen import SettingsEditor
from kiosk.staff import Forbidden
from kiosk.session import TransitionError

log = logging.getLogger(__name__)
IDLE_SIGN_OUT_MS = 120_000


class DeskModel(QObject):
    changed = Signal()
    syncChanged = Signal()
    _syncStatus = Signal(object)

    def __init__(self, desk: Desk, session_model, parent=None):
        super().__init__(parent)
        self._desk = desk
        self._vm = session_model
        self._mode = "closed"
        self._view: dict = {}
        self._sync = {"ok": True, "pending": 0}
        self._syncStatus.connect(self._on_sync_status)
        self._settings = SettingsEditor(desk)
        self._catalog = None
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(IDLE_SIGN_OUT_MS)
        self._idle.timeout.connect(self.close)
        session_model.languageChanged.connect(lambda _lang: self._refresh())
        session_model.changed.connect(self._on_session_changed)
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
        elif self._mode == "dashboard":
            self._view = self._desk.view(lang)
        elif self._mode == "settings":
            d = self._desk
            self._view = {**self._settings.view(lang),
                          "error": d.error.render(lang) if d.error else "",
                          "notice": d.notice.render(lang) if d.notice else ""}
        else:
            self._view = {}
        self.changed.emit()

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

    @Slot()
    def close(self) -> None:
        """Sign out (the button, or two minutes without a touch): back to Welcome."""
        self._settings.cancel()
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
        self._refresh()

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

    @Slot()
    def runDoctor(self) -> None:  # noqa: N802
        self._act(self._desk.run_doctor)

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
