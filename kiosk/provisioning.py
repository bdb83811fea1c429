"""Provisioning profiles: what an office's back office gives a technician on a USB stick
to set kiosks up without a network, and what the kiosk gives back to be enrolled. No Qt.

A profile is one TOML file, ``guichet-provisioning.toml``, written by
``kiosk intake provisioning`` on the back office::

    format = "guichet-provisioning/1"
    issuer = "CNSS, direction régionale de Rabat"      # free text, shown to the technician
    created = "2026-11-23T09:30:00+01:00"

    [sync]
    endpoint = "https://intake.example.gov.ma"
    backoffice_key = "x25519:…"                     # payloads are sealed to it
    intake_key = "ed25519:…"                        # acknowledgements are checked with it
    ca = "-----BEGIN CERTIFICATE-----…"             # optional: the office's TLS CA, trusted alone

    [catalog]
    publisher_keys = ["-----BEGIN PUBLIC KEY-----…"]  # Ed25519 keys of catalog publishers

    [card]
    csca = ["-----BEGIN CERTIFICATE-----…"]         # CSCA certificates passive authentication trusts

    [settings]                                       # any other setting, validated as `config set`
    "kiosk.office" = "Agence CNSS Rabat-Agdal"

Everything is checked before anything changes: a key that does not parse, a certificate
that is not one, a setting refused by its rule, and the profile is refused whole, with
the reason. Applying writes the certificates and keys into the kiosk's config folder
(``trust/``), each folder replaced atomically, then the settings in one atomic write.

The kiosk's answer, ``guichet-kiosk-<kiosk.id>.toml``, carries its id, code, office and
public key, for ``kiosk intake enrol --from FILE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .config import KEYS, Settings, to_toml
from .i18n import N_, Message

FORMAT = "guichet-provisioning/1"
PROFILE_NAME = "guichet-provisioning.toml"
KIOSK_FORMAT = "guichet-kiosk/1"
MAX_BYTES = 1 << 20  # a profile is a few kilobytes; anything larger is not one
#: settings a profile sets through its own sections, not through [settings]
MANAGED = {"sync.endpoint", "sync.backoffice_key", "sync.intake_key", "sync.ca_file",
           "catalog.trusted_keys", "card.trust_store"}


class ProvisioningError(ValueError):
    """A profile that cannot be applied; ``message`` is translatable, ``str()`` English."""

    def __init__(self, message: Message):
        self.message = message
        super().__init__(message.msgid.format(**message.params))  # the technician's English


@dataclass(frozen=True)
class Profile:
    source: Path
    issuer: str = ""
    created: str = ""
    endpoint: str | None = None
    backoffice_key: str | None = None
    intake_key: str | None = None
    ca_pem: bytes | None = None
    publisher_keys: tuple[bytes, ...] = ()
    csca: tuple[bytes, ...] = ()
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    setting: str
    old: str
    new: str


def fingerprint(data: bytes) -> str:
    """A short, readable fingerprint the back office prints beside each key."""
    h = hashlib.sha256(data).hexdigest()[:16].upper()
    return " ".join(h[i:i + 4] for i in range(0, 16, 4))


def find(folder: Path) -> Path | None:
    """The profile on a stick: at its root or one folder down."""
    folder = Path(folder)
    for candidate in [folder / PROFILE_NAME, *sorted(folder.glob(f"*/{PROFILE_NAME}"))]:
        if candidate.is_file():
            return candidate
    return None


def _refuse(msgid: str, **params) -> ProvisioningError:
    return ProvisioningError(Message(msgid, params))


def _text(table: dict, key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise _refuse(N_("Provisioning file: {field} must be a text."), field=f"{where}.{key}")
    return value.strip()


def _pem_list(table: dict, key: str, where: str) -> tuple[bytes, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _refuse(N_("Provisioning file: {field} must be a list of PEM texts."), field=f"{where}.{key}")
    return tuple((v.strip() + "\n").encode("ascii", "replace") for v in value)


def read(path: Path) -> Profile:
    """Parse and check a profile; raises ProvisioningError with the reason."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from .keys import parse_ed25519, parse_x25519

    path = Path(path)
    try:
        raw = path.read_bytes()[:MAX_BYTES + 1]
    except OSError as e:
        raise _refuse(N_("Provisioning file cannot be read: {error}"), error=type(e).__name__) from None
    if len(raw) > MAX_BYTES:
        raise _refuse(N_("Provisioning file is too large to be one."))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise _refuse(N_("Provisioning file is not valid TOML: {error}"), error=str(e)[:200]) from None
    if data.get("format") != FORMAT:
        raise _refuse(N_("Not a provisioning file of this version (format must be {format})."), format=FORMAT)
    sections = {}
    for name in ("sync", "catalog", "card", "settings"):
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise _refuse(N_("Provisioning file: {field} must be a table."), field=name)
        sections[name] = table
    sync, catalog, card, settings = (sections[n] for n in ("sync", "catalog", "card", "settings"))
    backoffice, intake = _text(sync, "backoffice_key", "sync"), _text(sync, "intake_key", "sync")
    try:
        if backoffice is not None:
            parse_x25519(backoffice)
        if intake is not None:
            parse_ed25519(intake)
    except ValueError as e:
        raise _refuse(N_("Provisioning file: a sending key is wrong: {error}"), error=str(e)) from None
    ca = _text(sync, "ca", "sync")
    ca_pem = (ca + "\n").encode("ascii", "replace") if ca is not None else None
    if ca_pem is not None:
        try:
            x509.load_pem_x509_certificates(ca_pem)
        except (ValueError, UnsupportedAlgorithm):
            raise _refuse(N_("Provisioning file: {field} is not a PEM certificate."), field="sync.ca") from None
    publishers = _pem_list(catalog, "publisher_keys", "catalog")
    for n, pem in enumerate(publishers, 1):
        try:
            ok = isinstance(load_pem_public_key(pem), Ed25519PublicKey)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            ok = False
        if not ok:
            raise _refuse(N_("Provisioning file: catalog publisher key {n} is not an Ed25519 public key."), n=n)
    csca = _pem_list(card, "csca", "card")
    for n, pem in enumerate(csca, 1):
        try:
            cert = x509.load_pem_x509_certificate(pem)
            ca_ok = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except (ValueError, x509.ExtensionNotFound, UnsupportedAlgorithm):
            ca_ok = False
        if not ca_ok:
            raise _refuse(N_("Provisioning file: CSCA certificate {n} is not a CA certificate."), n=n)
    for name in settings:
        if name in MANAGED:
            raise _refuse(N_("Provisioning file: {setting} is set by its own section, not in [settings]."),
                          setting=name)
        if name not in KEYS:
            raise _refuse(N_("Provisioning file: unknown setting {setting}."), setting=name)
    endpoint = _text(sync, "endpoint", "sync")
    meta = {k: data.get(k) if isinstance(data.get(k), str) else "" for k in ("issuer", "created")}
    return Profile(path, meta["issuer"][:200], meta["created"][:40], endpoint, backoffice, intake,
                   ca_pem, publishers, csca, dict(settings))


def _files(paths) -> dict[str, Path]:
    trust = paths.config / "trust"
    return {"ca": trust / "office-ca.pem", "publishers": trust / "catalog-publishers",
            "csca": trust / "csca"}


def _wanted(profile: Profile, paths) -> dict:
    files = _files(paths)
    wanted = dict(profile.settings)
    for name, value in (("sync.endpoint", profile.endpoint), ("sync.backoffice_key", profile.backoffice_key),
                        ("sync.intake_key", profile.intake_key)):
        if value is not None:
            wanted[name] = value
    if profile.ca_pem is not None:
        wanted["sync.ca_file"] = str(files["ca"])
    if profile.publisher_keys:
        wanted["catalog.trusted_keys"] = str(files["publishers"])
    if profile.csca:
        wanted["card.trust_store"] = str(files["csca"])
    return wanted


def _checked(profile: Profile, paths, settings: Settings) -> dict:
    """The new values, coerced by the settings' own rules; refuses the profile if any is refused."""
    wanted = _wanted(profile, paths)
    trial = Settings(None, wanted)
    if trial.problems:
        raise _refuse(N_("Provisioning file: a setting is refused: {problem}"), problem=str(trial.problems[0]))
    return {name: trial.values[name] for name in wanted}


def _shown(name: str, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and name.endswith("_key") and ":" in value:
        kind, _, rest = value.partition(":")
        return f"{kind} {fingerprint(rest.encode())}"
    return str(value) if value != "" else "—"


def plan(profile: Profile, paths, settings: Settings) -> list[Change]:
    """What applying would change, for the technician to read before confirming."""
    new = _checked(profile, paths, settings)
    out = [Change(n, _shown(n, settings[n]), _shown(n, v)) for n, v in new.items() if settings[n] != v]
    files = _files(paths)
    if profile.ca_pem is not None and not _same(files["ca"], profile.ca_pem):
        out.append(Change("sync.ca", _file_print(files["ca"]), fingerprint(profile.ca_pem)))
    for label, folder, pems in (("catalog.publisher_keys", files["publishers"], profile.publisher_keys),
                                ("card.csca", files["csca"], profile.csca)):
        if pems and sorted(_folder_pems(folder)) != sorted(pems):
            out.append(Change(label, str(len(_folder_pems(folder))),
                              ", ".join(fingerprint(p) for p in pems)))
    return out


def apply(profile: Profile, paths, settings: Settings) -> list[Change]:
    """Write the trust files, then every setting at once; returns what changed."""
    changes = plan(profile, paths, settings)
    new = _checked(profile, paths, settings)
    files = _files(paths)
    if profile.ca_pem is not None:
        _write_file(files["ca"], profile.ca_pem)
    if profile.publisher_keys:
        _write_folder(files["publishers"], profile.publisher_keys, "publisher")
    if profile.csca:
        _write_folder(files["csca"], profile.csca, "csca")
    settings.values.update(new)
    settings.save()
    return changes


def export_kiosk(paths, settings: Settings, folder: Path, now: dt.datetime | None = None) -> Path:
    """``guichet-kiosk-<kiosk.id>.toml`` on the stick, for the back office to enrol this kiosk."""
    from .keys import public_key_text

    now = now or dt.datetime.now().astimezone()
    values = {"format.version": KIOSK_FORMAT, "kiosk.id": settings["kiosk.id"],
              "kiosk.code": settings["kiosk.code"], "kiosk.office": settings["kiosk.office"],
              "kiosk.region": settings["kiosk.region"],
              "kiosk.public_key": public_key_text(paths), "kiosk.exported": now.isoformat(timespec="seconds")}
    target = Path(folder) / f"guichet-kiosk-{settings['kiosk.id']}.toml"
    _write_file(target, to_toml(values).encode("utf-8"), mode=0o644)
    return target


def read_kiosk(path: Path) -> dict:
    """The kiosk file's fields (``id``, ``code``, ``office``, ``region``, ``public_key``), checked."""
    from .keys import parse_ed25519
    from .sync.protocol import KIOSK_ID

    try:
        data = tomllib.loads(Path(path).read_bytes()[:MAX_BYTES].decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"{path}: not a kiosk file ({type(e).__name__})") from None
    if not isinstance(data.get("format"), dict) or data["format"].get("version") != KIOSK_FORMAT:
        raise ValueError(f"{path}: not a kiosk file of format {KIOSK_FORMAT}")
    kiosk = data.get("kiosk")
    if not isinstance(kiosk, dict) or not all(isinstance(kiosk.get(k), str) for k in ("id", "public_key")):
        raise ValueError(f"{path}: kiosk.id and kiosk.public_key are required")
    if not KIOSK_ID.match(kiosk["id"]):
        raise ValueError(f"{path}: {kiosk['id']!r} is not a kiosk id")
    parse_ed25519(kiosk["public_key"])
    return {k: str(kiosk.get(k, "")) for k in ("id", "code", "office", "region", "public_key")}


def write_profile(folder: Path, *, endpoint: str, backoffice_key: str, intake_key: str,
                  issuer: str = "", ca_pem: bytes | None = None, publisher_keys=(), csca=(),
                  settings: dict | None = None, now: dt.datetime | None = None) -> Path:
    """The back office's side: write a profile (then checked by reading it back)."""
    import json

    def s(v: str) -> str:
        return json.dumps(v, ensure_ascii=False)

    now = now or dt.datetime.now().astimezone()
    lines = [f"format = {s(FORMAT)}", f"issuer = {s(issuer)}",
             f"created = {s(now.isoformat(timespec='seconds'))}", "", "[sync]",
             f"endpoint = {s(endpoint)}", f"backoffice_key = {s(backoffice_key)}",
             f"intake_key = {s(intake_key)}"]
    if ca_pem:
        lines.append(f"ca = {s(ca_pem.decode('ascii'))}")
    if publisher_keys:
        lines += ["", "[catalog]", "publisher_keys = [" + ", ".join(s(p.decode("ascii")) for p in publisher_keys) + "]"]
    if csca:
        lines += ["", "[card]", "csca = [" + ", ".join(s(p.decode("ascii")) for p in csca) + "]"]
    if settings:
        lines += ["", "[settings]"] + [f"{s(k)} = {s(v) if isinstance(v, str) else json.dumps(v)}"
                                      for k, v in settings.items()]
    target = Path(folder) / PROFILE_NAME
    _write_file(target, ("\n".join(lines) + "\n").encode("utf-8"), mode=0o644)
    read(target)
    return target


# --- files ---------------------------------------------------------------------------
def _same(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _file_print(path: Path) -> str:
    try:
        return fingerprint(path.read_bytes())
    except OSError:
        return "—"


def _folder_pems(folder: Path) -> list[bytes]:
    try:
        return [p.read_bytes() for p in sorted(folder.glob("*.pem"))]
    except OSError:
        return []


def _write_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_folder(folder: Path, pems: tuple[bytes, ...], stem: str) -> None:
    """Replace ``folder`` with one holding exactly these PEMs (never half of the old and new)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    for n, pem in enumerate(pems, 1):
        (tmp / f"{stem}-{n:02d}.pem").write_bytes(pem)
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
