"""``kiosk keys ...`` (the kiosk's signing key) and ``kiosk intake ...`` (the reference
receiver). ``register(cli)`` adds both groups to the ``kiosk`` command of kiosk/cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import keys as kiosk_keys
from ..paths import KioskPaths
from ..privileged import privileged

DB = click.option("--db", "db", required=True, type=click.Path(path_type=Path, dir_okay=False),
                  help="The intake's SQLite database (its keys are in DB.keys/).")


def _json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# --- keys ------------------------------------------------------------------------------
@click.group("keys")
def keys() -> None:
    """The kiosk's Ed25519 signing key (authenticates it to the intake)."""


@keys.command("init")
@click.option("--force", is_flag=True, help="Replace an existing key (the kiosk must be enrolled again).")
@privileged("keys.manage", "keys.init")
def keys_init(force: bool) -> None:
    """Create the kiosk's signing key (mode 0600) and print its public key."""
    paths = KioskPaths.from_env().ensure()
    try:
        key = kiosk_keys.init(paths, force)
    except kiosk_keys.KioskKeyError as e:
        raise click.ClickException(str(e)) from None
    click.echo(kiosk_keys.public_text(key.public_key()))


@keys.command("show")
@click.option("--public", "public", is_flag=True, required=True,
              help="Print the public key (the private key is never printed).")
def keys_show(public: bool) -> None:
    """Print the kiosk's public key, one line: ed25519:BASE64URL."""
    try:
        click.echo(kiosk_keys.public_key_text(KioskPaths.from_env()))
    except kiosk_keys.KioskKeyError as e:
        raise click.ClickException(str(e)) from None


# --- intake ----------------------------------------------------------------------------
@click.group("intake")
def intake() -> None:
    """The reference intake: receives kiosks' submissions (docs/sync-protocol.md)."""


def _storage(db: Path):
    from .intake.storage import SqliteStorage

    try:
        return SqliteStorage(db)
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None


def _keys(db: Path):
    from .intake.keys import IntakeKeys, keys_dir

    try:
        return IntakeKeys.load(keys_dir(db))
    except kiosk_keys.KioskKeyError as e:
        raise click.ClickException(str(e)) from None


@intake.command("init")
@DB
def intake_init(db: Path) -> None:
    """Create the database and the back office's keys; print the two public keys.

    Line 1: the X25519 sealing key (x25519:...); line 2: the Ed25519 response-signing key.
    """
    from .intake.keys import IntakeKeys, keys_dir
    from .intake.storage import SqliteStorage

    if db.exists():
        raise click.ClickException(f"{db} already exists")
    try:
        k = IntakeKeys.create(keys_dir(db))
    except kiosk_keys.KioskKeyError as e:
        raise click.ClickException(str(e)) from None
    SqliteStorage(db, create=True).close()
    click.echo(k.sealing_public_text)
    click.echo(k.signing_public_text)
    click.echo(f"intake database {db}, keys in {keys_dir(db)}/\n"
               "line 1: the back office's sealing key, for `kiosk config set sync.backoffice_key`\n"
               "line 2: the intake's response-signing key, with which kiosks verify acknowledgements",
               err=True)


@intake.command("enrol")
@DB
@click.option("--kiosk-id", help="The kiosk's kiosk.id setting.")
@click.option("--key", "key", help="Its public key (kiosk keys show --public).")
@click.option("--from", "from_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The guichet-kiosk-<id>.toml a technician brought back (kiosk provision export-kiosk).")
def intake_enrol(db: Path, kiosk_id: str | None, key: str | None, from_file: Path | None) -> None:
    """Register a kiosk's public key (again: replaces its key)."""
    from .protocol import KIOSK_ID

    if from_file is not None:
        from ..provisioning import read_kiosk

        try:
            kiosk = read_kiosk(from_file)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        kiosk_id, key = kiosk["id"], kiosk["public_key"]
    if not (kiosk_id and key):
        raise click.UsageError("give --from FILE, or --kiosk-id and --key")

    if not KIOSK_ID.match(kiosk_id):
        raise click.ClickException(f"{kiosk_id!r}: not a kiosk id (3-64 letters, digits, '.', '_', '-')")
    try:
        kiosk_keys.parse_ed25519(key)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    s = _storage(db)
    s.register_kiosk(kiosk_id, key.strip())
    s.close()
    click.echo(f"kiosk {kiosk_id} enrolled")


@intake.command("serve")
@DB
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8443, show_default=True, type=int)
@click.option("--certfile", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="TLS certificate chain (PEM): serve HTTPS.")
@click.option("--keyfile", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="TLS private key (PEM), with --certfile.")
def intake_serve(db: Path, host: str, port: int, certfile: Path | None, keyfile: Path | None) -> None:
    """Serve the protocol (HTTPS with --certfile/--keyfile; plain HTTP otherwise)."""
    import uvicorn

    from .intake.app import create_app

    if bool(certfile) != bool(keyfile):
        raise click.UsageError("give both --certfile and --keyfile, or neither")
    app = create_app(_storage(db), _keys(db).signing)
    uvicorn.run(app, host=host, port=port, ssl_certfile=certfile and str(certfile),
                ssl_keyfile=keyfile and str(keyfile), log_level="info")


@intake.command("show")
@DB
@click.argument("submission")
def intake_show(db: Path, submission: str) -> None:
    """Decrypt one submission (by id or tracking number) and print it as JSON.

    Back office only: this prints the citizen's personal data.
    """
    from ..queue.sealing import open_sealed

    row = _storage(db).get(submission)
    if row is None:
        raise click.ClickException(f"no submission {submission}")
    try:
        payload = open_sealed(row["payload"], row["id"], _keys(db).sealing)
    except Exception as e:  # noqa: BLE001 (any decryption failure)
        raise click.ClickException(f"cannot open the payload: {type(e).__name__}") from None
    meta = {k: row[k] for k in ("id", "tracking", "kiosk_id", "procedure_id", "procedure_version",
                                "created_at", "received_at", "batch_id")}
    _json({**meta, "receipt": json.loads(row["receipt"]), "payload": payload})


@intake.command("stats")
@DB
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def intake_stats(db: Path, as_json: bool) -> None:
    """Items received, unique stored, duplicates refused, rejected: per kiosk and in total."""
    st = _storage(db).stats()
    if as_json:
        _json(st)
        return
    click.echo(f"{'kiosk':24} {'received':>9} {'unique':>7} {'dupl.':>6} {'rejected':>8}")
    for k, v in st["kiosks"].items():
        click.echo(f"{k:24} {v['received']:9} {v['unique']:7} {v['duplicates']:6} {v['rejected']:8}")
    click.echo(f"{'total':24} {st['received']:9} {st['unique']:7} {st['duplicates']:6} {st['rejected']:8}")


@intake.command("import-bundle")
@DB
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
def intake_import_bundle(db: Path, file: Path) -> None:
    """Store a kiosk's USB bundle (once) and write its signed acknowledgement file."""
    from .bundle import BundleError, import_bundle

    storage = _storage(db)
    try:
        def lookup(kiosk_id):
            text = storage.kiosk_key(kiosk_id)
            return kiosk_keys.parse_ed25519(text) if text else None
        out, counts = import_bundle(file, lookup, storage.store_many, _keys(db).signing)
    except BundleError as e:
        raise click.ClickException(f"refused: {e}") from None
    finally:
        storage.close()
    click.echo(f"stored {counts['stored']}, already had {counts['duplicate']}, rejected "
               f"{counts['rejected']}; acknowledgements for the kiosk: {out}")


def register(cli: click.Group) -> None:
    cli.add_command(keys)
    cli.add_command(intake)
