"""The outbox: every submission the citizen is told is saved, durable before that is said.

One SQLite file (sqlite-utils over a connection we own), WAL journal with
``synchronous=FULL``: a commit that returned survives a crash or a power cut. The
payload is sealed before it reaches the database; rows carry only non-personal
metadata in clear (tracking number, procedure, times, states).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from . import tracking
from .sealing import seal

SCHEMA_VERSION = 3
STATES = ("queued", "sending", "acknowledged", "rejected")


#: what the agent's lists show: never the payload
_LIST_COLUMNS = ("id, tracking, procedure_id, procedure_version, language, created_at, state, "
                 "attempts, last_error, assisted_by, printed_at, print_error")


class OutboxError(RuntimeError):
    """The submission could not be stored; nothing was half-written."""


class OutboxDamaged(OutboxError):
    """The database file fails SQLite's check: the kiosk must not add to it.
    ``kiosk queue recover`` keeps the damaged file and moves what is readable to a new one."""


@dataclass(frozen=True)
class Saved:
    id: str
    tracking: str
    created_at: dt.datetime


class Outbox:
    def __init__(self, path: Path, kiosk_code: str, backoffice_key: X25519PublicKey):
        self.path = path
        self.kiosk_code = kiosk_code
        self.backoffice_key = backoffice_key
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                               timeout=10)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            # At start-up: a damaged file is never written to (quick_check reads every
            # page but skips the index cross-checks: milliseconds for a day's queue).
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            conn.close()
            raise OutboxDamaged(f"{path}: {e}; run `kiosk queue recover`") from e
        if check != "ok":
            conn.close()
            raise OutboxDamaged(f"{path}: {check}; run `kiosk queue recover`")
        self.db = sqlite_utils.Database(conn)
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise OutboxError(f"{self.path}: schema version {version} is newer than this "
                              f"kiosk ({SCHEMA_VERSION}); update the kiosk software")
        if version < 1:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db["submissions"].create({
                    "id": str, "tracking": str, "procedure_id": str, "procedure_version": int,
                    "language": str, "created_at": str, "day": str, "sequence": int,
                    "state": str, "attempts": int, "next_attempt_at": str, "last_error": str,
                    "payload": bytes, "receipt": str,
                }, pk="id", not_null={"tracking", "procedure_id", "procedure_version",
                                      "created_at", "day", "sequence", "state", "payload"},
                    defaults={"state": "queued", "attempts": 0})
                self.db["submissions"].create_index(["tracking"], unique=True)
                self.db["submissions"].create_index(["day", "sequence"], unique=True)
                self.db["submissions"].create_index(["state", "next_attempt_at"])
                self.db.execute("PRAGMA user_version=1")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            version = 1
        if version < 2:
            # v2: when the intake acknowledged a submission (the retention period runs from it).
            with _Transaction(self.db):
                self.db.execute("ALTER TABLE submissions ADD COLUMN acknowledged_at TEXT")
                self.db.execute("PRAGMA user_version=2")
        if version < 3:
            # v3: which agent assisted (staff number), and the receipt's printing: when it
            # printed, or why it did not (a print failure code), for the agent's reprint list.
            with _Transaction(self.db):
                for column in ("assisted_by", "printed_at", "print_error"):
                    self.db.execute(f"ALTER TABLE submissions ADD COLUMN {column} TEXT")
                self.db.execute("PRAGMA user_version=3")

    def submit(self, procedure_id: str, procedure_version: int, language: str,
               payload: dict, receipt: dict, now: dt.datetime | None = None,
               assisted_by: str | None = None) -> Saved:
        """Seal and commit one submission; return only once it is durable."""
        now = now or dt.datetime.now().astimezone()
        sid = str(uuid.uuid4())
        sealed = seal(payload, sid, self.backoffice_key)
        day = now.date()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                row = self.db.execute(
                    "SELECT COALESCE(MAX(sequence), 0) FROM submissions WHERE day = ?",
                    [day.isoformat()]).fetchone()
                sequence = row[0] + 1
                number = tracking.make(self.kiosk_code, day, sequence)
                self.db["submissions"].insert({
                    "id": sid, "tracking": number, "procedure_id": procedure_id,
                    "procedure_version": procedure_version, "language": language,
                    "created_at": now.isoformat(), "day": day.isoformat(),
                    "sequence": sequence, "state": "queued", "attempts": 0,
                    "payload": sealed, "assisted_by": assisted_by,
                    "receipt": json.dumps({**receipt, "tracking": number}, ensure_ascii=False),
                })
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
        except sqlite3.Error as e:
            raise OutboxError(f"could not save the submission: {e}") from e
        return Saved(sid, number, now)

    def get(self, submission_id: str) -> dict:
        return self.db["submissions"].get(submission_id)

    def get_or_none(self, submission_id: str) -> dict | None:
        rows = list(self.db["submissions"].rows_where("id = ?", [submission_id]))
        return rows[0] if rows else None

    def by_tracking(self, number: str) -> dict | None:
        rows = list(self.db["submissions"].rows_where("tracking = ?", [number]))
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in STATES}
        for state, n in self.db.execute(
                "SELECT state, COUNT(*) FROM submissions GROUP BY state").fetchall():
            counts[state] = n
        return counts

    def list(self, state: str | None = None, limit: int = 100) -> list[dict]:
        """Non-personal view of recent submissions (no payload)."""
        where, args = ("state = ?", [state]) if state else (None, [])
        return list(self.db["submissions"].rows_where(where, args, select=_LIST_COLUMNS,
                                                      order_by="created_at desc", limit=limit))

    def today(self, day: dt.date | None = None) -> list[dict]:
        """The day's submissions, newest first (the agent's list and reprints)."""
        day = day or dt.date.today()
        return list(self.db["submissions"].rows_where("day = ?", [day.isoformat()],
                                                      select=_LIST_COLUMNS, order_by="sequence desc"))

    def mark_printed(self, tracking: str, now: dt.datetime | None = None) -> None:
        with self._tx():
            self.db.execute("UPDATE submissions SET printed_at = ?, print_error = NULL "
                            "WHERE tracking = ?", [self._now(now), tracking])

    def mark_print_failed(self, tracking: str, code: str) -> None:
        with self._tx():
            self.db.execute("UPDATE submissions SET print_error = ? WHERE tracking = ?",
                            [code, tracking])

    def unprinted(self, day: dt.date | None = None) -> list[dict]:
        """The day's receipts that did not print: the agent's reprint list."""
        return [r for r in self.today(day) if r["printed_at"] is None]

    def oldest_pending_age(self, now: dt.datetime | None = None) -> float | None:
        """Seconds since the oldest submission not yet acknowledged was made, or None."""
        row = self.db.execute("SELECT MIN(created_at) FROM submissions WHERE state IN "
                              "('queued', 'sending')").fetchone()
        if not row or row[0] is None:
            return None
        now = now or dt.datetime.now().astimezone()
        return max(0.0, (now - dt.datetime.fromisoformat(row[0])).total_seconds())

    # --- what the sync worker does with the queue ------------------------------------
    def _now(self, now: dt.datetime | None) -> str:
        return (now or dt.datetime.now().astimezone()).isoformat()

    def _tx(self):
        return _Transaction(self.db)

    def reset_sending(self) -> int:
        """At start-up: a batch that was being sent when the kiosk stopped is queued
        again (the intake acknowledges a resent submission, it never stores it twice)."""
        with self._tx():
            return self.db.execute("UPDATE submissions SET state = 'queued' "
                                   "WHERE state = 'sending'").rowcount

    def make_due(self) -> int:
        """A person asked to send now (``kiosk sync run``, the agent's button): the
        back-off waits of queued submissions are dropped."""
        with self._tx():
            return self.db.execute("UPDATE submissions SET next_attempt_at = NULL "
                                   "WHERE state = 'queued' AND next_attempt_at IS NOT NULL").rowcount

    def claim(self, limit: int, now: dt.datetime | None = None) -> list[dict]:
        """The next submissions due (oldest first), marked sending, with their sealed
        payloads: what one request carries."""
        when = self._now(now)
        with self._tx():
            rows = self._claim_rows(when, limit)
            if rows:
                marks = ",".join("?" * len(rows))
                self.db.execute(f"UPDATE submissions SET state = 'sending', attempts = attempts + 1 "
                                f"WHERE id IN ({marks})", [r["id"] for r in rows])
        return rows

    def _claim_rows(self, when: str, limit: int) -> list[dict]:
        cur = self.db.execute(
            "SELECT id, tracking, procedure_id, procedure_version, created_at, payload, receipt "
            "FROM submissions WHERE state = 'queued' AND (next_attempt_at IS NULL OR "
            "next_attempt_at <= ?) ORDER BY created_at, sequence LIMIT ?", [when, int(limit)])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def acknowledge(self, ids: list[str], now: dt.datetime | None = None) -> int:
        """The intake stored them (or had them already): done, for good."""
        if not ids:
            return 0
        with self._tx():
            return self.db.execute(
                f"UPDATE submissions SET state = 'acknowledged', acknowledged_at = ?, last_error = NULL "
                f"WHERE id IN ({','.join('?' * len(ids))}) AND state != 'acknowledged'",
                [self._now(now), *ids]).rowcount

    def reject(self, submission_id: str, reason: str) -> None:
        """Refused for good by the intake: kept for the agent, never sent again."""
        with self._tx():
            self.db.execute("UPDATE submissions SET state = 'rejected', last_error = ? WHERE id = ?",
                            [reason[:500], submission_id])

    def retry_later(self, ids: list[str], error: str, at: dt.datetime) -> None:
        """Not sent this time (network, server busy): queued again, due at ``at``."""
        if not ids:
            return
        with self._tx():
            self.db.execute(
                f"UPDATE submissions SET state = 'queued', last_error = ?, next_attempt_at = ? "
                f"WHERE id IN ({','.join('?' * len(ids))}) AND state = 'sending'",
                [error[:500], at.isoformat(), *ids])

    def purge_acknowledged(self, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
        """Drop the sealed payloads of submissions acknowledged long enough ago; the row
        (tracking number, procedure, times, state) stays for the agent's history."""
        limit = ((now or dt.datetime.now().astimezone()) - older_than).isoformat()
        with self._tx():
            return self.db.execute(
                "UPDATE submissions SET payload = X'' WHERE state = 'acknowledged' "
                "AND acknowledged_at <= ? AND length(payload) > 0", [limit]).rowcount

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error; SQLite errors become
    ``OutboxError`` with the reason."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise OutboxError(f"the queue is not available: {e}") from e
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return False
            except sqlite3.Error as e:
                self.db.execute("ROLLBACK")
                raise OutboxError(f"the queue could not be updated: {e}") from e
        if self.db.conn.in_transaction:
            self.db.execute("ROLLBACK")
        if isinstance(value, sqlite3.Error):
            raise OutboxError(f"the queue could not be updated: {value}") from value
        return False


def recover(path: Path) -> tuple[Path, int, int]:
    """Set a damaged outbox aside and copy every readable submission into a new one.

    Returns (where the damaged file was kept, rows copied, rows lost). Nothing is
    deleted: the damaged file (and its WAL) stay next to the new database for the back
    office's technicians.
    """
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            src.rename(Path(str(kept) + suffix))
    copied = lost = 0
    new = sqlite3.connect(str(path), isolation_level=None)
    try:
        new.execute("PRAGMA journal_mode=WAL")
        new.execute("PRAGMA synchronous=FULL")
        old = sqlite3.connect(f"file:{kept}?mode=ro", uri=True)
        try:
            schema = old.execute("SELECT sql FROM sqlite_master WHERE name = 'submissions'").fetchone()
            version = old.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError:
            schema, version = None, 0
        if schema is None:
            old.close()
            return kept, 0, 0
        new.execute(schema[0])
        for sql, in old.execute("SELECT sql FROM sqlite_master WHERE type = 'index' "
                                "AND tbl_name = 'submissions' AND sql IS NOT NULL").fetchall():
            new.execute(sql)
        new.execute(f"PRAGMA user_version={int(version)}")
        try:
            high = old.execute("SELECT MAX(rowid) FROM submissions").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            high = 0
        new.execute("BEGIN")
        for rowid in range(1, high + 1):
            try:
                row = old.execute("SELECT * FROM submissions WHERE rowid = ?", [rowid]).fetchone()
            except sqlite3.DatabaseError:
                lost += 1
                continue
            if row is None:
                continue
            try:
                new.execute(f"INSERT INTO submissions VALUES ({','.join('?' * len(row))})", row)
                copied += 1
            except sqlite3.DatabaseError:
                lost += 1
        new.execute("COMMIT")
        old.close()
    finally:
        new.close()
    return kept, copied, lost
