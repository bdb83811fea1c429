"""BAC: ICAO 9303-11 Appendix D (D.2, D.3) reproduced byte for byte, the recorded
APDU transcript replayed against both sides, and in-process round trips."""

import hashlib
import json
from pathlib import Path

import pytest

from kiosk.card.apdu import Command, Response
from kiosk.card.bac import BacChip, run_bac
from kiosk.card.crypto.cipher import Cipher, decrypt_cbc, encrypt_cbc, pad, retail_mac
from kiosk.card.crypto.kdf import adjust_parity, bac_key_seed, bac_keys, kdf, session_keys
from kiosk.card.errors import AccessDeniedError, ParseError, SecureMessagingError, StatusError

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "emrtd_vectors.json").read_text())
V = VECTORS["bac_worked_example_icao9303_11_appD"]
MRZ = V["mrz_information_ascii"]


def h(name: str) -> bytes:
    return bytes.fromhex(V[name])


def feeder(*chunks: bytes):
    """A deterministic rng returning the given values in order (and checking sizes)."""
    queue = list(chunks)

    def rng(n: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == n
        return value
    return rng


def test_mrz_information_and_key_seed():
    assert MRZ == V["mrz_document_number"] + V["mrz_document_number_check_digit"] + V["mrz_date_of_birth"] \
        + V["mrz_date_of_birth_check_digit"] + V["mrz_date_of_expiry"] + V["mrz_date_of_expiry_check_digit"]
    assert MRZ.encode() == h("mrz_information_hex")
    assert hashlib.sha1(MRZ.encode()).digest() == h("sha1_mrz_information")
    assert bac_key_seed(MRZ) == h("k_seed")
    assert bac_key_seed(MRZ.encode()) == h("k_seed")


def test_document_basic_access_keys_with_and_without_parity():
    assert h("k_seed") + (1).to_bytes(4, "big") == h("kdf_input_enc")
    assert h("k_seed") + (2).to_bytes(4, "big") == h("kdf_input_mac")
    assert hashlib.sha1(h("kdf_input_enc")).digest() == h("sha1_kdf_input_enc")
    assert hashlib.sha1(h("kdf_input_mac")).digest() == h("sha1_kdf_input_mac")
    assert h("sha1_kdf_input_enc")[:16] == h("k_enc_before_parity")
    assert adjust_parity(h("k_enc_before_parity")) == h("k_enc")
    assert adjust_parity(h("k_mac_before_parity")) == h("k_mac")
    assert h("k_enc_before_parity") != h("k_enc")  # the pitfall the vector exercises
    assert bac_keys(MRZ) == (h("k_enc"), h("k_mac"))
    assert kdf(h("k_seed"), 1, Cipher.TDES) == h("k_enc")


def test_parity_adjustment_gives_odd_parity_and_keeps_high_bits():
    out = adjust_parity(bytes(range(256)))
    assert all(bin(b).count("1") % 2 == 1 for b in out)
    assert all((a & 0xFE) == (b & 0xFE) for a, b in zip(bytes(range(256)), out))


def test_terminal_cryptogram_and_chip_answer_intermediates():
    k_enc, k_mac = h("k_enc"), h("k_mac")
    s = h("rnd_ifd") + h("rnd_ic") + h("k_ifd")
    assert s == h("s_rnd_ifd_rnd_ic_k_ifd")
    e_ifd = encrypt_cbc(Cipher.TDES, k_enc, s)
    assert e_ifd == h("e_ifd")
    assert retail_mac(k_mac, pad(e_ifd, 8)) == h("m_ifd")
    assert h("e_ifd") + h("m_ifd") == h("external_authenticate_command_data")
    assert h("e_ic") + h("m_ic") == h("external_authenticate_response_data")
    assert retail_mac(k_mac, pad(h("e_ic"), 8)) == h("m_ic")
    r = decrypt_cbc(Cipher.TDES, k_enc, h("e_ic"))
    assert r == h("r_decrypted_rnd_ic_rnd_ifd_k_ic")
    assert r[16:] == h("k_ic")


def test_session_keys_and_ssc_intermediates():
    seed = bytes(a ^ b for a, b in zip(h("k_ifd"), h("k_ic")))
    assert seed == h("ks_seed_k_ifd_xor_k_ic")
    assert hashlib.sha1(seed + b"\0\0\0\1").digest()[:16] == h("ks_enc_before_parity")
    assert hashlib.sha1(seed + b"\0\0\0\2").digest()[:16] == h("ks_mac_before_parity")
    assert session_keys(seed, Cipher.TDES) == (h("ks_enc"), h("ks_mac"))
    assert h("rnd_ic")[4:] + h("rnd_ifd")[4:] == h("ssc_initial")


def replay(apdus):
    """A transmit that checks each command against the recording and plays the response."""
    sent = []

    def transmit(cmd: Command) -> Response:
        step = apdus[len(sent)]
        sent.append(cmd)
        assert cmd.encode().hex().upper() == step["command"], step["name"]
        return Response.decode(bytes.fromhex(step["response"]))
    return transmit, sent


def test_terminal_replays_the_recorded_transcript():
    transmit, sent = replay(V["apdus"])
    sm = run_bac(transmit, MRZ, rng=feeder(h("rnd_ifd"), h("k_ifd")))
    assert len(sent) == len(V["apdus"]) == 2
    assert sm.ssc == h("ssc_initial")
    assert (sm._ks_enc, sm._ks_mac) == (h("ks_enc"), h("ks_mac"))


def test_chip_answers_the_recorded_transcript_byte_for_byte():
    chip = BacChip(MRZ, rng=feeder(h("rnd_ic"), h("k_ic")))
    for step in V["apdus"]:
        resp = chip.handle(Command.decode(bytes.fromhex(step["command"])))
        assert resp.encode().hex().upper() == step["response"], step["name"]
    assert chip.sm is not None and chip.sm.ssc == h("ssc_initial")
    assert (chip.sm._ks_enc, chip.sm._ks_mac) == (h("ks_enc"), h("ks_mac"))


def read_binary_round_trip(terminal, chip, content: bytes, le: int) -> bytes:
    """A protected READ BINARY through both ends of a channel."""
    wire = terminal.protect(Command(0x00, 0xB0, 0x00, 0x00, le=le))
    plain = chip.unprotect_command(wire)
    assert plain == Command(0x00, 0xB0, 0x00, 0x00, le=le)
    return terminal.unprotect(chip.protect_response(Response(content[:le], 0x9000))).data


def test_in_process_round_trip_then_protected_read_binary():
    chip = BacChip(MRZ)
    sm = run_bac(chip.handle, MRZ)
    assert chip.sm is not None and sm.ssc == chip.sm.ssc
    content = bytes(range(256)) * 8
    assert read_binary_round_trip(sm, chip.sm, content, 0xE0) == content[:0xE0]
    assert read_binary_round_trip(sm, chip.sm, content, 2000) == content[:2000]  # extended length
    assert sm.ssc == chip.sm.ssc


def test_wrong_mrz_is_access_denied_and_the_chip_refuses_with_6300():
    chip = BacChip(MRZ)
    seen = []

    def transmit(cmd):
        seen.append(chip.handle(cmd))
        return seen[-1]
    with pytest.raises(AccessDeniedError) as e:
        run_bac(transmit, "L898902C<369080619406244")
    assert e.value.tries_left is None
    assert seen[-1] == Response(b"", 0x6300)
    assert chip.sm is None
    run_bac(chip.handle, MRZ)  # the right MRZ still works afterwards
    assert chip.sm is not None


@pytest.mark.parametrize("sw", [0x6300, 0x6982, 0x6988])
def test_rejection_status_words_are_access_denied(sw):
    answers = iter([Response(bytes(8), 0x9000), Response(b"", sw)])
    with pytest.raises(AccessDeniedError):
        run_bac(lambda cmd: next(answers), MRZ)


def test_other_failures_are_typed():
    with pytest.raises(StatusError) as e:
        run_bac(lambda cmd: Response(b"", 0x6D00), MRZ)
    assert e.value.sw == 0x6D00
    with pytest.raises(ParseError):
        run_bac(lambda cmd: Response(bytes(7), 0x9000), MRZ)
    answers = iter([Response(bytes(8), 0x9000), Response(b"", 0x6A80)])
    with pytest.raises(StatusError):
        run_bac(lambda cmd: next(answers), MRZ)


def test_chip_answer_with_a_bad_mac_or_wrong_echo_is_rejected():
    data = bytearray(h("external_authenticate_response_data"))
    data[-1] ^= 1
    answers = iter([Response(h("rnd_ic"), 0x9000), Response(bytes(data), 0x9000)])
    with pytest.raises(SecureMessagingError):
        run_bac(lambda cmd: next(answers), MRZ, rng=feeder(h("rnd_ifd"), h("k_ifd")))
    # a genuine answer to another challenge: the MAC verifies but RND.IFD does not match
    answers = iter([Response(h("rnd_ic"), 0x9000), Response(h("external_authenticate_response_data"), 0x9000)])
    with pytest.raises(SecureMessagingError, match="echo"):
        run_bac(lambda cmd: next(answers), MRZ, rng=feeder(bytes(8), h("k_ifd")))


def test_chip_protocol_errors():
    chip = BacChip(MRZ)
    ext_auth = Command.decode(bytes.fromhex(V["apdus"][1]["command"]))
    assert chip.handle(ext_auth).sw == 0x6985  # no challenge yet
    assert chip.handle(Command(0x00, 0x84, 0, 0, le=16)).sw == 0x6700
    assert chip.handle(Command(0x80, 0x84, 0, 0, le=8)).sw == 0x6E00
    assert chip.handle(Command(0x00, 0xB0, 0, 0, le=8)).sw == 0x6D00
    assert chip.handle(Command(0x00, 0x84, 0, 0, le=8)).ok
    assert chip.handle(Command(0x00, 0x82, 0, 0, bytes(39), le=40)).sw == 0x6700
    # one attempt per challenge
    assert chip.handle(ext_auth).sw == 0x6985
    assert chip.sm is None
