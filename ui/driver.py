"""Drives the real QML interface as a finger would: find an item by objectName, scroll it
into view, click its centre. Used by the GUI tests, the offscreen demo and benchmarks."""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF, Qt
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

    def click(self, name: str, timeout: float = 5.0) -> None:
        item = self.find(name, timeout)
        self._scroll_into_view(item)
        centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2)).toPoint()
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
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


def complete_procedure(driver: Driver, procedure_id: str, answers: dict[str, str]) -> None:
    """From the catalog screen, fill a procedure through its screens and reach the review.

    ``answers`` maps field ids to values; the fields of each step are answered by
    clicking as a citizen would (options, keypad digits, +/-)."""
    session = driver.kiosk.session
    driver.click(f"proc-{procedure_id}")
    driver.wait_state("intro")
    driver.click("begin")
    driver.wait_state("wizard")
    while session.state.value == "wizard":
        step = session.wizard.step
        for field in step.fields:
            value = answers.get(field.id)
            if value is None or field.type == "prefill":
                continue
            if field.type in ("choice", "yesno"):
                driver.click(f"option-{field.id}-{value}")
            elif field.type == "phone":
                driver.type_digits(field.id, value)
            elif field.type == "number":
                for _ in range(int(value)):
                    driver.click(f"plus-{field.id}")
        index = session.wizard.index
        driver.click("next")
        driver.pump()
        if session.state.value == "wizard" and session.wizard.index == index:
            raise AssertionError(f"step {step.id} refused the answers: {session.wizard.errors}")
