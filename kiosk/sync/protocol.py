"""The sync protocol, v1 (docs/sync-protocol.md): batches, request signing, acknowledgements.

Shared by the kiosk's sync client and the intake. A request is
``POST /v1/submissions`` with a JSON batch; the kiosk signs, with its Ed25519 key, the
canonical string of the request (:func:`canonical`) and sends the signature in headers.
The intake answers per item (``stored``, ``duplicate``, ``rejected``) and signs its
response body together with the request's nonce (:func:`response_canonical`), so an
acknowledgement cannot be forged nor replayed for another request.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = "v1"
PATH = "/v1/submissions"
METHOD = "POST"
H_KIOSK = "X-Guichet-Kiosk"
H_TIMESTAMP = "X-Guichet-Timestamp"
H_NONCE = "X-Guichet-Nonce"
H_SIGNATURE = "X-Guichet-Signature"
WINDOW = 300                    # seconds either side of the intake's clock
MAX_BODY = 16 * 1024 * 1024     # bytes of a request body
MAX_ITEMS = 500
MAX_PAYLOAD = 1024 * 1024       # bytes of one sealed payload (decoded)
MIN_PAYLOAD = 32 + 16 + 2       # HPKE enc (X25519) + AEAD tag + "{}"
MAX_RECEIPT = 4096              # bytes of one item's receipt metadata (JSON)

KIOSK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# The catalog's procedure ids (kiosk/procedures/model.py): "<agency>.<slug>", e.g. cnss.ipe.
PROCEDURE_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}\.[a-z0-9][a-z0-9-]{0,59}$")
TRACKING = re.compile(r"^[A-Z0-9]{3,8}-\d{6}-\d{4,6}-[0-9A-Z]$")
STORED, DUPLICATE, REJECTED = "stored", "duplicate", "rejected"


# --- errors ---------------------------------------------------------------------------
class ProtocolError(Exception):
    """A refused request: ``status`` is the HTTP status, ``code`` a stable word."""
    status = 400
    code = "malformed"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class Unauthenticated(ProtocolError):
    status, code = 401, "unauthenticated"       # missing or malformed auth headers


class UnknownKiosk(ProtocolError):
    status, code = 401, "unknown-kiosk"


class BadSignature(ProtocolError):
    status, code = 401, "bad-signature"


class StaleTimestamp(ProtocolError):
    status, code = 401, "stale-timestamp"


class Replay(ProtocolError):
    status, code = 409, "replay"


class Malformed(ProtocolError):
    status, code = 400, "malformed"


class TooLarge(ProtocolError):
    status, code = 413, "too-large"


# --- signing ----------------------------------------------------------------------------
def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical(method: str, path: str, kiosk_id: str, timestamp: str, nonce: str,
              body: bytes) -> bytes:
    """The bytes a kiosk signs: six lines joined by LF, no trailing LF::

        guichet-sync-v1
        POST
        /v1/submissions
        <kiosk id>
        <timestamp: Unix seconds, decimal>
        <nonce>
        <SHA-256 of the body, lowercase hex>
    """
    return "\n".join(["guichet-sync-v1", method.upper(), path, kiosk_id, timestamp, nonce,
                      body_digest(body)]).encode("ascii")


def response_canonical(request_nonce: str, status: int, body: bytes) -> bytes:
    return "\n".join(["guichet-sync-v1-response", request_nonce, str(status),
                      body_digest(body)]).encode("ascii")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64(text: str, standard: bool = False) -> bytes:
    """Strict base64 (``standard``) or base64url without padding; ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    try:
        if standard:
            return base64.b64decode(text.encode("ascii"), validate=True)
        if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
            raise ValueError("not base64url")
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, UnicodeEncodeError) as e:
        raise ValueError(str(e)) from None


def new_nonce() -> str:
    return secrets.token_urlsafe(18)   # 24 characters, 144 bits


def sign_request(key: Ed25519PrivateKey, kiosk_id: str, body: bytes, *, method: str = METHOD,
                 path: str = PATH, now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The headers to send with ``body`` (add ``Content-Type: application/json``)."""
    ts = str(int(time.time() if now is None else now))
    nonce = nonce or new_nonce()
    sig = key.sign(canonical(method, path, kiosk_id, ts, nonce, body))
    return {H_KIOSK: kiosk_id, H_TIMESTAMP: ts, H_NONCE: nonce, H_SIGNATURE: b64(sig)}


@dataclass(frozen=True)
class Verified:
    kiosk_id: str
    timestamp: int
    nonce: str


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    if value is None:
        raise Unauthenticated(f"missing header {name}")
    return value


def verify_request(headers: Mapping[str, str], method: str, path: str, body: bytes, *,
                   lookup_key: Callable[[str], Ed25519PublicKey | None],
                   remember_nonce: Callable[[str, str, int], bool] | None = None,
                   now: float | None = None, window: int = WINDOW) -> Verified:
    """Check a request's headers; raise a :class:`ProtocolError` or return who sent it.

    Order: headers well formed, timestamp within ``window``, kiosk known, signature
    valid, and only then the nonce (``remember_nonce(kiosk, nonce, timestamp)`` returns
    False for one already seen), so nobody without the key can burn a kiosk's nonces.
    """
    kiosk_id = _header(headers, H_KIOSK)
    ts_text = _header(headers, H_TIMESTAMP)
    nonce = _header(headers, H_NONCE)
    sig_text = _header(headers, H_SIGNATURE)
    if not KIOSK_ID.match(kiosk_id):
        raise Unauthenticated(f"{H_KIOSK}: not a kiosk id")
    if not re.fullmatch(r"\d{1,12}", ts_text):
        raise Unauthenticated(f"{H_TIMESTAMP}: not Unix seconds")
    if not NONCE.match(nonce):
        raise Unauthenticated(f"{H_NONCE}: 16-64 base64url characters expected")
    try:
        sig = unb64(sig_text)
    except ValueError:
        sig = b""
    if len(sig) != 64:
        raise BadSignature(f"{H_SIGNATURE}: not an Ed25519 signature")
    ts = int(ts_text)
    clock = time.time() if now is None else now
    if abs(clock - ts) > window:
        raise StaleTimestamp(f"timestamp {ts} is more than {window} s from the intake's clock")
    key = lookup_key(kiosk_id)
    if key is None:
        raise UnknownKiosk(f"kiosk {kiosk_id!r} is not enrolled")
    try:
        key.verify(sig, canonical(method, path, kiosk_id, ts_text, nonce, body))
    except InvalidSignature:
        raise BadSignature("the signature does not match the request") from None
    if remember_nonce is not None and not remember_nonce(kiosk_id, nonce, ts):
        raise Replay("this nonce was already used (replayed request)")
    return Verified(kiosk_id, ts, nonce)


def sign_response(key: Ed25519PrivateKey, request_nonce: str, status: int, body: bytes) -> str:
    return b64(key.sign(response_canonical(request_nonce, status, body)))


def verify_response(key: Ed25519PublicKey, request_nonce: str, status: int, body: bytes,
                    signature: str | None) -> None:
    """Raise :class:`BadSignature` unless the intake signed this response to this request."""
    try:
        key.verify(unb64(signature or ""), response_canonical(request_nonce, status, body))
    except (InvalidSignature, ValueError):
        raise BadSignature("the response is not signed by the intake") from None


# --- batches ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    id: str
    tracking: str
    procedure_id: str
    procedure_version: int
    created_at: str
    payload: bytes
    receipt: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"id": self.id, "tracking": self.tracking, "procedure_id": self.procedure_id,
                "procedure_version": self.procedure_version, "created_at": self.created_at,
                "payload": base64.b64encode(self.payload).decode("ascii"), "receipt": self.receipt}

    @classmethod
    def from_outbox_row(cls, row: Mapping[str, Any]) -> "Item":
        """From a row of kiosk/queue/outbox.py (``Outbox.get``)."""
        receipt = row.get("receipt") or "{}"
        return cls(row["id"], row["tracking"], row["procedure_id"], int(row["procedure_version"]),
                   row["created_at"], bytes(row["payload"]),
                   json.loads(receipt) if isinstance(receipt, str) else dict(receipt))


@dataclass(frozen=True)
class Batch:
    kiosk_id: str
    batch_id: str
    sent_at: str
    items: list            # Item, or (raw id or None, reason) for an invalid item


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def encode_batch(kiosk_id: str, items: Iterable[Item], batch_id: str | None = None,
                 sent_at: str | None = None) -> bytes:
    doc = {"kiosk_id": kiosk_id, "batch_id": batch_id or str(uuid.uuid4()),
           "sent_at": sent_at or _now_iso(), "items": [i.to_json() for i in items]}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _datetime(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        return dt.datetime.fromisoformat(value).utcoffset() is not None
    except ValueError:
        return False


def check_item(raw: Any) -> Item | tuple[str | None, str]:
    """An :class:`Item`, or ``(id or None, reason)`` for a permanently invalid one."""
    if not isinstance(raw, dict):
        return None, "item is not an object"
    iid = raw.get("id")
    if not _uuid(iid):
        return (iid if isinstance(iid, str) and len(iid) <= 64 else None), \
            "id: not a lowercase UUID"
    if not isinstance(raw.get("tracking"), str) or not TRACKING.match(raw["tracking"]):
        return iid, "tracking: not a tracking number"
    if not isinstance(raw.get("procedure_id"), str) or not PROCEDURE_ID.match(raw["procedure_id"]):
        return iid, "procedure_id: not a procedure id"
    version = raw.get("procedure_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version < 2**31:
        return iid, "procedure_version: not a positive integer"
    if not _datetime(raw.get("created_at")):
        return iid, "created_at: not an ISO 8601 time with offset"
    payload = raw.get("payload")
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD * 4 // 3 + 4:
        return iid, "payload: not base64 or too large"
    try:
        sealed = unb64(payload, standard=True)
    except ValueError:
        return iid, "payload: not base64"
    if not MIN_PAYLOAD <= len(sealed) <= MAX_PAYLOAD:
        return iid, f"payload: {len(sealed)} bytes is not a sealed HPKE envelope"
    receipt = raw.get("receipt", {})
    if not isinstance(receipt, dict) or len(json.dumps(receipt, ensure_ascii=False)) > MAX_RECEIPT:
        return iid, "receipt: not an object of at most 4 KiB"
    return Item(iid, raw["tracking"], raw["procedure_id"], version, raw["created_at"], sealed,
                receipt)


def parse_batch(body: bytes) -> Batch:
    """Parse a request body; :class:`Malformed` if the batch itself is unusable. Invalid
    items do not fail the batch: they come back as ``(id, reason)`` in ``items``."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Malformed("the body is not UTF-8 JSON") from None
    if not isinstance(doc, dict):
        raise Malformed("the body is not a JSON object")
    kiosk_id, batch_id, sent_at, items = (doc.get(k) for k in ("kiosk_id", "batch_id", "sent_at", "items"))
    if not isinstance(kiosk_id, str) or not KIOSK_ID.match(kiosk_id):
        raise Malformed("kiosk_id: missing or not a kiosk id")
    if not _uuid(batch_id):
        raise Malformed("batch_id: not a lowercase UUID")
    if not _datetime(sent_at):
        raise Malformed("sent_at: not an ISO 8601 time with offset")
    if not isinstance(items, list):
        raise Malformed("items: not a list")
    if len(items) > MAX_ITEMS:
        raise TooLarge(f"items: more than {MAX_ITEMS}")
    return Batch(kiosk_id, batch_id, sent_at, [check_item(i) for i in items])


def result(item_id: str | None, status: str, reason: str | None = None) -> dict:
    r: dict[str, Any] = {"id": item_id, "status": status}
    if reason:
        r["reason"] = reason
    return r


def parse_results(body: bytes) -> dict[str, dict]:
    """For the client: the per-item results of a (verified) response, by item id."""
    doc = json.loads(body)
    return {r["id"]: r for r in doc.get("results", []) if isinstance(r, dict) and r.get("id")}
