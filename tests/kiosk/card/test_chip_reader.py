"""The kiosk's card reader with the in-process emulator: events, CAN, removal, policy."""

import datetime as dt
import queue

import pytest

from kiosk.card.chip_reader import ChipCardReader, EmulatorLink, Policy
from kiosk.card.emulator.chip import chip_for, profile_path
from kiosk.card.emulator.document import EmulatedDocument
from kiosk.card.reader import CardErrorCode, CardEventKind


def _reader(document, trust, **policy):
    events = queue.Queue()
    reader = ChipCardReader(EmulatorLink(chip_for(document)), Policy(trust, **policy))
    reader.start(events.put)
    return reader, events


def _next(events, kind=None):
    while True:
        e = events.get(timeout=10)
        if kind is None or e.kind is not CardEventKind.PROGRESS:
            return e


def test_insert_can_identity(cnie, trust):
    reader, events = _reader(cnie, trust)
    reader.insert()
    assert _next(events).kind is CardEventKind.INSERTED
    assert _next(events).kind is CardEventKind.NEED_ACCESS
    reader.provide_access(cnie.can)
    e = _next(events, "no-progress")
    assert e.kind is CardEventKind.IDENTITY
    ident = e.identity
    assert ident.verification == "verified" and ident.document_type == "ID"
    assert ident.surname_ar == "العمراني" and ident.given_names_ar == "سلمى"
    assert bytes(ident.photo[:8]) == b"\x89PNG\r\n\x1a\n"


def test_wrong_can_then_right(cnie, trust):
    reader, events = _reader(cnie, trust)
    reader.insert()
    _next(events), _next(events)
    reader.provide_access("000000" if cnie.can != "000000" else "111111")
    e = _next(events, "no-progress")
    assert e.kind is CardEventKind.ERROR and e.error is CardErrorCode.WRONG_ACCESS
    reader.provide_access(cnie.can)
    assert _next(events, "no-progress").kind is CardEventKind.IDENTITY


def test_progress_is_reported_and_grows(cnie, trust):
    reader, events = _reader(cnie, trust)
    reader.insert()
    _next(events), _next(events)
    reader.provide_access(cnie.can)
    seen = []
    while True:
        e = events.get(timeout=10)
        if e.kind is not CardEventKind.PROGRESS:
            break
        seen.append(e.progress)
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == 1.0


def test_removal_ends_the_read(cnie, trust):
    reader, events = _reader(cnie, trust)
    reader.insert()
    _next(events), _next(events)
    reader.remove()
    assert _next(events).kind is CardEventKind.REMOVED
    reader.provide_access(cnie.can)  # nobody is there any more: nothing happens
    with pytest.raises(queue.Empty):
        events.get(timeout=0.5)


def test_untrusted_refused_unless_policy_accepts(trust):
    foreign = EmulatedDocument.from_profile(profile_path("cnie"), {"csca": "foreign"})
    reader, events = _reader(foreign, trust)
    reader.insert()
    _next(events), _next(events)
    reader.provide_access(foreign.can)
    e = _next(events, "no-progress")
    assert e.kind is CardEventKind.ERROR and e.error is CardErrorCode.NOT_VERIFIED
    assert "CSCA" in e.detail

    reader, events = _reader(foreign, trust, accept_unverified=True)
    reader.insert()
    _next(events), _next(events)
    reader.provide_access(foreign.can)
    e = _next(events, "no-progress")
    assert e.kind is CardEventKind.IDENTITY and e.identity.verification == "unverified"


def test_expired_document(cnie, trust):
    reader, events = _reader(cnie, trust, today=lambda: dt.date(2040, 1, 1))
    reader.insert()
    _next(events), _next(events)
    reader.provide_access(cnie.can)
    e = _next(events, "no-progress")
    assert e.kind is CardEventKind.ERROR and e.error is CardErrorCode.EXPIRED


def test_bac_only_passport_is_unsupported_at_the_kiosk(passport, trust):
    reader, events = _reader(passport, trust)
    reader.insert()
    assert _next(events).kind is CardEventKind.INSERTED
    e = _next(events)
    assert e.kind is CardEventKind.ERROR and e.error is CardErrorCode.UNSUPPORTED


def test_first_card_wins(cnie, trust):
    events = queue.Queue()
    reader = ChipCardReader(EmulatorLink(chip_for(cnie)), Policy(trust))
    reader.start(events.put)
    reader._inserted("reader-1")
    reader._inserted("reader-2")  # a second card while the first is used: ignored
    assert events.get(timeout=5).kind is CardEventKind.INSERTED
    reader._removed("reader-2")  # not the active one: no event
    reader._removed("reader-1")
    rest = []
    while True:
        try:
            rest.append(events.get(timeout=0.5).kind)
        except queue.Empty:
            break
    assert CardEventKind.INSERTED not in rest
    assert rest.count(CardEventKind.REMOVED) == 1
