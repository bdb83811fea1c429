"""``kiosk provision show|apply|export-kiosk`` on the kiosk, and ``kiosk intake
provisioning`` on the back office: setting kiosks up from a USB stick (kiosk/provisioning.py)."""

from __future__ import annotations

from pathlib import Path

import click

from . import provisioning as prov
from .paths import KioskPaths
from .privileged import privileged

FOLDER = click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))


def _settings(paths):
    from .config import Settings

    return Settings.load(paths.config_file)


def _profile(folder: Path) -> prov.Profile:
    path = prov.find(folder)
    if path is None:
        raise click.ClickException(f"no {prov.PROFILE_NAME} in {folder} or its folders")
    try:
        return prov.read(path)
    except prov.ProvisioningError as e:
        raise click.ClickException(f"{path}: {e}") from None


def _print(profile: prov.Profile, changes: list[prov.Change]) -> None:
    click.echo(f"profile {profile.source} from {profile.issuer or '(issuer not given)'}, {profile.created or '?'}")
    if not changes:
        click.echo("nothing to change: this kiosk already has these settings")
    for c in changes:
        click.echo(f"  {c.setting}: {c.old} -> {c.new}")


@click.group("provision")
def provision() -> None:
    """Set this kiosk up from the office's provisioning file on a USB stick (offline)."""


@provision.command("show")
@FOLDER
def provision_show(folder: Path) -> None:
    """What the profile in FOLDER would change (nothing is changed)."""
    paths = KioskPaths.from_env()
    profile = _profile(folder)
    try:
        _print(profile, prov.plan(profile, paths, _settings(paths)))
    except prov.ProvisioningError as e:
        raise click.ClickException(str(e)) from None


@provision.command("apply")
@FOLDER
@privileged("config.write", "provision.apply")
def provision_apply(folder: Path) -> None:
    """Apply the profile in FOLDER: sending endpoint and keys, office CA, catalog
    publishers, CSCA certificates, settings. All or nothing; restart the kiosk after."""
    paths = KioskPaths.from_env().ensure()
    profile = _profile(folder)
    try:
        changes = prov.apply(profile, paths, _settings(paths))
    except prov.ProvisioningError as e:
        raise click.ClickException(str(e)) from None
    _print(profile, changes)
    click.echo("applied; restart the kiosk for the sending and card settings to take effect")


@provision.command("export-kiosk")
@FOLDER
def provision_export(folder: Path) -> None:
    """Write guichet-kiosk-<id>.toml (id, office, public key) into FOLDER for the back office."""
    from .keys import KioskKeyError

    paths = KioskPaths.from_env()
    try:
        click.echo(prov.export_kiosk(paths, _settings(paths), folder))
    except KioskKeyError as e:
        raise click.ClickException(f"{e} (run `kiosk keys init` first)") from None


@click.command("provisioning")
@click.option("--db", "db", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The intake's SQLite database (its keys are in DB.keys/).")
@click.option("--endpoint", required=True, help="The URL kiosks send to (https://…).")
@click.option("--issuer", default="", help="Who prepares the file (shown to the technician).")
@click.option("--ca-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The office CA that signed the intake's TLS certificate (PEM).")
@click.option("--catalog-key", "catalog_keys", multiple=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A catalog publisher's Ed25519 public key (PEM); repeatable.")
@click.option("--csca", "csca", multiple=True, type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A CSCA certificate (PEM) for passive authentication; repeatable.")
@click.option("--set", "extra", multiple=True, metavar="NAME=VALUE", help="Another setting; repeatable.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write guichet-provisioning.toml into (the USB stick).")
def intake_provisioning(db, endpoint, issuer, ca_file, catalog_keys, csca, extra, out) -> None:
    """Write the provisioning file technicians take to the office's kiosks, signed with
    the intake's key (kiosks already set up accept changes to their sending only so)."""
    from .keys import KioskKeyError
    from .sync.intake.keys import IntakeKeys, keys_dir

    try:
        keys = IntakeKeys.load(keys_dir(db))
    except KioskKeyError as e:
        raise click.ClickException(str(e)) from None
    settings = {}
    for item in extra:
        name, sep, value = item.partition("=")
        if not sep:
            raise click.UsageError(f"--set {item!r}: expected NAME=VALUE")
        settings[name.strip()] = value
    out.mkdir(parents=True, exist_ok=True)
    try:
        path = prov.write_profile(out, endpoint=endpoint, backoffice_key=keys.sealing_public_text,
                                  intake_key=keys.signing_public_text, issuer=issuer,
                                  ca_pem=ca_file.read_bytes() if ca_file else None,
                                  publisher_keys=[p.read_bytes() for p in catalog_keys],
                                  csca=[p.read_bytes() for p in csca], settings=settings,
                                  signing_key=keys.signing)
    except prov.ProvisioningError as e:
        raise click.ClickException(str(e)) from None
    click.echo(path)
    click.echo(f"sealing key {prov.fingerprint(keys.sealing_public_text.partition(':')[2].encode())}, "
               f"response key {prov.fingerprint(keys.signing_public_text.partition(':')[2].encode())}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(provision)
    intake = cli.commands["intake"]
    intake.add_command(intake_provisioning)
