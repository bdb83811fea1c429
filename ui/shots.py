"""``kiosk shots``: every screen, in every language and orientation, to PNG offscreen.

Screens are reached through the real session with the demo card and the bundled
catalog, in an isolated temporary kiosk home; file names are SCREEN-LANG-SIZE.png.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from kiosk.card.reader import CardErrorCode, CardEvent, CardEventKind
from kiosk.card.demo import load_demo_identity
from kiosk.i18n import LANGUAGES
from kiosk.paths import KioskPaths
from kiosk.services import Services
from kiosk.session import EndReason, State

from .app import Kiosk

DEMO_PROCEDURE = "cnss.attestation-affiliation"
DEMO_ANSWERS = {"purpose": "bank", "copies": "2", "phone": "0612345678"}


def _to_confirm(session) -> None:
    session.start()
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=load_demo_identity()))


def _to_wizard(session) -> None:
    _to_confirm(session)
    session.confirm_identity(True)
    session.choose(DEMO_PROCEDURE)
    session.begin_procedure()


def _fill_step(session) -> None:
    for f in session.wizard.step.fields:
        if f.id in DEMO_ANSWERS:
            session.answer(f.id, DEMO_ANSWERS[f.id])


def scenes(session):
    """(name, setup) pairs; each setup starts from a fresh Welcome."""
    yield "welcome", lambda: None
    yield "identify", lambda: session.start()
    yield "reading", lambda: (session.start(), session.on_card_event(CardEvent(CardEventKind.INSERTED)))
    def access(typed="", tries=None, error=False):
        session.start()
        session.on_card_event(CardEvent(CardEventKind.INSERTED))
        session.on_card_event(CardEvent(CardEventKind.NEED_ACCESS))
        if error:
            for d in "123456":
                session.type_can(d)
            session.submit_can()
            session.on_card_event(CardEvent(CardEventKind.ERROR, error=CardErrorCode.WRONG_ACCESS,
                                            tries_left=tries))
        for d in typed:
            session.type_can(d)

    yield "access", lambda: access("481")
    yield "access-wrong", lambda: access(error=True, tries=2)
    yield "access-last-try", lambda: access("48", error=True, tries=1)
    yield "reading-progress", lambda: (session.start(), session.on_card_event(CardEvent(CardEventKind.INSERTED)),
                                       session.on_card_event(CardEvent(CardEventKind.PROGRESS, progress=0.6)))
    yield "card-error", lambda: (session.start(), session.on_card_event(
        CardEvent(CardEventKind.ERROR, error=CardErrorCode.REMOVED_EARLY)))
    yield "confirm", lambda: _to_confirm(session)
    yield "catalog", lambda: (_to_confirm(session), session.confirm_identity(True))
    yield "intro", lambda: (_to_confirm(session), session.confirm_identity(True),
                            session.choose(DEMO_PROCEDURE))
    steps = session.catalog.get(DEMO_PROCEDURE).steps
    for i, step in enumerate(steps):
        def to_step(i=i):
            _to_wizard(session)
            for _ in range(i):
                _fill_step(session)
                session.next()
        yield f"wizard-{step.id}", to_step
    def step_errors():
        _to_wizard(session)
        session.next()
        session.next()  # nothing answered: the messages show
    yield "wizard-errors", step_errors
    def to_review():
        _to_wizard(session)
        while session.state is State.WIZARD:
            _fill_step(session)
            session.next()
        session.set_consent(True)
    yield "review", to_review
    yield "submitting", lambda: (to_review(), session.begin_submit())
    yield "done", lambda: (to_review(), session.submit())


def render(out: Path, langs=LANGUAGES, sizes=((1080, 1920), (1920, 1080))) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="guichet-shots-") as home:
        services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home}))
        for size in sizes:
            kiosk = Kiosk(services, fullscreen=False, demo=True, size=size, animations=False)
            kiosk.window.show()
            session = kiosk.session
            for lang in langs:
                for name, setup in list(scenes(session)):
                    session.default_language = lang
                    session.end(EndReason.CANCELLED)
                    setup()
                    kiosk.app.processEvents()
                    image = kiosk.window.grabWindow()
                    path = out / f"{name}-{lang}-{size[0]}x{size[1]}.png"
                    image.save(str(path))
                    written.append(path)
            session.end(EndReason.CANCELLED)
            kiosk.close()
        services.close()
    return written
