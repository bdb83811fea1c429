"""Writing files so they survive a power cut: data synced before a name points at it,
and the folder synced after the rename. No Qt."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(path: Path, tolerant: bool = False) -> None:
    """Sync a folder's entries (a rename in it). ``tolerant``: a file system that refuses
    (some USB sticks) is not an error, the files themselves having been synced."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if not tolerant:
            raise


def write_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically and durably (never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
