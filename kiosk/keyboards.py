"""On-screen keyboards as plain data, the choice of keyboard for a field, and the
editing a key does to a text. No Qt: ``ui/qml/Keyboard.qml`` only draws a layout
and reports the key touched; the view model calls :func:`apply_key`.

A layout is a JSON-able dictionary::

    {"name": "arabic", "start": "arabic", "units": 12, "rows": 4, "compact": False,
     "pages": [{"name": "arabic", "rtl": True, "shift": "arabic-shift", "shifted": False,
                "oneshot": False,
                "rows": [{"rtl": True, "keys": [KEY, ...]}, ...]}, ...]}

and a key is ``{"id", "label", "insert", "action", "width"}`` (plus ``"name"``, a
spoken name for keys drawn as an icon, and ``"alt": True`` on a shifted page for the
keys that differ from the unshifted one). ``insert`` may hold several code points
("ⴳⵯ", "لا", ".ma"); ``action`` is None (insert), "backspace", "space", "shift",
"done" or "page:<name>"; ``width`` is relative (1 = a letter key). ``units`` is the
widest row of any page, so keys keep their size when the page changes; ``rows`` the
most rows of any page, so the keyboard keeps its height.

The three text keyboards (``arabic``, ``azerty``, ``tifinagh``) hold the pages of all
three scripts and differ by the page they open on: a name may be typed in Latin
letters in an Arabic session, so every letter page has keys to the other scripts.

Keyboard rules of thumb: rows of an Arabic page are drawn right to left (``rtl``),
rows of digits always left to right, numeric pads keep telephone order.
"""

from __future__ import annotations

import copy
import unicodedata
from functools import lru_cache
from typing import Any

from babel.core import UnknownLocaleError
from babel.numbers import get_decimal_symbol

from .i18n import BABEL_LOCALES, N_, check_language, gettext

#: Every layout :func:`layout` knows.
LAYOUTS: tuple[str, ...] = ("arabic", "azerty", "tifinagh", "email", "cin", "digits", "phone",
                            "decimal")
#: The letter keyboard of each language.
LANGUAGE_KEYBOARDS = {"ar": "arabic", "fr": "azerty", "zgh": "tifinagh"}
#: Field types typed on a fixed keyboard, whatever the language.
FIELD_KEYBOARDS = {"email": "email", "cin": "cin", "number": "digits", "rib": "digits",
                   "phone": "phone", "amount": "decimal", "date": "digits"}
#: Field types typed on the language's letter keyboard.
TEXT_FIELDS = frozenset({"text", "multiline", "search"})
#: Field types answered without typing (options, yes/no, read from the card).
NO_KEYBOARD = frozenset({"choice", "multichoice", "yesno", "prefill"})

#: Actions besides "page:<name>".
ACTIONS = frozenset({"backspace", "shift", "space", "done"})

# Labels and spoken names of the action keys (translated by layout()).
SPACE = N_("Space")
DONE = N_("Done")
ERASE = N_("Erase")
SHIFT = N_("Shift")
TO_SYMBOLS = N_("Digits and symbols")
TO_ACCENTS = N_("Accented letters")
TO_LATIN = N_("Latin letters")
TO_ARABIC = N_("Arabic letters")
TO_TIFINAGH = N_("Tifinagh letters")

DIGITS = "1234567890"

# Standard Arabic keyboard rows (as engraved on Moroccan keyboards), logical order:
# the first key is drawn on the right. ذ (left of 1 on a physical keyboard) ends row 2.
ARABIC_ROWS = ("ضصثقفغعهخحجد", "شسيبلاتنمكطذ", ("ئ", "ء", "ؤ", "ر", "لا", "ى", "ة", "و", "ز", "ظ"))
ARABIC_LETTERS = frozenset("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
ARABIC_HAMZA_FORMS = frozenset("ءأإآؤئ")

# French AZERTY.
AZERTY_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
FRENCH_ACCENTED = frozenset("éèêëàâçùûüôîïœ")

# IRCAM Tifinagh keyboard (xkeyboard-config "ma(tifinagh)", AZERTY positions): base
# level, and the shifted level where it differs (Z ⵥ, R ⵕ, T ⵟ, S ⵚ, D ⴹ). The
# labialised ⴳⵯ and ⴽⵯ (one key each here) sit on the shifted G and K, and ⵯ itself
# keeps its key (^, after P) so it can follow any letter.
TIFINAGH_ROWS = (("ⴰ", "ⵣ", "ⴻ", "ⵔ", "ⵜ", "ⵢ", "ⵓ", "ⵉ", "ⵄ", "ⵃ", "ⵯ"),
                 ("ⵇ", "ⵙ", "ⴷ", "ⴼ", "ⴳ", "ⵀ", "ⵊ", "ⴽ", "ⵍ", "ⵎ"),
                 ("ⵡ", "ⵅ", "ⵛ", "ⵖ", "ⴱ", "ⵏ"))
TIFINAGH_SHIFT = {"ⵣ": "ⵥ", "ⵔ": "ⵕ", "ⵜ": "ⵟ", "ⵙ": "ⵚ", "ⴷ": "ⴹ", "ⴳ": "ⴳⵯ", "ⴽ": "ⴽⵯ"}
#: The 33 letters of the IRCAM standard alphabet (ⴳⵯ and ⴽⵯ are two code points).
IRCAM_LETTERS = ("ⴰ", "ⴱ", "ⴳ", "ⴳⵯ", "ⴷ", "ⴹ", "ⴻ", "ⴼ", "ⴽ", "ⴽⵯ", "ⵀ", "ⵃ", "ⵄ", "ⵅ", "ⵇ",
                 "ⵉ", "ⵊ", "ⵍ", "ⵎ", "ⵏ", "ⵓ", "ⵔ", "ⵕ", "ⵖ", "ⵙ", "ⵚ", "ⵛ", "ⵜ", "ⵟ", "ⵡ",
                 "ⵢ", "ⵣ", "ⵥ")

LABIALIZATION = "\u2d6f"  # ⵯ
TIFINAGH_JOINER = "\u2d7f"
LAM = "\u0644"
ALEFS = frozenset("\u0627\u0623\u0625\u0622")  # ا أ إ آ: lam-alef is drawn as one glyph


# --- Keys and rows ------------------------------------------------------------------

def _char(text: str, width: float = 1.0, label: str | None = None) -> dict:
    return {"id": text, "label": text if label is None else label, "insert": text,
            "action": None, "width": width}


def _action(action: str, label: str, width: float, name: str | None = None,
            insert: str = "") -> dict:
    key = {"id": action.replace(":", "-"), "label": label, "insert": insert, "action": action,
           "width": width}
    if name is not None:
        key["name"] = name
    return key


def _row(keys: list[dict], rtl: bool = False) -> dict:
    return {"rtl": rtl, "keys": keys}


def _chars(chars, width: float = 1.0) -> list[dict]:
    return [_char(c, width) for c in chars]


def _page(name: str, rows: list[dict], *, rtl: bool = False, shift: str | None = None,
          shifted: bool = False, oneshot: bool = False) -> dict:
    return {"name": name, "rtl": rtl, "shift": shift, "shifted": shifted, "oneshot": oneshot,
            "rows": rows}


class _Keys:
    """Action keys labelled in one language."""

    def __init__(self, lang: str):
        self.t = lambda msgid: gettext(lang, msgid)

    def backspace(self, width: float = 1.5) -> dict:
        return _action("backspace", self.t(ERASE), width)

    def shift(self, width: float = 1.5) -> dict:
        return _action("shift", self.t(SHIFT), width)

    def space(self, width: float) -> dict:
        return _action("space", self.t(SPACE), width, insert=" ")

    def done(self, width: float) -> dict:
        return _action("done", self.t(DONE), width)

    def page(self, page: str, label: str, name: str, width: float) -> dict:
        return _action(f"page:{page}", label, width, name=self.t(name))


# --- The text keyboards: Arabic, Latin and Tifinagh pages ----------------------------

def _symbol_rows(k: _Keys, bottom: list[dict]) -> list[dict]:
    """Western digits and punctuation, above the bottom row of the script it serves."""
    return [_row(_chars(DIGITS, 1.2)),
            _row(_chars("@#&%+=()/*")),
            _row(_chars(",;:!?\"'-_") + [k.backspace()]),
            _row(bottom)]


def _arabic_pages(k: _Keys) -> list[dict]:
    def bottom():
        return _row([k.page("latin", "ABC", TO_LATIN, 1.5),
                     k.page("tifinagh", "ⴰⴱⴳ", TO_TIFINAGH, 1.5),
                     _char("،"), k.space(5), _char("."), k.done(2)], rtl=True)
    letters = _page("arabic", [
        _row(_chars(ARABIC_ROWS[0]), rtl=True),
        _row(_chars(ARABIC_ROWS[1]), rtl=True),
        _row([k.shift(1)] + _chars(ARABIC_ROWS[2]) + [k.backspace(1)], rtl=True),
        bottom(),
    ], rtl=True, shift="arabic-shift")
    # The second page: hamza forms of alef, punctuation, Western digits.
    second = _page("arabic-shift", [
        _row(_chars(DIGITS, 1.2)),
        _row(_chars(["أ", "إ", "آ", "ؤ", "ئ", "ء", "؟", "؛", "!", ":", "(", ")"]), rtl=True),
        _row([k.shift(1)] + _chars(["\"", "'", "-", "_", "/", "@", "%", "+", "*", "="])
             + [k.backspace(1)], rtl=True),
        bottom(),
    ], rtl=True, shift="arabic", shifted=True)
    return [letters, second]


def _latin_pages(k: _Keys) -> list[dict]:
    def bottom(first: dict, second: dict):
        return _row([first, second, k.page("arabic", "أبج", TO_ARABIC, 1.25),
                     k.page("tifinagh", "ⴰⴱⴳ", TO_TIFINAGH, 1.25),
                     k.space(3.5), _char("."), k.done(2.5)])

    def letters(name: str, upper: bool) -> dict:
        rows = [r.upper() if upper else r for r in AZERTY_ROWS]
        return _page(name, [
            _row(_chars(rows[0])),
            _row(_chars(rows[1])),
            _row([k.shift()] + _chars(rows[2]) + _chars("'-") + [k.backspace()]),
            bottom(k.page("latin-symbols", "?123", TO_SYMBOLS, 1.25),
                   k.page("latin-accents", "éè", TO_ACCENTS, 1.25)),
        ], shift="latin" if upper else "latin-shift", shifted=upper, oneshot=upper)

    # Accented letters in both cases on one visible page: no long press, no shift.
    accents = _page("latin-accents", [
        _row(_chars("éèêëàâçùûü")),
        _row(_chars("ÉÈÊËÀÂÇÙÛÜ")),
        _row(_chars("ôîïœÔÎÏŒ") + _chars("'-") + [k.backspace(1)]),
        bottom(k.page("latin-symbols", "?123", TO_SYMBOLS, 1.25),
               k.page("latin", "abc", TO_LATIN, 1.25)),
    ])
    symbols = _page("latin-symbols", _symbol_rows(k, [
        k.page("latin", "abc", TO_LATIN, 1.5), k.page("latin-accents", "éè", TO_ACCENTS, 1.25),
        k.page("arabic", "أبج", TO_ARABIC, 1.25), k.page("tifinagh", "ⴰⴱⴳ", TO_TIFINAGH, 1.25),
        k.space(3.25), _char("."), k.done(2.5)]))
    return [letters("latin", False), letters("latin-shift", True), accents, symbols]


def _tifinagh_pages(k: _Keys) -> list[dict]:
    def bottom():
        return _row([k.page("tifinagh-symbols", "?123", TO_SYMBOLS, 1.5),
                     k.page("latin", "ABC", TO_LATIN, 1.25),
                     k.page("arabic", "أبج", TO_ARABIC, 1.25),
                     k.space(4.5), _char("."), k.done(2.5)])

    def letters(name: str, shifted: bool) -> dict:
        def chars(row):
            keys = []
            for c in row:
                key = _char(TIFINAGH_SHIFT.get(c, c) if shifted else c)
                if shifted and c in TIFINAGH_SHIFT:
                    key["alt"] = True
                keys.append(key)
            return keys
        return _page(name, [
            _row(chars(TIFINAGH_ROWS[0])),
            _row(chars(TIFINAGH_ROWS[1])),
            _row([k.shift()] + chars(TIFINAGH_ROWS[2]) + _chars(",-") + [k.backspace()]),
            bottom(),
        ], shift="tifinagh" if shifted else "tifinagh-shift", shifted=shifted, oneshot=shifted)

    symbols = _symbol_rows(k, [
        k.page("tifinagh", "ⴰⴱⴳ", TO_TIFINAGH, 1.5), k.page("latin", "ABC", TO_LATIN, 1.25),
        k.page("arabic", "أبج", TO_ARABIC, 1.25), k.space(4.5), _char("."), k.done(2.5)])
    return [letters("tifinagh", False), letters("tifinagh-shift", True),
            _page("tifinagh-symbols", symbols)]


# --- Fixed keyboards -----------------------------------------------------------------

def _email_pages(k: _Keys) -> list[dict]:
    return [_page("email", [
        _row(_chars(DIGITS)),
        _row(_chars(AZERTY_ROWS[0])),
        _row(_chars(AZERTY_ROWS[1])),
        _row(_chars(AZERTY_ROWS[2]) + _chars(".-_") + [k.backspace()]),
        _row([_char("@", 1.5), _char(".ma", 1.5), _char(".com", 1.75), _char("+"),
              k.done(2.5)]),
    ])]


def _cin_pages(k: _Keys) -> list[dict]:
    return [_page("cin", [
        _row(_chars(DIGITS)),
        _row(_chars(AZERTY_ROWS[0].upper())),
        _row(_chars(AZERTY_ROWS[1].upper())),
        _row(_chars(AZERTY_ROWS[2].upper()) + [k.backspace(), k.done(2.5)]),
    ])]


def _pad(k: _Keys, name: str, extra: str | None) -> list[dict]:
    """Telephone order; ``extra`` (+ or the decimal separator) left of 0."""
    left = _char(extra) if extra else {"id": "blank", "label": "", "insert": "", "action": None,
                                       "width": 1.0, "blank": True}
    return [_page(name, [
        _row(_chars("123")), _row(_chars("456")), _row(_chars("789")),
        _row([left, _char("0"), k.backspace(1)]),
        _row([k.done(3)]),
    ])]


def decimal_symbol(lang: str) -> str:
    """The decimal separator of the language, from Babel (fr_MA when a locale has none)."""
    try:
        return get_decimal_symbol(BABEL_LOCALES[check_language(lang)])
    except (UnknownLocaleError, ValueError, KeyError):
        return get_decimal_symbol("fr_MA")


# --- Public API --------------------------------------------------------------------

def layout(name: str, lang: str) -> dict[str, Any]:
    """The layout ``name`` with its labels in ``lang``: a fresh JSON-able dictionary."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown keyboard {name!r}; known: {', '.join(LAYOUTS)}")
    check_language(lang)
    return copy.deepcopy(_layout(name, lang))


@lru_cache(maxsize=None)
def _layout(name: str, lang: str) -> dict[str, Any]:
    k = _Keys(lang)
    compact = False
    if name in ("arabic", "azerty", "tifinagh"):
        pages = _arabic_pages(k) + _latin_pages(k) + _tifinagh_pages(k)
        start = {"arabic": "arabic", "azerty": "latin", "tifinagh": "tifinagh"}[name]
    elif name == "email":
        pages, start = _email_pages(k), "email"
    elif name == "cin":
        pages, start = _cin_pages(k), "cin"
    else:
        extra = {"digits": None, "phone": "+", "decimal": decimal_symbol(lang)}[name]
        pages, start, compact = _pad(k, name, extra), name, True
    units = round(max(sum(key["width"] for key in row["keys"]) for p in pages for row in p["rows"]), 4)
    rows = max(len(p["rows"]) for p in pages)
    return {"name": name, "start": start, "units": units, "rows": rows, "compact": compact,
            "pages": pages}


def keyboard_for(field_type: str, lang: str, hint: str | None = None) -> str:
    """The keyboard a field opens with. ``hint="latin"`` asks for Latin letters (a name
    as written on a passport) on a text field; the citizen can still switch script."""
    check_language(lang)
    if field_type in TEXT_FIELDS:
        return "azerty" if hint == "latin" else LANGUAGE_KEYBOARDS[lang]
    if field_type in FIELD_KEYBOARDS:
        return FIELD_KEYBOARDS[field_type]
    if field_type in NO_KEYBOARD:
        raise ValueError(f"a {field_type} field is answered without a keyboard")
    raise ValueError(f"unknown field type {field_type!r}")


def keys(lay: dict, page: str | None = None) -> list[dict]:
    """Every key of a layout (or of one of its pages), in reading order."""
    return [key for p in lay["pages"] if page in (None, p["name"])
            for row in p["rows"] for key in row["keys"]]


def insertable(lay: dict) -> set[str]:
    """What the keys of a layout can insert, each as one unit ("ⴳⵯ", "لا", ".ma")."""
    return {key["insert"] for key in keys(lay) if key["insert"] and key["action"] in (None, "space")}


def _attaches(ch: str) -> bool:
    """Belongs to the character before it: combining marks, ⵯ, joiners, variation selectors."""
    return (unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch in (LABIALIZATION, TIFINAGH_JOINER,
                                                                     "\u200d"))


def last_unit_start(text: str) -> int:
    """Where the last thing a citizen sees as one character begins: a letter with its
    marks (بَ, é written with a combining accent), a labialised ⴳⵯ, the lam-alef
    ligature لا, a CR LF pair."""
    i = len(text) - 1
    if i < 0:
        return 0
    while i > 0 and _attaches(text[i]):
        i -= 1
    if i > 0 and text[i] in ALEFS and text[i - 1] == LAM:
        i -= 1
    elif i > 0 and text[i] == "\n" and text[i - 1] == "\r":
        i -= 1
    return i


def apply_key(text: str, key: dict, max_length: int | None = None) -> str:
    """The text after a key: inserts (whole, or not at all beyond ``max_length`` code
    points), erases one visible character, or leaves it unchanged (page, shift, done)."""
    action = key.get("action")
    if action == "backspace":
        return text[:last_unit_start(text)]
    if action in (None, "space"):
        insert = key.get("insert") or ""
        if max_length is not None and len(text) + len(insert) > max_length:
            return text
        return text + insert
    return text
