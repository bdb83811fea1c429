"""The intake as a Starlette application: ``create_app(storage, signing_key)``.

``POST /v1/submissions`` authenticates the kiosk (protocol.verify_request), stores each
valid item once and answers per item; every answer, refusals included, is JSON signed
with the intake's Ed25519 key over the request's nonce (``X-Guichet-Signature``).
``GET /v1/health`` answers ``{"status": "ok"}`` without authentication.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ... import keys as kiosk_keys
from .. import protocol as p
from .storage import CONFLICT, Storage

log = logging.getLogger(__name__)


def create_app(storage: Storage, signing_key: Ed25519PrivateKey, *, window: int = p.WINDOW,
               max_body: int = p.MAX_BODY, clock: Callable[[], float] = time.time) -> Starlette:

    def lookup(kiosk_id: str):
        text = storage.kiosk_key(kiosk_id)
        return kiosk_keys.parse_ed25519(text) if text else None

    def answer(status: int, doc: dict, nonce: str) -> Response:
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {p.H_SIGNATURE: p.sign_response(signing_key, nonce, status, body),
                   p.H_NONCE: nonce}
        return Response(body, status, headers, media_type="application/json")

    def refuse(e: p.ProtocolError, nonce: str) -> Response:
        return answer(e.status, {"error": e.code, "message": str(e)}, nonce)

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            raise p.TooLarge(f"the body is larger than {max_body} bytes")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise p.TooLarge(f"the body is larger than {max_body} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def handle(headers, body: bytes) -> tuple[int, dict, str]:
        now = clock()
        who = p.verify_request(
            headers, p.METHOD, p.PATH, body, lookup_key=lookup, now=now, window=window,
            remember_nonce=lambda k, n, ts: storage.remember_nonce(k, n, ts, now))
        batch = p.parse_batch(body)
        if batch.kiosk_id != who.kiosk_id:
            raise p.Malformed("kiosk_id of the body is not the kiosk that signed it", "kiosk-mismatch")
        valid = [i for i in batch.items if isinstance(i, p.Item)]
        statuses = iter(storage.store_many(who.kiosk_id, batch.batch_id, valid) if valid else [])
        results, rejected = [], 0
        for item in batch.items:
            if isinstance(item, p.Item):
                status = next(statuses)
                if status == CONFLICT:
                    results.append(p.result(item.id, p.REJECTED, "id already used with another payload"))
                else:
                    results.append(p.result(item.id, status))
            else:
                rejected += 1
                results.append(p.result(item[0], p.REJECTED, item[1]))
        storage.count_rejected(who.kiosk_id, rejected)
        log.info("batch %s from %s: %s", batch.batch_id, who.kiosk_id,
                 {s: sum(r["status"] == s for r in results) for s in (p.STORED, p.DUPLICATE, p.REJECTED)})
        return 200, {"batch_id": batch.batch_id, "results": results}, who.nonce

    async def submissions(request: Request) -> Response:
        nonce = request.headers.get(p.H_NONCE, "")
        nonce = nonce if p.NONCE.match(nonce) else ""
        try:
            body = await read_body(request)
            status, doc, nonce = await run_in_threadpool(handle, request.headers, body)
        except p.ProtocolError as e:
            return refuse(e, nonce)
        return answer(status, doc, nonce)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "protocol": p.VERSION})

    return Starlette(routes=[Route(p.PATH, submissions, methods=["POST"]),
                             Route("/v1/health", health, methods=["GET"])])
