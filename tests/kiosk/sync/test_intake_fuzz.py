"""Whatever a kiosk (with a valid key) sends, the intake answers 2xx/4xx, never 500."""

import json

from hypothesis import HealthCheck, given, settings, strategies as st
import httpx
import pytest

from kiosk.sync import protocol as p

from .conftest import KIOSK, Intake, serve

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)
item_like = st.fixed_dictionaries({}, optional={
    "id": st.uuids().map(str) | st.text(max_size=40), "tracking": st.text(max_size=20),
    "procedure_id": st.from_regex(r"[a-z][a-z0-9-]{0,5}\.[a-z0-9]{1,5}", fullmatch=True) | st.text(max_size=8),
    "procedure_version": st.integers() | st.text(max_size=3), "created_at": st.text(max_size=30),
    "payload": st.binary(max_size=80).map(lambda b: __import__("base64").b64encode(b).decode()) | json_values,
    "receipt": json_values})
batch_like = st.fixed_dictionaries({}, optional={
    "kiosk_id": st.just(KIOSK) | st.text(max_size=10), "batch_id": st.uuids().map(str) | json_values,
    "sent_at": st.just("2026-11-22T10:00:00+00:00") | json_values,
    "items": st.lists(item_like | json_values, max_size=5) | json_values})
bodies = (batch_like.map(lambda d: json.dumps(d).encode()) | json_values.map(lambda d: json.dumps(d).encode())
          | st.binary(max_size=200))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    intake = Intake(tmp_path_factory.mktemp("fuzz"))
    url, stop = serve(intake.app)
    with httpx.Client(base_url=url, timeout=10) as client:
        yield intake, client
    stop()
    intake.storage.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_signed_random_bodies_never_500(fuzzed, body):
    intake, client = fuzzed
    r = client.post(p.PATH, content=body, headers=intake.post_args(body))
    assert r.status_code in (200, 400, 413), (r.status_code, r.text)
    doc = r.json()
    if r.status_code == 200:
        assert all(x["status"] in ("stored", "duplicate", "rejected") for x in doc["results"])
    else:
        assert doc["error"]
