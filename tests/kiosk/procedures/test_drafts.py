"""The sealed draft of the session in progress: written at each step, never readable on
disk, gone at the end of the session, and cleaned up after a crash."""

import subprocess
import sys
import textwrap

from kiosk.paths import KioskPaths
from kiosk.procedures.drafts import MAGIC, DraftJournal
from kiosk.procedures.examples import example_answers
from kiosk.services import Services
from kiosk.session import EndReason, Session, State

from ..helpers import to_catalog

PROC = "cnss.ipe"


def drafts(services):
    return sorted((services.paths.spool / "drafts").glob("draft-*"))


def walk_two_steps(session, identity):
    to_catalog(session, identity)
    session.choose(PROC)
    answers = example_answers(session.procedure, "fr", identity.prefill())
    session.begin_procedure()
    for _ in range(2):
        session.answer_step(answers)
        assert session.next()
    return answers


def test_draft_is_sealed_and_goes_with_the_session(services, demo_identity):
    session = Session(services, services.catalog, "fr")
    walk_two_steps(session, demo_identity)
    [path] = drafts(services)
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    for secret in (demo_identity.document_number, demo_identity.surname, "123456789"):
        assert secret.encode() not in data
    assert services.journal.load() == session.wizard.snapshot()
    session.end(EndReason.CANCELLED)
    assert drafts(services) == []


def test_a_finished_or_abandoned_procedure_leaves_no_draft(services, demo_identity):
    session = Session(services, services.catalog, "fr")
    walk_two_steps(session, demo_identity)
    session.leave_procedure()
    assert session.state is State.CATALOG and drafts(services) == []


def test_another_process_cannot_read_a_draft(services, demo_identity, tmp_path):
    session = Session(services, services.catalog, "fr")
    walk_two_steps(session, demo_identity)
    [path] = drafts(services)
    stranger = DraftJournal(path.parent)
    stranger_path = stranger.path
    assert stranger_path != path
    # The clean-up reads only the clear header: procedure, version, step, time.
    [found] = stranger.clean_up_interrupted()
    assert (found.procedure, found.step) == (PROC, session.wizard.index)
    assert not path.exists()


CRASH = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from kiosk.card.demo import load_demo_identity
    from kiosk.paths import KioskPaths
    from kiosk.services import Services
    from kiosk.session import Session
    from tests.kiosk.procedures.test_drafts import walk_two_steps
    services = Services.open(KioskPaths.from_env())
    session = Session(services, services.catalog, "fr")
    walk_two_steps(session, load_demo_identity())
    os._exit(9)  # a crash: no clean-up, no atexit
""")


def test_after_a_crash_the_next_start_cleans_up_and_says_what_was_lost(kiosk_home, caplog):
    from kiosk.paths import ROOT

    run = subprocess.run([sys.executable, "-c", CRASH.format(root=str(ROOT))], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 9, run.stderr
    paths = KioskPaths.from_env()
    assert len(list((paths.spool / "drafts").glob("draft-*"))) == 1
    with caplog.at_level("WARNING"):
        services = Services.open(paths)
    try:
        [lost] = services.interrupted
        assert lost.procedure == PROC and lost.step >= 2
        assert list((paths.spool / "drafts").glob("draft-*")) == []
        logged = " ".join(r.getMessage() for r in caplog.records)
        assert "interrupted session" in logged and PROC in logged
        assert "ZT9054321" not in logged and "SALMA" not in logged
    finally:
        services.close()


def test_a_damaged_draft_is_removed_too(kiosk_home):
    paths = KioskPaths.from_env().ensure()
    folder = paths.spool / "drafts"
    folder.mkdir(parents=True)
    (folder / "draft-1-x.bin").write_bytes(b"garbage")
    (folder / "draft-2-y.bin").write_bytes(MAGIC + b"\xff\xff" + b"{}")
    services = Services.open(paths)
    try:
        assert services.interrupted == [] and list(folder.glob("draft-*")) == []
    finally:
        services.close()


def test_snapshot_json_round_trip_through_the_journal(tmp_path):
    j = DraftJournal(tmp_path)
    snap = {"procedure": "a.b", "version": 1, "index": 2, "answers": {"x": ["1", "2"]}}
    j.save(snap, "2026-11-22T10:00:00+01:00")
    assert j.load() == snap
    assert b'"x"' not in j.path.read_bytes()
    j.discard()
    assert j.load() is None
