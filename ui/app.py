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

from .desk import DeskModel
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


def set_window_context(engine: QQmlApplicationEngine, model, settings, *, size: tuple[int, int],
                       fullscreen: bool, animations: bool = True) -> None:
    """What every QML window of the kiosk reads: its view model as ``vm``, sizes, icons."""
    ctx = engine.rootContext()
    ctx.setContextProperty("vm", model)
    ctx.setContextProperty("kioskDpi", float(settings["display.dpi"]))
    ctx.setContextProperty("kioskFullscreen", fullscreen)
    ctx.setContextProperty("kioskAnimations", animations)
    ctx.setContextProperty("kioskWidth", size[0])
    ctx.setContextProperty("kioskHeight", size[1])
    ctx.setContextProperty("iconDir", QUrl.fromLocalFile(str(ASSETS / "icons") + "/").toString())


def load_window(engine: QQmlApplicationEngine, qml: str):
    engine.load(QUrl.fromLocalFile(str(QML_DIR / qml)))
    if not engine.rootObjects():
        raise RuntimeError(f"{qml} failed to load (see the errors above)")
    return engine.rootObjects()[0]


def tear_down(app: QGuiApplication, engine: QQmlApplicationEngine, window, translator) -> None:
    """In order: the QML items (and their bindings) go before the view model they read,
    so nothing evaluates against a destroyed object."""
    window.close()
    for obj in engine.rootObjects():
        obj.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    engine.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    if translator is not None:
        app.removeTranslator(translator)


class Kiosk:
    """One running kiosk: services, the citizen session, and its QML window."""

    def __init__(self, services: Services, *, fullscreen: bool, demo: bool,
                 size: tuple[int, int] = (1080, 1920), reader=None, animations: bool = True):
        self.services = services
        settings = services.settings
        self.app = application()
        self.session = Session(services, services.catalog, settings["display.default_language"],
                               idle_warning=settings["session.idle_warning"],
                               idle_countdown=settings["session.idle_countdown"],
                               done_timeout=settings["session.done_timeout"],
                               card_grace=settings["session.card_grace"])
        if reader is None:
            reader, how = make_reader(settings)
            log.info("card reader: %s", how)
        self.reader = reader
        self.model = SessionModel(self.session, self.reader, demo=demo)
        from kiosk.desk import Desk
        self.desk = DeskModel(Desk(services), self.model)
        if services.sync_worker is not None:
            services.sync_worker.on_status = self.desk.sync_status
        self.translator = GettextTranslator(self.session.language)
        self.app.installTranslator(self.translator)
        self.engine = QQmlApplicationEngine()
        self.engine.addImageProvider("card", PhotoProvider(self.model.photo))
        set_window_context(self.engine, self.model, settings, size=size, fullscreen=fullscreen,
                           animations=animations)
        self.engine.rootContext().setContextProperty("desk", self.desk)
        self.model.languageChanged.connect(self._retranslate)
        self.window = load_window(self.engine, "Main.qml")
        from .activity import ActivityWatch
        self.activity = ActivityWatch(self.window, self.session)

    def _retranslate(self, lang: str) -> None:
        self.translator.lang = lang
        self.engine.retranslate()

    def close(self) -> None:
        self.activity.stop()
        self.reader.stop()
        tear_down(self.app, self.engine, self.window, self.translator)


