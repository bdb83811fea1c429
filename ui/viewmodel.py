"""The session's view model: adapts ``kiosk.session.Session`` to QML. No logic of its own.

QML reads ``screen`` (a dictionary from ``kiosk.presenter``), ``state``, ``language``
and ``rtl``, and calls the slots below. Card events arrive on reader threads and
submissions run on a worker thread; both come back to the UI thread through queued
signals before they touch the session.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk import presenter
from kiosk.card.reader import CardEvent, CardEventKind
from kiosk.i18n import is_rtl
from kiosk.keyboards import layout
from kiosk.session import EndReason, Session, SubmitJob, TransitionError

log = logging.getLogger(__name__)


class SessionModel(QObject):
    changed = Signal()
    keyboardChanged = Signal()
    languageChanged = Signal(str)
    _cardEvent = Signal(object)
    _submitted = Signal(object)
    _printed = Signal(object)
    #: a staff badge was put on the reader (the desk decides what it opens)
    staffCard = Signal(object)

    def __init__(self, session: Session, reader=None, demo: bool = False, parent=None):
        super().__init__(parent)
        self._session = session
        self._reader = reader
        self._demo = demo
        self._screen: dict = presenter.screen(session)
        self._languages = presenter.languages(session.services.settings)
        self._photo_serial = 0
        self._language = session.language
        self._keyboard_key: tuple = ("", "")
        self._keyboard_layout: dict = {}
        self._cardEvent.connect(self._on_card_event)
        self._submitted.connect(self._on_submitted)
        self._printed.connect(self._session.complete_print)
        session.subscribe(self._on_session_changed)
        if reader is not None:
            if hasattr(reader, "provide_access"):
                # A card put back during the grace is opened with the session's access number.
                session.provide_access = reader.provide_access
            reader.start(self._cardEvent.emit)  # called from the reader's thread

    # --- session -> QML --------------------------------------------------------
    def _on_session_changed(self, session: Session) -> None:
        if session.identity is None:
            self._photo_serial += 1  # a new citizen never gets the previous photo from cache
        self._screen = presenter.screen(session)
        if session.language != self._language:
            # Any change of language (the switch, or the end of a session going back to
            # the default) retranslates the QML strings before the screen is redrawn.
            self._language = session.language
            self.languageChanged.emit(session.language)
        self._update_keyboard()
        self.changed.emit()

    def _on_card_event(self, event: CardEvent) -> None:
        if event.kind is CardEventKind.STAFF_CARD:
            self.staffCard.emit(event)
        self._session.on_card_event(event)

    def _on_submitted(self, job: SubmitJob) -> None:
        self._session.complete_submit(job)
        printing = self._session.begin_print()
        if printing is not None:
            # The printer may take seconds (or time out): never on the UI thread.
            threading.Thread(target=lambda: self._printed.emit(printing.run()), name="print",
                             daemon=True).start()

    @Property(str, notify=changed)
    def state(self) -> str:
        return self._session.state.value

    @Property(str, notify=changed)
    def language(self) -> str:
        return self._session.language

    @Property(bool, notify=changed)
    def rtl(self) -> bool:
        return is_rtl(self._session.language)

    @Property("QVariantMap", notify=changed)
    def screen(self) -> dict:
        return self._screen

    @Property("QVariantList", constant=True)
    def languages(self) -> list:
        return self._languages

    @Property(bool, constant=True)
    def demo(self) -> bool:
        return self._demo

    @Property(str, constant=True)
    def demoCan(self) -> str:  # noqa: N802
        """The emulated TEST-ONLY card's access number, shown on the demo's keypad."""
        return getattr(self._reader, "demo_can", "") if self._demo else ""

    @Property(str, notify=changed)
    def photoUrl(self) -> str:  # noqa: N802 (QML name)
        if self._session.identity is None:
            return ""
        return f"image://card/photo/{self._photo_serial}"

    def photo(self):
        ident = self._session.identity
        return ident.photo if ident is not None else None

    @property
    def session(self) -> Session:
        return self._session

    # --- QML -> session ----------------------------------------------------------
    def _guard(self, action, *args):
        try:
            return action(*args)
        except TransitionError as e:
            log.warning("ignored: %s", e)  # a double tap, or a tap during a transition
            return None

    @Slot(str)
    def setLanguage(self, lang: str) -> None:  # noqa: N802
        if lang != self._session.language:
            self._session.set_language(lang)

    @Slot(str)
    def start(self, lang: str) -> None:
        self.setLanguage(lang)
        self._guard(self._session.start)

    @Slot()
    def useDemoCard(self) -> None:  # noqa: N802
        if self._demo and hasattr(self._reader, "insert"):
            self._reader.insert()

    @Slot()
    def removeCard(self) -> None:  # noqa: N802
        if hasattr(self._reader, "remove"):
            self._reader.remove()

    @Slot()
    def retryCard(self) -> None:  # noqa: N802
        if hasattr(self._reader, "remove"):
            self._reader.remove()
        self._guard(self._session.retry_card)

    # --- the card access number ------------------------------------------------
    @Slot(str)
    def canDigit(self, digit: str) -> None:  # noqa: N802
        self._guard(self._session.type_can, digit)

    @Slot()
    def canErase(self) -> None:  # noqa: N802
        self._guard(self._session.erase_can)

    @Slot()
    def submitCan(self) -> None:  # noqa: N802
        can = self._guard(self._session.submit_can)
        if can and self._reader is not None:
            self._reader.provide_access(can)  # reads on the reader's thread

    @Slot(bool)
    def confirmIdentity(self, is_me: bool) -> None:  # noqa: N802
        self._guard(self._session.confirm_identity, is_me)

    @Slot(str)
    def choose(self, procedure_id: str) -> None:
        self._guard(self._session.choose, procedure_id)

    @Slot()
    def begin(self) -> None:
        self._guard(self._session.begin_procedure)

    @Slot(str, str)
    def answer(self, field_id: str, value: str) -> None:
        self._guard(self._session.answer, field_id, value)

    @Slot(str, str)
    def toggle(self, field_id: str, option: str) -> None:
        self._guard(self._session.toggle, field_id, option)

    @Slot(str)
    def focusOn(self, target: str) -> None:  # noqa: N802
        self._guard(self._session.focus_on, target or None)

    @Slot("QVariant")
    def key(self, key_data) -> None:
        if hasattr(key_data, "toVariant"):
            key_data = key_data.toVariant()
        self._guard(self._session.type_key, dict(key_data))

    @Slot()
    def chooseAnother(self) -> None:  # noqa: N802
        self._guard(self._session.leave_procedure)

    # The keyboard layout is rebuilt only when the keyboard (or language) changes, not at
    # every key: QML keeps its page (shift, accents) while the citizen types.
    @Property("QVariantMap", notify=keyboardChanged)
    def keyboard(self) -> dict:
        return self._keyboard_layout

    def _update_keyboard(self) -> None:
        name = presenter.keyboard(self._session)
        key = (name, self._session.language)
        if key != self._keyboard_key:
            self._keyboard_key = key
            self._keyboard_layout = layout(name, key[1]) if name else {}
            self.keyboardChanged.emit()

    @Slot()
    def next(self) -> None:
        self._guard(self._session.next)

    @Slot()
    def back(self) -> None:
        self._guard(self._session.back)

    @Slot(str)
    def edit(self, step_id: str) -> None:
        self._guard(self._session.edit, step_id)

    @Slot(bool)
    def setConsent(self, given: bool) -> None:  # noqa: N802
        self._guard(self._session.set_consent, given)

    @Slot()
    def submit(self) -> None:
        job = self._guard(self._session.begin_submit)
        if job is None:
            return
        threading.Thread(target=lambda: self._submitted.emit(job.run()), name="submit",
                         daemon=False).start()

    @Slot()
    def stillHere(self) -> None:  # noqa: N802
        self._session.touch()

    @Slot()
    def finish(self) -> None:
        self._session.end(EndReason.COMPLETED)
        if hasattr(self._reader, "remove"):
            self._reader.remove()  # the demo card leaves with the citizen

    @Slot()
    def cancel(self) -> None:
        self._session.end(EndReason.CANCELLED)
        if hasattr(self._reader, "remove"):
            self._reader.remove()  # the demo card leaves with the citizen
