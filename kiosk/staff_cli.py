"""``kiosk staff`` (accounts, PINs and staff badges) and ``kiosk audit`` (the
privileged-action log)."""

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
    """Accounts, roles, lockouts in progress and enrolled badges (a short fingerprint
    of the badge's key; never PINs)."""
    try:
        rows = _gate().staff.listing()
    except StaffError as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        lock = f"  locked {r['locked_for']} s" if r["locked_for"] else ""
        badge = f"badge {r['badge']}" if r["badge"] else "no badge"
        click.echo(f"{r['id']:8} {r['role']:10} {badge:20} {r['name']}{lock}")


@staff.group("card")
def staff_card() -> None:
    """Staff badges: a technician binds a badge to an account (docs/staff-card.md)."""


@staff_card.command("enrol")
@AS
@click.argument("target")
@click.option("--reader", "reader_name", default="", help="Reader name (or part of it); default: any reader.")
@click.option("--timeout", default=30.0, show_default=True, type=float,
              help="Seconds to wait for the badge on the reader.")
def staff_card_enrol(staff_id, target, reader_name, timeout) -> None:
    """Enrol the badge put on the reader for TARGET: the badge must hold TARGET's staff
    number and prove its key; it replaces TARGET's previous badge."""
    from .card.errors import CardError
    from .card.staff_card import short_fingerprint, wait_staff_card

    g, actor = _signed_in(staff_id)
    _run(lambda: actor.require("staff.manage"))
    if target not in {a.id for a in g.staff.accounts()}:
        raise click.ClickException(f"no staff number {target}")
    click.echo(f"put the badge of {target} on the reader...", err=True)
    try:
        reader, proof = wait_staff_card(reader_name, timeout)
    except CardError as e:
        raise click.ClickException(f"badge not read [{e.code}]: {e}") from None
    if proof is None:
        raise click.ClickException(f"the card in {reader!r} is not a staff badge")
    if proof.staff_number != target:
        raise click.ClickException(f"this badge is personalised for staff number {proof.staff_number}, "
                                   f"not {target}")
    _run(lambda: g.staff.enrol_card(actor, target, proof.public_key))
    click.echo(f"badge {short_fingerprint(proof.public_key)} enrolled for {target}")


@staff_card.command("remove")
@AS
@click.argument("target")
def staff_card_remove(staff_id, target) -> None:
    """Remove TARGET's badge (a lost badge): it no longer signs in."""
    g, actor = _signed_in(staff_id)
    _run(lambda: g.staff.remove_card(actor, target))
    click.echo(f"badge of {target} removed")


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
