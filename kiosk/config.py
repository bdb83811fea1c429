"""Kiosk settings: a small validated TOML file under the kiosk's config folder.

Every key has a default, a type and a check. ``kiosk config set`` refuses an invalid
value with a precise message and keeps the previous one; a damaged file never stops
the kiosk from starting (defaults apply, and the error is reported).
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

from .i18n import LANGUAGES


class ConfigError(ValueError):
    """A setting that cannot be accepted; the message names the key and the rule."""


@dataclass(frozen=True)
class Key:
    name: str
    default: Any
    help: str
    check: Callable[[Any], bool] = lambda v: True
    rule: str = ""


def _kiosk_code(v: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9]{3,8}", v))


KEYS: dict[str, Key] = {k.name: k for k in [
    Key("kiosk.id", "DEMO-KIOSK-01", "Kiosk identity, unique in the fleet",
        lambda v: bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{2,63}", v)),
        "3-64 letters, digits, '.', '_' or '-'"),
    Key("kiosk.code", "DEMO1", "Short code printed in tracking numbers", _kiosk_code,
        "3-8 capital letters or digits"),
    Key("kiosk.office", "Agence de démonstration", "Office name shown on receipts",
        lambda v: 0 < len(v) <= 120, "1-120 characters"),
    Key("kiosk.mode", "demo", "demo or production", lambda v: v in ("demo", "production"),
        "'demo' or 'production'"),
    Key("display.default_language", "ar", "Language of the Welcome screen",
        lambda v: v in LANGUAGES, "one of " + ", ".join(LANGUAGES)),
    Key("display.languages", "ar,fr,zgh", "Languages offered to citizens, comma-separated, in "
        "the order of the buttons (the default language is always offered)",
        lambda v: bool(v) and len(v.split(",")) == len(set(v.split(","))) and all(x in LANGUAGES for x in v.split(",")),
        "a comma-separated list of " + ", ".join(LANGUAGES) + ", each once"),
    Key("display.dpi", 96.0, "Pixel density of the screen, for touch target sizes",
        lambda v: 50 <= v <= 400, "a number from 50 to 400"),
    Key("session.idle_warning", 60, "Seconds without a touch before the citizen is warned that "
        "the session will end", lambda v: 10 <= v <= 600, "a whole number from 10 to 600"),
    Key("session.idle_countdown", 20, "Seconds of the visible countdown after the warning; "
        "then the session ends and everything is wiped", lambda v: 5 <= v <= 120,
        "a whole number from 5 to 120"),
    Key("session.done_timeout", 30, "Seconds the Done screen stays without a touch before the "
        "kiosk goes back to Welcome", lambda v: 5 <= v <= 300, "a whole number from 5 to 300"),
    Key("session.card_grace", 20, "Seconds a citizen has to put back a card taken out in the "
        "middle of a procedure; the same card must be proven again (0: the session ends at once)",
        lambda v: 0 <= v <= 120, "a whole number from 0 to 120"),
    Key("card.demo_delay", 0.6, "Seconds the demo card takes to be read",
        lambda v: 0 <= v <= 30, "a number from 0 to 30"),
    Key("card.source", "auto", "Where cards come from: pcsc (real readers), emulator "
        "(the built-in test chip, in-process), demo (sample identity) or auto (pcsc when "
        "pcscd answers, else the emulator, in demo mode only)",
        lambda v: v in ("auto", "pcsc", "emulator", "demo"), "'auto', 'pcsc', 'emulator' or 'demo'"),
    Key("card.reader", "", "Only use PC/SC readers whose name contains this (empty: every reader)",
        lambda v: len(v) <= 120, "up to 120 characters"),
    Key("card.trust_store", "", "Folder of CSCA certificates (PEM/DER) and ICAO master lists "
        "that passive authentication trusts (empty: the test PKI in demo mode, nothing in production)",
        lambda v: len(v) <= 400, "a folder path"),
    Key("card.accept_unverified", False, "Accept a card whose passive authentication failed, "
        "with a visible warning (refused in production mode whatever this says)",
        lambda v: isinstance(v, bool), "true or false"),
    Key("catalog.trusted_keys", "", "Folder of PEM Ed25519 public keys of the publishers whose "
        "signed catalog packages the kiosk installs (empty: the DEMO publisher key, refused "
        "in production)",
        lambda v: len(v) <= 400, "a folder path"),
    Key("printer.kind", "file", "Receipt printer: cups (a CUPS queue), escpos (a thermal printer "
        "spoken to directly, receipts sent as images) or file (PDFs into a folder, for demos)",
        lambda v: v in ("cups", "escpos", "file"), "'cups', 'escpos' or 'file'"),
    Key("printer.queue", "", "CUPS queue name (printer.kind = cups)",
        lambda v: v == "" or bool(re.fullmatch(r"[A-Za-z0-9_.-]{1,127}", v)),
        "a CUPS queue name: letters, digits, '.', '_' or '-'"),
    Key("printer.cups_server", "", "CUPS server host:port (empty: CUPS_SERVER or localhost:631)",
        lambda v: v == "" or bool(re.fullmatch(r"[A-Za-z0-9.-]+:\d{1,5}", v)), "empty or host:port"),
    Key("printer.address", "tcp:127.0.0.1:9100", "ESC/POS printer: tcp:HOST[:PORT] or usb:VID:PID "
        "(printer.kind = escpos)",
        lambda v: bool(re.fullmatch(r"tcp:[A-Za-z0-9.-]+(:\d{1,5})?|usb:[0-9a-fA-F]{4}:[0-9a-fA-F]{4}", v)),
        "tcp:HOST[:PORT] or usb:VID:PID (hex)"),
    Key("printer.folder", "", "Folder the file printer writes receipts to (empty: the spool's "
        "printed/ folder)", lambda v: len(v) <= 400, "a folder path"),
    Key("receipt.logo", "", "PNG or JPEG of the office's logo printed at the top of receipts "
        "(black on white prints best on thermal paper; empty: the DEMO stamp in demo mode, no "
        "logo in production)", lambda v: len(v) <= 400, "a file path"),
    Key("receipt.paper_width", 80, "Roll width in millimetres: 80 or 58",
        lambda v: v in (80, 58), "80 or 58"),
    Key("receipt.second_language", "fr", "Language the receipt's headings and title are repeated "
        "in (empty: none)", lambda v: v in ("", *LANGUAGES), "empty or one of " + ", ".join(LANGUAGES)),
    Key("sync.endpoint", "", "Base URL of the intake the kiosk sends submissions to "
        "(https://..., or http:// for tests; empty: no sync)",
        lambda v: v == "" or bool(re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", v)),
        "empty or an http(s):// URL without query"),
    Key("sync.backoffice_key", "", "The back office's X25519 public key that payloads are "
        "sealed to, as `kiosk intake init` prints it (empty: the DEMO key, refused in production)",
        lambda v: v == "" or bool(re.fullmatch(r"x25519:[A-Za-z0-9_-]{43}", v)),
        "empty or x25519: followed by 43 base64url characters"),
    Key("sync.intake_key", "", "The intake's Ed25519 public key that signs its acknowledgements, "
        "as `kiosk intake init` prints it (second line); without it nothing is ever marked sent",
        lambda v: v == "" or bool(re.fullmatch(r"ed25519:[A-Za-z0-9_-]{43}", v)),
        "empty or ed25519: followed by 43 base64url characters"),
    Key("sync.ca_file", "", "CA certificate (PEM) of an office's private PKI that signed the "
        "intake's HTTPS certificate; when set, only it is trusted for the intake (empty: the "
        "public CAs of the certifi bundle)",
        lambda v: len(v) <= 400, "a file path"),
    Key("sync.batch_size", 50, "Submissions sent per request",
        lambda v: 1 <= v <= 500, "a whole number from 1 to 500"),
    Key("sync.retention_days", 30, "Days an acknowledged submission's sealed payload is kept "
        "on the kiosk before it is deleted", lambda v: 1 <= v <= 3650, "a whole number from 1 to 3650"),
]}


def _coerce(key: Key, value: Any) -> Any:
    want = type(key.default)
    if isinstance(value, str) and any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise ConfigError(f"{key.name}: control characters are not allowed")
    if want is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and want is not str:
        try:
            value = float(value) if want is float else want(value)
        except ValueError:
            raise ConfigError(f"{key.name}: {value!r} is not {key.rule or want.__name__}") from None
    if not isinstance(value, want) or isinstance(value, bool) != isinstance(key.default, bool):
        raise ConfigError(f"{key.name}: expected {want.__name__}, got {type(value).__name__}")
    if not key.check(value):
        raise ConfigError(f"{key.name}: {value!r} is not {key.rule}")
    return value


class Settings:
    """The kiosk's settings: defaults overlaid with the values of the TOML file."""

    def __init__(self, path: Path | None, values: dict[str, Any] | None = None):
        self.path = path
        self.values: dict[str, Any] = {k: key.default for k, key in KEYS.items()}
        self.problems: list[str] = []
        for name, value in (values or {}).items():
            self._accept(name, value)

    def _accept(self, name: str, value: Any) -> None:
        key = KEYS.get(name)
        if key is None:
            self.problems.append(f"{name}: unknown setting (ignored)")
            return
        try:
            self.values[name] = _coerce(key, value)
        except ConfigError as e:
            self.problems.append(f"{e} (default kept)")

    @classmethod
    def load(cls, path: Path) -> "Settings":
        if not path.exists():
            return cls(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as e:
            s = cls(path)
            s.problems.append(f"{path}: cannot be read ({e}); defaults in use")
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
            raise ConfigError(f"{name}: unknown setting; known: {', '.join(KEYS)}")
        return self.values[name]

    def set(self, name: str, value: Any) -> None:
        """Validate and store one value, then write the file atomically."""
        key = KEYS.get(name)
        if key is None:
            raise ConfigError(f"{name}: unknown setting; known: {', '.join(KEYS)}")
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
