"""``kiosk staff`` (accounts and PINs) and ``kiosk audit`` (the privileged-action log)."""

from __future__ import annotations

import json
import os

import click

from .paths import KioskPaths
from .privileged import Gate
from .staff import ROLES, Forbidden, StaffError


def _gate() -> Gate:
    return Gate(KioskPaths.from_env().ensure())


def _new_pin() -> str:
    pin = os.environ.get("KIOSK_NEW_PIN")
    if pin is None:
        pin = click.prompt("New PIN (6-12 digits)", hide_input=True, confirmation_prompt=True)
    return pin


AS = click.option("--as", "staff_id", envvar="KIOSK_STAFF", metavar="STAFF",
                  help="Your staff number (needed once staff accounts exist).")


def _signed_in(staff_id: str | None):
    g = _gate()
    return g, g.actor_for_cli(staff_id, os.environ.get("KIOSK_PIN"))


def _run(fn):
    try:
        fn()
    except (StaffError, Forbidden) as e:
        raise click.ClickException(str(e)) from None


@click.group("staff")
def staff() -> None:
    """Agents' and technicians' accounts (the first one must be a technician)."""


@staff.command("add")
@AS
@click.option("--id", "new_id", required=True, help="Staff number, 2-8 digits (typed on the kiosk's keypad).")
@click.option("--name", required=True, help="Name shown on the kiosk's staff screens.")
@click.option("--role", required=True, type=click.Choice(ROLES))
def staff_add(staff_id, new_id, name, role) -> None:
    """Create an account; the PIN is asked twice (or KIOSK_NEW_PIN)."""
    g, actor = _signed_in(staff_id)
    _run(lambda: g.staff.add(actor, new_id, name, role, _new_pin()))
    click.echo(f"{role} {new_id} added")


def _on_target(name: str, doc: str, act, done: str) -> None:
    """``kiosk staff NAME TARGET [--as STAFF]``: one staff action on another account."""
    @staff.command(name, help=doc)
    @AS
    @click.argument("target")
    def command(staff_id, target) -> None:
        g, actor = _signed_in(staff_id)
        _run(lambda: act(g.staff, actor, target))
        click.echo(done.format(target=target))


_on_target("pin", "Set a new PIN for TARGET (your own, or anyone's as a technician); clears a lockout.",
           lambda st, actor, t: st.set_pin(actor, t, _new_pin()), "PIN of {target} changed")
_on_target("unlock", "Clear the wrong-PIN lockout of TARGET.",
           lambda st, actor, t: st.unlock(actor, t), "{target} unlocked")
_on_target("remove", "Delete an account (never the last technician).",
           lambda st, actor, t: st.remove(actor, t), "{target} removed")


@staff.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def staff_list(as_json: bool) -> None:
    """Accounts, roles, and lockouts in progress (never PINs)."""
    try:
        rows = _gate().staff.listing()
    except StaffError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        lock = f"  locked {r['locked_for']} s" if r["locked_for"] else ""
        click.echo(f"{r['id']:8} {r['role']:10} {r['name']}{lock}")


@click.group("audit")
def audit() -> None:
    """The log of privileged actions and configuration changes (hash-chained)."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def audit_verify(as_json: bool) -> None:
    """Check the chain: any edited, inserted, deleted or cut-off record is reported."""
    report = _gate().audit.verify()
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(f"{'ok' if report.ok else 'TAMPERED'}: {report.records} records")
        for p in report.problems:
            click.echo(f"  {p}")
    if not report.ok:
        raise SystemExit(1)


@audit.command("show")
@click.option("--last", default=20, show_default=True, help="How many records, newest last.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def audit_show(last: int, as_json: bool) -> None:
    """The latest records: time, who, role, action, details."""
    rows = _gate().audit.records()[-last:] if last > 0 else []
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        if "damaged" in r:
            click.echo(f"?? damaged line: {r['damaged']}")
            continue
        details = " ".join(f"{k}={v}" for k, v in r.get("details", {}).items())
        click.echo(f"{r['seq']:5} {r['at']} {r['actor']:>6} {r['role']:10} {r['action']} {details}")


def register(group: click.Group) -> None:
    group.add_command(staff)
    group.add_command(audit)
