"""Role enforcement from the CLI: the same gate as the screens, and the audit trail."""

import json

from click.testing import CliRunner

from kiosk.cli import cli
from tests.staff_helpers import AGENT, TECH, make_staff_cli


def run(*args, ok=True, env=None):
    r = CliRunner().invoke(cli, [str(a) for a in args], env=env or {})
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def test_open_until_the_first_technician_then_pin_and_role(kiosk_home):
    run("config", "set", "kiosk.office", "Agence Rabat")        # setting up: open
    make_staff_cli(run)
    tech, agent = TECH, AGENT
    assert "--as" in run("config", "set", "kiosk.office", "X", ok=False)
    assert "may not config.write" in run("config", "set", "kiosk.office", "X", ok=False, env=agent)
    assert "may not catalog.manage" in run("catalog", "rollback", ok=False, env=agent)
    assert "may not keys.manage" in run("keys", "init", ok=False, env=agent)
    run("config", "set", "kiosk.office", "Agence Salé", env=tech)
    assert run("config", "get", "kiosk.office").strip() == "Agence Salé"  # reading is open
    assert "wrong staff number or PIN" in run("config", "set", "kiosk.office", "Y", ok=False,
                                              env={**tech, "KIOSK_PIN": "000001"})
    records = json.loads(run("audit", "show", "--json", "--last", "100"))
    actions = [(r["actor"], r["action"]) for r in records]
    assert ("setup", "config.set") in actions
    assert ("2001", "config.set.denied") in actions
    assert ("2001", "catalog.rollback.denied") in actions
    assert ("1001", "config.set") in actions
    assert ("1001", "staff.sign_in_failed") in actions
    assert "482913" not in json.dumps(records) and "559301" not in json.dumps(records)
    assert run("audit", "verify").startswith("ok")


def test_audit_verify_fails_on_tampering(kiosk_home):
    run("config", "set", "kiosk.office", "Agence Rabat")
    run("config", "set", "kiosk.office", "Agence Salé")
    log = kiosk_home / "data" / "audit.jsonl"
    log.write_text(log.read_text().replace("Rabat", "Fès"))
    out = run("audit", "verify", ok=False)
    assert out.startswith("TAMPERED") and "record 1 was changed" in out
