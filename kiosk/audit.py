"""The audit log: every privileged action and configuration change, append-only and
hash-chained, so an edit, an insertion or a deletion is detected (``kiosk audit verify``).

One JSON object per line::

    {"seq": 7, "at": "2026-11-22T10:31:05+01:00", "actor": "T01", "role": "technician",
     "action": "config.set", "details": {"key": "sync.endpoint", ...},
     "prev": "<hash of record 6>", "hash": "<sha256 of this record without 'hash'>"}

The first record's ``prev`` is 64 zeros. A second file, ``audit.jsonl.head``, holds the
last sequence number and hash (written after each append), so cutting records off the end
is detected too. Details never hold a citizen's data: only staff ids, setting names and
values, tracking numbers, file names. Appends are fsynced: an action that returned is
recorded even after a power cut.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

GENESIS = "0" * 64


def _digest(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class Report:
    ok: bool = True
    records: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)

    def to_json(self) -> dict:
        return {"ok": self.ok, "records": self.records, "problems": self.problems}


class AuditLog:
    def __init__(self, path: Path):
        self.path = path
        self.head_path = path.with_name(path.name + ".head")
        self._lock = threading.Lock()

    def _last(self) -> tuple[int, str]:
        """(seq, hash) of the last record: from the head file, checked against the log's
        last line (a crash between the two writes leaves the log one ahead; that is fine)."""
        last = (0, GENESIS)
        if self.path.exists():
            with self.path.open("rb") as f:
                try:
                    f.seek(-4096, os.SEEK_END)
                except OSError:
                    f.seek(0)
                lines = [ln for ln in f.read().splitlines() if ln.strip()]
            if lines:
                try:
                    rec = json.loads(lines[-1])
                    last = (int(rec["seq"]), str(rec["hash"]))
                except (ValueError, KeyError, TypeError):
                    raise AuditError(f"{self.path}: the last record is damaged; "
                                     "run `kiosk audit verify`") from None
        return last

    def append(self, actor: str, role: str, action: str, details: dict | None = None,
               now: dt.datetime | None = None) -> dict:
        with self._lock:
            seq, prev = self._last()
            record = {"seq": seq + 1,
                      "at": (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
                      "actor": actor, "role": role, "action": action,
                      "details": details or {}, "prev": prev}
            record["hash"] = _digest(record)
            line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            tmp = self.head_path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"seq": record["seq"], "hash": record["hash"]}))
            os.replace(tmp, self.head_path)
            return record

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"damaged": line[:80]})
        return out

    def verify(self) -> Report:
        report = Report()
        prev, expected_seq = GENESIS, 1
        if self.path.exists():
            raw = self.path.read_bytes().split(b"\n")
            if raw and raw[-1] == b"":
                raw.pop()
            for n, line in enumerate(raw, 1):
                try:
                    rec = json.loads(line)
                    seq, stored = rec["seq"], rec["hash"]
                except (ValueError, KeyError, TypeError):
                    report.problem(f"line {n}: not a record (damaged or edited)")
                    continue
                if seq != expected_seq:
                    report.problem(f"line {n}: record {seq} where {expected_seq} was expected "
                                   "(a record was deleted or inserted)")
                if rec.get("prev") != prev:
                    report.problem(f"line {n}: record {seq} does not follow the previous one "
                                   "(a record before it was changed, deleted or inserted)")
                if _digest(rec) != stored:
                    report.problem(f"line {n}: record {seq} was changed after it was written")
                prev, expected_seq = stored, seq + 1
                report.records += 1
        if self.head_path.exists():
            try:
                head = json.loads(self.head_path.read_text())
                hseq, hhash = int(head["seq"]), str(head["hash"])
            except (ValueError, KeyError, TypeError):
                report.problem(f"{self.head_path.name}: damaged")
            else:
                if hseq > expected_seq - 1:
                    report.problem(f"the log ends at record {expected_seq - 1} but record {hseq} "
                                   "was written: records were cut off the end")
                elif hseq == expected_seq - 1 and hhash != prev:
                    report.problem(f"record {hseq} is not the one that was written last")
        elif report.records:
            report.problem(f"{self.head_path.name} is missing")
        return report


class AuditError(RuntimeError):
    pass
