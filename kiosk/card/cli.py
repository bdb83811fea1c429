"""``kiosk card ...``: readers, reading a document, and the chip emulator.

For technicians and tests. ``card read`` prints the document's data on the
technician's own terminal (that is what it is for); nothing personal is logged.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click

from .errors import CardError


def _json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
def card() -> None:
    """ID-card readers, reading a CNIE or passport chip, and the test chip emulator."""


@card.command("readers")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def readers(as_json: bool) -> None:
    """List PC/SC readers, whether a card is present, and what the reader can do
    (largest command it accepts, PIN pad or PACE in the reader)."""
    from . import pcsc

    try:
        infos = pcsc.list_readers()
    except CardError as e:
        raise click.ClickException(str(e)) from None
    rows = [{"name": r.name, "card": r.card_present, "atr": r.atr.hex().upper(),
             "extended_length_in_atr": pcsc._atr_extended_length(r.atr) if r.atr else None,
             "max_input": r.max_input, "features": r.features} for r in infos]
    if as_json:
        _json(rows)
        return
    if not rows:
        click.echo("no reader (is the reader plugged in and pcscd running?)")
    for r in rows:
        state = "card present" if r["card"] else "empty"
        extra = ""
        if r["card"]:
            extra = (f"  ATR {r['atr']}  max input {r['max_input'] or 'unknown'}"
                     f"  features {','.join(r['features']) or 'none'}")
        click.echo(f"{r['name']}: {state}{extra}")


def _access_key(can: str | None, mrz_key: str | None, mrz: str | None):
    from .lds.mrz import parse_mrz, parse_mrz_key
    from .reading import AccessKey

    given = [x for x in (can, mrz_key, mrz) if x]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --can, --mrz-key, --mrz")
    try:
        if can:
            if not (can.isdigit() and len(can) == 6):
                raise click.BadParameter("the CAN is 6 digits", param_hint="--can")
            return AccessKey(can=can)
        if mrz_key:
            return AccessKey(mrz_information=parse_mrz_key(mrz_key).mrz_information)
        return AccessKey(mrz_information=parse_mrz(mrz.replace("\\n", "\n")).mrz_information)
    except CardError as e:
        raise click.BadParameter(str(e)) from None


def result_json(result) -> dict:
    m = result.mrz
    dg11 = result.dg11
    return {
        "protocol": result.protocol,
        "document_type": m.document_code,
        "format": m.format,
        "issuing_state": m.issuing_state,
        "document_number": m.document_number,
        "primary_name": m.primary_identifier,
        "secondary_name": m.secondary_identifier,
        "full_name_national": dg11.full_name if dg11 is not None else None,
        "place_of_birth": dg11.place_of_birth if dg11 is not None else None,
        "nationality": m.nationality,
        "birth_date": m.birth_date.isoformat() if m.birth_date else None,
        "sex": m.sex,
        "expiry_date": m.expiry_date.isoformat(),
        "data_groups": list(result.data_groups),
        "photo": result.photo_format or None,
        "passive_authentication": {"result": result.passive.status, "reason": result.passive.reason},
        "active_authentication": result.active,
        "extended_length": result.extended_length,
        "apdus": result.apdus,
        "elapsed_ms": round(result.elapsed_ms, 1),
        "phases": {p.name: {"ms": round(p.ms, 1), "apdus": p.apdus} for p in result.phases},
    }


@card.command("read")
@click.option("--reader", "reader_name", help="Reader name (or part of it); default: the first with a card.")
@click.option("--can", help="Card access number: the 6 digits printed on the card.")
@click.option("--mrz-key", help="DOCNO,YYMMDD,YYMMDD: document number, birth date, expiry date.")
@click.option("--mrz", help="The full MRZ, lines separated by newlines or \\n.")
@click.option("--trust", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of trusted CSCA certificates / master lists (default: card.trust_store).")
@click.option("--photo", type=click.Path(dir_okay=False, path_type=Path), help="Write the face image here (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def read(reader_name, can, mrz_key, mrz, trust, photo, as_json) -> None:
    """Read and verify the document in a reader. Exit code 2 when the read fails,
    3 when the document is read but not verified."""
    from . import pcsc
    from .reading import read_document
    from .trust import load_trust_store

    key = _access_key(can, mrz_key, mrz)
    try:
        store = load_trust_store(trust)
        with pcsc.Context() as ctx:
            name = _pick_reader(ctx, reader_name)
            conn = pcsc.Connection(ctx, name)
            try:
                result = read_document(conn.transmit, key, trust=store)
            finally:
                conn.close()
    except CardError as e:
        click.echo(f"card read failed [{e.code}]: {e}", err=True)
        sys.exit(2)
    if photo and result.photo_png:
        photo.write_bytes(result.photo_png)
    data = result_json(result)
    if as_json:
        _json(data)
    else:
        for k, v in data.items():
            click.echo(f"{k:24} {v}")
    if not result.passive.verified or result.active.startswith("failed"):
        click.echo(f"not verified: {result.passive.reason if not result.passive.verified else result.active}",
                   err=True)
        sys.exit(3)


def _pick_reader(ctx, wanted: str | None) -> str:
    from . import pcsc
    from smartcard import scard

    names = ctx.readers()
    if wanted:
        names = [n for n in names if wanted in n]
    if not names:
        raise pcsc.TransportError(f"no reader{' matching ' + repr(wanted) if wanted else ''}")
    hresult, states = scard.SCardGetStatusChange(ctx.handle, 0, [(n, scard.SCARD_STATE_UNAWARE) for n in names])
    for name, state, _atr in states:
        if state & scard.SCARD_STATE_PRESENT:
            return name
    raise pcsc.TransportError("no card in " + ", ".join(names))


@card.command("emulate")
@click.option("--profile", default="cnie", show_default=True,
              help="cnie, passport, or a profile file (YAML).")
@click.option("--vpcd-port", default=35963, show_default=True, type=int, help="vpcd's TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True)
def emulate(profile: str, vpcd_port: int, host: str) -> None:
    """Put the test chip into pcscd's "Virtual PCD" reader until Ctrl-C.
    Prints the emulated document's access data (test data, not a citizen's)."""
    from .emulator.chip import chip_for, describe_access, profile_path
    from .emulator.document import EmulatedDocument

    try:
        document = EmulatedDocument.from_profile(profile_path(profile))
    except CardError as e:
        raise click.ClickException(str(e)) from None
    chip = chip_for(document)
    click.echo(f"emulating {profile} (TEST-ONLY data): {describe_access(document)}", )
    _serve_on_vpcd(chip, "card", host, vpcd_port)


def _serve_on_vpcd(chip, what: str, host: str, vpcd_port: int) -> None:
    """Serve an emulated chip to pcscd's virtual reader until Ctrl-C or SIGTERM."""
    from .emulator.vpcd import VpcdCard

    vcard = VpcdCard(chip, host, vpcd_port).start()
    click.echo(f"waiting for vpcd on {host}:{vpcd_port} (pcscd with vsmartcard-vpcd)...")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if vcard.wait_connected(30):
            click.echo(f"{what} inserted in the virtual reader; Ctrl-C to remove it")
        else:
            click.echo("vpcd did not answer in 30 s; still trying", err=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        vcard.stop()
        click.echo(f"{what} removed after {chip.apdus} APDUs")


@card.command("emulate-badge")
@click.argument("staff_number")
@click.option("--key", "key_file", type=click.Path(dir_okay=False, path_type=Path),
              help="PEM file of the badge's TEST-ONLY private key: used if it exists, else "
                   "created (mode 0600), so a badge enrolled once is the same badge next time.")
@click.option("--vpcd-port", default=35963, show_default=True, type=int, help="vpcd's TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True)
def emulate_badge(staff_number: str, key_file: Path | None, vpcd_port: int, host: str) -> None:
    """Put a TEST-ONLY staff badge for STAFF_NUMBER into pcscd's "Virtual PCD" reader
    until Ctrl-C. Its key is new unless --key names a file; it opens nothing until a
    technician enrols it (`kiosk staff card enrol`)."""
    import os

    from .emulator.badge import EmulatedBadge
    from .staff_card import short_fingerprint

    try:
        if key_file is not None and key_file.exists():
            badge = EmulatedBadge.from_pem(staff_number, key_file.read_bytes())
        else:
            badge = EmulatedBadge.create(staff_number)
            if key_file is not None:
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(badge.private_pem())
    except (ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"emulating a TEST-ONLY staff badge for {staff_number}, key {short_fingerprint(badge.public_key)}")
    _serve_on_vpcd(badge, "badge", host, vpcd_port)
