"""Drives the real QML interface as a finger would: find an item by objectName, scroll it
into view, click its centre. Used by the GUI tests, the offscreen demo and benchmarks."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest


def walk(item: QQuickItem):
    yield item
    for child in item.childItems():
        yield from walk(child)


def _shown(item: QQuickItem) -> bool:
    return item.isVisible() and item.opacity() > 0 and item.width() > 0 and item.height() > 0


class Driver:
    def __init__(self, kiosk):
        self.kiosk = kiosk
        self.window = kiosk.window

    def pump(self, seconds: float = 0.0) -> None:
        end = time.monotonic() + seconds
        while True:
            QGuiApplication.processEvents()
            # Replaced screens are deleted later by the running event loop; without one
            # (tests, offscreen scripts) they would pile up and slow every frame.
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            if time.monotonic() >= end:
                return
            time.sleep(0.005)

    def items(self, name: str) -> list[QQuickItem]:
        return [i for i in walk(self.window.contentItem()) if i.objectName() == name and _shown(i)]

    def find(self, name: str, timeout: float = 5.0) -> QQuickItem:
        deadline = time.monotonic() + timeout
        while True:
            found = self.items(name)
            if found:
                return found[-1]  # the newest screen's item when a transition overlaps
            if time.monotonic() > deadline:
                raise LookupError(f"no visible item named {name!r} on screen {self.kiosk.model.state!r}")
            self.pump(0.02)

    def _scroll_into_view(self, item: QQuickItem) -> None:
        parent = item.parentItem()
        while parent is not None:
            if parent.property("contentY") is not None and parent.property("contentHeight") is not None:
                top = item.mapToItem(parent.property("contentItem"), QPointF(0, 0)).y()
                view_h = parent.height()
                content_y = parent.property("contentY")
                if top < content_y or top + item.height() > content_y + view_h:
                    max_y = max(0.0, parent.property("contentHeight") - view_h)
                    parent.setProperty("contentY", min(max_y, max(0.0, top - view_h / 3)))
                    self.pump()
                return
            parent = parent.parentItem()

    def _settled_centre(self, item: QQuickItem):
        """The item's centre in the window once layouts stop moving it."""
        last = None
        for _ in range(20):
            centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
            if centre == last:
                return centre
            last = centre
            self.pump(0.005)  # let a frame pass: items are placed when the scene is polished
        return last

    def click(self, name: str, timeout: float = 5.0) -> None:
        item = self.find(name, timeout)
        w, h = self.window.width(), self.window.height()
        for _ in range(20):  # a new screen may still be laying out its content
            self._scroll_into_view(item)
            centre = self._settled_centre(item)
            if 0 <= centre.x() < w and 0 <= centre.y() < h:
                break
            self.pump(0.02)
        else:
            raise LookupError(f"{name!r} cannot be brought on screen ({centre.x()}, {centre.y()})")
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        self.pump()

    def hold(self, name: str, seconds: float) -> None:
        """Press on an item, keep the finger there ``seconds``, release (hidden gestures)."""
        item = self.find(name)
        centre = self._settled_centre(item)
        QTest.mousePress(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        self.pump(seconds)
        QTest.mouseRelease(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        self.pump()

    def type_digits(self, field_id: str, digits: str) -> None:
        for d in digits:
            self.click(f"key-{field_id}-{d}")

    def enter_can(self, can: str) -> None:
        """Type the card access number on its keypad and ask for the read."""
        for d in can:
            self.click(f"can-{d}")
        self.click("canSubmit")

    def wait_state(self, state: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.kiosk.model.state != state:
            if time.monotonic() > deadline:
                raise TimeoutError(f"state is {self.kiosk.model.state!r}, expected {state!r}")
            self.pump(0.01)
        self.pump()

    def text_of(self, name: str) -> str:
        return self.find(name).property("text")


def _page_path(layout: dict, start: str, target: str) -> list[dict] | None:
    """The page keys to press to go from page ``start`` to page ``target`` (BFS)."""
    pages = {p["name"]: p for p in layout["pages"]}
    queue, seen = [(start, [])], {start}
    while queue:
        name, path = queue.pop(0)
        if name == target:
            return path
        for row in pages[name]["rows"]:
            for key in row["keys"]:
                action = key.get("action") or ""
                nxt = action[5:] if action.startswith("page:") else \
                    pages[name].get("shift") if action == "shift" else None
                if nxt and nxt in pages and nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, path + [key]))
    return None


def type_text(driver: Driver, text: str, board: str = "keyboard", layout: dict | None = None) -> None:
    """Type on an on-screen keyboard (by default the citizen's docked one), key by key,
    changing pages as a person would (digits page, capitals, another script)."""
    board = driver.find(board)
    layout = layout if layout is not None else driver.kiosk.model.keyboard
    name = layout["name"]
    units = _units(text, layout)
    for unit in units:
        page = board.property("page")
        where = [p["name"] for p in layout["pages"]
                 if any(k.get("insert") == unit and _types(k) for r in p["rows"] for k in r["keys"])]
        if not where:
            raise LookupError(f"{unit!r} is on no page of the {name} keyboard")
        if page not in where:
            path = min((q for q in (_page_path(layout, page, w) for w in where) if q is not None), key=len)
            for key in path:
                driver.click(f"kbd-{name}-{key['id']}")
                driver.pump(0.01)
        driver.click(f"kbd-{name}-{_key_id(layout, board.property('page'), unit)}")


def _types(key: dict) -> bool:
    """A key that inserts text (a character, or the space bar)."""
    return not key.get("action") or key.get("action") == "space"


def _key_id(layout: dict, page: str, unit: str) -> str:
    for p in layout["pages"]:
        if p["name"] == page:
            for r in p["rows"]:
                for k in r["keys"]:
                    if k.get("insert") == unit and _types(k):
                        return k["id"]
    raise LookupError(unit)


def _units(text: str, layout: dict) -> list[str]:
    """Split a text into what single keys insert (a key may insert "ⴳⵯ" or "لا")."""
    inserts = sorted({k["insert"] for p in layout["pages"] for r in p["rows"] for k in r["keys"]
                      if k.get("insert") and _types(k)}, key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        for ins in inserts:
            if text.startswith(ins, i):
                out.append(ins)
                i += len(ins)
                break
        else:
            raise LookupError(f"{text[i]!r} cannot be typed on the {layout['name']} keyboard")
    return out


def _touch_until(driver: Driver, name: str, done) -> None:
    """Touch an item until its effect shows, as a person touches again when the screen
    was still moving under the finger (at most three times)."""
    for _ in range(3):
        driver.click(name)
        if done():
            return
        driver.pump(0.05)
    raise AssertionError(f"touching {name} had no effect on screen {driver.kiosk.model.state!r}")


def answer_field(driver: Driver, field, value) -> None:
    """Answer one field as a finger would."""
    kind = field.type
    session = driver.kiosk.session

    def current():
        return session.wizard.value(session.wizard.field(field.id))

    if kind in ("choice", "yesno"):
        _touch_until(driver, f"option-{field.id}-{value}", lambda: current() == value)
    elif kind == "multichoice":
        for v in value:
            _touch_until(driver, f"option-{field.id}-{v}", lambda v=v: v in current())
    elif kind == "number" and field.min is not None and field.max is not None \
            and field.max - field.min <= 20:
        while current() != str(value):
            before = current()
            _touch_until(driver, f"plus-{field.id}", lambda: current() != before)
    else:
        _touch_until(driver, f"entry-{field.id}", lambda: session.focus == field.id)
        if kind == "date":  # typed as DDMMYYYY on the digits pad
            value = value[8:10] + value[5:7] + value[0:4]
        if kind == "amount":  # with the decimal separator of the language's pad
            from kiosk.keyboards import decimal_symbol
            value = str(value).replace(".", decimal_symbol(session.language))
        type_text(driver, str(value))


def complete_procedure(driver: Driver, procedure_id: str, answers: dict) -> None:
    """From the catalog screen, fill a procedure through its screens and reach the review.

    ``answers`` maps field ids to values (``kiosk catalog example``); each visible field
    of each step is answered by touching the screen as a citizen would (options, the
    on-screen keyboards, +/-)."""
    session = driver.kiosk.session
    driver.click(f"proc-{procedure_id}")
    driver.wait_state("intro")
    driver.click("begin")
    driver.wait_state("wizard")
    while session.state.value == "wizard":
        w = session.wizard
        step = w.step
        for field in step.fields:
            value = answers.get(field.id)
            if value is None or field.type == "prefill" or not w.field_visible(field):
                continue
            answer_field(driver, field, value)
        index = w.index
        driver.click("next")
        driver.pump()
        if session.state.value == "wizard" and session.wizard.index == index:
            raise AssertionError(f"step {step.id} refused the answers: {session.wizard.errors}")
