"""The desk's pages in the core: staff accounts (add, new PIN, remove), one's own PIN,
and the card reader (choice through the gate, a test read's view). PINs never reach a
view other than as bullets; refusals are translated; roles are checked in the core."""

import json

import pytest

from kiosk.desk import Desk
from kiosk.staff import Forbidden
from tests.staff_helpers import make_staff


@pytest.fixture
def desk(services):
    make_staff(services.paths, "Agent Amina")
    return Desk(services)


def type_in(desk, field, digits):
    desk.form_focus(field)
    for d in digits:
        desk.form_digit(d)


def actions(desk):
    return [(r["actor"], r["action"], r["details"]) for r in desk.gate.audit.records()]


def test_technician_adds_an_agent_who_then_signs_in(desk):
    assert desk.sign_in("1001", "482913")
    assert desk.open_page("staff")
    desk.start_form("add")
    type_in(desk, "id", "3001")
    desk.form_focus("name")
    for ch in "karim":
        desk.form_key({"insert": ch, "action": None})
    desk.form_role("agent")
    type_in(desk, "pin", "731946")
    type_in(desk, "again", "731946")
    v = desk.page_view("fr")
    assert v["form"]["pin"] == "••••••" and v["form"]["again"] == "••••••"
    assert "731946" not in json.dumps(v)
    assert desk.form_next()                              # OK on the last box sends it
    v = desk.page_view("fr")
    assert v["form"] == {} and "3001" in v["notice"] and not v["error"]
    assert {"id": "3001", "name": "karim", "role": "agent"}.items() <= \
        {r["id"]: r for r in v["staff"]}["3001"].items()
    assert ("1001", "staff.add", {"staff": "3001", "role": "agent"}) in actions(desk)
    desk.sign_out()
    assert desk.sign_in("3001", "731946") and desk.actor.role == "agent"


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_refusals_are_translated_and_pins_wiped(desk, lang):
    desk.sign_in("1001", "482913")
    desk.open_page("staff")
    desk.start_form("add")
    type_in(desk, "id", "2001")                          # exists already
    desk.form_focus("name")
    desk.form_key({"insert": "x", "action": None})
    type_in(desk, "pin", "731946")
    type_in(desk, "again", "731946")
    assert not desk.submit_form()
    assert desk.error.msgid.startswith("Staff number {staff} exists already")
    assert desk.form.field == "id" and desk.form.pin == desk.form.again == ""
    assert desk.page_view(lang)["error"]
    desk.form.staff_id = "3001"
    type_in(desk, "pin", "111111")                       # weak
    type_in(desk, "again", "111111")
    assert not desk.submit_form()
    assert desk.error.msgid.startswith("This PIN is too easy") and desk.form.field == "pin"
    type_in(desk, "pin", "731946")
    type_in(desk, "again", "731947")                     # typed differently
    assert not desk.submit_form()
    assert desk.error.msgid.startswith("The two new PINs are different")
    type_in(desk, "pin", "7319")
    type_in(desk, "again", "7319")                       # too short
    assert not desk.submit_form() and desk.error.msgid == "A PIN is 6 to 12 digits."
    refused = [a for a in actions(desk) if a[1] == "staff.add.failed"]
    assert len(refused) == 3 and refused[0][2] == {"staff": "2001", "role": "agent", "error": "StaffError"}
    assert "731946" not in json.dumps(actions(desk)) and "111111" not in json.dumps(actions(desk))


def test_reset_a_pin_and_remove(desk):
    desk.sign_in("1001", "482913")
    desk.open_page("staff")
    desk.start_form("pin", "2001")
    assert desk.form.kind == "pin" and desk.form.target_name == "Agent Amina"
    type_in(desk, "pin", "640213")
    type_in(desk, "again", "640213")
    assert desk.submit_form() and "2001" in desk.page_view("fr")["notice"]
    desk.start_form("remove", "2001")
    assert desk.form.kind == "remove"
    assert desk.submit_form()
    assert "2001" not in {r["id"] for r in desk.page_view("fr")["staff"]}
    acts = [(a, b) for a, b, _ in actions(desk)]
    assert ("1001", "staff.pin") in acts and ("1001", "staff.remove") in acts
    desk.sign_out()
    assert not desk.sign_in("2001", "640213")


def test_cannot_remove_oneself_nor_the_last_technician(desk):
    desk.sign_in("1001", "482913")
    desk.open_page("staff")
    desk.start_form("remove", "1001")
    assert desk.form is None and desk.error.msgid == "You cannot remove your own account."
    # Even asked directly, with a form made by hand.
    from kiosk.desk import StaffForm
    desk.form = StaffForm("remove", target="1001")
    assert not desk.submit_form() and desk.error.msgid == "You cannot remove your own account."
    assert "1001" in {r["id"] for r in desk.page_view("fr")["staff"]}


def test_last_technician_refusal_is_translated(desk, services):
    desk.gate.staff.add(desk.gate.staff.authenticate("1001", "482913"), "1002", "Tech 2", "technician", "640213")
    desk.sign_in("1002", "640213")
    desk.open_page("staff")
    desk.start_form("remove", "1001")
    assert desk.submit_form()
    desk.sign_out()
    # 1002 is now the last technician: a desk signed in as 1002 cannot remove itself,
    # and the staff core refuses the last technician for anyone.
    from kiosk.desk import _staff_refusal
    from kiosk.staff import StaffError
    message, _ = _staff_refusal(StaffError("the last technician cannot be removed", "last-technician"), "1002")
    assert message.msgid.startswith("The last technician cannot be removed")
    for lang in ("ar", "fr", "zgh"):
        assert message.render(lang)


def test_change_my_own_pin(desk):
    assert desk.sign_in("2001", "559301")               # an agent
    assert desk.open_page("my_pin")
    type_in(desk, "old", "000000")
    type_in(desk, "pin", "640213")
    type_in(desk, "again", "640213")
    assert not desk.submit_form()
    assert desk.error.msgid.startswith("The current PIN is wrong") and desk.form.field == "old"
    assert desk.form.old == desk.form.pin == ""
    type_in(desk, "old", "559301")
    type_in(desk, "pin", "640213")
    type_in(desk, "again", "640213")
    assert desk.submit_form()
    assert desk.page == "" and desk.form is None and "PIN" in desk.page_view("fr")["notice"]
    # The current PIN was checked, not a second sign-in: the audit says which.
    actions = [r["action"] for r in desk.gate.audit.records()]
    checks = actions[actions.index("staff.pin_check_failed"):]
    assert "staff.pin_check" in checks and "staff.sign_in" not in checks
    desk.sign_out()
    assert not desk.sign_in("2001", "559301") and desk.sign_in("2001", "640213")


def test_an_agent_cannot_reach_staff_or_reader_pages(desk):
    desk.sign_in("2001", "559301")
    assert not desk.open_page("staff") and desk.page == ""
    assert desk.error.msgid == "Your role does not allow this."
    assert not desk.open_page("reader")
    desk.start_form("add")
    assert desk.form is None and desk.error.msgid == "Your role does not allow this."
    desk.choose_reader("Virtual")
    assert desk.error.msgid == "Your role does not allow this."
    assert desk.services.settings["card.reader"] == ""
    assert desk.begin_card_test() is None
    # A form slipped in by hand: kiosk/staff.py refuses, the desk records it.
    from kiosk.desk import StaffForm
    desk.form = StaffForm("add", staff_id="3001", name="x", pin="731946", again="731946")
    assert not desk.submit_form() and desk.error.msgid == "Your role does not allow this."
    desk.form = StaffForm("pin", target="1001", pin="731946", again="731946")
    assert not desk.submit_form()
    acts = [(a, b) for a, b, _ in actions(desk)]
    for denied in ("desk.staff.denied", "desk.reader.denied", "staff.add.denied", "config.set.denied",
                   "card.test.denied", "staff.pin.denied"):
        assert ("2001", denied) in acts, denied
    desk.sign_out()
    with pytest.raises(Forbidden):
        desk.choose_reader("x")


def test_pin_form_of_oneself_asks_the_current_pin(desk):
    desk.sign_in("1001", "482913")
    desk.open_page("staff")
    desk.start_form("pin", "1001")
    assert desk.form.kind == "my_pin" and desk.form.field == "old"


def test_leaving_wipes_the_form(desk):
    desk.sign_in("1001", "482913")
    desk.open_page("staff")
    desk.start_form("add")
    type_in(desk, "pin", "731946")
    form = desk.form
    desk.close_page()
    assert form.pin == "" and desk.form is None
    desk.open_page("my_pin")
    type_in(desk, "old", "482913")
    form = desk.form
    desk.sign_out()
    assert form.old == "" and desk.form is None and desk.page == ""


def test_reader_choice_goes_through_the_gate(desk, services):
    desk.sign_in("1001", "482913")
    assert desk.open_page("reader")
    desk.choose_reader("Virtual PCD 00 00")
    assert services.settings["card.reader"] == "Virtual PCD 00 00"
    assert desk.notice.msgid == "Saved. It takes effect when the kiosk restarts."
    assert ("1001", "config.set", {"key": "card.reader", "value": "Virtual PCD 00 00"}) in actions(desk)
    desk.choose_reader("")
    assert services.settings["card.reader"] == ""


def test_reader_view_of_a_test_result(desk):
    from kiosk.card.probe import OK, TIMEOUT, ProbeResult
    desk.sign_in("1001", "482913")
    desk.open_page("reader")
    job = desk.begin_card_test(timeout=5)
    assert job is not None and desk.begin_card_test() is None      # one at a time
    assert desk.page_view("fr")["reader"]["test"]["state"] == "waiting"
    desk.finish_card_test(object(), ProbeResult(TIMEOUT))           # a stale job: ignored
    assert desk.card_result is None
    desk.finish_card_test(job, ProbeResult(OK, "Reader 1", True, bytes.fromhex("3B8A80"), True, True, 42.4))
    for lang in ("ar", "fr", "zgh"):
        test = desk.page_view(lang)["reader"]["test"]
        assert test["state"] == "done" and test["ok"]
        rows = {r["key"]: r["value"] for r in test["rows"]}
        assert rows["atr"] == "3B 8A 80" and rows["reader"] == "Reader 1"
        assert "42" in rows["ms"] or "٤٢" in rows["ms"]
    assert ("1001", "card.test", {"reader": ""}) in actions(desk)
    job = desk.begin_card_test(timeout=5)
    desk.close_page()
    assert job.cancelled and desk.card_probe is None


def test_every_refusal_the_desk_translates_is_still_said_by_the_staff_core():
    """Every refusal code kiosk/staff.py raises has its translated message on the desk
    (the screen would otherwise show the English reason)."""
    import inspect
    import re

    import kiosk.staff
    from kiosk.desk import STAFF_REFUSALS
    raised = set(re.findall(r'StaffError\([^()]*?(?:\([^()]*\)[^()]*?)*,\s*"([a-z-]+)"\)', inspect.getsource(kiosk.staff)))
    assert len(raised) >= 10, raised
    assert raised - {"first-technician"} <= set(STAFF_REFUSALS), raised - set(STAFF_REFUSALS)
