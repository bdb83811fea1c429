"""``kiosk doctor`` (every check, one line each) and ``kiosk diagnostics export`` (the
technician's bundle for a USB stick, without any citizen's personal data).

``register(group)`` adds both to the ``kiosk`` group of kiosk/cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .config import ENGLISH
from .i18n import LANGUAGES
from .paths import KioskPaths
from .privileged import privileged


def _paths() -> KioskPaths:
    return KioskPaths.from_env().ensure()


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option("--timeout", default=2.0, show_default=True, type=click.FloatRange(0.1, 30),
              help="Seconds a device or the intake has to answer.")
@click.option("--lang", default=ENGLISH, show_default=True,
              type=click.Choice([ENGLISH, *LANGUAGES]),
              help="Language of what was found and of the fixes (names stay as they are).")
def doctor(as_json: bool, timeout: float, lang: str) -> None:
    """Check the whole kiosk: one line per check, STATUS  name: found — fix.

    Exit 0 when nothing FAILs (warnings allowed), 1 otherwise. Reads only: nothing on the
    kiosk is changed, so it is safe while the kiosk runs.
    """
    from .doctor import FAIL, run_checks

    checks = run_checks(_paths(), timeout=timeout)
    if as_json:
        click.echo(json.dumps([c.to_json(lang) for c in checks], ensure_ascii=False, indent=2))
    else:
        for c in checks:
            click.echo(c.line(lang))
    if any(c.status == FAIL for c in checks):
        raise SystemExit(1)


@click.group("diagnostics")
def diagnostics() -> None:
    """The technician's diagnostic bundle (no personal data of citizens)."""


@diagnostics.command("export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@privileged("diagnostics.export")
def diagnostics_export(folder: Path) -> None:
    """Write guichet-diag-<kiosk.id>-<time>/ into FOLDER (a USB stick): the doctor's
    checks, the settings file, the queue's metadata (no payload), the audit chain's
    verification, versions, and the logs with anything like personal data removed."""
    from .doctor import FAIL, export_bundle

    bundle = export_bundle(_paths(), folder)
    for part, error in bundle.errors.items():
        click.echo(f"warning: {part} not in the bundle: {error}", err=True)
    removed = sum(sum(c.values()) for c in bundle.scrubbed.values())
    if removed:
        click.echo(f"warning: {removed} value(s) that looked like personal data were removed "
                   "from the logs (see manifest.json); the kiosk's logs should hold none: "
                   "report it", err=True)
    fails = sum(c.status == FAIL for c in bundle.checks)
    if fails:
        click.echo(f"{fails} check(s) FAIL: see doctor.json or `kiosk doctor`", err=True)
    click.echo(str(bundle.path))


def register(group: click.Group) -> None:
    group.add_command(doctor)
    group.add_command(diagnostics)
