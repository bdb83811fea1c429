"""Kiosk settings: a small validated TOML file under the kiosk's config folder.

Every key has a default, a type and a check. ``kiosk config set`` refuses an invalid
value with a precise message and keeps the previous one; a damaged file never stops
the kiosk from starting (defaults apply, and the error is reported).

Help texts, rules, errors and problems are ``Text`` messages: ``str()`` gives the English
text (the CLI, the logs), ``render(lang)`` the technician's language on the desk.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .i18n import LANGUAGES, N_, Message

#: the language of the msgids themselves: the CLI's default
ENGLISH = "en"


def render(text: Any, lang: str | None = None) -> str:
    """``text`` in ``lang``: a Message (its parameters that are Messages rendered first, in
    the same language), anything with a ``render(lang)``, or anything else as ``str``.
    ``None`` or ``"en"``: the English msgid filled in, without catalog (numbers as Python
    writes them)."""
    if isinstance(text, Message) and not isinstance(text, Text):
        text = Text(text.msgid, text.params)
    if hasattr(text, "render"):
        return text.render(lang)
    return "" if text is None else str(text)


class Text(Message):
    """A Message whose parameters may be Messages too; ``str()`` is its English text."""

    def render(self, lang: str | None = None) -> str:
        params = {k: render(v, lang) if hasattr(v, "render") else v for k, v in self.params.items()}
        if lang in (None, ENGLISH):
            return self.msgid.format(**params) if params else self.msgid
        return Message(self.msgid, params).render(lang)

    def __str__(self) -> str:
        return self.render(None)


def _t(msgid: str, **params: Any) -> Text:
    return Text(msgid, params)


class ConfigError(ValueError):
    """A setting that cannot be accepted; the message names the key and the rule.
    ``message`` is the translatable Text; ``str(error)`` its English."""

    def __init__(self, message: Message | str):
        self.message = message if isinstance(message, Message) else _t("{error}", error=message)
        super().__init__(render(self.message))


@dataclass(frozen=True)
class Key:
    name: str
    default: Any
    help: Text
    check: Callable[[Any], bool] = lambda v: True
    rule: Text | None = None


def _kiosk_code(v: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9]{3,8}", v))


# The rules, one msgid per shape (numbers, names and formats are parameters).
def _whole(low: int, high: int) -> Text:
    return _t(N_("a whole number from {low} to {high}"), low=low, high=high)


def _number(low: int, high: int) -> Text:
    return _t(N_("a number from {low} to {high}"), low=low, high=high)


def _one_of(*choices: Any) -> Text:
    return _t(N_("one of {choices}"), choices=", ".join(map(str, choices)))


def _empty_or(rule: Text) -> Text:
    return _t(N_("empty or {rule}"), rule=rule)


def _key_text(prefix: str) -> Text:
    return _t(N_("{prefix} followed by {count} base64url characters"), prefix=prefix, count=43)


_FOLDER = _t(N_("a folder path"))
_FILE = _t(N_("a file path"))
_LANGS = ", ".join(LANGUAGES)
_SIGNS = "'.', '_', '-'"

#: the problems ``Settings`` reports (msgids, so the doctor tells them apart)
UNKNOWN_SETTING = N_("{key}: unknown setting (ignored)")
DEFAULT_KEPT = N_("{problem} (default kept)")
UNREADABLE = N_("{path}: cannot be read ({error}); defaults in use")


KEYS: dict[str, Key] = {k.name: k for k in [
    Key("kiosk.id", "DEMO-KIOSK-01", _t(N_("Kiosk identity, unique in the fleet")),
        lambda v: bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,63}", v)),
        _t(N_("{low}-{high} letters, digits or the signs {signs}"), low=3, high=64, signs=_SIGNS)),
    Key("kiosk.code", "DEMO1", _t(N_("Short code printed in tracking numbers")), _kiosk_code,
        _t(N_("{low}-{high} capital letters or digits"), low=3, high=8)),
    Key("kiosk.office", "Agence de démonstration", _t(N_("Office name shown on receipts")),
        lambda v: 0 < len(v) <= 120, _t(N_("{low}-{high} characters"), low=1, high=120)),
    Key("kiosk.region", "", _t(N_("Region of the office, as the back office names it (empty: not set)")),
        lambda v: len(v) <= 80, _t(N_("up to {high} characters"), high=80)),
    Key("kiosk.mode", "demo", _t(N_("Mode of the kiosk ({choices})"), choices="demo, production"),
        lambda v: v in ("demo", "production"), _one_of("demo", "production")),
    Key("display.default_language", "ar", _t(N_("Language of the Welcome screen")),
        lambda v: v in LANGUAGES, _one_of(*LANGUAGES)),
    Key("display.languages", "ar,fr,zgh", _t(N_(
        "Languages offered to citizens, comma-separated, in the order of the buttons (the "
        "default language is always offered)")),
        lambda v: bool(v) and len(v.split(",")) == len(set(v.split(","))) and all(x in LANGUAGES for x in v.split(",")),
        _t(N_("a comma-separated list of {choices}, each once"), choices=_LANGS)),
    Key("display.dpi", 96.0, _t(N_("Pixel density of the screen, for touch target sizes")),
        lambda v: 50 <= v <= 400, _number(50, 400)),
    Key("session.idle_warning", 60, _t(N_(
        "Seconds without a touch before the citizen is warned that the session will end")),
        lambda v: 10 <= v <= 600, _whole(10, 600)),
    Key("session.idle_countdown", 20, _t(N_(
        "Seconds of the visible countdown after the warning; then the session ends and "
        "everything is wiped")), lambda v: 5 <= v <= 120, _whole(5, 120)),
    Key("session.done_timeout", 30, _t(N_(
        "Seconds the Done screen stays without a touch before the kiosk goes back to Welcome")),
        lambda v: 5 <= v <= 300, _whole(5, 300)),
    Key("session.card_grace", 20, _t(N_(
        "Seconds a citizen has to put back a card taken out in the middle of a procedure; the "
        "same card must be proven again ({zero}: the session ends at once)"), zero=0),
        lambda v: 0 <= v <= 120, _whole(0, 120)),
    Key("card.demo_delay", 0.6, _t(N_("Seconds the demo card takes to be read")),
        lambda v: 0 <= v <= 30, _number(0, 30)),
    Key("card.source", "auto", _t(N_(
        "Where cards come from: {pcsc} (real readers), {emulator} (the built-in test chip, "
        "in-process), {demo} (sample identity) or {auto} ({pcsc} when pcscd answers, else the "
        "{emulator}, in demo mode only)"),
        pcsc="pcsc", emulator="emulator", demo="demo", auto="auto"),
        lambda v: v in ("auto", "pcsc", "emulator", "demo"), _one_of("auto", "pcsc", "emulator", "demo")),
    Key("card.reader", "", _t(N_(
        "Only use PC/SC readers whose name contains this (empty: every reader)")),
        lambda v: len(v) <= 120, _t(N_("up to {high} characters"), high=120)),
    Key("card.trust_store", "", _t(N_(
        "Folder of CSCA certificates (PEM/DER) and ICAO master lists that passive "
        "authentication trusts (empty: the test PKI in demo mode, nothing in production)")),
        lambda v: len(v) <= 400, _FOLDER),
    Key("card.accept_unverified", False, _t(N_(
        "Accept a card whose passive authentication failed, with a visible warning (refused "
        "in production mode whatever this says)")),
        lambda v: isinstance(v, bool), _one_of("true", "false")),
    Key("catalog.trusted_keys", "", _t(N_(
        "Folder of PEM Ed25519 public keys of the publishers whose signed catalog packages "
        "the kiosk installs (empty: the DEMO publisher key, refused in production)")),
        lambda v: len(v) <= 400, _FOLDER),
    Key("printer.kind", "file", _t(N_(
        "Receipt printer: {cups} (a CUPS queue), {escpos} (a thermal printer spoken to "
        "directly, receipts sent as images) or {file} (PDFs into a folder, for demos)"),
        cups="cups", escpos="escpos", file="file"),
        lambda v: v in ("cups", "escpos", "file"), _one_of("cups", "escpos", "file")),
    Key("printer.queue", "", _t(N_("CUPS queue name ({setting})"), setting="printer.kind = cups"),
        lambda v: v == "" or bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,127}", v)),
        _t(N_("a CUPS queue name: letters, digits or the signs {signs}"), signs=_SIGNS)),
    Key("printer.cups_server", "", _t(N_("CUPS server as {format} (empty: {variable} or {default})"),
                                      format="host:port", variable="CUPS_SERVER",
                                      default="localhost:631"),
        lambda v: v == "" or bool(re.fullmatch(r"[A-Za-z0-9.-]+:\d{1,5}", v)), _empty_or("host:port")),
    Key("printer.address", "tcp:127.0.0.1:9100", _t(N_("ESC/POS printer: {tcp} or {usb} ({setting})"),
                                                    tcp="tcp:HOST[:PORT]", usb="usb:VID:PID",
                                                    setting="printer.kind = escpos"),
        lambda v: bool(re.fullmatch(r"tcp:[A-Za-z0-9.-]+(:\d{1,5})?|usb:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}", v)),
        _t(N_("{tcp} or {usb} (hexadecimal)"), tcp="tcp:HOST[:PORT]", usb="usb:VID:PID")),
    Key("printer.folder", "", _t(N_(
        "Folder the file printer writes receipts to (empty: the spool's {folder} folder)"),
        folder="printed/"), lambda v: len(v) <= 400, _FOLDER),
    Key("receipt.logo", "", _t(N_(
        "PNG or JPEG of the office's logo printed at the top of receipts (black on white "
        "prints best on thermal paper; empty: the DEMO stamp in demo mode, no logo in "
        "production)")), lambda v: len(v) <= 400, _FILE),
    Key("receipt.paper_width", 80, _t(N_("Roll width in millimetres ({choices})"), choices="80, 58"),
        lambda v: v in (80, 58), _one_of(80, 58)),
    Key("receipt.second_language", "fr", _t(N_(
        "Language the receipt's headings and title are repeated in (empty: none)")),
        lambda v: v in ("", *LANGUAGES), _empty_or(_one_of(*LANGUAGES))),
    Key("sync.endpoint", "", _t(N_(
        "Base URL of the intake the kiosk sends submissions to ({https}, or {http} for "
        "tests; empty: no sync)"), https="https://…", http="http://"),
        lambda v: v == "" or bool(re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", v)),
        _empty_or(_t(N_("an {scheme} URL without query"), scheme="http(s)://"))),
    Key("sync.backoffice_key", "", _t(N_(
        "The back office's X25519 public key that payloads are sealed to, as {command} "
        "prints it (empty: the DEMO key, refused in production)"), command="`kiosk intake init`"),
        lambda v: v == "" or bool(re.fullmatch(r"x25519:[A-Za-z0-9_-]{43}", v)),
        _empty_or(_key_text("x25519:"))),
    Key("sync.intake_key", "", _t(N_(
        "The intake's Ed25519 public key that signs its acknowledgements, as {command} "
        "prints it (second line); without it nothing is ever marked sent"),
        command="`kiosk intake init`"),
        lambda v: v == "" or bool(re.fullmatch(r"ed25519:[A-Za-z0-9_-]{43}", v)),
        _empty_or(_key_text("ed25519:"))),
    Key("sync.ca_file", "", _t(N_(
        "CA certificate (PEM) of an office's private PKI that signed the intake's HTTPS "
        "certificate; when set, only it is trusted for the intake (empty: the public CAs of "
        "the certifi bundle)")),
        lambda v: len(v) <= 400, _FILE),
    Key("sync.batch_size", 50, _t(N_("Submissions sent per request")),
        lambda v: 1 <= v <= 500, _whole(1, 500)),
    Key("sync.retention_days", 30, _t(N_(
        "Days an acknowledged submission's sealed payload is kept on the kiosk before it is "
        "deleted")), lambda v: 1 <= v <= 3650, _whole(1, 3650)),
]}


_NOT_RULE = N_("{key}: {value} is not {rule}")


def _coerce(key: Key, value: Any) -> Any:
    want = type(key.default)
    rule = key.rule if key.rule is not None else want.__name__
    if isinstance(value, str) and any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise ConfigError(_t(N_("{key}: control characters are not allowed"), key=key.name))
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # 96 for 96.0; the rule below still applies
    if isinstance(value, str) and want is not str:
        try:
            value = float(value) if want is float else want(value)
        except ValueError:
            raise ConfigError(_t(_NOT_RULE, key=key.name, value=repr(value), rule=rule)) from None
    if not isinstance(value, want) or isinstance(value, bool) != isinstance(key.default, bool):
        raise ConfigError(_t(N_("{key}: expected {expected}, got {got}"), key=key.name,
                             expected=want.__name__, got=type(value).__name__))
    if not key.check(value):
        raise ConfigError(_t(_NOT_RULE, key=key.name, value=repr(value), rule=rule))
    return value


def _unknown(name: str) -> ConfigError:
    return ConfigError(_t(N_("{key}: unknown setting; known: {known}"), key=name,
                          known=", ".join(KEYS)))


class Settings:
    """The kiosk's settings: defaults overlaid with the values of the TOML file.
    ``problems``: what was wrong with the file, as Texts (``str()``: English)."""

    def __init__(self, path: Path | None, values: dict[str, Any] | None = None):
        self.path = path
        self.values: dict[str, Any] = {k: key.default for k, key in KEYS.items()}
        self.problems: list[Text] = []
        for name, value in (values or {}).items():
            self._accept(name, value)

    def _accept(self, name: str, value: Any) -> None:
        key = KEYS.get(name)
        if key is None:
            self.problems.append(_t(UNKNOWN_SETTING, key=name))
            return
        try:
            self.values[name] = _coerce(key, value)
        except ConfigError as e:
            self.problems.append(_t(DEFAULT_KEPT, problem=e.message))

    @classmethod
    def load(cls, path: Path) -> "Settings":
        if not path.exists():
            return cls(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
            s = cls(path)
            s.problems.append(_t(UNREADABLE, path=str(path), error=str(e)))
            return s
        flat: dict[str, Any] = {}
        for section, table in data.items():
            if isinstance(table, dict):
                for k, v in table.items():
                    flat[f"{section}.{k}"] = v
            else:
                flat[section] = table
        return cls(path, flat)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def get(self, name: str) -> Any:
        if name not in KEYS:
            raise _unknown(name)
        return self.values[name]

    def set(self, name: str, value: Any) -> None:
        """Validate and store one value, then write the file atomically."""
        key = KEYS.get(name)
        if key is None:
            raise _unknown(name)
        self.values[name] = _coerce(key, value)
        self.save()

    def save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".kiosk.", suffix=".toml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(to_toml(self.values))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    # A TOML basic string: JSON's escapes are TOML's, except that TOML also wants DEL escaped.
    return json.dumps(str(v), ensure_ascii=False).replace("\x7f", "\\u007f")


def to_toml(values: dict[str, Any]) -> str:
    sections: dict[str, list[str]] = {}
    for name, v in values.items():
        section, key = name.split(".", 1)
        sections.setdefault(section, []).append(f"{key} = {_toml_value(v)}")
    return "\n".join(f"[{s}]\n" + "\n".join(lines) + "\n" for s, lines in sections.items())
