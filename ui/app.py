"""Builds the Qt Quick kiosk: fonts, translator, view model, QML engine, window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtQml import QQmlApplicationEngine

from kiosk.card.source import make_reader
from kiosk.paths import ASSETS
from kiosk.services import Services
from kiosk.session import Session

from .images import PhotoProvider
from .translator import GettextTranslator
from .viewmodel import SessionModel

log = logging.getLogger(__name__)
QML_DIR = Path(__file__).resolve().parent / "qml"
FONT_FAMILIES = ["Noto Sans", "Noto Sans Arabic", "Noto Sans Tifinagh"]


def application(argv: list[str] | None = None) -> QGuiApplication:
    app = QGuiApplication.instance() or QGuiApplication(argv or sys.argv[:1])
    app.setApplicationName("Guichet")
    for f in sorted((ASSETS / "fonts").glob("*.ttf")):
        if QFontDatabase.addApplicationFont(str(f)) < 0:
            log.error("font could not be loaded: %s", f.name)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPixelSize(28)
    app.setFont(font)
    return app


class Kiosk:
    """One running kiosk: services, the citizen session, and its QML window."""

    def __init__(self, services: Services, *, fullscreen: bool, demo: bool,
                 size: tuple[int, int] = (1080, 1920), reader=None, animations: bool = True):
        self.services = services
        settings = services.settings
        self.app = application()
        self.session = Session(services, services.catalog, settings["display.default_language"])
        if reader is None:
            reader, how = make_reader(settings)
            log.info("card reader: %s", how)
        self.reader = reader
        self.model = SessionModel(self.session, self.reader, demo=demo)
        self.translator = GettextTranslator(self.session.language)
        self.app.installTranslator(self.translator)
        self.engine = QQmlApplicationEngine()
        self.engine.addImageProvider("card", PhotoProvider(self.model.photo))
        ctx = self.engine.rootContext()
        ctx.setContextProperty("vm", self.model)
        ctx.setContextProperty("kioskDpi", float(settings["display.dpi"]))
        ctx.setContextProperty("kioskFullscreen", fullscreen)
        ctx.setContextProperty("kioskAnimations", animations)
        ctx.setContextProperty("kioskWidth", size[0])
        ctx.setContextProperty("kioskHeight", size[1])
        ctx.setContextProperty("iconDir", QUrl.fromLocalFile(str(ASSETS / "icons") + "/").toString())
        self.model.languageChanged.connect(self._retranslate)
        self.engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
        if not self.engine.rootObjects():
            raise RuntimeError("the QML interface failed to load (see the errors above)")
        self.window = self.engine.rootObjects()[0]

    def _retranslate(self, lang: str) -> None:
        self.translator.lang = lang
        self.engine.retranslate()

    def close(self) -> None:
        """Tear down in order: the QML items (and their bindings) go before the view
        model they read, so nothing evaluates against a destroyed object."""
        self.reader.stop()
        self.window.close()
        for obj in self.engine.rootObjects():
            obj.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        self.app.removeTranslator(self.translator)


