"""Signed catalog packages: pack, verify, install, roll back.

A package is a zip holding ``manifest.json`` (edition, time, publisher key id, and the
SHA-256 and size of every catalog file), ``manifest.sig`` (the 64-byte Ed25519
signature of the exact manifest bytes) and the catalog files under ``catalog/``.
The kiosk keeps installed editions in ``<data>/catalogs/<edition>/`` and names the
active one in ``<data>/catalogs/active``. See docs/catalog-packages.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import stat
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..paths import ASSETS, KioskPaths
from ..durable import fsync_dir
from .loader import DEFAULT_CATALOG, CatalogError, load_catalog
from .model import Catalog

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST, SIGNATURE, PREFIX = "manifest.json", "manifest.sig", "catalog/"
MAX_PACKAGE_BYTES = 20 * 2**20  # the package file
MAX_TOTAL_BYTES = 20 * 2**20  # every member, uncompressed
MAX_FILES = 500  # catalog files
MAX_MANIFEST_BYTES = 2**20
DEMO_PUBLIC_KEY = ASSETS / "demo" / "catalog-publisher-DEMO-ONLY-public.pem"
DEMO_PRIVATE_KEY = ASSETS / "demo" / "catalog-publisher-DEMO-ONLY-private.pem"

_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_MAX_DEPTH = 4
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# What zipfile, zlib and struct raise on a damaged or hostile archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError,
               OSError, ValueError, NotImplementedError, RuntimeError, OverflowError,
               KeyError, IndexError)


class PackageError(Exception):
    """A refused package or store operation; ``code`` says which rule, the message what to do."""

    def __init__(self, code: str, message: str, problems: Iterable[str] = ()):
        self.code = code
        self.message = message
        self.problems = list(problems)
        super().__init__(message + "".join(f"\n  {p}" for p in self.problems))


# --- keys ---------------------------------------------------------------------------
def key_id(key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: Path | str) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as e:
        raise PackageError("bad-key", f"{path}: cannot be read as a PEM public key ({e})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise PackageError("bad-key", f"{path}: not an Ed25519 public key")
    return key


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as e:
        raise PackageError("bad-key", f"{path}: cannot be read as an unencrypted PEM private key "
                           f"({e})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PackageError("bad-key", f"{path}: not an Ed25519 private key")
    return key


def is_demo_key(key: Ed25519PublicKey) -> bool:
    return key_id(key) == key_id(load_public_key(DEMO_PUBLIC_KEY))


def load_trusted_keys(settings: Any) -> list[Ed25519PublicKey]:
    """The publisher keys of ``catalog.trusted_keys`` (every ``*.pem`` of the folder), or
    the demo key when it is empty. Production refuses the demo key and an empty setting."""
    production = settings["kiosk.mode"] == "production"
    folder = settings["catalog.trusted_keys"]
    if not folder:
        if production:
            raise PackageError("trusted-keys", "production mode needs catalog.trusted_keys: a "
                               "folder of the catalog publishers' public keys (.pem)")
        return [load_public_key(DEMO_PUBLIC_KEY)]
    path = Path(folder).expanduser()
    if not path.is_dir():
        raise PackageError("trusted-keys", f"catalog.trusted_keys: {path} is not a folder")
    keys = []
    for pem in sorted(path.glob("*.pem")):
        key = load_public_key(pem)
        if production and is_demo_key(key):
            raise PackageError("trusted-keys", f"{pem}: production mode refuses the DEMO catalog "
                               "publisher key; remove it from catalog.trusted_keys")
        keys.append(key)
    if not keys:
        raise PackageError("trusted-keys", f"catalog.trusted_keys: {path} holds no .pem public key")
    return keys


def keygen(prefix: Path | str) -> tuple[Path, Path, str]:
    """Write ``PREFIX-private.pem`` (mode 0600) and ``PREFIX-public.pem``; never overwrite."""
    private = Path(f"{prefix}-private.pem")
    public = Path(f"{prefix}-public.pem")
    for p in (private, public):
        if p.exists():
            raise PackageError("exists", f"{p} already exists; choose another --out prefix")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(pem)
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public, key_id(key.public_key())


# --- manifest -----------------------------------------------------------------------
def _safe_relative(name: str) -> bool:
    """A plain relative path: ASCII names, no '..', no leading '/' or '.', no backslash."""
    parts = name.split("/")
    return 0 < len(parts) <= _MAX_DEPTH and all(_PART.fullmatch(p) for p in parts)


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the catalog folder, '/'-separated
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    edition: int
    created: dt.datetime
    key_id: str
    files: tuple[FileEntry, ...]

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "edition": self.edition,
                "created": self.created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "publisher_key": self.key_id,
                "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files]}
        return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("ascii")

    @classmethod
    def parse(cls, data: bytes) -> "Manifest":
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as e:
            raise PackageError("not-a-package", f"{MANIFEST} is not valid JSON ({e})") from None
        bad = _manifest_problem(raw)
        if bad:
            raise PackageError("not-a-package", f"{MANIFEST}: {bad}")
        if raw["format"] != FORMAT:
            raise PackageError("unsupported-format", f"package format {raw['format']} is not "
                               f"supported by this kiosk (it reads format {FORMAT}); update the kiosk")
        files = tuple(FileEntry(f["path"], f["sha256"], f["size"]) for f in raw["files"])
        created = dt.datetime.fromisoformat(raw["created"].replace("Z", "+00:00"))
        return cls(raw["edition"], created, raw["publisher_key"], files)


def _is_int(v: Any, low: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= low


def _manifest_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return "not a JSON object"
    missing = {"format", "edition", "created", "publisher_key", "files"} - set(raw)
    if missing:
        return "missing " + ", ".join(sorted(missing))
    if not _is_int(raw["format"], 1):
        return "format is not a positive whole number"
    if not _is_int(raw["edition"], 1):
        return "edition is not a positive whole number"
    if not isinstance(raw["created"], str) or not re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", raw["created"]):
        return "created is not a UTC time like 2026-01-31T08:00:00Z"
    try:
        dt.datetime.fromisoformat(raw["created"].replace("Z", "+00:00"))
    except ValueError:
        return "created is not a valid time"
    if not isinstance(raw["publisher_key"], str) or not re.fullmatch(r"[0-9a-f]{16}",
                                                                     raw["publisher_key"]):
        return "publisher_key is not 16 hex digits"
    if not isinstance(raw["files"], list) or not raw["files"]:
        return "files is not a non-empty list"
    seen: set[str] = set()
    for i, f in enumerate(raw["files"]):
        if not (isinstance(f, dict) and set(f) == {"path", "sha256", "size"}
                and isinstance(f["path"], str) and _safe_relative(f["path"])
                and isinstance(f["sha256"], str) and re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
                and _is_int(f["size"], 0)):
            return f"files[{i}] is not {{path, sha256, size}} with a plain relative path"
        if f["path"].casefold() in seen:
            return f"files[{i}]: {f['path']} is listed twice"
        seen.add(f["path"].casefold())
    return None


@dataclass(frozen=True)
class VerifiedPackage:
    manifest: Manifest
    catalog: Catalog

    @property
    def edition(self) -> int:
        return self.manifest.edition

    @property
    def key_id(self) -> str:
        return self.manifest.key_id

    @property
    def created(self) -> dt.datetime:
        return self.manifest.created


# --- pack ---------------------------------------------------------------------------
def _invalid(e: CatalogError, folder: Path, shown: str) -> PackageError:
    problems = [str(p).replace(str(folder), shown) for p in e.problems]
    return PackageError("invalid-catalog", f"the catalog has {len(problems)} problem(s); "
                        "fix them and publish again (kiosk catalog validate shows them too)",
                        problems)


def _catalog_files(directory: Path) -> list[tuple[str, bytes]]:
    """Every regular file of the folder, sorted; hidden files and folders are left out."""
    files = []
    for top, dirs, names in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(top) / name
            rel = path.relative_to(directory).as_posix()
            if path.is_symlink() or not stat.S_ISREG(path.lstat().st_mode):
                raise PackageError("unsafe-path", f"{path}: not a regular file (symbolic links "
                                   "are not packed)")
            if not _safe_relative(rel):
                raise PackageError("unsafe-path", f"{path}: file names may only use A-Z, a-z, "
                                   f"0-9, '.', '_', '-' and at most {_MAX_DEPTH} levels")
            files.append((rel, path.read_bytes()))
    files.sort()
    return files


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


def pack(directory: Path | str, private_key_path: Path | str, out_file: Path | str,
         created: dt.datetime | None = None) -> Manifest:
    """Validate the catalog folder, then write a signed package (same input, same bytes)."""
    directory, out_file = Path(directory), Path(out_file)
    if not directory.is_dir():
        raise PackageError("not-a-catalog", f"{directory} is not a folder")
    try:
        catalog = load_catalog(directory)
    except CatalogError as e:
        raise _invalid(e, directory, str(directory)) from None
    key = load_private_key(private_key_path)
    files = _catalog_files(directory)
    total = sum(len(b) for _, b in files)
    if len(files) > MAX_FILES or total > MAX_TOTAL_BYTES:
        raise PackageError("too-large", f"{len(files)} files, {total} bytes: a package holds at "
                           f"most {MAX_FILES} files and {MAX_TOTAL_BYTES} bytes")
    manifest = Manifest(catalog.version, (created or dt.datetime.now(dt.timezone.utc)).replace(
        microsecond=0), key_id(key.public_key()),
        tuple(FileEntry(rel, hashlib.sha256(b).hexdigest(), len(b)) for rel, b in files))
    manifest_bytes = manifest.to_bytes()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_file.parent, prefix=".pack-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w") as zf:
                zf.writestr(_zip_info(MANIFEST), manifest_bytes)
                zf.writestr(_zip_info(SIGNATURE), key.sign(manifest_bytes))
                for rel, content in files:
                    zf.writestr(_zip_info(PREFIX + rel), content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return manifest


# --- verify -------------------------------------------------------------------------
def _open_archive(package_file: Path) -> zipfile.ZipFile:
    """The archive, its size and member count within limits, every name safe."""
    try:
        size = package_file.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            raise PackageError("too-large", f"{package_file.name} is {size} bytes; a package is "
                               f"at most {MAX_PACKAGE_BYTES} bytes")
        zf = zipfile.ZipFile(io.BytesIO(package_file.read_bytes()))
        infos = zf.infolist()
    except _ZIP_ERRORS as e:
        raise PackageError("not-a-package", f"{package_file.name} is not a readable catalog "
                           f"package (a zip file): {e}") from None
    if len(infos) > MAX_FILES + 2 or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise PackageError("too-large", f"{package_file.name} holds {len(infos)} files, "
                           f"{sum(i.file_size for i in infos)} bytes once unpacked; a package "
                           f"holds at most {MAX_FILES} files and {MAX_TOTAL_BYTES} bytes")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        kind = stat.S_IFMT(info.external_attr >> 16)
        if name.endswith("/") or kind not in (0, stat.S_IFREG):
            raise PackageError("unsafe-path", f"{name!r}: only regular files are allowed (no "
                               "folders entries, symbolic links or devices)")
        if not _safe_relative(name):
            raise PackageError("unsafe-path", f"{name!r}: not a plain relative path (absolute "
                               "paths, '..', backslashes and unusual characters are refused)")
        if name.casefold() in seen:
            raise PackageError("unsafe-path", f"{name!r} appears twice in the package")
        seen.add(name.casefold())
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                               zipfile.ZIP_DEFLATED):
            raise PackageError("not-a-package", f"{name}: encrypted or unusual compression")
    for required in (MANIFEST, SIGNATURE):
        if required not in seen:
            raise PackageError("not-a-package", f"{package_file.name} has no {required}: not a "
                               "catalog package")
    return zf


def _read(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, never more than ``limit``; raises the zip errors."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ValueError(f"{name} is larger than {limit} bytes")
    with zf.open(info) as f:
        data = f.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(f"{name}: size differs from the archive's directory")
    return data


def _check_signature(manifest_bytes: bytes, signature: bytes,
                     trusted_keys: Iterable[Ed25519PublicKey]) -> Manifest:
    keys = {key_id(k): k for k in trusted_keys}
    for kid, key in keys.items():
        try:
            key.verify(signature, manifest_bytes)
        except InvalidSignature:
            continue
        manifest = Manifest.parse(manifest_bytes)
        if manifest.key_id != kid:
            raise PackageError("not-a-package", f"{MANIFEST} names key {manifest.key_id} but was "
                               f"signed by {kid}")
        return manifest
    named = Manifest.parse(manifest_bytes).key_id  # unsigned: only to say what went wrong
    if named not in keys:
        trusted = ", ".join(sorted(keys)) or "none"
        raise PackageError("unknown-key", f"the package is signed by publisher key {named}, which "
                           f"this kiosk does not trust (trusted: {trusted}); add the publisher's "
                           "public key to catalog.trusted_keys if it is genuine")
    raise PackageError("bad-signature", f"the signature of {MANIFEST} does not match publisher "
                       f"key {named}: the package was altered or damaged after signing; do not "
                       "install it, ask the publisher for a new copy")


def _check_files(zf: zipfile.ZipFile, manifest: Manifest) -> dict[str, bytes]:
    listed = {f.path: f for f in manifest.files}
    members = [n for n in zf.namelist() if n not in (MANIFEST, SIGNATURE)]
    extra = [n for n in members if not n.startswith(PREFIX) or n[len(PREFIX):] not in listed]
    if extra:
        raise PackageError("tampered", f"{', '.join(sorted(extra))}: not listed in the signed "
                           "manifest; the package was altered after signing")
    missing = sorted(set(listed) - {n[len(PREFIX):] for n in members})
    if missing:
        raise PackageError("tampered", f"{', '.join(PREFIX + m for m in missing)}: listed in the "
                           "signed manifest but missing from the package")
    contents = {}
    for entry in manifest.files:
        name = PREFIX + entry.path
        try:
            data = _read(zf, name, min(entry.size, MAX_TOTAL_BYTES))
        except _ZIP_ERRORS as e:
            raise PackageError("tampered", f"{name} is damaged and cannot be read ({e})") from None
        if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
            raise PackageError("tampered", f"{name} differs from the signed manifest (SHA-256 or "
                               "size): the package was altered after signing")
        contents[entry.path] = data
    return contents


def _write(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _verify_into(package_file: Path | str, trusted_keys: Iterable[Ed25519PublicKey],
                 dest: Path) -> tuple[VerifiedPackage, bytes, bytes]:
    package_file = Path(package_file)
    zf = _open_archive(package_file)
    with zf:
        try:
            manifest_bytes = _read(zf, MANIFEST, MAX_MANIFEST_BYTES)
            signature = _read(zf, SIGNATURE, 1024)
        except _ZIP_ERRORS as e:
            raise PackageError("not-a-package", f"{MANIFEST} or {SIGNATURE} cannot be read "
                               f"({e})") from None
        manifest = _check_signature(manifest_bytes, signature, trusted_keys)
        contents = _check_files(zf, manifest)
    dest.mkdir(parents=True)
    for rel, data in contents.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        _write(target, data)
    try:
        catalog = load_catalog(dest)
    except CatalogError as e:
        raise _invalid(e, dest, PREFIX.rstrip("/")) from None
    if catalog.version != manifest.edition:
        raise PackageError("invalid-catalog", f"the manifest says edition {manifest.edition} but "
                           f"catalog.yaml says version {catalog.version}")
    return VerifiedPackage(manifest, catalog), manifest_bytes, signature


def verify(package_file: Path | str, trusted_keys: Iterable[Ed25519PublicKey]) -> VerifiedPackage:
    """Check a package completely (archive, paths, signature, hashes, catalog); install nothing."""
    with tempfile.TemporaryDirectory(prefix="guichet-package-") as tmp:
        return _verify_into(package_file, trusted_keys, Path(tmp) / "catalog")[0]


# --- the store of installed editions ------------------------------------------------
POINTER, LOCK = "active", "lock"


@dataclass(frozen=True)
class Edition:
    edition: int
    created: dt.datetime
    installed_at: dt.datetime
    key_id: str
    path: Path  # the catalog folder
    active: bool


def store_dir(paths: KioskPaths) -> Path:
    return paths.data / "catalogs"


def _pointer(root: Path) -> int | None:
    """The edition the pointer names, None when there is no pointer; ValueError if broken."""
    try:
        text = (root / POINTER).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot be read: {e}") from None
    if not re.fullmatch(r"[1-9][0-9]{0,8}", text):
        raise ValueError(f"does not hold an edition number: {text[:40]!r}")
    if not (root / text / "catalog" / "catalog.yaml").is_file():
        raise ValueError(f"edition {text} is not installed")
    return int(text)


@contextlib.contextmanager
def _locked(root: Path):
    """One import or rollback at a time on a kiosk."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PackageError("busy", "another catalog import or rollback is running on this "
                               "kiosk; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def _switch(root: Path, edition: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".active-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(f"{edition}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, root / POINTER)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(root)


def active_catalog_dir(paths: KioskPaths) -> Path:
    """The active installed edition's catalog folder, else the bundled catalog."""
    root = store_dir(paths)
    try:
        edition = _pointer(root)
    except ValueError as e:
        log.warning("catalog pointer %s is broken (%s); using the bundled catalog",
                    root / POINTER, e)
        return DEFAULT_CATALOG
    return DEFAULT_CATALOG if edition is None else root / str(edition) / "catalog"


def active_edition(paths: KioskPaths) -> int | None:
    """The active installed edition; None when the bundled catalog is in use."""
    try:
        return _pointer(store_dir(paths))
    except ValueError:
        return None


def bundled_edition() -> int:
    try:
        return load_catalog(DEFAULT_CATALOG).version
    except CatalogError:
        return 0


def _edition(root: Path, name: str, active: int | None) -> Edition:
    folder = root / name
    manifest = Manifest.parse((folder / MANIFEST).read_bytes())
    meta = json.loads((folder / "installed.json").read_text(encoding="utf-8"))
    return Edition(int(name), manifest.created, dt.datetime.fromisoformat(meta["installed_at"]),
                   manifest.key_id, folder / "catalog", int(name) == active)


def installed(paths: KioskPaths) -> list[Edition]:
    """Installed editions, oldest first; damaged ones are logged and left out."""
    root = store_dir(paths)
    if not root.is_dir():
        return []
    active = active_edition(paths)
    editions = []
    for child in root.iterdir():
        if child.is_dir() and re.fullmatch(r"[1-9][0-9]{0,8}", child.name):
            try:
                editions.append(_edition(root, child.name, active))
            except (OSError, ValueError, KeyError, TypeError, PackageError) as e:
                log.warning("installed catalog edition %s is damaged: %s", child, e)
    return sorted(editions, key=lambda e: e.edition)


def import_package(paths: KioskPaths, package_file: Path | str,
                   trusted_keys: Iterable[Ed25519PublicKey]) -> Edition:
    """Verify, install into ``catalogs/<edition>/`` and make it active; only a newer edition
    than the active one is accepted. On any refusal the active catalog stays as it was."""
    root = store_dir(paths)
    with _locked(root):
        return _import(paths, root, package_file, trusted_keys)


def _import(paths: KioskPaths, root: Path, package_file: Path | str,
            trusted_keys: Iterable[Ed25519PublicKey]) -> Edition:
    for stale in root.glob(".incoming-*"):  # left by a crash
        shutil.rmtree(stale, ignore_errors=True)
    incoming = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    try:
        verified, manifest_bytes, signature = _verify_into(package_file, trusted_keys,
                                                           incoming / "catalog")
        current = active_edition(paths)
        if current is None:
            current = bundled_edition()
            was = f"the bundled catalog, edition {current}"
        else:
            was = f"edition {current}"
        if verified.edition == current:
            raise PackageError("already-installed", f"the package holds edition {current}, "
                               f"which is already active ({was}); nothing changed")
        if verified.edition < current:
            raise PackageError("older-version", f"edition {verified.edition} is older than the "
                               f"active one ({was}); to go back on purpose use "
                               "`kiosk catalog rollback`")
        _write(incoming / MANIFEST, manifest_bytes)
        _write(incoming / SIGNATURE, signature)
        _write(incoming / "installed.json", json.dumps(
            {"installed_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
             "package": Path(package_file).name}).encode("utf-8"))
        target = root / str(verified.edition)
        if target.exists():  # installed before, then rolled back from: replace it
            target.rename(root / f".incoming-old-{secrets.token_hex(4)}")
        incoming.rename(target)
        fsync_dir(root)
        _switch(root, verified.edition)
        log.info("catalog edition %s installed and active (was %s)", verified.edition, was)
        return _edition(root, str(verified.edition), verified.edition)
    finally:
        if incoming.exists():
            shutil.rmtree(incoming, ignore_errors=True)
        for old in root.glob(".incoming-old-*"):
            shutil.rmtree(old, ignore_errors=True)


def _check_installed(folder: Path) -> None:
    """An installed edition still matches its manifest and validates."""
    manifest = Manifest.parse((folder / MANIFEST).read_bytes())
    catalog_dir = folder / "catalog"
    present = {p.relative_to(catalog_dir).as_posix() for p in catalog_dir.rglob("*") if p.is_file()}
    listed = {f.path for f in manifest.files}
    if present != listed:
        raise PackageError("tampered", f"{folder}: files differ from its manifest "
                           f"({', '.join(sorted(present ^ listed))})")
    for f in manifest.files:
        data = (catalog_dir / f.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != f.sha256:
            raise PackageError("tampered", f"{catalog_dir / f.path} was modified after installation")
    try:
        load_catalog(catalog_dir)
    except CatalogError as e:
        raise _invalid(e, catalog_dir, str(catalog_dir)) from None


def rollback(paths: KioskPaths, edition: int | None = None) -> Edition:
    """Make an installed edition active again (default: the newest one older than the
    active edition). A technician's explicit choice, so it may go to a lower edition."""
    root = store_dir(paths)
    with _locked(root):
        return _rollback(paths, root, edition)


def _rollback(paths: KioskPaths, root: Path, edition: int | None) -> Edition:
    editions = {e.edition: e for e in installed(paths)}
    active = active_edition(paths)
    if edition is None:
        if active is None:
            raise PackageError("no-previous", "no installed edition is active (the bundled "
                               "catalog is in use): nothing to roll back")
        older = [e for e in editions if e < active]
        if not older:
            raise PackageError("no-previous", f"edition {active} is the oldest installed "
                               "edition: nothing to roll back to")
        edition = max(older)
    if edition not in editions:
        known = ", ".join(map(str, sorted(editions))) or "none"
        raise PackageError("not-installed", f"edition {edition} is not installed "
                           f"(installed: {known})")
    if edition == active:
        raise PackageError("already-active", f"edition {edition} is already active")
    _check_installed(root / str(edition))
    _switch(root, edition)
    log.info("catalog rolled back to edition %s (was %s)", edition, active)
    return _edition(root, str(edition), edition)
