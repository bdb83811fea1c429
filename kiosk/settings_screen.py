"""The technician's settings screen as data: every setting by group, its value, and an
editor (choices by touch, text and numbers on the on-screen keyboard). No Qt.

Each change goes through the desk's gate (``config.write``: technicians only, audited)
and the settings' own validation: a refused value keeps the previous one and the
technician reads the precise rule. Help texts, rules and refusals are messages, rendered
in the desk's language by ``view(lang)``.
"""

from __future__ import annotations

from .config import KEYS, ConfigError, Text, render
from .i18n import LANGUAGES, N_, Message, gettext
from .keyboards import apply_key, layout

GROUPS = [
    (N_("Kiosk"), ["kiosk.id", "kiosk.code", "kiosk.office", "kiosk.region", "kiosk.mode"]),
    (N_("Languages and screen"), ["display.default_language", "display.languages", "display.dpi"]),
    (N_("Sessions"), ["session.idle_warning", "session.idle_countdown", "session.done_timeout",
                       "session.card_grace"]),
    (N_("Card reader"), ["card.source", "card.reader", "card.trust_store", "card.accept_unverified",
                         "card.demo_delay"]),
    (N_("Printer and receipts"), ["printer.kind", "printer.queue", "printer.cups_server",
                                  "printer.address", "printer.folder", "receipt.paper_width",
                                  "receipt.second_language", "receipt.logo"]),
    (N_("Sending to the office"), ["sync.endpoint", "sync.backoffice_key", "sync.intake_key",
                                   "sync.ca_file", "sync.batch_size", "sync.retention_days"]),
    (N_("Catalog"), ["catalog.trusted_keys"]),
]
CHOICES = {
    "kiosk.mode": ["demo", "production"],
    "display.default_language": list(LANGUAGES),
    "card.source": ["auto", "pcsc", "emulator", "demo"],
    "card.accept_unverified": [False, True],
    "printer.kind": ["cups", "escpos", "file"],
    "receipt.paper_width": [80, 58],
    "receipt.second_language": ["", *LANGUAGES],
}
#: settings read once at start: a change waits for the next start of the kiosk
AT_RESTART = {"kiosk.mode", "display.dpi", "card.source", "card.reader", "card.trust_store",
              "card.demo_delay", "sync.endpoint", "sync.backoffice_key", "sync.intake_key",
              "sync.ca_file", "sync.batch_size", "display.default_language"}


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if value != "" else "—"


class SettingsEditor:
    def __init__(self, desk):
        self.desk = desk
        self.editing: str | None = None
        self.buffer = ""

    @property
    def settings(self):
        return self.desk.services.settings

    def keyboard_name(self) -> str:
        """The on-screen keyboard the value being edited is typed on."""
        return self._keyboard()

    def _keyboard(self) -> str:
        default = KEYS[self.editing].default
        if isinstance(default, bool) or not isinstance(default, (int, float)):
            return "azerty"
        return "decimal" if isinstance(default, float) else "digits"

    # --- actions --------------------------------------------------------------------
    def start(self, name: str) -> None:
        if name not in KEYS or name in CHOICES:
            return
        self.editing, self.buffer = name, str(self.settings[name])
        self.desk.error = self.desk.notice = None

    def type_key(self, key: dict) -> None:
        if self.editing is not None:
            self.buffer = apply_key(self.buffer, key, 400)

    def cancel(self) -> None:
        self.editing, self.buffer = None, ""

    def save(self) -> bool:
        if self.editing is None:
            return False
        name, value = self.editing, self.buffer
        if self._set(name, value):
            self.cancel()
            return True
        return False

    def choose(self, name: str, index: int) -> None:
        """The option at ``index`` (QML passes positions: its numbers are all doubles)."""
        options = CHOICES.get(name, [])
        if 0 <= index < len(options):
            self._set(name, options[index])

    def _set(self, name: str, value) -> bool:
        refused: list[Message] = []

        def go():
            try:
                self.settings.set(name, value)
            except ConfigError as e:
                refused.append(e.message)
                raise
            if name.startswith(("printer.", "receipt.")):
                self.desk.services._printer = None

        try:
            self.desk._act("config.write", "config.set", {"key": name, "value": str(value)}, go)
        except ConfigError:
            pass
        if refused:
            # the reason (key, value and rule) is rendered in the language the desk shows
            self.desk.error = Text(N_("Refused: {reason}"), {"reason": refused[0]})
            return False
        if self.desk.error is None:
            self.desk.notice = Message(N_("Saved. It takes effect when the kiosk restarts.")
                                       if name in AT_RESTART else N_("Saved."))
        return self.desk.error is None

    # --- what the screen shows ----------------------------------------------------------
    def view(self, lang: str) -> dict:
        s = self.settings
        groups = []
        for title, names in GROUPS:
            items = []
            for name in names:
                value = s[name]
                item = {"name": name, "value": _shown(value), "choice": name in CHOICES,
                        "help": render(KEYS[name].help, lang),
                        "rule": render(KEYS[name].rule, lang),
                        "options": [{"value": o, "label": _shown(o) if o != "" else gettext(lang, N_("none")),
                                     "selected": o == value} for o in CHOICES.get(name, [])]}
                items.append(item)
            groups.append({"title": gettext(lang, title), "items": items})
        editing = {}
        if self.editing is not None:
            key = KEYS[self.editing]
            editing = {"name": self.editing, "text": self.buffer, "rule": render(key.rule, lang),
                       "help": render(key.help, lang), "keyboard": layout(self._keyboard(), lang)}
        return {"groups": groups, "editing": editing}
