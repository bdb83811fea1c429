"""Where the kiosk keeps its configuration, data, spool and logs.

``KIOSK_HOME`` puts all four under one folder, so tests, benchmarks and technicians
can run isolated kiosks side by side; without it the platform's directories are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "guichet"
#: The repository (or installed tree) root: assets/ and locales/ live here.
ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
LOCALES = ROOT / "locales"


@dataclass(frozen=True)
class KioskPaths:
    config: Path
    data: Path
    spool: Path
    logs: Path

    @property
    def config_file(self) -> Path:
        return self.config / "kiosk.toml"

    @property
    def database(self) -> Path:
        return self.data / "outbox.sqlite"

    @property
    def staff_file(self) -> Path:
        """Agents' and technicians' accounts (Argon2id PIN hashes, lockout counters)."""
        return self.config / "staff.json"

    @property
    def audit_log(self) -> Path:
        """The hash-chained log of privileged actions (``kiosk/audit.py``)."""
        return self.data / "audit.jsonl"

    @property
    def receipts(self) -> Path:
        return self.spool / "receipts"

    def ensure(self) -> "KioskPaths":
        for p in (self.config, self.data, self.spool, self.receipts, self.logs):
            p.mkdir(parents=True, exist_ok=True)
            # Queue and spool hold citizens' submissions: owner only.
            os.chmod(p, 0o700)
        return self

    @classmethod
    def from_env(cls, environ: "os._Environ[str] | dict[str, str] | None" = None) -> "KioskPaths":
        env = os.environ if environ is None else environ
        home = env.get("KIOSK_HOME")
        if home:
            base = Path(home).expanduser().resolve()
            return cls(base / "config", base / "data", base / "spool", base / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP)),
            Path(platformdirs.user_data_dir(APP)),
            Path(platformdirs.user_cache_dir(APP)) / "spool",
            Path(platformdirs.user_log_dir(APP)),
        )
