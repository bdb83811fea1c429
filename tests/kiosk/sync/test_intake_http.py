"""The intake through real HTTP: uvicorn on 127.0.0.1, httpx as the kiosk."""

import base64
import json
import time
import uuid

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.queue.sealing import open_sealed
from kiosk.sync import protocol as p

from .conftest import KIOSK, make_item


def post(intake, body: bytes, headers=None, **kw) -> httpx.Response:
    headers = headers or intake.post_args(body, **kw)
    return httpx.post(intake.url + p.PATH, content=body, headers=headers, timeout=10)


def check_signed(intake, r: httpx.Response, nonce: str) -> dict:
    p.verify_response(intake.keys.signing.public_key(), nonce, r.status_code, r.content,
                      r.headers.get(p.H_SIGNATURE))
    return r.json()


def test_store_then_duplicate_stored_once(served):
    items = [served_item for served_item in (make_item(served.keys, n) for n in (1, 2))]
    body = p.encode_batch(KIOSK, items)
    headers = served.post_args(body)
    r = post(served, body, headers)
    assert r.status_code == 200, r.text
    doc = check_signed(served, r, headers[p.H_NONCE])
    assert [x["status"] for x in doc["results"]] == ["stored", "stored"]
    assert [x["id"] for x in doc["results"]] == [i.id for i in items]

    # the kiosk did not get the answer and sends the same items again (new request)
    body2 = p.encode_batch(KIOSK, items)
    headers2 = served.post_args(body2)
    r2 = post(served, body2, headers2)
    doc2 = check_signed(served, r2, headers2[p.H_NONCE])
    assert [x["status"] for x in doc2["results"]] == ["duplicate", "duplicate"]
    st = served.storage.stats()
    assert st["kiosks"][KIOSK] == {"received": 4, "unique": 2, "duplicates": 2, "rejected": 0}

    row = served.storage.get(items[0].id)
    assert open_sealed(row["payload"], row["id"], served.keys.sealing)["n"] == 1


def test_invalid_item_rejected_others_stored(served):
    good = make_item(served.keys)
    doc = json.loads(p.encode_batch(KIOSK, [good]))
    doc["items"].insert(0, {**doc["items"][0], "id": str(uuid.uuid4()), "payload": "!!"})
    doc["items"].append({**doc["items"][1], "id": str(uuid.uuid4()),
                         "payload": base64.b64encode(b"tiny").decode()})
    doc["items"].append({**doc["items"][1], "procedure_id": "DROP TABLE"})
    r = post(served, json.dumps(doc).encode())
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["rejected", "stored", "rejected", "rejected"]
    assert all(x["reason"] for x in r.json()["results"] if x["status"] == "rejected")
    assert served.storage.stats()["kiosks"][KIOSK]["rejected"] == 3


def test_same_id_other_payload_rejected(served):
    item = make_item(served.keys)
    assert post(served, p.encode_batch(KIOSK, [item])).json()["results"][0]["status"] == "stored"
    other = make_item(served.keys)
    forged = p.Item(item.id, item.tracking, item.procedure_id, item.procedure_version,
                    item.created_at, other.payload, {})
    res = post(served, p.encode_batch(KIOSK, [forged])).json()["results"][0]
    assert res["status"] == "rejected" and "another payload" in res["reason"]
    assert served.storage.get(item.id)["payload"] == item.payload


def test_unknown_kiosk_refused(served):
    body = p.encode_batch("KIOSK-STRANGER", [make_item(served.keys)])
    r = post(served, body, key=Ed25519PrivateKey.generate(), kiosk="KIOSK-STRANGER")
    assert r.status_code == 401 and r.json()["error"] == "unknown-kiosk"
    assert served.storage.stats()["unique"] == 0


def test_wrong_key_for_known_kiosk_refused(served):
    body = p.encode_batch(KIOSK, [make_item(served.keys)])
    r = post(served, body, key=Ed25519PrivateKey.generate())
    assert r.status_code == 401 and r.json()["error"] == "bad-signature"


def test_tampered_body_refused(served):
    body = p.encode_batch(KIOSK, [make_item(served.keys)])
    headers = served.post_args(body)
    tampered = body.replace(b"Rabat", b"Fes..")
    r = post(served, tampered, headers)
    assert r.status_code == 401 and r.json()["error"] == "bad-signature"
    check_signed(served, r, headers[p.H_NONCE])
    assert served.storage.stats()["unique"] == 0


def test_replayed_request_refused(served):
    body = p.encode_batch(KIOSK, [make_item(served.keys)])
    headers = served.post_args(body)
    assert post(served, body, headers).status_code == 200
    r = post(served, body, headers)
    assert r.status_code == 409 and r.json()["error"] == "replay"
    assert served.storage.stats()["kiosks"][KIOSK]["received"] == 1


def test_old_timestamp_refused(served):
    body = p.encode_batch(KIOSK, [make_item(served.keys)])
    r = post(served, body, now=time.time() - 3600)
    assert r.status_code == 401 and r.json()["error"] == "stale-timestamp"


def test_kiosk_id_of_body_must_be_the_signer(served):
    body = p.encode_batch("KIOSK-OTHER", [make_item(served.keys)])
    r = post(served, body)
    assert r.status_code == 400 and r.json()["error"] == "kiosk-mismatch"


def test_malformed_body_400(served):
    r = post(served, b'{"items": 3}')
    assert r.status_code == 400 and r.json()["error"] == "malformed"


def test_too_large_413(served):
    body = b" " * (p.MAX_BODY + 1)
    r = post(served, body)
    assert r.status_code == 413


def test_missing_headers_401_and_health(served):
    r = httpx.post(served.url + p.PATH, content=b"{}", timeout=10)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    assert httpx.get(served.url + "/v1/health").json()["status"] == "ok"
