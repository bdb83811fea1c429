import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES, format_amount, format_date, format_number, is_rtl
from kiosk.paths import LOCALES, ROOT


def messages(path: Path, lang=None):
    with path.open("rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete(lang):
    cat = messages(LOCALES / lang / "LC_MESSAGES" / "kiosk.po", lang)
    pot = {m.id for m in messages(LOCALES / "kiosk.pot") if m.id}
    ids = {m.id for m in cat if m.id}
    assert pot <= ids, f"{lang}: not in catalog: {sorted(pot - ids)}"
    bad = [m.id for m in cat if m.id and (not m.string or m.fuzzy)]
    assert not bad, f"{lang}: untranslated or fuzzy: {bad}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang):
    import re
    for m in messages(LOCALES / lang / "LC_MESSAGES" / "kiosk.po", lang):
        if m.id:
            pattern = r"\{\w+\}|%\d"
            assert sorted(re.findall(pattern, m.id)) == sorted(re.findall(pattern, m.string)), m.id


def test_zgh_is_written_in_tifinagh():
    import re
    for m in messages(LOCALES / "zgh" / "LC_MESSAGES" / "kiosk.po", "zgh"):
        # A template of placeholders and punctuation only ("{found}; {problem}") has no words.
        if m.id and any(c.isalpha() for c in re.sub(r"\{\w+\}|%\d", "", m.id)):
            assert any(0x2D30 <= ord(c) <= 0x2D7F for c in m.string), m.id


def test_pot_is_fresh(tmp_path):
    """The committed .pot holds exactly what the sources mark for translation."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "--no-location", "--omit-header", "-k", "N_",
                    "-k", "pgettext:1c,2", "-k", "qsTr", "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    fresh = {(m.context, m.id) for m in messages(out) if m.id}
    committed = {(m.context, m.id) for m in messages(LOCALES / "kiosk.pot") if m.id}
    assert fresh == committed, ("run `make pot`: missing " + repr(sorted(fresh - committed))
                                + ", stale " + repr(sorted(committed - fresh)))


def test_babel_formats_for_each_locale():
    day = dt.date(2026, 11, 22)
    assert format_date(day, "fr", "full") == "dimanche 22 novembre 2026"
    assert "نونبر" in format_date(day, "ar")
    assert "ⵏⵓⵡⴰⵏⴱⵉⵔ" in format_date(day, "zgh")
    assert format_number(1234567.5, "fr") == "1\u202f234\u202f567,5"
    assert format_number(1234567.5, "ar") == "1.234.567,5"
    assert "MAD" in format_amount(20, "fr") and "د.م." in format_amount(20, "ar")
    assert is_rtl("ar") and not is_rtl("fr") and not is_rtl("zgh")
