"""Keyboard.qml standalone, offscreen: it draws the layouts of kiosk/keyboards.py with
finger-sized keys that fit portrait and landscape windows, switches pages itself, mirrors
Arabic rows only, and reports the keys touched. Every layout and page is also rendered to
/tmp/kbd-shots/ for a look (not committed)."""

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QFont, QRawFont
from PySide6.QtQml import QQmlApplicationEngine
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest

from kiosk.keyboards import LAYOUTS, apply_key, keys, layout
from kiosk.paths import ASSETS

pytestmark = pytest.mark.gui

SHOTS = Path("/tmp/kbd-shots")
SIZES = ((1080, 1920), (1920, 1080))
HARNESS = b"""
import QtQuick
import QtQuick.Window
Window {
    id: root
    width: 1080; height: 1920; visible: true; color: Theme.background
    property bool mirrored: false
    property var presses: []
    Binding { target: Theme; property: "windowWidth"; value: root.width }
    Binding { target: Theme; property: "windowHeight"; value: root.height }
    Item {
        id: screen
        anchors.fill: parent
        LayoutMirroring.enabled: root.mirrored
        LayoutMirroring.childrenInherit: true
        Keyboard {
            objectName: "keyboard"
            width: Theme.contentWidth
            anchors.horizontalCenter: parent.horizontalCenter
            anchors.bottom: parent.bottom; anchors.bottomMargin: Theme.margin
            onKey: function(keyData) { root.presses = root.presses.concat([keyData]) }
        }
    }
}
"""


def pump(n: int = 5) -> None:
    for _ in range(n):
        QCoreApplication.processEvents()


class Harness:
    def __init__(self):
        from ui.app import QML_DIR, application
        from ui.main import configure_qt

        configure_qt()
        self.app = application()  # registers the bundled Noto fonts, as the kiosk does
        self.engine = QQmlApplicationEngine()
        self.engine.rootContext().setContextProperty(
            "iconDir", QUrl.fromLocalFile(str(ASSETS / "icons") + "/").toString())
        # A base URL inside ui/qml: the harness sees Theme and Keyboard like a screen does.
        self.engine.loadData(HARNESS, QUrl.fromLocalFile(str(QML_DIR / "KeyboardHarness.qml")))
        assert self.engine.rootObjects(), "the harness failed to load"
        self.window = self.engine.rootObjects()[0]
        self.keyboard = self.window.findChild(QQuickItem, "keyboard")
        self.received: list[dict] = []  # the signal as a Python view model gets it
        self.keyboard.key.connect(self.received.append)
        pump()

    def show(self, name: str, lang: str, page: str | None = None, size=(1080, 1920)) -> None:
        self.window.setWidth(size[0])
        self.window.setHeight(size[1])
        self.keyboard.setProperty("layout", layout(name, lang))
        if page is not None:
            self.keyboard.setProperty("page", page)
        pump()

    @property
    def page(self) -> str:
        return self.keyboard.property("page")

    def items(self, prefix: str = "kbd-") -> dict[str, QQuickItem]:
        found = {}

        def walk(item):
            if item.objectName().startswith(prefix) and item.isVisible():
                assert item.objectName() not in found, f"two keys named {item.objectName()}"
                found[item.objectName()] = item
            for child in item.childItems():
                walk(child)
        walk(self.keyboard)
        return found

    def rect(self, name: str):
        item = self.items()[name]
        return item.mapRectToScene(item.boundingRect())

    def presses(self) -> list[dict]:
        """What key() reported, as the view model receives it (plain Python data)."""
        value = self.window.property("presses")
        return value.toVariant() if hasattr(value, "toVariant") else value

    def tap(self, name: str) -> dict:
        before = len(self.presses())
        centre = self.rect(name).center().toPoint()
        QTest.mouseClick(self.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
        pump()
        presses = self.presses()
        assert len(presses) == before + 1, f"tapping {name} reported {len(presses) - before} keys"
        assert self.received[-1] == presses[-1] and isinstance(self.received[-1], dict)
        return self.received[-1]

    def type(self, names: list[str], text: str = "") -> str:
        """Tap keys and edit the text as the view model does."""
        for name in names:
            text = apply_key(text, self.tap(name))
        return text

    def close(self) -> None:
        from ui.app import tear_down

        tear_down(QCoreApplication.instance(), self.engine, self.window, None)


@pytest.fixture
def kb(qapp):
    h = Harness()
    yield h
    h.close()


def test_french_keys_report_their_data_and_switch_pages(kb):
    kb.show("azerty", "fr")
    assert kb.page == "latin"
    pressed = kb.tap("kbd-azerty-b")
    assert pressed["id"] == "b" and pressed["insert"] == "b" and not pressed["action"]
    # Shift: one capital, then back to lower case.
    assert kb.tap("kbd-azerty-shift")["action"] == "shift"
    assert kb.page == "latin-shift"
    assert kb.tap("kbd-azerty-A")["insert"] == "A"
    assert kb.page == "latin"
    # The accents page is one visible key away.
    assert kb.tap("kbd-azerty-page-latin-accents")["action"] == "page:latin-accents"
    assert kb.page == "latin-accents"
    text = kb.type(["kbd-azerty-é", "kbd-azerty-ç", "kbd-azerty-œ", "kbd-azerty-backspace"], "b")
    assert text == "béç"
    assert kb.page == "latin-accents"  # the accents page stays until left
    kb.tap("kbd-azerty-page-latin")
    text = kb.type(["kbd-azerty-space", "kbd-azerty-'", "kbd-azerty--"], text)
    assert text == "béç '-"
    assert kb.tap("kbd-azerty-done")["action"] == "done"


def test_a_name_in_latin_letters_from_the_arabic_keyboard(kb):
    kb.show("arabic", "ar")
    assert kb.page == "arabic"
    text = kb.type(["kbd-arabic-س", "kbd-arabic-لا", "kbd-arabic-م"])
    assert text == "سلام"
    assert kb.type(["kbd-arabic-backspace", "kbd-arabic-backspace"], text) == "س"
    kb.tap("kbd-arabic-page-latin")
    assert kb.page == "latin"
    assert kb.type(["kbd-arabic-s", "kbd-arabic-a"]) == "sa"
    kb.tap("kbd-arabic-page-tifinagh")
    assert kb.page == "tifinagh"
    kb.tap("kbd-arabic-page-arabic")
    assert kb.page == "arabic"
    # The second page: hamza forms and digits.
    kb.tap("kbd-arabic-shift")
    assert kb.page == "arabic-shift"
    assert kb.type(["kbd-arabic-أ", "kbd-arabic-إ", "kbd-arabic-آ", "kbd-arabic-1"]) == "أإآ1"
    kb.tap("kbd-arabic-shift")
    assert kb.page == "arabic"


def test_tifinagh_shift_page_and_labialised_letters(kb):
    kb.show("tifinagh", "zgh")
    assert kb.type(["kbd-tifinagh-ⴰ", "kbd-tifinagh-ⴽ", "kbd-tifinagh-ⵯ"]) == "ⴰⴽⵯ"
    kb.tap("kbd-tifinagh-shift")
    assert kb.page == "tifinagh-shift"
    assert kb.tap("kbd-tifinagh-ⴳⵯ")["insert"] == "ⴳⵯ"
    assert kb.page == "tifinagh"  # one-shot
    kb.tap("kbd-tifinagh-shift")
    assert kb.type(["kbd-tifinagh-ⵕ"]) == "ⵕ"


def test_a_new_layout_opens_on_its_first_page(kb):
    kb.show("arabic", "ar", page="latin-symbols")
    kb.show("tifinagh", "zgh")
    assert kb.page == "tifinagh"
    kb.show("digits", "fr")
    assert kb.page == "digits"
    assert kb.type(["kbd-digits-4", "kbd-digits-2"]) == "42"


def test_no_layout_draws_nothing(kb):
    kb.show("azerty", "fr")
    assert kb.keyboard.property("implicitHeight") > 0
    kb.keyboard.setProperty("layout", {"name": "", "start": "", "units": 1, "rows": 0,
                                       "compact": False, "pages": []})
    pump()
    assert kb.items() == {} and kb.keyboard.property("implicitHeight") == 0


def test_arabic_rows_run_right_to_left_digits_and_pads_never_mirror(kb):
    kb.show("arabic", "ar")
    assert kb.rect("kbd-arabic-ض").x() > kb.rect("kbd-arabic-د").x()
    assert kb.rect("kbd-arabic-ش").x() > kb.rect("kbd-arabic-ذ").x()
    kb.show("arabic", "ar", page="arabic-shift")
    assert kb.rect("kbd-arabic-1").x() < kb.rect("kbd-arabic-0").x()
    kb.show("azerty", "ar")
    assert kb.rect("kbd-azerty-a").x() < kb.rect("kbd-azerty-p").x()
    # Inside a mirrored (Arabic) screen nothing changes.
    kb.window.setProperty("mirrored", True)
    pump()
    assert kb.rect("kbd-azerty-a").x() < kb.rect("kbd-azerty-p").x()
    kb.show("phone", "ar")
    assert kb.rect("kbd-phone-1").x() < kb.rect("kbd-phone-3").x()
    assert kb.rect("kbd-phone-+").x() < kb.rect("kbd-phone-0").x() < kb.rect("kbd-phone-backspace").x()
    kb.show("arabic", "ar")
    assert kb.rect("kbd-arabic-ض").x() > kb.rect("kbd-arabic-د").x()


def pages(name: str, lang: str) -> list[str]:
    return [p["name"] for p in layout(name, lang)["pages"]]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits_the_window_with_finger_sized_keys(kb, size):
    for name in LAYOUTS:
        for page in pages(name, "fr"):
            kb.show(name, "fr", page, size)
            touch = max(12 * 96 / 25.4, 104 * min(size) / 1080)  # Theme.touch at 96 dpi
            items = kb.items()
            expected = {f"kbd-{name}-{k['id']}" for k in keys(layout(name, "fr"), page)}
            assert set(items) == expected, (name, page)
            for key_name, item in items.items():
                r = item.mapRectToScene(item.boundingRect())
                assert r.height() >= touch * 0.8 - 0.5, key_name
                assert r.width() >= touch * 0.6, (key_name, r.width())
                assert 0 <= r.left() and r.right() <= size[0], (key_name, r)
                assert 0 <= r.top() and r.bottom() <= size[1], (key_name, r)


def test_every_label_has_a_glyph_in_the_bundled_fonts(qapp):
    from ui.app import FONT_FAMILIES, application

    application()
    fonts = [QRawFont.fromFont(QFont(f)) for f in FONT_FAMILIES]
    for f, family in zip(fonts, FONT_FAMILIES):
        assert f.familyName() == family, f"{family} is not registered"
    missing = set()
    for name in LAYOUTS:
        for lang in ("ar", "fr", "zgh"):
            for k in keys(layout(name, lang)):
                if k["action"] in ("backspace", "shift"):
                    continue  # drawn as icons
                for c in k["label"]:
                    if not c.isspace() and not any(f.supportsCharacter(ord(c)) for f in fonts):
                        missing.add(c)
    assert not missing, f"no bundled font draws {sorted(missing)}"


def test_render_every_layout_to_png(kb):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        for name, lang in (("arabic", "ar"), ("azerty", "fr"), ("tifinagh", "zgh"), ("email", "fr"),
                           ("cin", "fr"), ("digits", "fr"), ("phone", "ar"), ("decimal", "zgh")):
            shown = {"arabic": ["arabic", "arabic-shift"],
                     "azerty": ["latin", "latin-shift", "latin-accents", "latin-symbols"],
                     "tifinagh": ["tifinagh", "tifinagh-shift", "tifinagh-symbols"]}.get(name, [name])
            for page in shown:
                kb.show(name, lang, page, size)
                image = kb.window.grabWindow()
                assert (image.width(), image.height()) == size
                area = kb.keyboard.mapRectToScene(kb.keyboard.boundingRect()).toRect()
                crop = image.copy(area.adjusted(-16, -16, 16, 16))
                path = SHOTS / f"{name}-{page}-{size[0]}x{size[1]}.png"
                assert crop.save(str(path))
                # Keys are drawn: white key faces and dark labels inside the keyboard area.
                dark = sum(1 for x in range(0, crop.width(), 6) for y in range(0, crop.height(), 6)
                           if crop.pixelColor(x, y).lightness() < 80)
                white = sum(1 for x in range(0, crop.width(), 6) for y in range(0, crop.height(), 6)
                            if crop.pixelColor(x, y).lightness() > 250)
                assert dark > 20 and white > 100, (path, dark, white)
