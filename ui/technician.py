"""The technician's catalog screen: view model and window. Thin: the work is in
``kiosk.procedures.admin``. Reached with ``kiosk technician``; the technician mode of
the kiosk (PIN, roles, audit) will open the same screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Property, QObject, Signal, Slot
from PySide6.QtQml import QQmlApplicationEngine

from kiosk import presenter
from kiosk.i18n import check_language, is_rtl
from kiosk.procedures.admin import CatalogAdmin
from kiosk.services import Services

from .app import application, load_window, set_window_context, tear_down
from .translator import GettextTranslator


class TechnicianModel(QObject):
    changed = Signal()

    def __init__(self, services: Services, admin: CatalogAdmin, lang: str, parent=None,
                 guard=None):
        super().__init__(parent)
        self._services = services
        # On the staff desk: run each change through the desk's gate (role, audit);
        # ``guard(permission, action, details, fn)`` returns None when it was refused.
        self._guard = guard or (lambda permission, action, details, fn: fn())
        self._admin = admin
        self._lang = check_language(lang)
        self._languages = presenter.languages()
        self.translator = None
        self._screen = admin.view(self._lang)

    def _refresh(self) -> None:
        self._screen = self._admin.view(self._lang)
        self.changed.emit()

    @Property(str, constant=True)
    def state(self) -> str:
        return "technician"

    @Property("QVariantMap", notify=changed)
    def screen(self) -> dict:
        return self._screen

    @Property(str, notify=changed)
    def language(self) -> str:
        return self._lang

    @Property(bool, notify=changed)
    def rtl(self) -> bool:
        return is_rtl(self._lang)

    @Property("QVariantList", constant=True)
    def languages(self) -> list:
        return self._languages

    @Slot(str)
    def setLanguage(self, lang: str) -> None:  # noqa: N802
        self._lang = check_language(lang)
        if self.translator is not None:
            self.translator(lang)
        self._refresh()

    @Slot()
    def refresh(self) -> None:
        self._refresh()

    @Slot(str)
    def importPackage(self, path: str) -> None:  # noqa: N802
        outcome = self._guard("catalog.manage", "catalog.import", {"file": Path(path).name},
                              lambda: self._admin.import_package(Path(path)))
        if outcome is not None and outcome.ok:
            self._services.reload_catalog()
        self._refresh()

    @Slot(int)
    def rollbackTo(self, edition: int) -> None:  # noqa: N802
        outcome = self._guard("catalog.manage", "catalog.rollback", {"edition": edition},
                              lambda: self._admin.rollback(edition))
        if outcome is not None and outcome.ok:
            self._services.reload_catalog()
        self._refresh()


class TechnicianWindow:
    def __init__(self, services: Services, *, size=(1080, 1920), lang: str = "fr",
                 usb_roots=None, fullscreen: bool = False):
        self.app = application()
        admin = CatalogAdmin(services.paths, services.settings)
        if usb_roots is not None:
            admin.usb_roots = usb_roots
        self.admin = admin
        self.model = TechnicianModel(services, admin, lang)
        self.translator_obj = GettextTranslator(lang)
        self.app.installTranslator(self.translator_obj)
        self.engine = QQmlApplicationEngine()
        self.model.translator = self._retranslate
        set_window_context(self.engine, self.model, services.settings, size=size,
                           fullscreen=fullscreen)
        self.window = load_window(self.engine, "Technician.qml")

    def _retranslate(self, lang: str) -> None:
        self.translator_obj.lang = lang
        self.engine.retranslate()

    def close(self) -> None:
        tear_down(self.app, self.engine, self.window, self.translator_obj)
