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

Everything is checked before anything changes, with the loaders the kiosk itself uses
at start (a CSCA file holding anything but CA certificates, a DEMO publisher key on a
production kiosk, a setting refused by its rule...), and the profile is refused whole,
with the reason. Applying writes the certificates and keys into new folders of the
config folder (``trust/``, named by their content), synced to disk, then the settings
in one atomic write, which is the single moment the kiosk switches: a failure before it
leaves the kiosk as it was.

Signature: ``kiosk intake provisioning`` signs the file with the intake's Ed25519 key
(a last line ``signature = "ed25519:…"`` over every byte before it). A kiosk that is
not set up yet accepts the file as the technician brings it (the fingerprints on screen
are the ones the back office printed); once a kiosk has an intake key, a file that
changes where or how it sends must be signed by that key. Settings that identify the
kiosk or weaken its checks (``kiosk.id``, ``kiosk.code``, ``kiosk.mode``,
``card.source``, ``card.accept_unverified``) are never taken from a file.

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

from .config import KEYS, Settings, Text, to_toml
from .durable import fsync_dir, write_file
from .i18n import N_, Message

FORMAT = "guichet-provisioning/1"
PROFILE_NAME = "guichet-provisioning.toml"
KIOSK_FORMAT = "guichet-kiosk/1"
MAX_BYTES = 1 << 20  # a profile is a few kilobytes; anything larger is not one
#: settings a profile sets through its own sections, not through [settings]
MANAGED = {"sync.endpoint", "sync.backoffice_key", "sync.intake_key", "sync.ca_file",
           "catalog.trusted_keys", "card.trust_store"}
#: settings only set on the kiosk itself: its identity, its mode, where cards come from
LOCAL_ONLY = {"kiosk.id", "kiosk.code", "kiosk.mode", "card.source", "card.accept_unverified"}
#: what a signed file must protect once the kiosk is set up
SENDING = ("sync.endpoint", "sync.backoffice_key", "sync.intake_key", "sync.ca_file")
SIGNATURE_PREFIX = b'signature = "ed25519:'


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
    #: the bytes the signature covers, and the signature (None: unsigned)
    body: bytes = field(default=b"", repr=False)
    signature: bytes | None = field(default=None, repr=False)

    def signed_by(self, key_text: str) -> bool:
        """Whether the file carries a valid signature by this ``ed25519:`` key."""
        from cryptography.exceptions import InvalidSignature

        from .keys import parse_ed25519

        if self.signature is None or not key_text:
            return False
        try:
            parse_ed25519(key_text).verify(self.signature, self.body)
        except (InvalidSignature, ValueError):
            return False
        return True


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
    """The profile under ``folder`` (a stick, or the folder sticks are mounted in): at
    its root or up to two folders down."""
    folder = Path(folder)
    for pattern in (PROFILE_NAME, f"*/{PROFILE_NAME}", f"*/*/{PROFILE_NAME}"):
        for candidate in sorted(folder.glob(pattern)):
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
    body, signature = _split_signature(raw)
    try:
        data = tomllib.loads(body.decode("utf-8"))  # the signature line is not part of the data
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
        if not _only_ca_certificates(pem):
            raise _refuse(N_("Provisioning file: CSCA certificate {n} is not a CA certificate."), n=n)
    for name in settings:
        if name in LOCAL_ONLY:
            raise _refuse(N_("Provisioning file: {setting} is set on the kiosk itself, not by a file."),
                          setting=name)
        if name in MANAGED:
            raise _refuse(N_("Provisioning file: {setting} is set by its own section, not in [settings]."),
                          setting=name)
        if name not in KEYS:
            raise _refuse(N_("Provisioning file: unknown setting {setting}."), setting=name)
    endpoint = _text(sync, "endpoint", "sync")
    meta = {k: data.get(k) if isinstance(data.get(k), str) else "" for k in ("issuer", "created")}
    return Profile(path, meta["issuer"][:200], meta["created"][:40], endpoint, backoffice, intake,
                   ca_pem, publishers, csca, dict(settings), body, signature)


def _split_signature(raw: bytes) -> tuple[bytes, bytes | None]:
    """(signed body, signature) when the last line is the signature, else (raw, None)."""
    from .sync.protocol import unb64

    text = raw.rstrip(b"\n")
    cut = text.rfind(b"\n") + 1
    last = text[cut:]
    if not (last.startswith(SIGNATURE_PREFIX) and last.endswith(b'"')):
        return raw, None
    try:
        sig = unb64(last[len(SIGNATURE_PREFIX):-1].decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        sig = b""
    return raw[:cut], sig if len(sig) == 64 else b""


def _only_ca_certificates(pem: bytes) -> bool:
    """Every certificate of the block parses with the kiosk's own trust store loader and is
    a CA (what passive authentication will load at start)."""
    from .card.errors import CardError
    from .card.passive import TrustStore

    try:
        store = TrustStore()
        store.add(pem)
    except (CardError, ValueError, TypeError):
        return False
    return len(store) > 0 and all(c.ca for c in store.certificates)


def _files(paths, profile: Profile) -> dict[str, Path]:
    """Where the profile's trust material goes: named by its content, so new material
    never overwrites what the running settings point at, and the same file twice is the
    same path (no change)."""
    trust = paths.config / "trust"

    def tag(*parts: bytes) -> str:
        return hashlib.sha256(b"\0".join(sorted(parts))).hexdigest()[:12]

    return {"ca": trust / f"office-ca-{tag(profile.ca_pem or b'')}.pem",
            "publishers": trust / f"catalog-publishers-{tag(*profile.publisher_keys)}",
            "csca": trust / f"csca-{tag(*profile.csca)}"}


def _wanted(profile: Profile, paths) -> dict:
    files = _files(paths, profile)
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
    """The new values, coerced by the settings' own rules; refuses the profile if any is
    refused, if it would give a production kiosk the DEMO catalog key, or if it changes
    how a kiosk already set up sends without the signature of its intake."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    from .procedures.package import is_demo_key

    wanted = _wanted(profile, paths)
    trial = Settings(None, wanted)
    if trial.problems:
        raise ProvisioningError(Text(N_("Provisioning file: a setting is refused: {problem}"),
                                     {"problem": trial.problems[0]}))  # the rule, in the desk's language
    new = {name: trial.values[name] for name in wanted}
    if settings["kiosk.mode"] == "production" and any(
            is_demo_key(load_pem_public_key(p)) for p in profile.publisher_keys):
        raise _refuse(N_("Provisioning file: the DEMO catalog key is refused on a kiosk in production."))
    current = settings["sync.intake_key"]
    if current and any(n in new and new[n] != settings[n] for n in SENDING) and not profile.signed_by(current):
        raise _refuse(N_("This kiosk is already set up: a file that changes where or how it sends "
                         "must be signed by the office's intake key."))
    return new


def _shown(name: str, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and name.endswith("_key") and ":" in value:
        kind, _, rest = value.partition(":")
        return f"{kind} {fingerprint(rest.encode())}"
    return str(value) if value != "" else "—"


def _plan(profile: Profile, paths, settings: Settings) -> tuple[list[Change], dict]:
    new = _checked(profile, paths, settings)
    out = []
    for name, value in new.items():
        if settings[name] == value:
            continue
        if name in ("sync.ca_file", "catalog.trusted_keys", "card.trust_store"):
            # Trust material: its fingerprints, not the folder names.
            pems = {"sync.ca_file": [profile.ca_pem or b""], "catalog.trusted_keys": profile.publisher_keys,
                    "card.trust_store": profile.csca}[name]
            out.append(Change(name, _material(settings[name]), ", ".join(fingerprint(p) for p in pems)))
        else:
            out.append(Change(name, _shown(name, settings[name]), _shown(name, value)))
    return out, new


def plan(profile: Profile, paths, settings: Settings) -> list[Change]:
    """What applying would change, for the technician to read before confirming."""
    return _plan(profile, paths, settings)[0]


def apply(profile: Profile, paths, settings: Settings) -> list[Change]:
    """Write the trust material into new folders, then every setting in one atomic write
    (the moment the kiosk switches); returns what changed. On any failure nothing the
    kiosk uses has changed, and what was written for it is removed."""
    changes, new = _plan(profile, paths, settings)
    files = _files(paths, profile)
    written: list[Path] = []
    try:
        if profile.ca_pem is not None and not files["ca"].exists():
            write_file(files["ca"], profile.ca_pem)
            written.append(files["ca"])
        for key, pems, stem in (("publishers", profile.publisher_keys, "publisher"), ("csca", profile.csca, "csca")):
            if pems and not files[key].exists():
                _write_folder(files[key], pems, stem)
                written.append(files[key])
        Settings(settings.path, {**settings.values, **new}).save()
    except OSError as e:
        for path in written:
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        raise _refuse(N_("The kiosk could not write the new settings ({error}); nothing was changed."),
                      error=type(e).__name__) from None
    settings.values.update(new)
    _tidy(paths.config / "trust", settings)
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
    write_file(target, to_toml(values).encode("utf-8"), mode=0o644)
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
                  settings: dict | None = None, now: dt.datetime | None = None,
                  signing_key=None) -> Path:
    """The back office's side: write a profile, signed with ``signing_key`` (the intake's
    Ed25519 private key) when given, then checked by reading it back."""
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
    body = ("\n".join(lines) + "\n").encode("utf-8")
    if signing_key is not None:
        from .sync.protocol import b64

        body += SIGNATURE_PREFIX + b64(signing_key.sign(body)).encode("ascii") + b'"\n'
    target = Path(folder) / PROFILE_NAME
    write_file(target, body, mode=0o644)
    read(target)
    return target


# --- files ---------------------------------------------------------------------------
def _material(current: str) -> str:
    """The fingerprints of the trust material a setting points at now ("—": none)."""
    if not current:
        return "—"
    path = Path(current)
    try:
        blobs = [p.read_bytes() for p in sorted(path.glob("*.pem"))] if path.is_dir() else [path.read_bytes()]
    except OSError:
        return "—"
    return ", ".join(fingerprint(b) for b in blobs) or "—"


def _tidy(trust: Path, settings: Settings) -> None:
    """Remove the trust material this module wrote that the settings no longer use."""
    used = {settings[n] for n in ("sync.ca_file", "catalog.trusted_keys", "card.trust_store")}
    for p in trust.glob("*"):
        if p.name.startswith(("office-ca-", "catalog-publishers-", "csca-")) and str(p) not in used:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _write_folder(folder: Path, pems: tuple[bytes, ...], stem: str) -> None:
    """A new folder holding exactly these PEMs, on disk before its name appears."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        for n, pem in enumerate(pems, 1):
            with open(tmp / f"{stem}-{n:02d}.pem", "wb") as f:
                f.write(pem)
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o755)
        fsync_dir(tmp)
        os.replace(tmp, folder)
        fsync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
