"""The technician's catalog screen, as plain data: editions, packages on a USB stick,
import and rollback with a translated outcome and the precise reason. No Qt.

The same core calls as ``kiosk catalog import|rollback`` (``package``), so a refused
package is refused the same way from the screen and from the command line.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..i18n import Message, N_, format_datetime, format_number, gettext
from ..paths import KioskPaths
from . import package

log = logging.getLogger(__name__)

#: Where a USB stick appears on Debian/Ubuntu kiosks (udisks, or a plain mount).
USB_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))
PACKAGE_SUFFIXES = (".zip", ".guichet")

#: What the technician reads for each refusal; the precise reason is shown under it.
REFUSALS = {
    "bad-signature": N_("Refused: the signature does not match. The package was changed or damaged."),
    "unknown-key": N_("Refused: the package is signed by a publisher this kiosk does not trust."),
    "tampered": N_("Refused: a file of the package was changed after it was signed."),
    "invalid-catalog": N_("Refused: a procedure of the package is not valid."),
    "older-version": N_("Refused: this edition is older than the one in use."),
    "already-installed": N_("This edition is already installed."),
    "not-a-package": N_("Refused: this file is not a catalog package."),
    "too-large": N_("Refused: the package is too large."),
    "unsafe-path": N_("Refused: the package contains a file outside the catalog."),
    "unsupported-format": N_("Refused: this package format is not supported by this kiosk."),
}
OTHER_REFUSAL = N_("Refused: the catalog was not changed.")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: Message
    detail: str = ""           # the precise reason, for the technician (English)
    code: str = ""
    edition: int | None = None


@dataclass
class CatalogAdmin:
    paths: KioskPaths
    settings: object
    usb_roots: Iterable[Path] = USB_ROOTS
    last: Outcome | None = None
    _listeners: list = field(default_factory=list)

    def packages(self) -> list[Path]:
        """Catalog packages at the top of a mounted stick (or one folder below)."""
        found: list[Path] = []
        for root in self.usb_roots:
            root = Path(root)
            if not root.is_dir():
                continue
            for pattern in ("*", "*/*", "*/*/*"):
                for p in root.glob(pattern):
                    if p.suffix in PACKAGE_SUFFIXES and p.is_file():
                        found.append(p)
        return sorted(set(found))

    def import_package(self, file: Path) -> Outcome:
        try:
            keys = package.load_trusted_keys(self.settings)
            edition = package.import_package(self.paths, file, keys)
        except package.PackageError as e:
            log.warning("catalog package refused (%s): %s", e.code, e)
            self.last = Outcome(False, Message(REFUSALS.get(e.code, OTHER_REFUSAL)),
                                _detail(e), e.code)
            return self.last
        log.info("catalog edition %s installed from %s", edition.edition, Path(file).name)
        self.last = Outcome(True, Message(N_("Edition {edition} is installed and in use."),
                                          {"edition": edition.edition}),
                            code="installed", edition=edition.edition)
        return self.last

    def rollback(self, edition: int) -> Outcome:
        try:
            done = package.rollback(self.paths, edition)
        except package.PackageError as e:
            self.last = Outcome(False, Message(OTHER_REFUSAL), _detail(e), e.code)
            return self.last
        self.last = Outcome(True, Message(N_("Edition {edition} is in use again."),
                                          {"edition": done.edition}),
                            code="rolled-back", edition=done.edition)
        return self.last

    def view(self, lang: str) -> dict:
        """The screen's data in the technician's language."""
        active = package.active_edition(self.paths)
        editions = [{"edition": e.edition, "active": e.active,
                     "label": gettext(lang, N_("Edition {edition}")).format(
                         edition=format_number(e.edition, lang)),
                     "date": _when(e.installed_at, lang), "key": e.key_id}
                    for e in package.installed(self.paths)]
        in_use = active if active is not None else package.bundled_edition()
        return {
            "inUse": gettext(lang, N_("Catalog in use: edition {edition}")).format(
                edition=format_number(in_use, lang))
            + ("" if active is not None else " — " + gettext(lang, N_("bundled with the kiosk"))),
            "editions": editions,
            "packages": [{"path": str(p), "name": p.name} for p in self.packages()],
            "outcome": None if self.last is None else {
                "ok": self.last.ok, "text": self.last.message.render(lang),
                "detail": self.last.detail, "code": self.last.code},
        }


def _detail(e: "package.PackageError") -> str:
    problems = list(getattr(e, "problems", ()) or ())
    text = str(e)
    if problems:
        text += "\n" + "\n".join(str(p) for p in problems[:5])
        if len(problems) > 5:
            text += f"\n… {len(problems) - 5} more"
    return text


def _when(value, lang: str) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        return format_datetime(value, lang, "medium")
    return ""
