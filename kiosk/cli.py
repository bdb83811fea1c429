"""The ``kiosk`` command: argument parsing only; the work is done by the core.

Commands that need Qt (run, demo, shots) live in ``ui`` and are plugged in through the
``guichet.cli`` entry point group, so this module never imports the UI.
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import click

from . import __version__
from .config import KEYS, ConfigError, Settings
from .paths import KioskPaths
from .privileged import privileged


def _paths() -> KioskPaths:
    return KioskPaths.from_env().ensure()


def _json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group()
@click.version_option(__version__, prog_name="kiosk")
def cli() -> None:
    """Guichet, the self-service kiosk for Moroccan public offices.

    Set KIOSK_HOME to keep a kiosk's configuration, data, spool and logs under one folder.
    """


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def paths(as_json: bool) -> None:
    """Show where configuration, data, spool and logs live."""
    p = _paths()
    data = {"config": str(p.config_file), "database": str(p.database),
            "receipts": str(p.receipts), "logs": str(p.logs)}
    if as_json:
        _json(data)
    else:
        for k, v in data.items():
            click.echo(f"{k:9} {v}")


# --- config -------------------------------------------------------------------------
@cli.group()
def config() -> None:
    """Read and change the kiosk's settings (validated; invalid values are refused)."""


@config.command("show")
def config_show() -> None:
    """Every setting with its value and what it is for."""
    s = Settings.load(_paths().config_file)
    for name, key in KEYS.items():
        click.echo(f"{name} = {s[name]!r}    # {key.help}")
    for problem in s.problems:
        click.echo(f"warning: {problem}", err=True)


@config.command("get")
@click.argument("key")
def config_get(key: str) -> None:
    """Print one setting."""
    try:
        click.echo(Settings.load(_paths().config_file).get(key))
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


@config.command("set")
@click.argument("key")
@click.argument("value")
@privileged("config.write")
def config_set(key: str, value: str) -> None:
    """Change one setting; an invalid value is refused and the previous one kept."""
    s = Settings.load(_paths().config_file)
    try:
        s.set(key, value)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{key} = {s[key]!r}")


# --- catalog ------------------------------------------------------------------------
@cli.group()
def catalog() -> None:
    """The procedure catalog."""


from .procedures.cli import register; register(catalog)  # noqa: E402,E702 (signed packages)


def _active_catalog():
    from .procedures.active import load_active

    return load_active(_paths())


@catalog.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (titles in every language).")
@click.option("--lang", default="fr", type=click.Choice(["ar", "fr", "zgh"]), show_default=True)
def catalog_list(as_json: bool, lang: str) -> None:
    """The procedures the kiosk offers (the active catalog edition)."""
    cat = _active_catalog()
    if as_json:
        _json({"edition": cat.version, "procedures": [
            {"id": p.id, "version": p.version, "agency": p.agency, "category": p.category,
             "title": p.title.model_dump(), "steps": len(p.steps), "fee": str(p.fee)}
            for p in cat.procedures]})
        return
    click.echo(f"catalog edition {cat.version}")
    for p in cat.procedures:
        click.echo(f"{p.id:45} v{p.version:<3} {p.title(lang)}")


@catalog.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, exists=True))
def catalog_validate(paths: tuple[Path, ...]) -> None:
    """Check catalog folders or procedure files (default: the bundled catalog).

    Every problem is printed as FILE:LINE: PATH: MESSAGE.
    """
    from .procedures.loader import DEFAULT_CATALOG, parse_catalog, validate_paths

    targets = list(paths) or [DEFAULT_CATALOG]
    problems = validate_paths(targets)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s)")
    for t in targets:
        if t.is_dir():
            cat = parse_catalog(t)
            click.echo(f"ok: {t}: edition {cat.version}, {len(cat.procedures)} procedures, "
                       f"{len(cat.agencies)} agencies, {len(cat.categories)} categories")
        else:
            click.echo(f"ok: {t}")


@catalog.command("example")
@click.argument("procedure_id")
@click.option("--lang", default="fr", type=click.Choice(["ar", "fr", "zgh"]), show_default=True,
              help="Script of the sample texts.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (the default).")
def catalog_example(procedure_id: str, lang: str, as_json: bool) -> None:
    """A valid set of answers for a procedure (for test submissions)."""
    from .procedures.examples import example_answers

    cat = _active_catalog()
    try:
        proc = cat.get(procedure_id)
    except KeyError:
        raise click.ClickException(f"no procedure {procedure_id!r}; see `kiosk catalog list`") from None
    _json(example_answers(proc, lang))


@catalog.command("schema")
def catalog_schema() -> None:
    """The JSON Schema of a procedure file (for editors that check YAML)."""
    from .procedures.model import Procedure

    _json(Procedure.model_json_schema(by_alias=True))


# --- queue --------------------------------------------------------------------------
@cli.group()
def queue() -> None:
    """The outbox of submissions (no personal data is ever printed)."""


def _services():
    from .services import Services

    return Services.open(_paths())


@queue.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def queue_status(as_json: bool) -> None:
    """Number of submissions in each state."""
    s = _services()
    counts = s.outbox.counts()
    age = s.outbox.oldest_pending_age()
    if as_json:
        _json({**counts, "oldest_pending_seconds": None if age is None else round(age, 1)})
    else:
        for state, n in counts.items():
            click.echo(f"{state:13} {n}")
        if age is not None:
            click.echo(f"oldest pending: {age / 3600:.1f} h")


@queue.command("list")
@click.option("--state", type=click.Choice(["queued", "sending", "acknowledged", "rejected"]))
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def queue_list(state: str | None, limit: int, as_json: bool) -> None:
    """Recent submissions: tracking number, procedure, time, state."""
    rows = _services().outbox.list(state, limit)
    if as_json:
        _json(rows)
    else:
        for r in rows:
            click.echo(f"{r['tracking']}  {r['state']:12} {r['created_at'][:19]}  {r['procedure_id']}")


@queue.command("recover")
@privileged("queue.transfer")
def queue_recover() -> None:
    """After a damaged database was reported: keep it aside, copy what is readable to a new one."""
    from .queue.outbox import recover

    p = _paths()
    if not p.database.exists():
        raise click.ClickException(f"no database at {p.database}")
    kept, copied, lost = recover(p.database)
    click.echo(f"damaged database kept as {kept}; {copied} submissions copied to a new "
               f"{p.database}" + (f"; {lost} could not be read" if lost else ""))


@queue.command("export")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@privileged("queue.transfer")
def queue_export(folder: Path) -> None:
    """Write the submissions not yet acknowledged to a signed bundle (a USB stick), for a
    kiosk that cannot reach the network. They stay queued until acknowledged."""
    from . import keys
    from .sync.bundle import export

    s = _services()
    rows = [s.outbox.get(r["id"]) for r in s.outbox.list("queued", limit=1_000_000)]
    rows += [s.outbox.get(r["id"]) for r in s.outbox.list("sending", limit=1_000_000)]
    try:
        key = keys.load(s.paths)
    except keys.KioskKeyError as e:
        raise click.ClickException(str(e)) from None
    path = export(rows, s.settings["kiosk.id"], key, folder)
    click.echo(f"{len(rows)} submissions in {path}")


@queue.command("import-acks")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@privileged("queue.transfer")
def queue_import_acks(file: Path) -> None:
    """Mark acknowledged what the intake's signed acknowledgement file confirms."""
    from . import keys
    from .sync import protocol
    from .sync.bundle import BundleError, read_acks

    s = _services()
    if not s.settings["sync.intake_key"]:
        raise click.ClickException("no intake key: `kiosk config set sync.intake_key ed25519:...`")
    try:
        results = read_acks(file, s.settings["kiosk.id"], keys.parse_ed25519(s.settings["sync.intake_key"]))
    except BundleError as e:
        raise click.ClickException(f"refused: {e}") from None
    done = [i for i, r in results.items() if r.get("status") in (protocol.STORED, protocol.DUPLICATE)]
    acked = s.outbox.acknowledge(done)
    rejected = 0
    for i, r in results.items():
        if r.get("status") == protocol.REJECTED and s.outbox.get_or_none(i):
            s.outbox.reject(i, str(r.get("reason") or "rejected by the intake"))
            rejected += 1
    click.echo(f"{acked} acknowledged, {rejected} rejected")


@queue.command("submit")
@click.option("--procedure", "procedure_id", required=True, help="Procedure id (kiosk catalog list).")
@click.option("--answers", "answers_file", type=click.File("r", encoding="utf-8"), required=True,
              help="JSON answers, as `kiosk catalog example` prints them ('-' for stdin).")
@click.option("--identity", "identity_file", type=click.File("r", encoding="utf-8"),
              help="JSON of the card values the procedure binds (identity.surname, ...); "
                   "default in demo mode: the demo identity.")
@click.option("--lang", default="fr", type=click.Choice(["ar", "fr", "zgh"]), show_default=True)
def queue_submit(procedure_id: str, answers_file, identity_file, lang: str) -> None:
    """Submit answers through the same engine, sealing and outbox as the screens.

    Prints the tracking number and id as JSON; answers that do not complete the procedure
    are refused with each field's message (exit 2).
    """
    from .procedures.wizard import AnswersRefused, WizardError, payload_from_answers

    s = _services()
    try:
        proc = s.catalog.get(procedure_id)
    except KeyError:
        raise click.ClickException(f"no procedure {procedure_id!r}; see `kiosk catalog list`") from None
    try:
        answers = json.load(answers_file)
        if not isinstance(answers, dict):
            raise ValueError("the answers must be a JSON object")
    except ValueError as e:
        raise click.ClickException(f"answers: {e}") from None
    if identity_file is not None:
        prefill = json.load(identity_file)
    elif s.settings["kiosk.mode"] == "demo":
        from .card.demo import load_demo_identity
        prefill = load_demo_identity().prefill()
    else:
        raise click.UsageError("--identity is required outside demo mode")
    try:
        payload = payload_from_answers(proc, answers, prefill)
    except AnswersRefused as e:
        from .procedures.fields import render
        for field_id, problem in e.errors.items():
            click.echo(f"{e.step}.{field_id}: {render(problem, lang)}", err=True)
        raise SystemExit(2) from None
    except WizardError as e:
        raise click.ClickException(str(e)) from None
    result = s.submit(proc, lang, payload)
    _json({"tracking": result.tracking, "id": result.saved.id,
           "receipt": str(result.receipt) if result.receipt else None})
    s.close()


# --- receipts -----------------------------------------------------------------------
@cli.group()
def receipt() -> None:
    """Receipts."""


@receipt.command("render")
@click.option("--tracking", "--submission", "tracking", help="Tracking number of a saved submission.")
@click.option("--sample", is_flag=True, help="A sample receipt (no submission needed).")
@click.option("--lang", type=click.Choice(["ar", "fr", "zgh"]), default="fr", show_default=True,
              help="Language of a sample receipt.")
@click.option("--paper", type=click.Choice(["80", "58"]), help="Roll width (default: receipt.paper_width).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="PDF file to write.")
def receipt_render(tracking: str | None, sample: bool, lang: str, paper: str | None, out: Path) -> None:
    """Render a receipt to a PDF file."""
    import dataclasses

    from .receipts.render import render

    s = _services()
    if sample == bool(tracking):
        raise click.UsageError("give either --tracking or --sample")
    paper_mm = int(paper) if paper else s.settings["receipt.paper_width"]
    if sample:
        data = s.sample_receipt("SAMPLE", lang, paper_mm)
    else:
        try:
            data = dataclasses.replace(s.receipt_data(tracking), paper_mm=paper_mm)
        except KeyError:
            raise click.ClickException(f"no submission with tracking number {tracking}") from None
    r = render(data, out)
    click.echo(f"{r.path} ({r.width_mm:.0f} x {r.height_mm:.0f} mm)")


@receipt.command("print")
@click.argument("tracking")
@privileged("receipt.reprint", "receipt.reprint")
def receipt_print(tracking: str) -> None:
    """Print (or reprint) the receipt of a saved submission on the configured printer."""
    s = _services()
    if s.outbox.by_tracking(tracking) is None:
        raise click.ClickException(f"no submission with tracking number {tracking}")
    outcome = s.print_receipt(tracking)
    if not outcome.ok:
        raise click.ClickException(f"not printed: {outcome.code}: {outcome.detail}")
    click.echo(f"{tracking} printed")


@receipt.command("verify")
@click.argument("text")
@click.option("--key", "key_text", help="The kiosk's public key (ed25519:...), for a receipt of another kiosk.")
@click.option("--intake-db", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Look the kiosk's key up in an intake's registry of enrolled kiosks.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def receipt_verify(text: str, key_text: str | None, intake_db: Path | None, as_json: bool) -> None:
    """Check a receipt's QR code (as a scanner types it): valid, or invalid and why (exit 1)."""
    from . import keys
    from .receipts.authenticity import verify

    def key_for(kiosk_id: str):
        if key_text:
            return keys.parse_ed25519(key_text)
        if intake_db:
            from .sync.intake.storage import SqliteStorage
            storage = SqliteStorage(intake_db)
            try:
                found = storage.kiosk_key(kiosk_id)
            finally:
                storage.close()
            return keys.parse_ed25519(found) if found else None
        s = _services()
        if kiosk_id != s.settings["kiosk.id"]:
            return None
        try:
            return keys.load(s.paths).public_key()
        except keys.KioskKeyError:
            return None

    verdict = verify(text, key_for)
    if as_json:
        _json(verdict.to_json())
    else:
        click.echo(("valid: " if verdict.valid else "INVALID: ") + verdict.reason)
        if verdict.tracking:
            click.echo(f"  tracking {verdict.tracking}, kiosk {verdict.kiosk_id}, "
                       f"made {verdict.time.isoformat() if verdict.time else '?'}")
    if not verdict.valid:
        raise SystemExit(1)


@cli.group()
def printer() -> None:
    """The receipt printer (printer.* settings)."""


@printer.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def printer_status(as_json: bool) -> None:
    """The printer's state now: ready or not, and why (paper, cover, offline, paused...)."""
    st = _services().printer_status()
    if as_json:
        _json(st.to_json())
    else:
        reasons = ", ".join(st.reasons) or "none"
        click.echo(f"{st.kind} {st.name}: {'ready' if st.ready else 'NOT READY'} ({st.state}; {reasons})"
                   + (f" {st.detail}" if st.detail else ""))
    if not st.ready:
        raise SystemExit(1)


@printer.command("test")
@privileged("printer.test", "printer.test")
def printer_test() -> None:
    """Print a sample receipt (Arabic, with French headings) to check the printer and paper."""
    outcome = _services().print_test()
    if not outcome.ok:
        raise click.ClickException(f"test print failed: {outcome.code}: {outcome.detail}")
    click.echo("test receipt printed")


def _card_commands() -> None:
    from .card.cli import card

    cli.add_command(card)


_card_commands()

from .sync.cli import register as _sync; _sync(cli)  # noqa: E402,E702 (keys, intake)
from .staff_cli import register as _staff; _staff(cli)  # noqa: E402,E702 (staff, audit)
from .doctor_cli import register as _doctor; _doctor(cli)  # noqa: E402,E702 (doctor, diagnostics)
from .provisioning_cli import register as _provision; _provision(cli)  # noqa: E402,E702 (USB set-up)


@cli.group()
def sync() -> None:
    """Send the queue to the intake (the back office)."""


@sync.command("run")
@click.option("--once", "mode", flag_value="once", help="One batch.")
@click.option("--until-empty", "mode", flag_value="until-empty", default=True,
              help="Batches until nothing is due (the default).")
@click.option("--endpoint", help="Intake URL (default: the sync.endpoint setting).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@privileged("sync.now")
def sync_run(mode: str, endpoint: str | None, as_json: bool) -> None:
    """Send queued submissions now (back-off waits are skipped); network loss is reported,
    never an error for the queue."""
    import datetime as dt

    s = _services()
    try:
        client = s.sync_client(endpoint)
    except (RuntimeError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    s.outbox.reset_sending()
    s.outbox.make_due()  # asked for now: no back-off wait
    acked = client.run_once().acknowledged if mode == "once" else client.run_until_empty()
    st = client.status
    purged = s.outbox.purge_acknowledged(dt.timedelta(days=s.settings["sync.retention_days"]))
    out = {"acknowledged": acked, "pending": st.pending, "last_error": st.last_error,
           "counts": s.outbox.counts(), "purged_payloads": purged}
    if as_json:
        _json(out)
    else:
        click.echo(f"acknowledged {acked}, pending {st.pending}"
                   + (f" (last error: {st.last_error})" if st.last_error else ""))
    client.close()
    s.close()


def _plug_in() -> None:
    for ep in entry_points(group="guichet.cli"):
        for command in ep.load():
            cli.add_command(command)


def main() -> None:
    _plug_in()
    cli(prog_name="kiosk")


if __name__ == "__main__":
    main()
