"""The technician's provisioning page on the desk, as data: the office's provisioning
file found on a USB stick, what it would change, apply it, and write this kiosk's key
back onto the stick for enrolment (kiosk/provisioning.py). No Qt.

Every action goes through the desk's gate (``config.write``: technicians, audited).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from . import provisioning as prov
from .i18n import N_, Message, format_number, gettext
from .procedures.admin import USB_ROOTS

RESTART = N_("The new settings take effect when the kiosk starts again.")


class ProvisionPage:
    def __init__(self, desk, usb_roots: Iterable[Path] = USB_ROOTS, mounted_only: bool = True):
        self.desk = desk
        self.usb_roots = [Path(r) for r in usb_roots]
        self.mounted_only = mounted_only
        self.profile: prov.Profile | None = None
        self.changes: list[prov.Change] = []
        #: "" (not looked), "no_stick", "no_file", "refused", "ready", "applied"
        self.status = ""
        self.problem: Message | None = None
        self.notice: Message | None = None
        self.exported = ""

    @property
    def _services(self):
        return self.desk.services

    def _found(self) -> Path | None:
        for root in self.usb_roots:
            found = prov.find(root) if root.is_dir() else None
            if found is not None:
                return found
        return None

    def scan(self) -> None:
        """Look at the sticks again: the file, then what it would change (nothing changes)."""
        self.profile, self.changes, self.problem, self.notice, self.exported = None, [], None, None, ""
        if not any(r.is_dir() and any(r.iterdir()) for r in self.usb_roots):
            self.status = "no_stick"
            return
        path = self._found()
        if path is None:
            self.status = "no_file"
            return
        try:
            self.profile = prov.read(path)
            self.changes = prov.plan(self.profile, self._services.paths, self._services.settings)
        except prov.ProvisioningError as e:
            self.status, self.problem = "refused", e.message
            return
        self.status = "ready"

    def apply(self) -> None:
        if self.status != "ready" or self.profile is None:
            return
        profile, services = self.profile, self._services
        try:
            changes = self.desk.guarded("config.write", "provision.apply", {"file": profile.source.name},
                                        lambda: prov.apply(profile, services.paths, services.settings))
        except prov.ProvisioningError as e:  # the file changed on the stick since it was read
            self.status, self.problem = "refused", e.message
            return
        if changes is None:
            return  # refused by the gate: the desk says why
        self.changes, self.status = changes, "applied"
        self.notice = Message(RESTART)

    def export_kiosk(self) -> None:
        """This kiosk's id and public key onto the stick the file came from (or the first one)."""
        from .keys import KioskKeyError

        folder = self.profile.source.parent if self.profile is not None else self._first_folder()
        if folder is None:
            self.problem = Message(N_("No USB stick found. Plug one in and try again."))
            return
        services = self._services
        try:
            written = self.desk.guarded("config.write", "provision.export_kiosk", {"folder": folder.name},
                                        lambda: prov.export_kiosk(services.paths, services.settings, folder))
        except KioskKeyError:
            self.problem = Message(N_("This kiosk has no key yet. Create it with the command kiosk keys init."))
            return
        except OSError:
            self.problem = Message(N_("The USB stick cannot be written. Check that it is not locked or full."))
            return
        if written is not None:
            self.exported = written.name
            self.notice = Message(N_("This kiosk's key is on the stick: {file}. The office enrols the kiosk with it."),
                                  {"file": written.name})

    def _first_folder(self) -> Path | None:
        """A stick to write on when it holds no provisioning file: the first mounted,
        writable one (any folder under the roots when ``mounted_only`` is off, for tests)."""
        from .desk import _usb_folder

        if self.mounted_only:
            return _usb_folder(self.usb_roots)
        return next((c for r in self.usb_roots if r.is_dir() for c in sorted(r.iterdir()) if c.is_dir()), None)

    def view(self, lang: str) -> dict:
        t = lambda m: gettext(lang, m)  # noqa: E731
        lines = {
            "": "",
            "no_stick": t(N_("No USB stick found. Plug one in and try again.")),
            "no_file": t(N_("The USB stick has no provisioning file (guichet-provisioning.toml).")),
            "refused": t(N_("This provisioning file cannot be used; nothing was changed.")),
            "ready": t(N_("Check the changes below, then apply them.")) if self.changes
            else t(N_("This kiosk already has these settings.")),
            "applied": t(N_("Applied.")),
        }
        p = self.profile
        return {
            "status": self.status,
            "line": lines[self.status],
            "problem": self.problem.render(lang) if self.problem else "",
            "notice": self.notice.render(lang) if self.notice else "",
            "issuer": p.issuer if p else "",
            "file": str(p.source) if p else "",
            "count": format_number(len(self.changes), lang),
            "changes": [{"setting": c.setting, "old": c.old, "new": c.new} for c in self.changes],
            "canApply": self.status == "ready" and bool(self.changes),
            "exported": self.exported,
        }
