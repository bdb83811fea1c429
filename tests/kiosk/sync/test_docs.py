import yaml

from kiosk.paths import ROOT
from kiosk.sync import protocol as p


def test_openapi_matches_protocol():
    doc = yaml.safe_load((ROOT / "docs" / "sync-openapi.yaml").read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    assert p.PATH in doc["paths"]
    codes = set(doc["components"]["schemas"]["Error"]["properties"]["error"]["enum"])
    errors = {c.code for c in p.ProtocolError.__subclasses__()} | {"kiosk-mismatch"}
    assert errors <= codes
    headers = {x["name"] for x in doc["paths"][p.PATH]["post"]["parameters"]}
    assert headers == {p.H_KIOSK, p.H_TIMESTAMP, p.H_NONCE, p.H_SIGNATURE}


def test_protocol_doc_names_every_refusal():
    text = (ROOT / "docs" / "sync-protocol.md").read_text(encoding="utf-8")
    for c in p.ProtocolError.__subclasses__():
        assert f"`{c.code}`" in text and f"**{c.status}**" in text, c
