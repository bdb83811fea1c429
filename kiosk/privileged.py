"""The one gate for privileged actions, for the CLI and the screens alike.

``Gate.run(actor, permission, action, details, fn)`` checks the role (in the core, so a
hidden button is never the only guard), runs ``fn``, and records the action in the audit
log: done, failed (with the error's type) or denied. ``privileged(permission)`` is the
click decorator that puts the CLI commands behind it: once staff accounts exist, a
command needs ``--as STAFF`` (or ``KIOSK_STAFF``) and the PIN (typed at the prompt, or
``KIOSK_PIN`` for automation).
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

import click

from .audit import AuditLog
from .paths import KioskPaths
from .staff import SETUP, Actor, Forbidden, LockedOut, Staff, StaffError, WrongPin


class Gate:
    def __init__(self, paths: KioskPaths):
        self.audit = AuditLog(paths.audit_log)
        self.staff = Staff(paths.staff_file, self.audit)

    def run(self, actor: Actor, permission: str, action: str, details: dict | None,
            fn: Callable[[], Any]) -> Any:
        details = details or {}
        try:
            actor.require(permission)
        except Forbidden:
            self.audit.append(actor.id, actor.role, action + ".denied", details)
            raise
        try:
            result = fn()
        except Exception as e:
            self.audit.append(actor.id, actor.role, action + ".failed",
                              {**details, "error": type(e).__name__})
            raise
        self.audit.append(actor.id, actor.role, action, details)
        return result

    def actor_for_cli(self, staff_id: str | None, pin: str | None) -> Actor:
        """``setup`` before any account exists; else the staff member signed in with PIN."""
        if not self.staff.is_set_up():
            return SETUP
        if not staff_id:
            raise click.UsageError("this kiosk has staff accounts: give --as STAFF_NUMBER "
                                   "(or KIOSK_STAFF) and the PIN")
        if pin is None:
            pin = click.prompt("PIN", hide_input=True)
        try:
            return self.staff.authenticate(staff_id, pin)
        except LockedOut as e:
            raise click.ClickException(str(e)) from None
        except WrongPin as e:
            left = f"{e.tries_left} more {'try' if e.tries_left == 1 else 'tries'}"
            raise click.ClickException(f"{e} ({left} before a lockout)") from None


def _safe(params: dict) -> dict:
    """Command parameters as audit details: plain values only, paths as text."""
    out = {}
    for k, v in params.items():
        if k in ("staff_id", "pin") or v is None or v is False:
            continue
        out[k] = v if isinstance(v, (str, int, float, bool)) else str(v)
    return out


def privileged(permission: str, action: str | None = None):
    def wrap(fn):
        @click.option("--as", "staff_id", envvar="KIOSK_STAFF", metavar="STAFF",
                      help="Your staff number (needed once staff accounts exist).")
        @functools.wraps(fn)
        def command(staff_id: str | None, **params):
            gate = Gate(KioskPaths.from_env().ensure())
            actor = gate.actor_for_cli(staff_id, os.environ.get("KIOSK_PIN"))
            ctx = click.get_current_context()
            name = action or ctx.command_path.split(" ", 1)[-1].replace(" ", ".")
            try:
                return gate.run(actor, permission, name, _safe(params), lambda: fn(**params))
            except Forbidden as e:
                raise click.ClickException(str(e)) from None
            except StaffError as e:
                raise click.ClickException(str(e)) from None
        return command
    return wrap
