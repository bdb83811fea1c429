"""`kiosk queue submit`: the same engine, sealing and outbox as the screens."""

import json

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.queue import tracking


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_example_answers_are_submitted_and_counted(kiosk_home):
    example = run("catalog", "example", "cnss.ipe").output
    result = run("queue", "submit", "--procedure", "cnss.ipe", "--answers", "-", input=example)
    assert result.exit_code == 0, result.output
    saved = json.loads(result.output)
    assert tracking.is_valid(saved["tracking"])
    status = json.loads(run("queue", "status", "--json").output)
    assert status["queued"] == 1 and status["oldest_pending_seconds"] >= 0
    [row] = json.loads(run("queue", "list", "--json").output)
    assert row["tracking"] == saved["tracking"] and row["procedure_id"] == "cnss.ipe"


def test_incomplete_answers_are_refused_with_each_message(kiosk_home):
    result = CliRunner().invoke(cli, ["queue", "submit", "--procedure", "cnss.attestation-affiliation",
                                      "--answers", "-", "--lang", "ar"], input='{"phone": "12"}')
    assert result.exit_code == 2
    assert "request.purpose: هذا الجواب إجباري." in result.output
    assert json.loads(run("queue", "status", "--json").output)["queued"] == 0


def test_unknown_field_and_card_values_are_refused(kiosk_home):
    for answers in ('{"nope": "1"}', '{"name": "SOMEONE"}', "[1, 2]", "not json"):
        result = CliRunner().invoke(cli, ["queue", "submit", "--procedure", "cnss.attestation-affiliation",
                                          "--answers", "-"], input=answers)
        assert result.exit_code == 1, (answers, result.output)
    assert json.loads(run("queue", "status", "--json").output)["queued"] == 0
