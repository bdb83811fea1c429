"""Staff badges bound to accounts: enrol, remove, identify, and every refusal
(docs/staff-card.md). The badges are the TEST-ONLY emulator, in memory."""

import json

import pytest

from kiosk.audit import AuditLog
from kiosk.card.emulator.badge import EmulatedBadge
from kiosk.card.staff_card import ChallengeBook, StaffCardProof, probe_staff_card, short_fingerprint
from kiosk.staff import (SETUP, BadBadgeSignature, BadgeOfAnotherAccount, BadgeRefused, Forbidden,
                         LockedOut, ReplayedBadge, Staff, StaffError, UnknownBadge, WrongPin)


class Clock:
    def __init__(self):
        self.t = 1_000.0

    def __call__(self):
        return self.t


@pytest.fixture
def book():
    book = ChallengeBook(clock=Clock())
    return book


@pytest.fixture
def staff(tmp_path):
    s = Staff(tmp_path / "staff.json", AuditLog(tmp_path / "audit.jsonl"))
    s.add(SETUP, "1001", "Tech", "technician", "482913")
    s.tech = s.authenticate("1001", "482913")
    s.add(s.tech, "2001", "Agent", "agent", "559301")
    return s


def present(badge, book) -> StaffCardProof:
    badge.power_on()
    return probe_staff_card(badge.transmit, book)


def actions(staff):
    return [(r["actor"], r["action"], r["details"]) for r in staff.audit.records()]


def test_enrol_then_identify(staff, book, tmp_path):
    badge = EmulatedBadge.create("2001")
    fp = staff.enrol_card(staff.tech, "2001", badge.public_key)
    assert fp == badge.fingerprint and fp.startswith("sha256:")
    stored = {a["id"]: a for a in json.loads((tmp_path / "staff.json").read_text())["accounts"]}
    assert stored["2001"]["card"] == fp and "card" not in stored["1001"]
    assert badge.public_key.hex() not in (tmp_path / "staff.json").read_text()
    assert staff.identify_card(present(badge, book), book) == "2001"
    # The PIN is still needed after the badge: identify_card signs nobody in.
    assert staff.authenticate("2001", "559301").id == "2001"
    rows = {r["id"]: r for r in staff.listing()}
    assert rows["2001"]["badge"] == short_fingerprint(badge.public_key) and rows["1001"]["badge"] == ""
    assert ("1001", "staff.card_enrol",
            {"staff": "2001", "badge": short_fingerprint(fp), "replaced": False}) in actions(staff)
    assert ("2001", "staff.card_presented", {}) in actions(staff)
    assert badge.public_key.hex() not in staff.audit.path.read_text()
    assert staff.audit.verify().ok


def test_only_technicians_enrol_and_remove(staff):
    agent = staff.authenticate("2001", "559301")
    badge = EmulatedBadge.create("2001")
    with pytest.raises(Forbidden):
        staff.enrol_card(agent, "2001", badge.public_key)  # not even one's own badge
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    with pytest.raises(Forbidden):
        staff.remove_card(agent, "2001")


def test_enrol_refusals(staff):
    badge = EmulatedBadge.create("2001")
    with pytest.raises(StaffError, match="no staff number"):
        staff.enrol_card(staff.tech, "3001", badge.public_key)
    for bad in (b"", b"\x04" + bytes(64), badge.public_key[:33], badge.fingerprint.encode(), badge.fingerprint,
                None):
        with pytest.raises(StaffError, match="public key"):
            staff.enrol_card(staff.tech, "2001", bad)
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    with pytest.raises(StaffError, match="enrolled for staff number 2001"):
        staff.enrol_card(staff.tech, "1001", badge.public_key)  # one badge, one account


def test_a_new_badge_replaces_the_old_one(staff, book):
    old, new = EmulatedBadge.create("2001"), EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", old.public_key)
    staff.enrol_card(staff.tech, "2001", new.public_key)
    assert staff.identify_card(present(new, book), book) == "2001"
    with pytest.raises(UnknownBadge):
        staff.identify_card(present(old, book), book)
    assert actions(staff)[-3][2]["replaced"] is True


def test_a_badge_enrolled_for_another_account_is_refused(staff, book):
    # The technician enrolled the agent's badge (number 2001) on their own account 1001.
    badge = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "1001", badge.public_key)
    with pytest.raises(BadgeOfAnotherAccount):
        staff.identify_card(present(badge, book), book)
    assert actions(staff)[-1] == ("2001", "staff.card_refused", {"reason": "other-account"})


def test_a_clone_with_another_key_is_refused(staff, book):
    genuine = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", genuine.public_key)
    clone = EmulatedBadge.create("2001")  # the same staff number, its own key
    with pytest.raises(UnknownBadge):
        staff.identify_card(present(clone, book), book)
    # A clone announcing the genuine key cannot sign for it: refused at the card already,
    # and a proof pieced together from its answers is refused here.
    proof = present(clone, book)
    forged = StaffCardProof("2001", genuine.public_key, proof.challenge, proof.signature)
    with pytest.raises(BadBadgeSignature):
        staff.identify_card(forged, book)
    assert [d["reason"] for _, a, d in actions(staff) if a == "staff.card_refused"] == ["unknown", "signature"]


def test_a_replayed_proof_is_refused(staff, book):
    badge = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    proof = present(badge, book)
    assert staff.identify_card(proof, book) == "2001"
    with pytest.raises(ReplayedBadge):
        staff.identify_card(proof, book)                     # the same answer again
    elsewhere = ChallengeBook()                              # a challenge this kiosk never issued
    with pytest.raises(ReplayedBadge):
        staff.identify_card(present(badge, elsewhere), book)
    late = present(badge, book)
    book.clock.t += 61                                       # too old
    with pytest.raises(ReplayedBadge):
        staff.identify_card(late, book)
    assert actions(staff)[-1] == ("2001", "staff.card_refused", {"reason": "replayed"})


def test_the_default_book_is_the_readers(staff):
    badge = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    badge.power_on()
    assert staff.identify_card(probe_staff_card(badge.transmit)) == "2001"


def test_removed_badge_or_account_no_longer_identifies(staff, book):
    badge = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    staff.remove_card(staff.tech, "2001")
    with pytest.raises(UnknownBadge):
        staff.identify_card(present(badge, book), book)
    with pytest.raises(StaffError, match="no badge"):
        staff.remove_card(staff.tech, "2001")
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    staff.remove(staff.tech, "2001")
    with pytest.raises(UnknownBadge):
        staff.identify_card(present(badge, book), book)
    assert ("1001", "staff.card_remove", {"staff": "2001", "badge": short_fingerprint(badge.public_key)}) \
        in actions(staff)


def test_not_a_proof_is_a_bad_signature(staff, book):
    for junk in (None, "2001", StaffCardProof("2001", b"", b"", b"")):
        with pytest.raises(BadBadgeSignature):
            staff.identify_card(junk, book)
    assert all(isinstance(c, type) and issubclass(c, BadgeRefused) and issubclass(c, StaffError)
               for c in (BadBadgeSignature, ReplayedBadge, UnknownBadge, BadgeOfAnotherAccount))


def test_lockout_is_unchanged_by_badges(staff, book):
    badge = EmulatedBadge.create("2001")
    staff.enrol_card(staff.tech, "2001", badge.public_key)
    for _ in range(2):
        with pytest.raises(WrongPin):
            staff.authenticate("2001", "000001")
    with pytest.raises(LockedOut):
        staff.authenticate("2001", "000001")
    # The badge still says who it is; the PIN after it is refused while locked.
    assert staff.identify_card(present(badge, book), book) == "2001"
    with pytest.raises(LockedOut):
        staff.authenticate("2001", "559301")


def test_old_staff_files_without_badges_still_load(tmp_path):
    path = tmp_path / "staff.json"
    s = Staff(path, AuditLog(tmp_path / "a.jsonl"))
    s.add(SETUP, "1001", "Tech", "technician", "482913")
    raw = json.loads(path.read_text())
    assert set(raw["accounts"][0]) == {"id", "name", "role", "pin", "failures", "locked_until"}
    again = Staff(path, AuditLog(tmp_path / "a.jsonl"))
    assert again.accounts()[0].card == "" and again.listing()[0]["badge"] == ""
