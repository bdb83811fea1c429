"""The journal of the session in progress: enough to clean up after a crash, nothing readable.

While a citizen fills a procedure, the wizard's snapshot is written here at each step,
sealed with AES-256-GCM under a key that exists only in this process's memory. After a
crash or a power cut the key is gone: the next start finds the draft, cannot (and does
not try to) read the answers, logs which procedure and step were interrupted (from the
clear header, which holds no personal data), and destroys the file. The answers are
never on disk in clear, and never outlive the process that collected them.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

MAGIC = b"GUICHET-DRAFT-1\n"


@dataclass(frozen=True)
class Interrupted:
    """What a leftover draft says in clear: no answers, no identity."""

    procedure: str
    version: int
    step: int
    saved_at: str


class DraftJournal:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._key = AESGCM.generate_key(bit_length=256)  # memory only, never written
        self._token = secrets.token_hex(8)

    @property
    def path(self) -> Path:
        return self.directory / f"draft-{os.getpid()}-{self._token}.bin"

    def save(self, snapshot: dict, saved_at: str) -> None:
        """Replace the draft with this snapshot (atomically, flushed to disk)."""
        header = {"procedure": snapshot.get("procedure"), "version": snapshot.get("version"),
                  "step": snapshot.get("index"), "saved_at": saved_at}
        head = json.dumps(header, separators=(",", ":")).encode()
        nonce = os.urandom(12)
        body = AESGCM(self._key).encrypt(nonce, json.dumps(snapshot).encode(), head)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + len(head).to_bytes(2, "big") + head + nonce + body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def load(self) -> dict | None:
        """This process's own draft (after a UI restart within the same process)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        head, nonce, body = _split(data)
        return json.loads(AESGCM(self._key).decrypt(nonce, body, head))

    def discard(self) -> None:
        _destroy(self.path)

    def clean_up_interrupted(self) -> list[Interrupted]:
        """At start: destroy the drafts other (crashed) processes left, saying what they were."""
        found = []
        for path in sorted(self.directory.glob("draft-*")):
            if path == self.path:
                continue
            info = None
            try:
                head, _, _ = _split(path.read_bytes())
                h = json.loads(head)
                info = Interrupted(str(h["procedure"]), int(h["version"]), int(h["step"]),
                                   str(h["saved_at"]))
            except (OSError, ValueError, KeyError, TypeError):
                pass
            _destroy(path)
            if info is not None:
                log.warning("an interrupted session was cleaned up: procedure %s v%d, step %d, "
                            "last saved %s", info.procedure, info.version, info.step, info.saved_at)
                found.append(info)
            else:
                log.warning("an unreadable draft was removed: %s", path.name)
        return found


def _split(data: bytes) -> tuple[bytes, bytes, bytes]:
    if not data.startswith(MAGIC):
        raise ValueError("not a draft")
    rest = data[len(MAGIC):]
    n = int.from_bytes(rest[:2], "big")
    head = rest[2:2 + n]
    return head, rest[2 + n:14 + n], rest[14 + n:]


def _destroy(path: Path) -> None:
    """Overwrite then remove (the ciphertext is useless without the key; this is belt
    and braces on file systems that keep blocks in place)."""
    try:
        size = path.stat().st_size
        with open(path, "r+b") as f:
            f.write(b"\0" * size)
            f.flush()
            os.fsync(f.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
