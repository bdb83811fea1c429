"""The audit log's hash chain: any edit, insertion, deletion or cut is found."""

import json

import pytest

from kiosk.audit import AuditLog


@pytest.fixture
def log(tmp_path):
    a = AuditLog(tmp_path / "audit.jsonl")
    for n in range(6):
        a.append("1001", "technician", "config.set", {"key": "kiosk.office", "value": f"Office {n}"})
    return a


def lines(log):
    return log.path.read_text().splitlines(keepends=True)


def write(log, ls):
    log.path.write_text("".join(ls))


def test_intact_log_verifies(log):
    r = log.verify()
    assert r.ok and r.records == 6 and r.problems == []


def test_edit_is_detected(log):
    ls = lines(log)
    ls[2] = ls[2].replace("Office 2", "Office X")
    write(log, ls)
    r = log.verify()
    assert not r.ok and any("record 3 was changed" in p for p in r.problems)


def test_edit_with_a_recomputed_hash_breaks_the_next_link(log):
    from kiosk.audit import _digest
    ls = lines(log)
    rec = json.loads(ls[2])
    rec["details"]["value"] = "Office X"
    rec["hash"] = _digest(rec)
    ls[2] = json.dumps(rec) + "\n"
    write(log, ls)
    r = log.verify()
    assert not r.ok and any("record 4 does not follow" in p for p in r.problems)


def test_deletion_in_the_middle_is_detected(log):
    ls = lines(log)
    del ls[3]
    write(log, ls)
    r = log.verify()
    assert not r.ok and any("deleted or inserted" in p for p in r.problems)


def test_cutting_the_end_is_detected(log):
    write(log, lines(log)[:4])
    r = log.verify()
    assert not r.ok and any("cut off the end" in p for p in r.problems)


def test_removing_the_head_file_is_detected(log):
    log.head_path.unlink()
    assert not log.verify().ok


def test_garbage_line_is_reported_not_a_crash(log):
    ls = lines(log)
    ls.insert(2, "\x00\xffgarbage\n")
    write(log, ls)
    r = log.verify()
    assert not r.ok and any("line 3: not a record" in p for p in r.problems)


def test_appends_continue_the_chain_after_reopening(log, tmp_path):
    again = AuditLog(tmp_path / "audit.jsonl")
    rec = again.append("2001", "agent", "receipt.reprint", {"tracking": "DEMO1-261122-0001-K"})
    assert rec["seq"] == 7
    assert again.verify().ok
