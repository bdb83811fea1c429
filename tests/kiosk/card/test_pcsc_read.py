"""Full reads of the emulated documents through a real pcscd + vpcd."""

import json
import logging
import os
import subprocess
import sys

import pytest

from kiosk.card import pcsc
from kiosk.card.emulator.chip import ChipOptions, profile_path
from kiosk.card.emulator.document import EmulatedDocument
from kiosk.card.emulator.pcscd import VIRTUAL_READER
from kiosk.card.errors import AccessDeniedError
from kiosk.card.lds.mrz import parse_mrz
from kiosk.card.reading import AccessKey, read_document


def _read(key, trust, **kw):
    with pcsc.Context() as ctx:
        conn = pcsc.Connection(ctx, VIRTUAL_READER)
        try:
            return read_document(conn.transmit, key, trust=trust, **kw)
        finally:
            conn.close()


@pytest.mark.parametrize("kind", ["PACE-CAN", "PACE-MRZ"])
def test_cnie_pace(virtual_card, cnie, trust, kind):
    key = AccessKey(can=cnie.can) if kind == "PACE-CAN" else AccessKey(mrz_information=cnie.mrz_information)
    with virtual_card(cnie):
        result = _read(key, trust)
    assert result.protocol == kind
    assert result.mrz.format == "TD1" and result.mrz.document_code == "ID"
    assert result.mrz.document_number == parse_mrz(cnie.mrz).document_number
    assert result.dg11 is not None and "العمراني" in result.dg11.full_name
    assert result.passive.verified, result.passive.reason
    assert result.active == "verified"
    assert result.photo_png.startswith(b"\x89PNG")
    assert set(result.data_groups) >= {1, 2, 11, 15}


def test_cnie_bac_only(virtual_card, trust):
    document = EmulatedDocument.from_profile(profile_path("cnie"), {"access": ["bac"]})
    with virtual_card(document):
        result = _read(AccessKey(mrz_information=document.mrz_information), trust)
    assert result.protocol == "BAC" and result.passive.verified


def test_passport_bac(virtual_card, passport, trust):
    with virtual_card(passport):
        result = _read(AccessKey(mrz_information=passport.mrz_information), trust)
    assert result.protocol == "BAC"
    assert result.mrz.format == "TD3" and result.mrz.is_passport
    assert result.passive.verified, result.passive.reason


def test_passport_refuses_can(virtual_card, passport, trust):
    with virtual_card(passport):
        with pytest.raises(AccessDeniedError, match="BAC needs the MRZ"):
            _read(AccessKey(can="123456"), trust)


def test_tampered_dg1_fails_passive_authentication(virtual_card, trust):
    document = EmulatedDocument.from_profile(profile_path("cnie"), {"tamper": "dg1"})
    with virtual_card(document):
        result = _read(AccessKey(can=document.can), trust)
    assert not result.passive.verified
    assert 1 in result.passive.failed_dgs and "DG1" in result.passive.reason


def test_foreign_csca_is_untrusted(virtual_card, trust):
    document = EmulatedDocument.from_profile(profile_path("cnie"), {"csca": "foreign"})
    with virtual_card(document):
        result = _read(AccessKey(can=document.can), trust)
    assert not result.passive.verified
    assert result.passive.signature_ok  # the data is intact, only the chain is unknown
    assert "CSCA" in result.passive.reason


def test_wrong_can_fails_cleanly_then_right_can_reads(virtual_card, cnie, trust):
    wrong = "000000" if cnie.can != "000000" else "111111"
    with virtual_card(cnie):
        with pytest.raises(AccessDeniedError):
            _read(AccessKey(can=wrong), trust)
        assert _read(AccessKey(can=cnie.can), trust).passive.verified


def test_short_apdus_when_extended_length_is_refused(virtual_card, cnie, trust):
    with virtual_card(cnie, ChipOptions(extended_length=False)):
        result = _read(AccessKey(can=cnie.can), trust)
    assert result.passive.verified and not result.extended_length
    # every READ BINARY but the refused probe is short: the photo alone needs
    # ceil(len(DG2) / 223) reads
    assert result.apdus > len(cnie.dg(2)) // 223


def test_no_personal_data_in_logs(virtual_card, cnie, trust, caplog):
    caplog.set_level(logging.DEBUG)
    with virtual_card(cnie):
        _read(AccessKey(can=cnie.can), trust)
    m = parse_mrz(cnie.mrz)
    text = caplog.text
    for secret in (cnie.can, m.document_number, m.primary_identifier, m.secondary_identifier,
                   m.birth_date_raw, "العمراني", *cnie.mrz.splitlines()):
        assert secret not in text


def _kiosk(*args, env=None):
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def test_cli_readers_and_read(virtual_card, cnie, tmp_path):
    with virtual_card(cnie):
        readers = json.loads(_kiosk("card", "readers", "--json").stdout)
        mine = next(r for r in readers if r["name"] == VIRTUAL_READER)
        assert mine["card"] and mine["extended_length_in_atr"] is True
        photo = tmp_path / "face.png"
        run = _kiosk("card", "read", "--can", cnie.can, "--photo", str(photo), "--json",
                     env={"KIOSK_HOME": str(tmp_path / "home")})
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["protocol"] == "PACE-CAN" and data["document_type"] == "ID"
    assert data["passive_authentication"]["result"] == "verified"
    assert data["active_authentication"] == "verified"
    assert data["full_name_national"].startswith("العمراني")
    assert set(data["phases"]) == {"access", "read", "verify", "active"}
    assert data["apdus"] == sum(p["apdus"] for p in data["phases"].values())
    assert photo.read_bytes().startswith(b"\x89PNG")


def test_cli_read_wrong_can_exits_non_zero(virtual_card, cnie, tmp_path):
    with virtual_card(cnie):
        run = _kiosk("card", "read", "--can", "999999" if cnie.can != "999999" else "111111",
                     env={"KIOSK_HOME": str(tmp_path / "home")})
    assert run.returncode == 2
    assert "CARD-WRONG-ACCESS" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_cli_read_untrusted_exits_3(virtual_card, tmp_path):
    document = EmulatedDocument.from_profile(profile_path("cnie"), {"csca": "foreign"})
    with virtual_card(document):
        run = _kiosk("card", "read", "--can", document.can, "--json", env={"KIOSK_HOME": str(tmp_path / "h")})
    assert run.returncode == 3
    assert json.loads(run.stdout)["passive_authentication"]["result"] == "failed"
