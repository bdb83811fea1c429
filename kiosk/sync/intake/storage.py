"""Where the intake keeps kiosks, submissions and nonces, behind a small interface.

``SqliteStorage`` is the reference (one file, WAL, ``synchronous=FULL``); a national
back office would implement :class:`Storage` over PostgreSQL with the same constraints:
the submission id unique, the nonce unique per kiosk, counters updated in the same
transaction as the row they count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

from ..protocol import Item

SCHEMA_VERSION = 1
STORED, DUPLICATE, CONFLICT = "stored", "duplicate", "conflict"


class Storage(Protocol):
    def register_kiosk(self, kiosk_id: str, public_key: str) -> None: ...
    def kiosk_key(self, kiosk_id: str) -> str | None: ...
    def kiosks(self) -> list[dict]: ...
    def remember_nonce(self, kiosk_id: str, nonce: str, timestamp: int, now: float) -> bool: ...
    def store(self, kiosk_id: str, batch_id: str, item: Item) -> str: ...
    def store_many(self, kiosk_id: str, batch_id: str, items: list[Item]) -> list[str]: ...
    def count_rejected(self, kiosk_id: str, n: int) -> None: ...
    def get(self, item_id: str) -> dict | None: ...
    def stats(self) -> dict: ...
    def close(self) -> None: ...


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class SqliteStorage:
    """Thread-safe (one connection, one lock): uvicorn's handlers may share it."""

    def __init__(self, path: Path, create: bool = False):
        if not create and not path.exists():
            raise FileNotFoundError(f"{path}: no intake database; run `kiosk intake init --db {path}`")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                  timeout=10)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _tx(self, statements):
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                out = statements(self.db)
                self.db.execute("COMMIT")
                return out
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{self.path}: schema {version} is newer than this intake")
        if version == SCHEMA_VERSION:
            return

        def create(db):
            db.execute("""CREATE TABLE kiosks (id TEXT PRIMARY KEY, public_key TEXT NOT NULL,
                          enrolled_at TEXT NOT NULL, received INTEGER NOT NULL DEFAULT 0,
                          duplicates INTEGER NOT NULL DEFAULT 0,
                          rejected INTEGER NOT NULL DEFAULT 0)""")
            db.execute("""CREATE TABLE submissions (id TEXT PRIMARY KEY,
                          kiosk_id TEXT NOT NULL REFERENCES kiosks(id), batch_id TEXT NOT NULL,
                          tracking TEXT NOT NULL, procedure_id TEXT NOT NULL,
                          procedure_version INTEGER NOT NULL, created_at TEXT NOT NULL,
                          received_at TEXT NOT NULL, payload BLOB NOT NULL,
                          payload_sha256 TEXT NOT NULL, receipt TEXT NOT NULL)""")
            db.execute("CREATE INDEX submissions_kiosk ON submissions(kiosk_id)")
            db.execute("""CREATE TABLE nonces (kiosk_id TEXT NOT NULL, nonce TEXT NOT NULL,
                          timestamp INTEGER NOT NULL, PRIMARY KEY (kiosk_id, nonce))""")
            db.execute("CREATE INDEX nonces_time ON nonces(timestamp)")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._tx(create)

    # --- kiosks ---
    def register_kiosk(self, kiosk_id: str, public_key: str) -> None:
        """Enrol a kiosk, or replace its key (a re-keyed kiosk); counters are kept."""
        self._tx(lambda db: db.execute(
            "INSERT INTO kiosks (id, public_key, enrolled_at) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET public_key = excluded.public_key, "
            "enrolled_at = excluded.enrolled_at", (kiosk_id, public_key, _now())))

    def kiosk_key(self, kiosk_id: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT public_key FROM kiosks WHERE id = ?", (kiosk_id,)).fetchone()
        return row[0] if row else None

    def kiosks(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self.db.execute("SELECT id, public_key, enrolled_at FROM kiosks ORDER BY id")]

    # --- replay protection ---
    def remember_nonce(self, kiosk_id: str, nonce: str, timestamp: int, now: float,
                       keep: int = 600) -> bool:
        """True the first time ``(kiosk, nonce)`` is seen; nonces older than ``keep``
        seconds (twice the window) are forgotten, their timestamps are refused anyway."""
        def go(db):
            db.execute("DELETE FROM nonces WHERE timestamp < ?", (int(now) - keep,))
            cur = db.execute("INSERT OR IGNORE INTO nonces VALUES (?, ?, ?)",
                             (kiosk_id, nonce, timestamp))
            return cur.rowcount == 1
        return self._tx(go)

    # --- submissions ---
    def store(self, kiosk_id: str, batch_id: str, item: Item) -> str:
        """``stored`` once; ``duplicate`` when the id was seen with the same payload;
        ``conflict`` when the id was seen with a different one (nothing is replaced)."""
        return self.store_many(kiosk_id, batch_id, [item])[0]

    def store_many(self, kiosk_id: str, batch_id: str, items: list[Item]) -> list[str]:
        """A whole batch in one transaction (one fsync): its answers are sent only
        after it is durable, so an acknowledged item is always stored."""
        import json

        now = _now()

        def go(db):
            out = []
            for item in items:
                digest = hashlib.sha256(item.payload).hexdigest()
                cur = db.execute(
                    "INSERT OR IGNORE INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (item.id, kiosk_id, batch_id, item.tracking, item.procedure_id,
                     item.procedure_version, item.created_at, now, item.payload, digest,
                     json.dumps(item.receipt, ensure_ascii=False)))
                if cur.rowcount == 1:
                    out.append(STORED)
                    continue
                row = db.execute("SELECT payload_sha256, kiosk_id FROM submissions WHERE id = ?",
                                 (item.id,)).fetchone()
                out.append(DUPLICATE if (row[0], row[1]) == (digest, kiosk_id) else CONFLICT)
            dup = sum(1 for o in out if o != STORED)
            db.execute("UPDATE kiosks SET received = received + ?, duplicates = duplicates + ? "
                       "WHERE id = ?", (len(items), dup, kiosk_id))
            return out
        return self._tx(go)

    def count_rejected(self, kiosk_id: str, n: int) -> None:
        if n:
            self._tx(lambda db: db.execute(
                "UPDATE kiosks SET received = received + ?, rejected = rejected + ? WHERE id = ?",
                (n, n, kiosk_id)))

    def get(self, item_id: str) -> dict | None:
        with self._lock:
            row = self.db.execute("SELECT * FROM submissions WHERE id = ? OR tracking = ?",
                                  (item_id, item_id)).fetchone()
        return dict(row) if row else None

    def stats(self) -> dict:
        """``received`` items (every one, duplicates and rejected included), ``unique``
        stored, ``duplicates`` refused, ``rejected``; per kiosk and in total."""
        with self._lock:
            rows = self.db.execute(
                "SELECT k.id, k.received, k.duplicates, k.rejected, "
                "(SELECT COUNT(*) FROM submissions s WHERE s.kiosk_id = k.id) AS uniq "
                "FROM kiosks k ORDER BY k.id").fetchall()
        per = {r["id"]: {"received": r["received"], "unique": r["uniq"],
                         "duplicates": r["duplicates"], "rejected": r["rejected"]} for r in rows}
        total = {k: sum(v[k] for v in per.values()) for k in ("received", "unique", "duplicates", "rejected")}
        return {**total, "kiosks": per}
