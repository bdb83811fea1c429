"""The staff desk in the core: sign-in messages, dashboard data in three languages,
actions through the gate (role checks and audit), out of service, reprints."""

import json

import pytest

from kiosk.desk import Desk, load_service
from tests.staff_helpers import make_staff


@pytest.fixture
def desk(services):
    make_staff(services.paths, "Agent Amina")
    return Desk(services)


def submit(services, assisted_by=None):
    from kiosk.procedures.examples import example_answers
    from kiosk.procedures.wizard import payload_from_answers
    proc = services.catalog.get("cnss.ipe")
    payload = {"answers": payload_from_answers(proc, example_answers(proc, "fr"), {})}
    return services.submit(proc, "fr", payload, assisted_by=assisted_by)


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_wrong_pin_and_lockout_are_told_in_the_language(desk, lang):
    assert not desk.sign_in("2001", "000001")
    v = desk.view(lang)
    assert v["actor"] == {} and v["error"]
    assert "2" in v["error"] or "٢" in v["error"]
    desk.sign_in("2001", "000002")
    desk.sign_in("2001", "000003")
    text = desk.view(lang)["error"]
    assert "30" in text or "٣٠" in text


def test_dashboard_shows_the_queue_today_and_nothing_personal(desk, services):
    a = submit(services)
    b = submit(services, assisted_by="2001")
    services.outbox.reject(services.outbox.by_tracking(a.tracking)["id"], "procedure retired")
    assert desk.sign_in("2001", "559301")
    v = desk.view("fr")
    assert v["actor"]["name"] == "Agent Amina" and not v["actor"]["technician"]
    counts = {c["state"]: c["n"] for c in v["counts"]}
    assert counts["queued"] == 1 and counts["rejected"] == 1
    assert v["rejected"][0]["tracking"] == a.tracking and v["rejected"][0]["reason"] == "procedure retired"
    today = {r["tracking"]: r for r in v["today"]}
    assert set(today) == {a.tracking, b.tracking}
    assert today[b.tracking]["assisted"] and not today[a.tracking]["assisted"]
    assert v["oldest"] and not v["sync"]["configured"]
    dumped = json.dumps(v, ensure_ascii=False)
    for secret in ("0612345678", "EL AMRANI", "ZT9054321"):
        assert secret not in dumped
    # The assisted submission carries the agent, also inside the sealed payload's row.
    assert services.outbox.by_tracking(b.tracking)["assisted_by"] == "2001"


def test_out_of_service_is_kept_and_audited(desk, services):
    desk.sign_in("2001", "559301")
    desk.set_service(False, "maintenance")
    state = load_service(services.service_file)
    assert not state.in_service and state.by == "2001"
    from kiosk.desk import SERVICE_REASONS
    from kiosk.i18n import gettext
    assert desk.view("fr")["service"]["message"] == gettext("fr", SERVICE_REASONS["maintenance"])
    assert desk.view("ar")["service"]["message"] != desk.view("fr")["service"]["message"]
    desk.set_service(True)
    assert load_service(services.service_file).in_service
    actions = [r["action"] for r in desk.gate.audit.records()]
    assert "service.off" in actions and "service.on" in actions


def test_a_damaged_service_file_keeps_the_kiosk_closed(services):
    services.service_file.write_text("{oops")
    assert not load_service(services.service_file).in_service


def test_reprint_marks_the_receipt_and_only_today(desk, services):
    r = submit(services)
    row = services.outbox.by_tracking(r.tracking)
    assert row["printed_at"] is None
    desk.sign_in("2001", "559301")
    desk.reprint(r.tracking)
    assert desk.view("fr")["notice"] and services.outbox.by_tracking(r.tracking)["printed_at"]
    desk.reprint("DEMO1-200101-0001-0")
    assert desk.error.msgid == "Only today's receipts can be reprinted." and desk.view("fr")["error"]


def test_reprint_failure_lands_in_the_reprint_list(desk, services, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the printer folder should be")
    services.settings.values["printer.folder"] = str(blocked / "sub")
    services._printer = None
    r = submit(services)
    desk.sign_in("2001", "559301")
    desk.reprint(r.tracking)
    v = desk.view("fr")
    assert r.tracking in v["error"]
    row = [t for t in v["today"] if t["tracking"] == r.tracking][0]
    assert not row["printed"] and row["print_problem"]
    assert services.outbox.unprinted()[0]["tracking"] == r.tracking


def test_signed_out_desk_cannot_act(desk):
    from kiosk.staff import Forbidden
    with pytest.raises(Forbidden):
        desk.send_now()


def test_technician_runs_the_doctor_and_exports_diagnostics(desk, tmp_path):
    assert desk.sign_in("1001", "482913")
    desk.run_doctor()
    names = {c["name"] for c in desk.view("fr")["checks"]}
    assert {"config", "database", "printer", "audit-log"} <= names
    stick = tmp_path / "stick"
    stick.mkdir()
    desk.export_diagnostics(stick)
    bundles = list(stick.glob("guichet-diag-*"))
    assert len(bundles) == 1 and (bundles[0] / "doctor.json").exists()
    assert str(bundles[0]) in desk.view("fr")["notice"]


def test_an_agent_cannot_export_diagnostics(desk, tmp_path):
    desk.sign_in("2001", "559301")
    desk.export_diagnostics(tmp_path)
    assert not list(tmp_path.glob("guichet-diag-*"))
    assert desk.error.msgid == "Your role does not allow this."


def test_technician_unlocks_an_agent_on_the_desk(desk):
    for pin in ("000001", "000002", "000003"):
        desk.sign_in("2001", pin)
    assert desk.view("fr")["staff"] == []            # nobody signed in: no list
    desk.sign_in("1001", "482913")
    rows = {r["id"]: r for r in desk.view("fr")["staff"]}
    assert rows["2001"]["locked_for"] > 0
    desk.unlock("2001")
    assert desk.view("fr")["notice"] and {r["id"]: r for r in desk.view("fr")["staff"]}["2001"]["locked_for"] == 0
    desk.sign_out()
    assert desk.sign_in("2001", "559301")
    assert desk.view("fr")["staff"] == []            # an agent sees no staff list
    desk.unlock("1001")
    assert desk.error.msgid == "Your role does not allow this."
