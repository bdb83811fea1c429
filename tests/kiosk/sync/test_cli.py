"""Provisioning as a technician does it, through the CLI (click's CliRunner)."""

import json
import stat

import click
import httpx
import pytest
from click.testing import CliRunner

from kiosk import keys as kiosk_keys
from kiosk.cli import cli as kiosk_cli
from kiosk.queue.sealing import load_public_key, seal
from kiosk.sync import protocol as p
from kiosk.sync.cli import register
from kiosk.sync.intake.app import create_app
from kiosk.sync.intake.keys import IntakeKeys, keys_dir
from kiosk.sync.intake.storage import SqliteStorage

from .conftest import make_item, serve


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    group = click.Group("kiosk", commands=dict(kiosk_cli.commands))  # config, ... + ours
    register(group)
    runner = CliRunner()

    def invoke(*args, ok=True):
        r = runner.invoke(group, [str(a) for a in args])
        assert (r.exit_code == 0) == ok, r.output
        return r
    return invoke


def test_keys_init_show_and_no_overwrite(run, tmp_path):
    first = run("keys", "init").stdout.strip()
    assert first.startswith("ed25519:") and len(first) == 8 + 43
    path = tmp_path / "home" / "config" / kiosk_keys.FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run("keys", "show", "--public").stdout.strip() == first
    assert "already exists" in run("keys", "init", ok=False).output
    assert run("keys", "show", "--public").stdout.strip() == first
    second = run("keys", "init", "--force").stdout.strip()
    assert second != first and stat.S_IMODE(path.stat().st_mode) == 0o600


def test_keys_show_without_key(run):
    assert "kiosk keys init" in run("keys", "show", "--public", ok=False).output


def test_provisioning_sequence_then_sync_show_and_stats(run, tmp_path):
    db = tmp_path / "intake" / "intake.sqlite"
    out = run("intake", "init", "--db", db).stdout.split()
    sealing_text, signing_text = out[0], out[1]
    assert sealing_text.startswith("x25519:") and signing_text.startswith("ed25519:")
    assert "already exists" in run("intake", "init", "--db", db, ok=False).output
    # the printed key is the one of the PEM files (kiosk/queue/sealing.py loaders)
    pem = load_public_key(keys_dir(db) / "sealing-public.pem")
    assert kiosk_keys.public_text(pem) == sealing_text
    for f in ("sealing-private.pem", "signing-private.pem"):
        assert stat.S_IMODE((keys_dir(db) / f).stat().st_mode) == 0o600

    kiosk_pub = run("keys", "init").stdout.strip()
    run("intake", "enrol", "--db", db, "--kiosk-id", "KIOSK-RABAT-01", "--key", kiosk_pub)
    assert "not an ed25519" in run("intake", "enrol", "--db", db, "--kiosk-id", "K-2",
                                   "--key", sealing_text, ok=False).output
    run("config", "set", "sync.endpoint", "http://127.0.0.1:8443")
    run("config", "set", "sync.backoffice_key", sealing_text)
    run("config", "set", "sync.backoffice_key", "x25519:nope", ok=False)
    assert run("config", "get", "sync.backoffice_key").stdout.strip() == sealing_text

    # a kiosk sends one submission, sealed to the configured key, signed with its key
    storage = SqliteStorage(db)
    keys = IntakeKeys.load(keys_dir(db))
    url, stop = serve(create_app(storage, keys.signing))
    try:
        item = make_item(keys, payload={"answers": {"nom": "Ait Lahcen"}})
        resealed = seal({"answers": {"nom": "Ait Lahcen"}}, item.id,
                        kiosk_keys.parse_x25519(sealing_text))
        item = p.Item(item.id, item.tracking, item.procedure_id, item.procedure_version,
                      item.created_at, resealed, item.receipt)
        signer = kiosk_keys.load()
        for _ in range(2):
            body = p.encode_batch("KIOSK-RABAT-01", [item])
            headers = p.sign_request(signer, "KIOSK-RABAT-01", body)
            r = httpx.post(url + p.PATH, content=body, headers=headers, timeout=10)
            assert r.status_code == 200
            p.verify_response(kiosk_keys.parse_ed25519(signing_text), headers[p.H_NONCE],
                              200, r.content, r.headers[p.H_SIGNATURE])
    finally:
        stop()
        storage.close()

    shown = json.loads(run("intake", "show", "--db", db, item.id).stdout)
    assert shown["payload"] == {"answers": {"nom": "Ait Lahcen"}}
    assert shown["tracking"] == item.tracking and shown["kiosk_id"] == "KIOSK-RABAT-01"
    assert json.loads(run("intake", "show", "--db", db, item.tracking).stdout)["id"] == item.id
    assert "no submission" in run("intake", "show", "--db", db, "nothing", ok=False).output

    stats = json.loads(run("intake", "stats", "--db", db, "--json").stdout)
    assert stats["kiosks"]["KIOSK-RABAT-01"] == {"received": 2, "unique": 1, "duplicates": 1,
                                                 "rejected": 0}
    assert stats["received"] == 2 and stats["unique"] == 1
    assert "KIOSK-RABAT-01" in run("intake", "stats", "--db", db).stdout


def test_intake_commands_need_an_initialised_db(run, tmp_path):
    assert "kiosk intake init" in run("intake", "stats", "--db", tmp_path / "none.sqlite",
                                      ok=False).output


def test_serve_help_mentions_tls(run):
    out = run("intake", "serve", "--help").stdout
    assert "--certfile" in out and "--keyfile" in out and "--port" in out


def test_config_sync_keys_validated(run):
    run("config", "set", "sync.batch_size", "100")
    run("config", "set", "sync.batch_size", "0", ok=False)
    run("config", "set", "sync.retention_days", "90")
    run("config", "set", "sync.endpoint", "ftp://x", ok=False)
    run("config", "set", "sync.endpoint", "https://intake.example.ma/guichet")
