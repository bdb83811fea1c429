"""``kiosk shots``: every screen, in every language and orientation, to PNG offscreen.

Screens are reached through the real session with the demo card and the bundled
catalog, in an isolated temporary kiosk home; file names are SCREEN-LANG-SIZE.png.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from kiosk.card.reader import CardErrorCode, CardEvent, CardEventKind
from kiosk.card.demo import load_demo_identity
from kiosk.desk import ServiceState, save_service
from kiosk.staff import SETUP
from kiosk.i18n import LANGUAGES
from kiosk.paths import KioskPaths
from kiosk.procedures.examples import example_answers
from kiosk.procedures.wizard import Wizard
from kiosk.services import Services
from kiosk.session import EndReason, State

from .app import Kiosk

#: The long procedure whose every step is shot (eligibility, dates, RIB, ...).
LONG_PROCEDURE = "cnss.ipe"
#: What a citizen types in the search box, per language.
SEARCH = {"ar": "شهادة", "fr": "attes", "zgh": "ⴰⵙⵍⴽⵉⵏ"}


def _to_confirm(session) -> None:
    session.start()
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=load_demo_identity()))


def _to_wizard(session, procedure: str = LONG_PROCEDURE) -> None:
    _to_confirm(session)
    session.confirm_identity(True)
    session.choose(procedure)
    session.begin_procedure()


def _fill_step(session, answers: dict) -> None:
    session.answer_step(answers)


def _focus_first_typed(session) -> None:
    """Open the keyboard on the step's first typed field, as a touch on it would."""
    from kiosk.presenter import step as present_step

    for f in present_step(session)["fields"]:
        if f["typed"]:
            session.focus_on(f["id"])
            return


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

    def search():
        _to_confirm(session)
        session.confirm_identity(True)
        session.focus_on("search")
        session.search(SEARCH[session.language])
    yield "catalog-search", search
    yield "intro", lambda: (_to_confirm(session), session.confirm_identity(True),
                            session.choose(LONG_PROCEDURE))

    procedure = session.catalog.get(LONG_PROCEDURE)
    answers = example_answers(procedure, session.default_language)

    def to_step(i: int, keyboard: bool = True):
        _to_wizard(session)
        for _ in range(i):
            _fill_step(session, answers)
            session.next()
        if keyboard:
            _fill_step(session, answers)
            _focus_first_typed(session)
    # Every step of the long procedure, answered, with the keyboard of its first typed field.
    walk = _Walk(procedure, answers)
    for i, step_id in enumerate(walk.steps):
        yield f"wizard-{i + 1:02d}-{step_id}", lambda i=i: to_step(i)

    def ineligible():
        _to_wizard(session)
        first = procedure.eligibility[0]
        session.answer(first.id, "no" if first.expect == "yes" else "yes")
        session.next()
    yield "wizard-ineligible", ineligible

    def step_errors():
        _to_wizard(session)
        _fill_step(session, answers)
        session.next()
        while session.next():  # up to the first step with something required
            pass
    yield "wizard-errors", step_errors

    def to_review():
        _to_wizard(session)
        while session.state is State.WIZARD:
            _fill_step(session, answers)
            session.next()
        session.set_consent(True)
    yield "review", to_review
    yield "submitting", lambda: (to_review(), session.begin_submit())
    yield "done", lambda: (to_review(), session.submit())

    def done_failed():
        to_review()
        session.submit()
        session.print_state = "failed"
        session._changed()
    yield "done-print-failed", done_failed

    def idle_warning():
        to_step(1, keyboard=False)
        session.idle_left = 12
        session._changed()
    yield "idle-warning", idle_warning

    def card_away():
        to_step(1, keyboard=False)
        session.card_away, session.card_away_left = "waiting", 17
        session._away_since = session.clock() - 3
        session._changed()
    yield "card-away", card_away


def desk_scenes(kiosk):
    """The staff screens and what agents change on the citizens' side."""
    from PySide6.QtCore import QObject

    desk = kiosk.desk

    def sign_in(pin="559301"):
        desk.open()
        for d in "2001":
            desk.digit(d)
        desk.confirm()
        for d in pin:
            desk.digit(d)

    yield "staff-sign-in", lambda: sign_in()

    def badge_sign_in():
        # What an enrolled staff card opens: its number filled in, the PIN to type.
        desk.open()
        core = desk.desk
        core.typed_id, core.field, core.badge_id = "2001", "pin", "2001"
        for d in "55":
            desk.digit(d)
    yield "staff-badge", badge_sign_in
    yield "staff-wrong-pin", lambda: (sign_in("000001"), desk.confirm())

    def dashboard():
        sign_in()
        desk.confirm()
    yield "agent-desk", dashboard

    def scrolled():
        dashboard()
        _settle(kiosk)
        flick = kiosk.window.findChild(QObject, "deskScroll")
        flick.setProperty("contentY", max(0.0, flick.property("contentHeight") - flick.property("height")))
    yield "agent-desk-lists", scrolled
    yield "out-of-service", lambda: (dashboard(), desk.setService(False, "maintenance"), desk.close())

    def settings(edit: bool = False):
        desk.open()
        for d in "1001":
            desk.digit(d)
        desk.confirm()
        for d in "482913":
            desk.digit(d)
        desk.confirm()
        desk.openSettings()
        if edit:
            desk.editSetting("sync.endpoint")
    def technician_desk():
        for pin in ("000001", "000002", "000003"):  # an agent locked out
            desk.desk.sign_in("2001", pin)
        desk.desk.sign_out()
        settings()
        desk.closeSettings()
        desk.runDoctor()
        _wait_doctor(kiosk)
        _settle(kiosk)
        flick = kiosk.window.findChild(QObject, "deskScroll")
        item = kiosk.window.findChild(QObject, "deskStaff")
        flick.setProperty("contentY", max(0.0, item.property("y") - 20))
    yield "technician-desk", technician_desk
    def desk_catalog():
        settings()
        desk.closeSettings()
        desk.openCatalog()
    yield "desk-catalog", desk_catalog

    # The technician's pages: the card reader (readers and a test result drawn from data,
    # so the shot needs no reader), staff accounts and their forms, and my PIN.
    def desk_reader(waiting: bool = False):
        from kiosk.card.probe import OK, CardProbe, ProbeResult, ReaderList
        settings()
        desk.closeSettings()
        desk.openPage("reader")
        core = desk.desk
        core._readers = ReaderList(("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00",
                                    "Virtual PCD 00 00"))
        if waiting:
            core.card_probe = CardProbe("", 20)
        else:
            core.card_result = ProbeResult(OK, "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00",
                                           True, bytes.fromhex("3B8880014241445400000000EE"), True, True, 187.4)
        desk.refresh()
    yield "desk-reader", lambda: desk_reader()
    yield "desk-reader-waiting", lambda: desk_reader(waiting=True)

    def desk_staff():
        for pin in ("000001", "000002", "000003"):  # an agent locked out
            desk.desk.sign_in("2001", pin)
        desk.desk.sign_out()
        settings()
        desk.closeSettings()
        desk.openPage("staff")
    yield "desk-staff", desk_staff

    def desk_staff_add(step: str):
        settings()
        desk.closeSettings()
        desk.openPage("staff")
        desk.staffForm("add", "")
        for d in "3001":
            desk.formDigit(d)
        desk.formNext()
        name = {"ar": "كريم", "fr": "karim", "zgh": "ⴽⴰⵔⵉⵎ"}[kiosk.model.language]
        for ch in name:
            desk.formKey({"insert": ch, "action": None})
        if step == "pin":
            desk.formNext()
            for d in "111111":
                desk.formDigit(d)
            desk.formNext()
            for d in "111111":
                desk.formDigit(d)
            desk.formNext()  # too easy: refused, PINs wiped
            desk.formDigit("7")
    yield "desk-staff-add", lambda: desk_staff_add("name")
    yield "desk-staff-add-pin", lambda: desk_staff_add("pin")

    def desk_staff_remove():
        settings()
        desk.closeSettings()
        desk.openPage("staff")
        desk.staffForm("remove", "2001")
    yield "desk-staff-remove", desk_staff_remove

    def desk_my_pin():
        dashboard()
        desk.openPage("my_pin")
        for d in "5593":
            desk.formDigit(d)
    yield "desk-my-pin", desk_my_pin

    def desk_provision():
        # The office's provisioning file on a stick under the kiosk's temporary home.
        from kiosk.provisioning import write_profile
        services = kiosk.services
        root = services.paths.config.parent / "media"
        (root / "USB").mkdir(parents=True, exist_ok=True)
        write_profile(root / "USB", endpoint="https://intake.cnss.example.ma",
                      backoffice_key="x25519:" + "q" * 43, intake_key="ed25519:" + "w" * 43,
                      issuer="CNSS — Direction régionale Rabat-Salé-Kénitra",
                      settings={"kiosk.office": "Agence CNSS Rabat-Agdal", "display.languages": "ar,fr,zgh"})
        desk.usb_roots[:] = [root]
        settings()
        desk.closeSettings()
        desk.openProvision()
    yield "desk-provision", desk_provision
    yield "settings", lambda: settings()
    yield "settings-edit", lambda: settings(edit=True)

    def assisted():
        dashboard()
        desk.startAssisted()
        _to_confirm_started(kiosk.session)
    yield "assisted", assisted


def _to_confirm_started(session) -> None:
    session.on_card_event(CardEvent(CardEventKind.INSERTED))
    session.on_card_event(CardEvent(CardEventKind.IDENTITY, identity=load_demo_identity()))
    session.confirm_identity(True)


def _desk_day(services) -> None:
    """Staff accounts and a day of submissions for the agent's screens: one refused by
    the office, one whose receipt did not print, one assisted."""
    from kiosk.privileged import Gate
    from kiosk.procedures.wizard import payload_from_answers
    from kiosk.staff import SETUP

    gate = Gate(services.paths)
    gate.staff.add(SETUP, "1001", "Technicien", "technician", "482913")
    gate.staff.add(gate.staff.authenticate("1001", "482913"), "2001", "Amina", "agent", "559301")
    for n, pid in enumerate(("cnss.ipe", "commune.extrait-acte-naissance", "anapec.inscription")):
        proc = services.catalog.get(pid)
        payload = {"answers": payload_from_answers(proc, example_answers(proc, "fr"), {})}
        saved = services.outbox.submit(proc.id, proc.version, "fr", payload,
                                       {"procedure_id": proc.id, "language": "fr", "kiosk_id": "DEMO",
                                        "office": "Demo"}, assisted_by="2001" if n == 2 else None)
        if n == 0:
            services.outbox.reject(saved.id, "procedure version retired by the office")
        elif n == 1:
            services.outbox.mark_print_failed(saved.tracking, "media-empty")
        else:
            services.outbox.mark_printed(saved.tracking)


class _Walk:
    """The steps the example answers go through (conditional steps included or not)."""

    def __init__(self, procedure, answers):
        w = Wizard(procedure, load_demo_identity().prefill())
        self.steps = []
        while not w.at_review:
            self.steps.append(w.step.id)
            w.answer_step(answers)
            if not w.next():
                raise RuntimeError(f"example answers refused at {w.step.id}: {w.errors}")


def _wait_doctor(kiosk, timeout: float = 30.0) -> None:
    """The doctor runs on a worker thread: wait for its result to come back."""
    import time

    deadline = time.monotonic() + timeout
    while kiosk.desk.doctor_running and time.monotonic() < deadline:
        kiosk.app.processEvents()
        time.sleep(0.01)


def _settle(kiosk, rounds: int = 5) -> None:
    """Let bindings, deferred calls (Qt.callLater) and the scene graph catch up."""
    import time

    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(rounds):
        kiosk.app.processEvents()
        # The screens replaced are deleted by a running event loop; here, by hand.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        time.sleep(0.002)


def _technician_stick(stick: Path, edition: int) -> None:
    """A USB stick with a good package and a tampered copy of it (demo publisher key)."""
    import shutil
    import zipfile

    from kiosk.procedures import package
    from kiosk.procedures.loader import DEFAULT_CATALOG

    src = stick.parent / "src"
    shutil.copytree(DEFAULT_CATALOG, src)
    head = src / "catalog.yaml"
    head.write_text(head.read_text("utf-8").replace("version: 1", f"version: {edition}", 1), "utf-8")
    good = stick / f"catalogue-edition-{edition}.zip"
    package.pack(src, package.DEMO_PRIVATE_KEY, good)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(stick / "catalogue-modifie.zip", "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.endswith("cnss.ipe.yaml"):
                data = data.replace(b"version: 1", b"version: 2", 1)
            zout.writestr(name, data)


def render_technician(out: Path, langs=LANGUAGES, size=(1080, 1920)) -> list[Path]:
    """The technician's catalog screen: packages found, a tampered one refused, a good
    one installed."""
    from .technician import TechnicianWindow

    written = []
    for lang in langs:
        with tempfile.TemporaryDirectory(prefix="guichet-tech-") as home:
            stick = Path(home) / "media" / "USB"
            stick.mkdir(parents=True)
            _technician_stick(stick, 2)
            services = Services.open(KioskPaths.from_env({"KIOSK_HOME": home + "/kiosk"}))
            w = TechnicianWindow(services, size=size, lang=lang, usb_roots=[Path(home) / "media"])
            w.window.show()
            for name, action in (("technician", lambda: None),
                                 ("technician-refused", lambda: w.model.importPackage(
                                     str(stick / "catalogue-modifie.zip"))),
                                 ("technician-installed", lambda: w.model.importPackage(
                                     str(stick / "catalogue-edition-2.zip")))):
                action()
                for _ in range(5):
                    w.app.processEvents()
                path = out / f"{name}-{lang}-{size[0]}x{size[1]}.png"
                w.window.grabWindow().save(str(path))
                written.append(path)
            w.close()
            services.close()
    return written


def render(out: Path, langs=LANGUAGES, sizes=((1080, 1920), (1920, 1080)),
           only: str | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="guichet-shots-") as home:
        paths = KioskPaths.from_env({"KIOSK_HOME": home})
        services = Services.open(paths)
        _desk_day(services)
        for size in sizes:
            kiosk = Kiosk(services, fullscreen=False, demo=True, size=size, animations=False)
            kiosk.window.show()
            session = kiosk.session
            for lang in langs:
                session.default_language = lang
                for name, setup in [*scenes(session), *desk_scenes(kiosk)]:
                    if only and only not in name:
                        continue
                    kiosk.desk.close()
                    save_service(services.service_file, ServiceState())
                    kiosk.desk.desk.gate.staff.unlock(SETUP, "2001")  # a scene may lock it out
                    session.end(EndReason.CANCELLED)
                    setup()
                    _settle(kiosk)
                    image = kiosk.window.grabWindow()
                    path = out / f"{name}-{lang}-{size[0]}x{size[1]}.png"
                    image.save(str(path))
                    written.append(path)
            session.end(EndReason.CANCELLED)
            kiosk.close()
        services.close()
    if only is None or "technician" in only:
        written += render_technician(out, langs, sizes[0])
    return written
