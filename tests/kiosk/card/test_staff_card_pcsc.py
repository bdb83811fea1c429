"""Staff badges through a real pcscd + vpcd: the probe, the kiosk's reader (badge, then
a CNIE read as before), enrolment with `kiosk staff card enrol`, then identification."""

import json
import os
import queue
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kiosk.card import pcsc
from kiosk.card.chip_reader import ChipCardReader, PcscLink, Policy
from kiosk.card.emulator.badge import EmulatedBadge
from kiosk.card.emulator.pcscd import VIRTUAL_READER, wait_card
from kiosk.card.reader import CardEventKind
from kiosk.card.staff_card import probe_staff_card, short_fingerprint, verify_proof
from kiosk.cli import cli
from kiosk.paths import KioskPaths
from kiosk.privileged import Gate
from kiosk.staff import BadgeOfAnotherAccount, ReplayedBadge, UnknownBadge
from tests.staff_helpers import AGENT, TECH, make_staff_cli


def _probe(sent=None):
    """Probe the card in the virtual reader; ``sent`` collects the commands sent."""
    with pcsc.Context() as ctx:
        conn = pcsc.Connection(ctx, VIRTUAL_READER)

        def transmit(cmd):
            if sent is not None:
                sent.append(cmd)
            return conn.transmit(cmd)

        try:
            return probe_staff_card(transmit)
        finally:
            conn.close()


def test_badge_read_and_verified_through_pcscd(virtual_badge):
    badge = EmulatedBadge.create("2001")
    sent = []
    with virtual_badge(badge):
        proof = _probe(sent)
    assert proof.staff_number == "2001" and proof.public_key == badge.public_key
    verify_proof(proof)
    assert [c.ins for c in sent] == [0xA4, 0xCA, 0xCA, 0x88]


def test_a_cnie_is_not_a_badge_through_pcscd(virtual_card, cnie):
    sent = []
    with virtual_card(cnie):
        assert _probe(sent) is None
    assert len(sent) == 1


@pytest.fixture
def pcsc_reader(pcscd, trust):
    events = queue.Queue()
    reader = ChipCardReader(PcscLink(VIRTUAL_READER), Policy(trust))
    reader.start(events.put)
    yield reader, events
    reader.stop()


def _next(events):
    while True:
        e = events.get(timeout=15)
        if e.kind is not CardEventKind.PROGRESS:
            return e


def _present(virtual_badge, events, badge):
    """The badge put on the kiosk's reader, then taken away: its STAFF_CARD event."""
    try:  # what the reader saw before (an enrolment, say), until it has been quiet a moment
        while True:
            events.get(timeout=0.5)
    except queue.Empty:
        pass
    with virtual_badge(badge):
        first = _next(events)
        while first.kind is CardEventKind.REMOVED:  # the previous card's removal, seen late
            first = _next(events)
        assert first.kind is CardEventKind.INSERTED
        e = _next(events)
    assert e.kind is CardEventKind.STAFF_CARD and _next(events).kind is CardEventKind.REMOVED
    return e


def test_kiosk_reader_reports_a_badge_then_reads_a_cnie_as_before(pcsc_reader, virtual_badge, virtual_card,
                                                                  cnie, caplog):
    reader, events = pcsc_reader
    badge = EmulatedBadge.create("2001")
    with virtual_badge(badge):
        assert _next(events).kind is CardEventKind.INSERTED
        e = _next(events)
        assert e.kind is CardEventKind.STAFF_CARD and e.error is None
        assert e.staff_card.public_key == badge.public_key
    assert _next(events).kind is CardEventKind.REMOVED
    with virtual_card(cnie):
        assert _next(events).kind is CardEventKind.INSERTED
        assert _next(events).kind is CardEventKind.NEED_ACCESS
        reader.provide_access(cnie.can)
        e = _next(events)
        assert e.kind is CardEventKind.IDENTITY, e
        assert e.identity.verification == "verified" and e.identity.surname_ar == "العمراني"
        e.identity.wipe()
    assert _next(events).kind is CardEventKind.REMOVED
    assert badge.public_key.hex() not in caplog.text and "2001" not in caplog.text


def run(*args, ok=True, env=None):
    r = CliRunner().invoke(cli, [str(a) for a in args], env=env or {})
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def test_enrol_with_the_cli_then_identify(kiosk_home, virtual_badge, pcsc_reader):
    make_staff_cli(run)
    badge = EmulatedBadge.create("2001")
    with virtual_badge(badge):
        assert "may not staff.manage" in run("staff", "card", "enrol", "2001", ok=False, env=AGENT)
        out = run("staff", "card", "enrol", "2001", "--reader", "Virtual PCD", "--timeout", "5", env=TECH)
    assert f"badge {short_fingerprint(badge.public_key)} enrolled for 2001" in out
    listing = run("staff", "list")
    assert short_fingerprint(badge.public_key) in listing and badge.public_key.hex() not in listing
    assert [r["badge"] for r in json.loads(run("staff", "list", "--json"))] == [
        "", short_fingerprint(badge.public_key)]

    # The badge on the kiosk's reader: the desk would give the proof to identify_card.
    reader, events = pcsc_reader
    gate = Gate(KioskPaths.from_env())
    proof = _present(virtual_badge, events, badge).staff_card
    assert gate.staff.identify_card(proof) == "2001"
    assert gate.staff.authenticate("2001", "559301").id == "2001"  # then the PIN
    with pytest.raises(ReplayedBadge):
        gate.staff.identify_card(proof)  # the same answer a second time

    # A clone with the same staff number and its own key is not enrolled.
    clone_proof = _present(virtual_badge, events, EmulatedBadge.create("2001")).staff_card
    with pytest.raises(UnknownBadge):
        gate.staff.identify_card(clone_proof)

    run("staff", "card", "remove", "2001", env=TECH)
    assert "no badge" in run("staff", "list")
    records = json.loads(run("audit", "show", "--json", "--last", "100"))
    assert [r["action"] for r in records if r["action"].startswith("staff.card")] == [
        "staff.card_enrol", "staff.card_presented", "staff.card_refused", "staff.card_refused",
        "staff.card_remove"]
    assert badge.public_key.hex() not in json.dumps(records)
    assert run("audit", "verify").startswith("ok")


def test_enrol_refuses_a_badge_of_another_number_and_a_cnie(kiosk_home, virtual_badge, virtual_card, cnie):
    make_staff_cli(run)
    with virtual_badge(EmulatedBadge.create("2001")):
        out = run("staff", "card", "enrol", "1001", "--timeout", "5", env=TECH, ok=False)
    assert "personalised for staff number 2001, not 1001" in out
    with virtual_card(cnie):
        assert "not a staff badge" in run("staff", "card", "enrol", "2001", "--timeout", "5", env=TECH, ok=False)
    assert "no staff number 3001" in run("staff", "card", "enrol", "3001", env=TECH, ok=False)
    assert "no badge" in run("staff", "card", "remove", "2001", env=TECH, ok=False)


def test_a_badge_enrolled_for_another_account_is_refused(kiosk_home, virtual_badge, pcsc_reader):
    make_staff_cli(run)
    gate = Gate(KioskPaths.from_env())
    badge = EmulatedBadge.create("2001")
    gate.staff.enrol_card(gate.staff.authenticate("1001", "482913"), "1001", badge.public_key)
    reader, events = pcsc_reader
    proof = _present(virtual_badge, events, badge).staff_card
    with pytest.raises(BadgeOfAnotherAccount):
        gate.staff.identify_card(proof)


def test_cli_emulate_badge_keeps_its_key(pcscd, tmp_path):
    key = tmp_path / "badge.pem"
    fingerprints = []
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "card", "emulate-badge", "2001", "--key", str(key)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "KIOSK_HOME": str(tmp_path / "home")})
        try:
            first = proc.stdout.readline()
            assert "TEST-ONLY staff badge for 2001" in first, first + proc.stderr.read()
            assert wait_card(True, timeout=15)
            proof = _probe()
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _err = proc.communicate(timeout=15)
            wait_card(False)
        assert proof.staff_number == "2001"
        assert short_fingerprint(proof.public_key) in first
        assert "badge removed after" in out
        fingerprints.append(proof.public_key)
    assert fingerprints[0] == fingerprints[1]
    assert key.stat().st_mode & 0o777 == 0o600
