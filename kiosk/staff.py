"""Agents and technicians: accounts, PINs, lockout and what each role may do.

Roles are enforced here, in the core: the UI and the CLI ask ``Actor.require()`` before
any privileged action, so hiding a button is never the only guard. PINs are stored as
Argon2id hashes (PHC strings; RFC 9106 second recommended profile scaled to a kiosk:
19 MiB, 2 passes, 1 lane). After ``FREE_TRIES`` wrong PINs an account is locked for
30 s, doubling at each further wrong PIN up to an hour; the counters are on disk, so a
restart does not reset them. Every change and every failed or locked attempt goes to
the audit log.

Until the first account exists the kiosk is being set up: privileged commands run as
the actor ``setup`` (recorded), and the first account must be a technician.

An account may have an enrolled staff badge (``docs/staff-card.md``): the SHA-256
fingerprint of the badge's public key. ``identify_card`` turns a badge's proof into
the staff number it belongs to; the PIN is still asked after it (``authenticate``).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from .audit import AuditLog
from .card.errors import CardError
from .card.staff_card import (CHALLENGES, ChallengeBook, StaffCardProof, fingerprint, load_public_key,
                              short_fingerprint, verify_proof)

ROLES = ("agent", "technician")
AGENT_PERMISSIONS = frozenset({
    "queue.view", "sync.now", "receipt.reprint", "service.toggle", "session.assist",
    "printer.test",
})
PERMISSIONS = {
    "agent": AGENT_PERMISSIONS,
    "technician": AGENT_PERMISSIONS | {
        "config.write", "catalog.manage", "staff.manage", "queue.transfer",
        "diagnostics.export", "keys.manage",
    },
}
FREE_TRIES = 3
FIRST_LOCK = 30.0
MAX_LOCK = 3600.0
_ID = re.compile(r"[0-9]{2,8}")
_ARGON = dict(length=32, iterations=2, lanes=1, memory_cost=19 * 1024)


class StaffError(ValueError):
    """A refused staff operation; the message is for the technician (English), ``code``
    says which refusal it is, for screens that tell it in their own language."""

    code = "refused"

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class Forbidden(PermissionError):
    def __init__(self, actor: "Actor", permission: str):
        super().__init__(f"{actor.role} {actor.id} may not {permission}")
        self.permission = permission


class WrongPin(StaffError):
    def __init__(self, tries_left: int):
        super().__init__("wrong staff number or PIN")
        self.tries_left = tries_left


class BadgeRefused(StaffError):
    """A staff badge that does not sign this account in. ``reason`` is recorded in the
    audit log: ``signature``, ``replayed``, ``unknown`` or ``other-account``."""

    reason = "refused"


class BadBadgeSignature(BadgeRefused):
    """The proof is malformed or its signature does not verify with the badge's key."""

    reason = "signature"

    def __init__(self, detail: str = ""):
        super().__init__("the badge did not prove its key" + (f" ({detail})" if detail else ""))


class ReplayedBadge(BadgeRefused):
    """The proof's challenge was not issued by this kiosk, is too old, or was used already."""

    reason = "replayed"

    def __init__(self):
        super().__init__("this badge answer is not fresh (replayed or too old); present the badge again")


class UnknownBadge(BadgeRefused):
    """No account has this badge's key: never enrolled, the account is gone, or a copy
    of a badge with another key (a clone)."""

    reason = "unknown"

    def __init__(self):
        super().__init__("this badge is not enrolled on this kiosk")


class BadgeOfAnotherAccount(BadgeRefused):
    """The badge's key is enrolled, but for another staff number than the badge says."""

    reason = "other-account"

    def __init__(self):
        super().__init__("this badge is enrolled for another staff account")


class LockedOut(StaffError):
    def __init__(self, seconds: float):
        super().__init__(f"locked for {int(seconds + 0.999)} s after wrong PINs")
        self.seconds = seconds


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff member after their PIN, or ``setup`` before any account."""

    id: str
    role: str
    name: str = ""

    def can(self, permission: str) -> bool:
        return self.role == "setup" or permission in PERMISSIONS.get(self.role, ())

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise Forbidden(self, permission)


SETUP = Actor("setup", "setup")


@dataclass
class Account:
    id: str
    name: str
    role: str
    pin: str                    # Argon2id PHC string
    failures: int = 0
    locked_until: float = 0.0   # time.time() seconds
    card: str = ""              # enrolled staff badge: "sha256:" + SHA-256 of its public key


def check_pin_rule(pin: str) -> None:
    if not re.fullmatch(r"[0-9]{6,12}", pin):
        raise StaffError("a PIN is 6 to 12 digits", "pin-length")
    if len(set(pin)) == 1 or pin in "01234567890123" or pin in "98765432109876":
        raise StaffError("a PIN cannot be one repeated digit or a run like 123456", "pin-weak")


def hash_pin(pin: str) -> str:
    return Argon2id(salt=os.urandom(16), **_ARGON).derive_phc_encoded(pin.encode())


def pin_matches(pin: str, phc: str) -> bool:
    try:
        Argon2id.verify_phc_encoded(pin.encode(), phc)
        return True
    except (InvalidKey, ValueError):
        return False


_DUMMY = None


def _stored(account: Account) -> dict:
    """An account as saved; ``card`` only when a badge is enrolled, so a file without
    badges is the same as before badges existed."""
    out = asdict(account)
    if not out["card"]:
        del out["card"]
    return out


class Staff:
    def __init__(self, path: Path, audit: AuditLog, clock: Callable[[], float] = time.time):
        self.path, self.audit, self.clock = path, audit, clock

    # --- storage ---------------------------------------------------------------------
    def _load(self) -> dict[str, Account]:
        if not self.path.exists():
            return {}
        try:
            raw = json.loads(self.path.read_text())
            return {a["id"]: Account(**a) for a in raw["accounts"]}
        except (ValueError, KeyError, TypeError) as e:
            raise StaffError(f"{self.path}: damaged staff file ({type(e).__name__}); "
                             "restore it from the technician's backup", "damaged") from None

    def _save(self, accounts: dict[str, Account]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"version": 1, "accounts": [_stored(a) for a in accounts.values()]}, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def accounts(self) -> list[Account]:
        return sorted(self._load().values(), key=lambda a: a.id)

    def is_set_up(self) -> bool:
        return bool(self._load())

    def listing(self) -> list[dict]:
        """What ``kiosk staff list`` and the technician's screen show (no PIN hashes)."""
        now = self.clock()
        return [{"id": a.id, "name": a.name, "role": a.role,
                 "locked_for": max(0, round(a.locked_until - now)),
                 "badge": short_fingerprint(a.card) if a.card else ""} for a in self.accounts()]

    # --- changes (staff.manage) ------------------------------------------------------
    def add(self, actor: Actor, staff_id: str, name: str, role: str, pin: str) -> None:
        accounts = self._load()
        if accounts:
            actor.require("staff.manage")
        elif role != "technician":
            raise StaffError("the first account must be a technician", "first-technician")
        if not _ID.fullmatch(staff_id):
            raise StaffError("a staff number is 2 to 8 digits", "number-form")
        if staff_id in accounts:
            raise StaffError(f"staff number {staff_id} exists already", "number-taken")
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}", "role")
        if not 0 < len(name.strip()) <= 60:
            raise StaffError("a name is 1 to 60 characters", "name")
        check_pin_rule(pin)
        accounts[staff_id] = Account(staff_id, name.strip(), role, hash_pin(pin))
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.add", {"staff": staff_id, "role": role})

    def set_pin(self, actor: Actor, staff_id: str, pin: str) -> None:
        if actor.id != staff_id:
            actor.require("staff.manage")
        accounts = self._load()
        account = self._get(accounts, staff_id)
        check_pin_rule(pin)
        account.pin, account.failures, account.locked_until = hash_pin(pin), 0, 0.0
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.pin", {"staff": staff_id})

    def unlock(self, actor: Actor, staff_id: str) -> None:
        actor.require("staff.manage")
        accounts = self._load()
        account = self._get(accounts, staff_id)
        account.failures, account.locked_until = 0, 0.0
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.unlock", {"staff": staff_id})

    def remove(self, actor: Actor, staff_id: str) -> None:
        actor.require("staff.manage")
        accounts = self._load()
        account = self._get(accounts, staff_id)
        if account.role == "technician" and sum(a.role == "technician" for a in accounts.values()) == 1:
            raise StaffError("the last technician cannot be removed", "last-technician")
        del accounts[staff_id]
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.remove", {"staff": staff_id})

    # --- staff badges (staff.manage) ------------------------------------------------
    def enrol_card(self, actor: Actor, staff_id: str, public_key: bytes) -> str:
        """Bind the badge with this public key (65-byte uncompressed P-256 point, read from
        the badge, which proved it holds the private key) to ``staff_id``, replacing any
        badge it had. A badge belongs to one account. Returns the key's fingerprint."""
        actor.require("staff.manage")
        try:
            if not isinstance(public_key, (bytes, bytearray)):
                raise CardError("not bytes")
            public_key = bytes(public_key)
            load_public_key(public_key)
        except CardError:
            raise StaffError("not a badge's public key (an uncompressed P-256 point)") from None
        accounts = self._load()
        account = self._get(accounts, staff_id)
        fp = fingerprint(public_key)
        other = next((a.id for a in accounts.values() if a.card == fp and a.id != staff_id), None)
        if other is not None:
            raise StaffError(f"this badge is enrolled for staff number {other}; remove it there first",
                             "badge-elsewhere")
        replaced = bool(account.card) and account.card != fp
        account.card = fp
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.card_enrol",
                          {"staff": staff_id, "badge": short_fingerprint(fp), "replaced": replaced})
        return fp

    def remove_card(self, actor: Actor, staff_id: str) -> None:
        actor.require("staff.manage")
        accounts = self._load()
        account = self._get(accounts, staff_id)
        if not account.card:
            raise StaffError(f"staff number {staff_id} has no badge", "no-badge")
        old, account.card = account.card, ""
        self._save(accounts)
        self.audit.append(actor.id, actor.role, "staff.card_remove",
                          {"staff": staff_id, "badge": short_fingerprint(old)})

    def identify_card(self, proof: StaffCardProof, challenges: ChallengeBook | None = None) -> str:
        """The staff number a badge's proof signs in, before its PIN. The signature must
        verify over a challenge this kiosk issued (``challenges``, the process's book by
        default) and not redeemed yet, and the key must be the one enrolled for the staff
        number the badge holds. Raises a ``BadgeRefused``: ``BadBadgeSignature``,
        ``ReplayedBadge``, ``UnknownBadge`` or ``BadgeOfAnotherAccount``. Lockouts are
        not checked here: the PIN that follows is (``authenticate``)."""
        claimed = getattr(proof, "staff_number", "")
        claimed = claimed if isinstance(claimed, str) and _ID.fullmatch(claimed) else "?"
        try:
            self._identify(proof, challenges if challenges is not None else CHALLENGES)
        except BadgeRefused as e:
            self.audit.append(claimed, "unknown", "staff.card_refused", {"reason": e.reason})
            raise
        account = self._load()[proof.staff_number]
        self.audit.append(account.id, account.role, "staff.card_presented", {})
        return account.id

    def _identify(self, proof: StaffCardProof, challenges: ChallengeBook) -> None:
        try:
            verify_proof(proof)
        except CardError as e:
            raise BadBadgeSignature(type(e).__name__) from None
        except (AttributeError, TypeError):
            raise BadBadgeSignature("not a badge proof") from None
        if not challenges.redeem(proof.challenge):
            raise ReplayedBadge()
        accounts = self._load()
        fp = fingerprint(proof.public_key)
        owner = next((a for a in accounts.values() if a.card == fp), None)
        if owner is None:
            raise UnknownBadge()
        if owner.id != proof.staff_number:
            raise BadgeOfAnotherAccount()

    @staticmethod
    def _get(accounts: dict[str, Account], staff_id: str) -> Account:
        if staff_id not in accounts:
            raise StaffError(f"no staff number {staff_id}", "unknown-number")
        return accounts[staff_id]

    # --- signing in --------------------------------------------------------------------
    def authenticate(self, staff_id: str, pin: str, purpose: str = "sign_in") -> Actor:
        """The actor for a staff number and PIN, or ``WrongPin`` / ``LockedOut``. An
        unknown number costs the same time as a wrong PIN and says the same thing.
        ``purpose`` names the audit records (``staff.sign_in``, or ``staff.pin_check`` when
        a signed-in member confirms their PIN); the lockout counts either way."""
        global _DUMMY
        accounts = self._load()
        now = self.clock()
        account = accounts.get(staff_id)
        if account is None:
            _DUMMY = _DUMMY or hash_pin("582917")
            pin_matches(pin, _DUMMY)
            self.audit.append(staff_id if _ID.fullmatch(staff_id) else "?", "unknown", f"staff.{purpose}_failed", {})
            raise WrongPin(FREE_TRIES)
        if account.locked_until > now:
            self.audit.append(account.id, account.role, f"staff.{purpose}_locked", {})
            raise LockedOut(account.locked_until - now)
        if pin_matches(pin, account.pin):
            if account.failures:
                account.failures, account.locked_until = 0, 0.0
                self._save(accounts)
            self.audit.append(account.id, account.role, f"staff.{purpose}", {})
            return Actor(account.id, account.role, account.name)
        account.failures += 1
        over = account.failures - FREE_TRIES
        if over >= 0:
            account.locked_until = now + min(MAX_LOCK, FIRST_LOCK * 2 ** over)
        self._save(accounts)
        self.audit.append(account.id, account.role, f"staff.{purpose}_failed",
                          {"failures": account.failures})
        if over >= 0:
            raise LockedOut(account.locked_until - now)
        raise WrongPin(FREE_TRIES - account.failures)
