import base64
import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.sync import protocol as p

KEY = Ed25519PrivateKey.generate()
BODY = b'{"hello":1}'
NOW = 1_800_000_000


def verify(headers, body=BODY, key=KEY, now=NOW, seen=None, path=p.PATH):
    seen = set() if seen is None else seen

    def remember(k, n, ts):
        if (k, n) in seen:
            return False
        seen.add((k, n))
        return True
    return p.verify_request(headers, "POST", path, body, now=now, remember_nonce=remember,
                            lookup_key=lambda k: key.public_key() if k == "K-01" else None)


def test_round_trip():
    h = p.sign_request(KEY, "K-01", BODY, now=NOW)
    v = verify(h)
    assert v.kiosk_id == "K-01" and v.timestamp == NOW and v.nonce == h[p.H_NONCE]


def test_canonical_is_documented_form():
    c = p.canonical("post", "/v1/submissions", "K-01", "1800000000", "n" * 16, b"")
    assert c.decode().split("\n") == [
        "guichet-sync-v1", "POST", "/v1/submissions", "K-01", "1800000000", "n" * 16,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"]


def test_header_names_are_case_insensitive_when_mapping_is_lowercase():
    h = {k.lower(): v for k, v in p.sign_request(KEY, "K-01", BODY, now=NOW).items()}
    assert verify(h).kiosk_id == "K-01"


@pytest.mark.parametrize("change, error", [
    (lambda h: h.pop(p.H_SIGNATURE), p.Unauthenticated),
    (lambda h: h.__setitem__(p.H_KIOSK, "K-02"), p.UnknownKiosk),
    (lambda h: h.__setitem__(p.H_KIOSK, "!"), p.Unauthenticated),
    (lambda h: h.__setitem__(p.H_TIMESTAMP, "soon"), p.Unauthenticated),
    (lambda h: h.__setitem__(p.H_NONCE, "short"), p.Unauthenticated),
    (lambda h: h.__setitem__(p.H_SIGNATURE, "AAAA"), p.BadSignature),
    (lambda h: h.__setitem__(p.H_NONCE, "x" * 24), p.BadSignature),
    (lambda h: h.__setitem__(p.H_TIMESTAMP, str(NOW + 1)), p.BadSignature),
])
def test_header_refusals(change, error):
    h = p.sign_request(KEY, "K-01", BODY, now=NOW)
    change(h)
    with pytest.raises(error) as e:
        verify(h)
    assert e.value.status == 401


def test_tampered_body_and_path_refused():
    h = p.sign_request(KEY, "K-01", BODY, now=NOW)
    with pytest.raises(p.BadSignature):
        verify(h, body=b'{"hello":2}')
    with pytest.raises(p.BadSignature):
        verify(h, path="/v1/other")


def test_other_key_refused():
    h = p.sign_request(Ed25519PrivateKey.generate(), "K-01", BODY, now=NOW)
    with pytest.raises(p.BadSignature):
        verify(h)


@pytest.mark.parametrize("skew", [-301, 301, -10_000])
def test_timestamp_outside_window_refused(skew):
    h = p.sign_request(KEY, "K-01", BODY, now=NOW + skew)
    with pytest.raises(p.StaleTimestamp):
        verify(h)


def test_timestamp_at_window_edge_accepted():
    assert verify(p.sign_request(KEY, "K-01", BODY, now=NOW - 300))


def test_replay_refused_409():
    seen = set()
    h = p.sign_request(KEY, "K-01", BODY, now=NOW)
    verify(h, seen=seen)
    with pytest.raises(p.Replay) as e:
        verify(h, seen=seen)
    assert e.value.status == 409


def test_bad_signature_does_not_burn_the_nonce():
    seen = set()
    h = p.sign_request(KEY, "K-01", BODY, now=NOW)
    forged = {**h, p.H_SIGNATURE: p.b64(b"\0" * 64)}
    with pytest.raises(p.BadSignature):
        verify(forged, seen=seen)
    assert verify(h, seen=seen)


def test_response_signature():
    intake = Ed25519PrivateKey.generate()
    sig = p.sign_response(intake, "nonce-nonce-nonce", 200, b"{}")
    p.verify_response(intake.public_key(), "nonce-nonce-nonce", 200, b"{}", sig)
    for args in [("other-nonce-nonce", 200, b"{}"), ("nonce-nonce-nonce", 401, b"{}"),
                 ("nonce-nonce-nonce", 200, b"{ }")]:
        with pytest.raises(p.BadSignature):
            p.verify_response(intake.public_key(), *args, sig)
    with pytest.raises(p.BadSignature):
        p.verify_response(intake.public_key(), "nonce-nonce-nonce", 200, b"{}", None)


def good_item(**over):
    item = {"id": str(uuid.uuid4()), "tracking": "DEMO1-261122-0001-X",
            "procedure_id": "etat-civil.acte-naissance", "procedure_version": 1,
            "created_at": "2026-11-22T10:00:00+01:00",
            "payload": base64.b64encode(b"x" * 80).decode(), "receipt": {}}
    item.update(over)
    return item


def batch(items):
    return json.dumps({"kiosk_id": "K-01", "batch_id": str(uuid.uuid4()),
                       "sent_at": "2026-11-22T10:00:00+00:00", "items": items}).encode()


def test_batch_round_trip():
    item = p.Item(str(uuid.uuid4()), "DEMO1-261122-0001-X", "a.b", 3, "2026-11-22T10:00:00+01:00",
                  b"s" * 60, {"office": "Fès"})
    b = p.parse_batch(p.encode_batch("K-01", [item]))
    assert b.kiosk_id == "K-01" and b.items == [item]


@pytest.mark.parametrize("over, reason", [
    ({"id": "not-a-uuid"}, "id:"),
    ({"id": str(uuid.uuid4()).upper()}, "id:"),
    ({"tracking": "nope"}, "tracking:"),
    ({"procedure_id": "Bad-Id"}, "procedure_id:"),
    ({"procedure_version": "1"}, "procedure_version:"),
    ({"procedure_version": True}, "procedure_version:"),
    ({"created_at": "2026-11-22T10:00:00"}, "created_at:"),
    ({"payload": "%%%"}, "payload:"),
    ({"payload": base64.b64encode(b"short").decode()}, "payload:"),
    ({"receipt": []}, "receipt:"),
])
def test_invalid_item_rejected_alone(over, reason):
    b = p.parse_batch(batch([good_item(), good_item(**over), good_item()]))
    assert isinstance(b.items[0], p.Item) and isinstance(b.items[2], p.Item)
    assert b.items[1][1].startswith(reason)


@pytest.mark.parametrize("body", [b"", b"\xff", b"[]", b"{}", b'{"kiosk_id": "K-01"}',
                                  b'{"kiosk_id":"K-01","batch_id":"x","sent_at":"","items":[]}',
                                  b"[" * 100_000])
def test_malformed_batches(body):
    with pytest.raises(p.Malformed):
        p.parse_batch(body)


def test_too_many_items():
    with pytest.raises(p.TooLarge):
        p.parse_batch(batch([{}] * (p.MAX_ITEMS + 1)))
