"""The kiosk's sync client: sends the outbox to the intake, exactly once in effect.

Each round claims the oldest due submissions (marked ``sending``), posts them as one
signed batch (``protocol``), and applies the intake's signed per-item answers:
``stored``/``duplicate`` → acknowledged, ``rejected`` → rejected with the reason (shown
to the agent, never blocking the others), no answer → queued again. Whatever goes wrong
on the way (no network, a reset, a timeout, 5xx, 429, a response not signed by the
intake) leaves the batch queued again with a backoff: exponential with full jitter,
or the server's ``Retry-After``. A resent submission is acknowledged by the intake as a
duplicate, never stored twice: the submission id is the idempotency key.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
import ssl
import threading
from dataclasses import dataclass, field
from typing import Callable

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..queue.outbox import Outbox
from . import protocol

log = logging.getLogger(__name__)

BASE_DELAY = 2.0        # seconds, first retry
MAX_DELAY = 3600.0      # one hour at most between tries: weeks offline are normal
TIMEOUT = httpx.Timeout(20.0, connect=5.0)


@dataclass
class SyncStatus:
    """What the agent's screen and the discreet indicator show (no personal data)."""

    pending: int = 0
    last_success: dt.datetime | None = None
    last_error: str | None = None
    online: bool | None = None


@dataclass
class RoundResult:
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0
    retried: int = 0
    error: str | None = None


@dataclass
class SyncClient:
    outbox: Outbox
    endpoint: str                   # e.g. https://intake.example.ma (PATH is appended)
    kiosk_id: str
    signing_key: Ed25519PrivateKey
    intake_key: Ed25519PublicKey    # verifies the intake's signed acknowledgements
    batch_size: int = 100
    http: httpx.Client | None = None
    ca_file: str = ""               # a private CA trusted alone for the intake (sync.ca_file)
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()
    rng: random.Random = field(default_factory=random.Random)
    status: SyncStatus = field(default_factory=SyncStatus)

    def __post_init__(self) -> None:
        self._http = self.http or httpx.Client(timeout=TIMEOUT, verify=tls_context(self.ca_file))
        self._batch = max(1, min(self.batch_size, protocol.MAX_ITEMS))
        self._failures = 0

    def close(self) -> None:
        if self.http is None:
            self._http.close()

    # --- one round ------------------------------------------------------------------
    def run_once(self) -> RoundResult:
        rows = self.outbox.claim(self._batch, now=self.now())
        result = RoundResult(sent=len(rows))
        if not rows:
            self._refresh()
            return result
        ids = [r["id"] for r in rows]
        items = [protocol.Item.from_outbox_row(r) for r in rows]
        body = protocol.encode_batch(self.kiosk_id, items)
        # Signed with the wall clock (the intake checks it); ``now`` only schedules retries.
        headers = protocol.sign_request(self.signing_key, self.kiosk_id, body)
        headers["Content-Type"] = "application/json"
        try:
            response = self._http.post(self.endpoint.rstrip("/") + protocol.PATH,
                                       content=body, headers=headers)
        except httpx.HTTPError as e:
            if "CERTIFICATE_VERIFY_FAILED" in str(e) or "certificate verify failed" in str(e):
                # Not a passing outage: the technician must act (wrong CA, wrong name).
                return self._later(ids, result, "tls: the intake's certificate is not trusted "
                                   "(check sync.endpoint and sync.ca_file)", online=False)
            return self._later(ids, result, f"network: {type(e).__name__}", online=False)
        if response.status_code == 413 and self._batch > 1:
            self._batch = max(1, self._batch // 2)
            return self._later(ids, result, "batch too large: smaller batches", delay=0.0)
        if response.status_code != 200:
            return self._later(ids, result, f"intake answered {response.status_code}",
                               delay=_retry_after(response, self.now()))
        try:
            protocol.verify_response(self.intake_key, headers[protocol.H_NONCE], 200,
                                     response.content, response.headers.get(protocol.H_SIGNATURE))
            answers = protocol.parse_results(response.content)
        except (protocol.ProtocolError, ValueError, KeyError, TypeError) as e:
            return self._later(ids, result, f"acknowledgement refused: {e}")
        done = [i for i in ids if answers.get(i, {}).get("status") in (protocol.STORED, protocol.DUPLICATE)]
        result.acknowledged = self.outbox.acknowledge(done, now=self.now())
        for i in ids:
            a = answers.get(i)
            if a and a.get("status") == protocol.REJECTED:
                self.outbox.reject(i, str(a.get("reason") or "rejected by the intake"))
                result.rejected += 1
        missing = [i for i in ids if i not in answers]
        if missing:
            self.outbox.retry_later(missing, "no answer for this item", self._due(BASE_DELAY))
            result.retried = len(missing)
        self._failures = 0
        self.status.last_success = self.now()
        self.status.last_error = None
        self.status.online = True
        self._refresh()
        return result

    def run_until_empty(self, max_rounds: int = 1_000_000, stop: threading.Event | None = None) -> int:
        """Rounds until nothing is due (or the intake keeps failing); returns how many
        submissions were acknowledged."""
        total = 0
        for _ in range(max_rounds):
            if stop is not None and stop.is_set():
                break
            r = self.run_once()
            total += r.acknowledged
            if r.sent == 0 or r.error is not None:
                break
        return total

    # --- bookkeeping ----------------------------------------------------------------
    def _due(self, delay: float) -> dt.datetime:
        return self.now() + dt.timedelta(seconds=delay)

    def backoff(self) -> float:
        """Exponential with full jitter: a fleet coming back online does not stampede."""
        cap = min(MAX_DELAY, BASE_DELAY * (2 ** min(self._failures, 20)))
        return self.rng.uniform(0, cap)

    def _later(self, ids: list[str], result: RoundResult, error: str, *,
               delay: float | None = None, online: bool | None = True) -> RoundResult:
        self._failures += 1
        wait = self.backoff() if delay is None else delay
        self.outbox.retry_later(ids, error, self._due(wait))
        result.retried = len(ids)
        result.error = error
        self.status.last_error = error
        self.status.online = online
        # Network loss is normal: a line for the technician, nothing for the citizen.
        log.info("sync: %d submissions queued again in %.0f s (%s)", len(ids), wait, error)
        self._refresh()
        return result

    def _refresh(self) -> None:
        c = self.outbox.counts()
        self.status.pending = c["queued"] + c["sending"]


def tls_context(ca_file: str = "") -> ssl.SSLContext | bool:
    """Certificate verification for the intake: the public CAs (certifi, httpx's default),
    or only the office's private CA when one is configured. Verification is never off."""
    if not ca_file:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as e:
        raise RuntimeError(f"sync.ca_file {ca_file}: cannot load it as PEM certificates ({e})") from e


def _retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    """Seconds the server asked to wait (``Retry-After``: seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return min(float(value), MAX_DELAY)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return max(0.0, min((when - now).total_seconds(), MAX_DELAY))
