"""Offline transfer: a kiosk that cannot reach the network sends its queue on a USB stick.

``kiosk queue export DIR`` writes a bundle: the sealed submissions not yet
acknowledged, signed by the kiosk's Ed25519 key (the same key that signs its HTTP
requests). ``kiosk intake import-bundle FILE`` checks the signature against the kiosk
registry, stores each submission once (a bundle imported twice, or whose submissions
also came by network, stores nothing twice) and writes an acknowledgement file signed
by the intake. ``kiosk queue import-acks FILE``, back on the kiosk, checks the intake's
signature and marks them acknowledged. Any edit of either file breaks its signature and
the file is refused whole. Submissions stay queued until acknowledged: exporting twice,
or syncing later by network, is harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from . import protocol as p

BUNDLE_FORMAT = "guichet-bundle-1"
ACKS_FORMAT = "guichet-acks-1"
MAX_FILE = 512 * 1024 * 1024


class BundleError(ValueError):
    """A bundle or acknowledgement file that cannot be accepted (nothing was changed)."""


def _canonical(doc: dict) -> bytes:
    return json.dumps({k: v for k, v in doc.items() if k != "signature"}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _sign(doc: dict, key: Ed25519PrivateKey) -> dict:
    return {**doc, "signature": p.b64(key.sign(_canonical(doc)))}


def _load(path: Path, fmt: str) -> tuple[dict, bytes]:
    try:
        if path.stat().st_size > MAX_FILE:
            raise BundleError(f"{path.name}: larger than {MAX_FILE // 2**20} MiB")
        raw = path.read_bytes()
        doc = json.loads(raw)
    except (OSError, ValueError) as e:
        raise BundleError(f"{path.name}: not readable as a {fmt} file ({type(e).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != fmt:
        raise BundleError(f"{path.name}: not a {fmt} file")
    return doc, raw


def _verify(doc: dict, key: Ed25519PublicKey, what: str) -> None:
    try:
        key.verify(p.unb64(str(doc.get("signature", ""))), _canonical(doc))
    except (InvalidSignature, ValueError):
        raise BundleError(f"{what}: the signature does not match (the file was changed, or "
                          "signed by another key)") from None


# --- kiosk side -----------------------------------------------------------------------
def export(rows: list[dict], kiosk_id: str, key: Ed25519PrivateKey, folder: Path,
           now: dt.datetime | None = None) -> Path:
    """Write the signed bundle of these outbox rows into ``folder``; return its path."""
    now = now or dt.datetime.now().astimezone()
    doc = _sign({"format": BUNDLE_FORMAT, "kiosk_id": kiosk_id,
                 "created_at": now.isoformat(timespec="seconds"),
                 "items": [p.Item.from_outbox_row(r).to_json() for r in rows]}, key)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"guichet-bundle-{kiosk_id}-{now:%Y%m%d-%H%M%S}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def read_acks(path: Path, kiosk_id: str, intake_key: Ed25519PublicKey) -> dict[str, dict]:
    """The intake's signed answers for this kiosk, by submission id."""
    doc, _ = _load(path, ACKS_FORMAT)
    _verify(doc, intake_key, path.name)
    if doc.get("kiosk_id") != kiosk_id:
        raise BundleError(f"{path.name}: acknowledgements for kiosk {doc.get('kiosk_id')!r}, "
                          f"not this one ({kiosk_id})")
    results = doc.get("results")
    if not isinstance(results, list):
        raise BundleError(f"{path.name}: no results")
    return {r["id"]: r for r in results if isinstance(r, dict) and isinstance(r.get("id"), str)}


# --- intake side ----------------------------------------------------------------------
def import_bundle(path: Path, lookup_key: Callable[[str], Ed25519PublicKey | None],
                  store_many: Callable[[str, str, list], list[str]],
                  signing_key: Ed25519PrivateKey) -> tuple[Path, dict[str, int]]:
    """Check, store (idempotently) and write the signed acknowledgement file next to the
    bundle; return its path and the counts per status."""
    doc, raw = _load(path, BUNDLE_FORMAT)
    kiosk_id = doc.get("kiosk_id")
    if not isinstance(kiosk_id, str) or not p.KIOSK_ID.match(kiosk_id):
        raise BundleError(f"{path.name}: no valid kiosk id")
    key = lookup_key(kiosk_id)
    if key is None:
        raise BundleError(f"{path.name}: kiosk {kiosk_id!r} is not enrolled")
    _verify(doc, key, path.name)
    items = doc.get("items")
    if not isinstance(items, list):
        raise BundleError(f"{path.name}: no items")
    checked = [p.check_item(i) for i in items]
    valid = [i for i in checked if isinstance(i, p.Item)]
    digest = hashlib.sha256(raw).hexdigest()
    statuses = iter(store_many(kiosk_id, f"bundle-{digest[:16]}", valid) if valid else [])
    results = []
    for item in checked:
        if isinstance(item, p.Item):
            status = next(statuses)
            results.append(p.result(item.id, status if status in (p.STORED, p.DUPLICATE) else p.REJECTED,
                                    None if status in (p.STORED, p.DUPLICATE)
                                    else "id already used with another payload"))
        else:
            results.append(p.result(item[0], p.REJECTED, item[1]))
    acks = _sign({"format": ACKS_FORMAT, "kiosk_id": kiosk_id, "bundle_sha256": digest,
                  "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "results": results}, signing_key)
    out = path.with_name(path.stem + ".acks.json")
    out.write_text(json.dumps(acks, ensure_ascii=False), encoding="utf-8")
    counts = {s: sum(r["status"] == s for r in results) for s in (p.STORED, p.DUPLICATE, p.REJECTED)}
    return out, counts
