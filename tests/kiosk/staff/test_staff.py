"""Accounts, Argon2id PINs, lockout with growing delays, and roles enforced in the core."""

import json

import pytest

from kiosk.audit import AuditLog
from kiosk.staff import (SETUP, Actor, Forbidden, LockedOut, Staff, StaffError, WrongPin,
                         check_pin_rule)


class Clock:
    def __init__(self):
        self.t = 1_000_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def staff(tmp_path):
    clock = Clock()
    s = Staff(tmp_path / "staff.json", AuditLog(tmp_path / "audit.jsonl"), clock)
    s.add(SETUP, "1001", "Tech", "technician", "482913")
    tech = s.authenticate("1001", "482913")
    s.add(tech, "2001", "Agent", "agent", "559301")
    s.clock_ = clock
    return s


def test_pins_are_argon2id_hashes_never_stored_in_clear(staff, tmp_path):
    text = (tmp_path / "staff.json").read_text()
    assert "482913" not in text and "559301" not in text
    pins = [a["pin"] for a in json.loads(text)["accounts"]]
    assert all(p.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for p in pins)
    assert (tmp_path / "staff.json").stat().st_mode & 0o777 == 0o600


def test_first_account_must_be_a_technician(tmp_path):
    s = Staff(tmp_path / "staff.json", AuditLog(tmp_path / "a.jsonl"))
    with pytest.raises(StaffError, match="first account"):
        s.add(SETUP, "2001", "Agent", "agent", "559301")
    assert not s.is_set_up()


@pytest.mark.parametrize("pin", ["12345", "1234567890123", "111111", "123456", "987654", "12ab56", ""])
def test_weak_or_malformed_pins_are_refused(pin):
    with pytest.raises(StaffError):
        check_pin_rule(pin)


def test_lockout_grows_and_survives_a_restart(staff, tmp_path):
    clock = staff.clock_
    for left in (2, 1):
        with pytest.raises(WrongPin) as e:
            staff.authenticate("2001", "000001")
        assert e.value.tries_left == left
    with pytest.raises(LockedOut) as e:
        staff.authenticate("2001", "000001")
    assert e.value.seconds == pytest.approx(30)
    # Even the right PIN is refused while locked, and a new process sees the lock.
    again = Staff(tmp_path / "staff.json", staff.audit, clock)
    with pytest.raises(LockedOut):
        again.authenticate("2001", "559301")
    clock.t += 31
    with pytest.raises(LockedOut) as e:
        again.authenticate("2001", "000002")
    assert e.value.seconds == pytest.approx(60)      # doubled
    clock.t += 61
    with pytest.raises(LockedOut) as e:
        again.authenticate("2001", "000003")
    assert e.value.seconds == pytest.approx(120)
    clock.t += 121
    assert again.authenticate("2001", "559301").role == "agent"
    # A success resets the counter: three fresh tries again.
    with pytest.raises(WrongPin) as e:
        again.authenticate("2001", "000004")
    assert e.value.tries_left == 2


def test_unknown_staff_number_looks_like_a_wrong_pin(staff):
    with pytest.raises(WrongPin):
        staff.authenticate("9999", "482913")


def test_roles_are_enforced_in_the_core(staff):
    agent = staff.authenticate("2001", "559301")
    assert agent.can("receipt.reprint") and agent.can("queue.view")
    for permission in ("config.write", "catalog.manage", "staff.manage", "keys.manage"):
        with pytest.raises(Forbidden):
            agent.require(permission)
    with pytest.raises(Forbidden):
        staff.add(agent, "2002", "Other", "agent", "559302")
    with pytest.raises(Forbidden):
        staff.set_pin(agent, "1001", "559303")
    staff.set_pin(agent, "2001", "559304")  # one's own PIN
    assert staff.authenticate("2001", "559304").id == "2001"
    assert not Actor("x", "nobody").can("queue.view")


def test_the_last_technician_stays(staff):
    tech = staff.authenticate("1001", "482913")
    with pytest.raises(StaffError, match="last technician"):
        staff.remove(tech, "1001")
    staff.remove(tech, "2001")
    assert [a.id for a in staff.accounts()] == ["1001"]


def test_every_change_and_attempt_is_audited(staff):
    with pytest.raises(WrongPin):
        staff.authenticate("2001", "000001")
    actions = [r["action"] for r in staff.audit.records()]
    assert actions == ["staff.add", "staff.sign_in", "staff.add", "staff.sign_in_failed"]
    assert staff.audit.verify().ok
    assert "559301" not in staff.audit.path.read_text()


def test_a_damaged_staff_file_is_a_clear_error(staff, tmp_path):
    (tmp_path / "staff.json").write_text("{not json")
    with pytest.raises(StaffError, match="damaged staff file"):
        staff.authenticate("1001", "482913")
