"""Languages of the kiosk: gettext catalogs, Babel formatting, text direction.

Source strings are English msgids; ``locales/<lang>/LC_MESSAGES/kiosk.po`` holds the
Arabic, French and Amazigh (Tifinagh) texts. The core keeps message ids, never
translated text, so the UI can show everything again in another language at once.
"""

from __future__ import annotations

import datetime as _dt
import io
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel import dates as _dates
from babel import numbers as _numbers
from babel.support import Translations

from .paths import LOCALES

#: Offered languages, in the order the Welcome screen shows them.
LANGUAGES: tuple[str, ...] = ("ar", "fr", "zgh")
#: Each language's name in its own script (never translated).
AUTONYMS = {"ar": "العربية", "fr": "Français", "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ"}
#: Babel locale used to format dates and numbers for each language.
BABEL_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "zgh": "zgh"}
RTL = frozenset({"ar"})
DOMAIN = "kiosk"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here."""
    return message


def is_rtl(lang: str) -> bool:
    return lang in RTL


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; offered: {', '.join(LANGUAGES)}")
    return lang


class Catalogs:
    """Gettext catalogs of every language, loaded once and shared (thread-safe)."""

    def __init__(self, directory=LOCALES):
        self.directory = directory
        self._lock = threading.Lock()
        self._loaded: dict[str, Translations] = {}

    def translations(self, lang: str) -> Translations:
        t = self._loaded.get(lang)
        if t is None:
            with self._lock:
                t = self._loaded.get(lang) or self._load(check_language(lang))
                self._loaded[lang] = t
        return t

    def _load(self, lang: str) -> Translations:
        base = self.directory / lang / "LC_MESSAGES"
        mo, po = base / f"{DOMAIN}.mo", base / f"{DOMAIN}.po"
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as f:
                return Translations(f, domain=DOMAIN)
        if po.exists():
            # Running from a checkout whose catalogs were not compiled: compile in memory.
            from babel.messages.mofile import write_mo
            from babel.messages.pofile import read_po

            with po.open("rb") as f:
                catalog = read_po(f, locale=lang, domain=DOMAIN)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            return Translations(buf, domain=DOMAIN)
        raise FileNotFoundError(f"no catalog for {lang!r} in {base}")

    def gettext(self, lang: str, message: str) -> str:
        return self.translations(lang).gettext(message)

    def pgettext(self, lang: str, context: str, message: str) -> str:
        return self.translations(lang).pgettext(context, message)

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        return self.translations(lang).ngettext(singular, plural, n)


catalogs = Catalogs()


def gettext(lang: str, message: str) -> str:
    return catalogs.gettext(lang, message)


@dataclass(frozen=True)
class Message:
    """A translatable message with named parameters, rendered in any language later."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        text = catalogs.gettext(lang, self.msgid)
        if not self.params:
            return text
        return text.format(**{k: _localise(v, lang) for k, v in self.params.items()})


def _localise(value: Any, lang: str) -> Any:
    """Numbers and dates in a message are formatted for the language it is shown in."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return format_number(value, lang)
    if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
        return format_date(value, lang)
    return value


# --- Formatting with Babel (never QLocale: they differ, e.g. for fr_MA numbers) ---------

def format_date(value: _dt.date, lang: str, format: str = "long") -> str:
    return _dates.format_date(value, format=format, locale=BABEL_LOCALES[lang])


def format_datetime(value: _dt.datetime, lang: str, format: str = "medium") -> str:
    return _dates.format_datetime(value, format=format, locale=BABEL_LOCALES[lang])


def format_time(value: _dt.datetime | _dt.time, lang: str, format: str = "short") -> str:
    return _dates.format_time(value, format=format, locale=BABEL_LOCALES[lang])


def format_number(value: int | float | Decimal, lang: str) -> str:
    return _numbers.format_decimal(value, locale=BABEL_LOCALES[lang])


def format_amount(value: int | float | Decimal, lang: str, currency: str = "MAD") -> str:
    return _numbers.format_currency(value, currency, locale=BABEL_LOCALES[lang])
