"""On-screen keyboards: what each layout can type, which keyboard a field opens, and the
editing a key does (kiosk/keyboards.py, no Qt)."""

import json

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.keyboards import (ACTIONS, ARABIC_HAMZA_FORMS, ARABIC_LETTERS, FRENCH_ACCENTED,
                             IRCAM_LETTERS, LAYOUTS, apply_key, decimal_symbol, insertable,
                             keyboard_for, keys, last_unit_start, layout)

TEXT_LAYOUTS = ("arabic", "azerty", "tifinagh")


def key(lay, page, key_id):
    found = [k for k in keys(lay, page) if k["id"] == key_id]
    assert len(found) == 1, (page, key_id, found)
    return found[0]


def typed(lay, key_ids, page=None, text="", max_length=None):
    """Type keys by id (searched on every page unless ``page`` is given)."""
    for key_id in key_ids:
        matches = [k for k in keys(lay, page) if k["id"] == key_id]
        assert matches, key_id
        text = apply_key(text, matches[0], max_length)
    return text


# --- Layout data ---------------------------------------------------------------------

@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_layout_is_well_formed_json(name, lang):
    lay = layout(name, lang)
    assert json.loads(json.dumps(lay)) == lay
    assert lay["name"] == name
    names = [p["name"] for p in lay["pages"]]
    assert len(set(names)) == len(names) and lay["start"] in names
    widest = max(sum(k["width"] for k in row["keys"]) for p in lay["pages"] for row in p["rows"])
    assert lay["units"] == pytest.approx(widest)
    assert lay["rows"] == max(len(p["rows"]) for p in lay["pages"])
    for page in lay["pages"]:
        ids = [k["id"] for k in keys(lay, page["name"])]
        assert len(set(ids)) == len(ids), f"{name}/{page['name']}: duplicate key ids"
        if page["shift"] is not None:
            assert page["shift"] in names
        for k in keys(lay, page["name"]):
            assert set(k) >= {"id", "label", "insert", "action", "width"}
            assert k["width"] > 0 and (k["label"] or k.get("blank"))
            action = k["action"]
            assert action is None or action in ACTIONS or (
                action.startswith("page:") and action[5:] in names), action
            if action is None and not k.get("blank"):
                assert k["insert"], k
            if action == "shift":
                assert page["shift"], f"{page['name']} has a shift key but no shifted page"


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout_returns_a_copy(name):
    lay = layout(name, "fr")
    lay["pages"][0]["rows"][0]["keys"][0]["label"] = "changed"
    assert layout(name, "fr")["pages"][0]["rows"][0]["keys"][0]["label"] != "changed"


def test_unknown_layout_or_language_is_refused():
    with pytest.raises(ValueError):
        layout("dvorak", "fr")
    with pytest.raises(ValueError):
        layout("azerty", "en")


def test_arabic_reaches_every_letter_and_hamza_form():
    can = insertable(layout("arabic", "ar"))
    assert len(ARABIC_LETTERS) == 28
    assert ARABIC_LETTERS <= can
    assert ARABIC_HAMZA_FORMS == set("ءأإآؤئ") and ARABIC_HAMZA_FORMS <= can
    assert {"ة", "ى", "لا", "،", "؟"} <= can
    assert set("0123456789") <= can


def test_arabic_rows_are_the_standard_keyboard_drawn_right_to_left():
    lay = layout("arabic", "ar")
    assert lay["start"] == "arabic"
    page = lay["pages"][0]
    assert page["name"] == "arabic" and page["rtl"]
    rows = [[k["insert"] for k in row["keys"] if k["action"] is None] for row in page["rows"]]
    assert "".join(rows[0]) == "ضصثقفغعهخحجد"
    assert "".join(rows[1]).startswith("شسيبلاتنمكط")
    assert rows[2] == ["ئ", "ء", "ؤ", "ر", "لا", "ى", "ة", "و", "ز", "ظ"]
    assert all(row["rtl"] for row in page["rows"])
    # Its second page keeps digits in reading order, left to right.
    second = next(p for p in lay["pages"] if p["name"] == page["shift"])
    digits = [r for r in second["rows"] if [k["insert"] for k in r["keys"]] == list("1234567890")]
    assert len(digits) == 1 and not digits[0]["rtl"]
    assert {"أ", "إ", "آ"} <= {k["insert"] for k in keys(lay, second["name"])}


def test_azerty_reaches_every_french_letter_in_both_cases():
    lay = layout("azerty", "fr")
    assert lay["start"] == "latin"
    can = insertable(lay)
    assert set("abcdefghijklmnopqrstuvwxyz") <= can
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") <= can
    assert FRENCH_ACCENTED == set("éèêëàâçùûüôîïœ")
    assert FRENCH_ACCENTED <= can
    assert {c.upper() for c in FRENCH_ACCENTED} <= can
    assert {"'", "-", " "} <= can
    # Accents are on a visible page, one tap from the letters (no long press).
    accents = key(lay, "latin", "page-latin-accents")
    page = accents["action"][5:]
    assert FRENCH_ACCENTED <= {k["insert"] for k in keys(lay, page)}
    first = [k["insert"] for k in lay["pages"][[p["name"] for p in lay["pages"]].index("latin")]
             ["rows"][0]["keys"]]
    assert "".join(first) == "azertyuiop"


def test_tifinagh_reaches_the_33_ircam_letters():
    lay = layout("tifinagh", "zgh")
    assert lay["start"] == "tifinagh"
    assert len(IRCAM_LETTERS) == 33 and len(set(IRCAM_LETTERS)) == 33
    can = insertable(lay)
    missing = [c for c in IRCAM_LETTERS if c not in can]
    assert not missing, missing
    assert all(0x2D30 <= ord(c) <= 0x2D7F for letter in IRCAM_LETTERS for c in letter)
    # ⴳⵯ and ⴽⵯ are one key each, on the shifted page, and ⵯ has its own key too.
    assert key(lay, "tifinagh-shift", "ⴳⵯ")["insert"] == "ⴳ\u2d6f"
    assert key(lay, "tifinagh-shift", "ⴽⵯ")["insert"] == "ⴽ\u2d6f"
    assert "\u2d6f" in can


def test_tifinagh_follows_the_ircam_azerty_positions():
    lay = layout("tifinagh", "zgh")

    def rows(page):
        p = next(p for p in lay["pages"] if p["name"] == page)
        return ["".join(k["insert"] for k in r["keys"] if k["action"] is None) for r in p["rows"]]
    base, shifted = rows("tifinagh"), rows("tifinagh-shift")
    assert base[0].startswith("ⴰⵣⴻⵔⵜⵢⵓⵉⵄⵃ")
    assert base[1] == "ⵇⵙⴷⴼⴳⵀⵊⴽⵍⵎ"
    assert base[2].startswith("ⵡⵅⵛⵖⴱⵏ")
    assert shifted[0].startswith("ⴰⵥⴻⵕⵟ")
    assert shifted[1].startswith("ⵇⵚⴹⴼⴳⵯⵀⵊⴽⵯ")
    # The keys that change with shift are marked, so the citizen sees what shift did.
    alt = {k["insert"] for k in keys(lay, "tifinagh-shift") if k.get("alt")}
    assert alt == {"ⵥ", "ⵕ", "ⵟ", "ⵚ", "ⴹ", "ⴳⵯ", "ⴽⵯ"}


@pytest.mark.parametrize("name", TEXT_LAYOUTS)
def test_every_letter_page_switches_to_the_other_scripts(name):
    lay = layout(name, "fr")
    letters = {"arabic": "arabic", "latin": "latin", "tifinagh": "tifinagh"}
    for page in lay["pages"]:
        targets = {k["action"][5:] for k in keys(lay, page["name"])
                   if (k["action"] or "").startswith("page:")}
        others = set(letters) - {page["name"].split("-")[0]}
        assert others <= targets, f"{page['name']} cannot reach {others - targets}"


@pytest.mark.parametrize("name", TEXT_LAYOUTS)
def test_text_keyboards_share_their_pages_and_differ_by_the_first(name):
    lay = layout(name, "ar")
    assert [p["name"] for p in lay["pages"]] == [p["name"] for p in layout("arabic", "ar")["pages"]]
    assert lay["start"] == {"arabic": "arabic", "azerty": "latin", "tifinagh": "tifinagh"}[name]


def test_email_and_cin_keyboards():
    email = insertable(layout("email", "fr"))
    assert set("abcdefghijklmnopqrstuvwxyz0123456789@.-_") <= email
    assert {".ma", ".com"} <= email
    assert not any(c.isupper() for c in email)
    cin = insertable(layout("cin", "ar"))
    assert cin == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numeric_pads_keep_telephone_order_and_western_digits(lang):
    for name, extra in (("digits", set()), ("phone", {"+"}), ("decimal", {decimal_symbol(lang)})):
        lay = layout(name, lang)
        assert lay["compact"]
        assert insertable(lay) == set("0123456789") | extra
        rows = [[k["insert"] for k in r["keys"]] for r in lay["pages"][0]["rows"]]
        assert rows[:3] == [list("123"), list("456"), list("789")]
        assert rows[3][1] == "0"
        assert not any(r["rtl"] for r in lay["pages"][0]["rows"])
        assert {k["action"] for k in keys(lay)} >= {"backspace", "done"}


def test_decimal_separator_comes_from_babel():
    from babel.numbers import get_decimal_symbol
    assert decimal_symbol("fr") == get_decimal_symbol("fr_MA") == ","
    assert decimal_symbol("ar") == get_decimal_symbol("ar_MA")
    # Babel has zgh data (a comma); an unknown language falls back to fr_MA.
    assert decimal_symbol("zgh") == get_decimal_symbol("zgh") == ","
    assert decimal_symbol("xx") == ","
    assert "," in insertable(layout("decimal", "zgh"))


def test_action_labels_are_translated_in_the_language(monkeypatch):
    import kiosk.keyboards as kb
    seen = []
    monkeypatch.setattr(kb, "gettext", lambda lang, msgid: seen.append((lang, msgid)) or f"{lang}:{msgid}")
    kb._layout.cache_clear()
    try:
        lay = kb.layout("azerty", "zgh")
        labels = {k["action"]: k["label"] for k in keys(lay) if k["action"] in ("space", "done", "backspace")}
        assert labels == {"space": "zgh:Space", "done": "zgh:Done", "backspace": "zgh:Erase"}
        assert {m for _, m in seen} >= {"Space", "Done", "Erase", "Shift", "Arabic letters"}
        assert {lang for lang, _ in seen} == {"zgh"}
    finally:
        kb._layout.cache_clear()


# --- Which keyboard for which field --------------------------------------------------

@pytest.mark.parametrize("lang,letters", [("ar", "arabic"), ("fr", "azerty"), ("zgh", "tifinagh")])
def test_keyboard_for_every_field_type_and_language(lang, letters):
    expected = {"text": letters, "multiline": letters, "search": letters, "email": "email",
                "cin": "cin", "number": "digits", "rib": "digits", "phone": "phone",
                "amount": "decimal", "date": "digits"}
    for field_type, name in expected.items():
        assert keyboard_for(field_type, lang) == name, field_type
        assert name in LAYOUTS
    assert keyboard_for("text", lang, hint="latin") == "azerty"
    assert keyboard_for("multiline", lang, hint="latin") == "azerty"
    assert keyboard_for("email", lang, hint="latin") == "email"
    for field_type in ("choice", "multichoice", "yesno", "prefill", "signature"):
        with pytest.raises(ValueError):
            keyboard_for(field_type, lang)


def test_keyboard_for_refuses_an_unknown_language():
    with pytest.raises(ValueError):
        keyboard_for("text", "en")


# --- Editing -------------------------------------------------------------------------

def test_apply_key_inserts_and_erases():
    lay = layout("azerty", "fr")
    assert typed(lay, ["b", "o", "n", "space", "j", "o", "u", "r"], page="latin") == "bon jour"
    assert typed(lay, ["backspace"] * 3, text="été") == ""
    assert typed(lay, ["backspace"], text="") == ""
    assert typed(lay, ["É", "t", "é"]) == "Été"
    for action_id in ("shift", "done", "page-latin-accents"):
        assert apply_key("abc", key(lay, "latin", action_id)) == "abc"


def test_backspace_removes_a_multi_code_point_key_at_once():
    ar, tz = layout("arabic", "ar"), layout("tifinagh", "zgh")
    assert typed(ar, ["ب", "لا", "backspace"], page="arabic") == "ب"
    assert typed(ar, ["ك", "ل", "ا", "backspace"], page="arabic") == "ك"  # one glyph on screen
    assert typed(ar, ["ل", "أ", "backspace"]) == ""
    assert typed(tz, ["ⴰ", "ⴳⵯ"]) == "ⴰⴳⵯ"
    assert typed(tz, ["ⴰ", "ⴳⵯ", "backspace"]) == "ⴰ"
    assert typed(tz, ["ⴰ", "ⴽ", "ⵯ", "backspace"]) == "ⴰ"  # ⴽ then ⵯ makes the same letter
    assert typed(tz, ["backspace"] * 2, text="ⴰⵎⵖⵔⴰⵏ") == "ⴰⵎⵖⵔ"
    # Combining marks go with their letter; a CR LF pair is one line break.
    assert apply_key("cafe\u0301", {"action": "backspace"}) == "caf"
    assert apply_key("بَ", {"action": "backspace"}) == ""
    assert apply_key("a\r\n", {"action": "backspace"}) == "a"
    assert apply_key("\u0301", {"action": "backspace"}) == ""


def test_last_unit_start():
    assert last_unit_start("") == 0
    assert last_unit_start("ab") == 1
    assert last_unit_start("aⴳⵯ") == 1
    assert last_unit_start("xلا") == 1
    assert last_unit_start("لا") == 0


def test_max_length_counts_code_points_and_refuses_a_partial_insert():
    email = layout("email", "fr")
    assert typed(email, ["a", "b", "c"], max_length=2) == "ab"
    assert typed(email, [".com"], text="ab", max_length=5) == "ab"
    assert typed(email, [".ma"], text="ab", max_length=5) == "ab.ma"
    tz = layout("tifinagh", "zgh")
    assert typed(tz, ["ⴳⵯ"], text="ⴰ", max_length=2) == "ⴰ"
    assert typed(tz, ["ⴳⵯ"], text="ⴰ", max_length=3) == "ⴰⴳⵯ"
    assert typed(tz, ["space"], text="ⴰ", max_length=1) == "ⴰ"
    assert typed(tz, ["backspace"], text="ⴰⴱ", max_length=1) == "ⴰ"
