"""Sub-commands that need Qt, plugged into the core's ``kiosk`` command (ui -> kiosk).

PySide6 is imported inside each command, so ``kiosk queue status`` and the other core
commands start without loading Qt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kiosk.privileged import privileged

SIZES = {"1080x1920": (1080, 1920), "1920x1080": (1920, 1080)}


def _size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter("expected WIDTHxHEIGHT, e.g. 1080x1920") from None
    return w, h


@click.command()
@click.option("--windowed", is_flag=True, help="Run in a window instead of full screen.")
def run(windowed: bool) -> None:
    """Run the kiosk full screen and frameless (production)."""
    from .main import run_kiosk

    sys.exit(run_kiosk(fullscreen=not windowed, demo=False))


@click.command()
@click.option("--size", default="1080x1920", show_default=True, help="Window size WIDTHxHEIGHT.")
@click.option("--scripted", is_flag=True,
              help="Play a scripted citizen session offscreen (default when there is no display).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("out/demo"), show_default=True,
              help="Where the scripted session writes its screenshots.")
def demo(size: str, scripted: bool, out: Path) -> None:
    """Run the demo kiosk: virtual card, bundled catalog, windowed."""
    from .main import has_display, run_kiosk, scripted_demo

    if scripted or not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        sys.exit(scripted_demo(out, _size(size)))
    sys.exit(run_kiosk(fullscreen=False, demo=True, size=_size(size)))


@click.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder for the PNG files.")
@click.option("--lang", type=click.Choice(["ar", "fr", "zgh"]), multiple=True,
              help="Only this language (repeatable); default all three.")
@click.option("--size", type=click.Choice(list(SIZES)), multiple=True,
              help="Only this size (repeatable); default both orientations.")
@click.option("--only", help="Only the scenes whose name contains this (e.g. wizard).")
def shots(out: Path, lang: tuple[str, ...], size: tuple[str, ...], only: str | None) -> None:
    """Render every screen to PNG offscreen: SCREEN-LANG-SIZE.png."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .main import configure_qt
    configure_qt()
    from .shots import render

    files = render(out, lang or ("ar", "fr", "zgh"), tuple(SIZES[s] for s in size) or tuple(SIZES.values()),
                   only=only)
    click.echo(f"{len(files)} screenshots in {out}")


@click.command()
@click.option("--usb", type=click.Path(path_type=Path, exists=True, file_okay=False), multiple=True,
              help="Folder where the USB stick is mounted (default: /media, /run/media, /mnt).")
@click.option("--lang", type=click.Choice(["ar", "fr", "zgh"]), default="fr", show_default=True)
@click.option("--size", type=click.Choice(list(SIZES)), default="1080x1920", show_default=True)
@privileged("catalog.manage", "catalog.screen")
def technician(usb: tuple[Path, ...], lang: str, size: str) -> None:
    """The technician's catalog screen: install a package from a USB stick, roll back."""
    from kiosk.paths import KioskPaths
    from kiosk.services import Services

    from .main import configure_qt
    configure_qt()
    from .technician import TechnicianWindow

    services = Services.open(KioskPaths.from_env())
    window = TechnicianWindow(services, size=SIZES[size], lang=lang, usb_roots=usb or None)
    code = window.app.exec()
    window.close()
    services.close()
    sys.exit(code)


commands = [run, demo, shots, technician]
