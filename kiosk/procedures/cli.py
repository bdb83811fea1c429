"""``kiosk catalog pack|verify|import|rollback|installed|keygen``: signed catalog packages.

``register(group)`` adds these commands to the ``kiosk catalog`` group of kiosk/cli.py.
A refusal exits with status 1 and the reason, e.g. ``refused (bad-signature): ...``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import Settings
from ..paths import KioskPaths
from ..privileged import privileged
from . import package as pkg


def _paths() -> KioskPaths:
    return KioskPaths.from_env().ensure()


def _trusted(paths: KioskPaths):
    return pkg.load_trusted_keys(Settings.load(paths.config_file))


def _refused(e: pkg.PackageError) -> click.ClickException:
    return click.ClickException(f"refused ({e.code}): {e}")


def _was(paths: KioskPaths) -> str:
    active = pkg.active_edition(paths)
    if active is None:
        return f"the bundled catalog, edition {pkg.bundled_edition()}"
    return f"edition {active}"


def _when(t) -> str:
    return t.strftime("%Y-%m-%d %H:%M UTC") if t.utcoffset() is not None else str(t)


@click.command("pack")
@click.argument("directory", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--key", "key", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The publisher's Ed25519 private key (PEM).")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Package file to write.")
def pack(directory: Path, key: Path, out: Path) -> None:
    """Validate a catalog folder and write a signed package of it."""
    try:
        manifest = pkg.pack(directory, key, out)
    except pkg.PackageError as e:
        raise _refused(e) from None
    click.echo(f"packed edition {manifest.edition} ({len(manifest.files)} files), signed by "
               f"publisher key {manifest.key_id}: {out}")


@click.command("verify")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def verify(file: Path) -> None:
    """Check a package (signature by a trusted key, file hashes, catalog) without installing."""
    try:
        v = pkg.verify(file, _trusted(_paths()))
    except pkg.PackageError as e:
        raise _refused(e) from None
    click.echo(f"ok: edition {v.edition}, created {_when(v.created)}, signed by trusted key "
               f"{v.key_id}, {len(v.catalog.procedures)} procedures")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@privileged("catalog.manage", "catalog.import")
def import_(file: Path) -> None:
    """Verify and install a package, and make its edition active (only a newer edition)."""
    paths = _paths()
    was = _was(paths)
    try:
        edition = pkg.import_package(paths, file, _trusted(paths))
    except pkg.PackageError as e:
        raise _refused(e) from None
    click.echo(f"edition {edition.edition} installed and active (was {was})")


@click.command("rollback")
@click.option("--to", "to", type=click.IntRange(min=1), default=None,
              help="The installed edition to activate (default: the previous one).")
@privileged("catalog.manage", "catalog.rollback")
def rollback(to: int | None) -> None:
    """Make a previously installed edition active again (may go to a lower edition)."""
    paths = _paths()
    was = _was(paths)
    try:
        edition = pkg.rollback(paths, to)
    except pkg.PackageError as e:
        raise _refused(e) from None
    click.echo(f"edition {edition.edition} is active (was {was})")


@click.command("installed")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def installed(as_json: bool) -> None:
    """Installed catalog editions, their dates, and which one is active."""
    paths = _paths()
    editions = pkg.installed(paths)
    active = pkg.active_edition(paths)
    if as_json:
        click.echo(json.dumps({
            "active": active, "active_dir": str(pkg.active_catalog_dir(paths)),
            "bundled_edition": pkg.bundled_edition(),
            "editions": [{"edition": e.edition, "created": e.created.isoformat(),
                          "installed_at": e.installed_at.isoformat(), "publisher_key": e.key_id,
                          "active": e.active, "path": str(e.path)} for e in editions],
        }, indent=2))
        return
    for e in editions:
        mark = "*" if e.active else " "
        click.echo(f"{mark} edition {e.edition:<5} created {_when(e.created)}  installed "
                   f"{_when(e.installed_at)}  key {e.key_id}")
    if active is None:
        click.echo(f"active: the bundled catalog, edition {pkg.bundled_edition()}")


@click.command("keygen")
@click.option("--out", "prefix", required=True, type=click.Path(path_type=Path),
              help="Writes PREFIX-private.pem (mode 0600) and PREFIX-public.pem.")
def keygen(prefix: Path) -> None:
    """Make a catalog publisher's Ed25519 key pair."""
    try:
        private, public, kid = pkg.keygen(prefix)
    except pkg.PackageError as e:
        raise _refused(e) from None
    click.echo(f"private key: {private} (keep it secret; it signs packages)")
    click.echo(f"public key:  {public} (key id {kid}; copy it into the kiosks' "
               "catalog.trusted_keys folder)")


def register(group: click.Group) -> None:
    for command in (pack, verify, import_, rollback, installed, keygen):
        group.add_command(command)
