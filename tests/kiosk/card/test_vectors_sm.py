"""Secure messaging: ICAO 9303-11 Appendix D.4 (3DES) and an AES-256 trace
reproduced byte for byte on both sides, then the behaviours readers rely on."""

import json
from pathlib import Path

import pytest

from kiosk.card.apdu import Command, Response
from kiosk.card.crypto.cipher import Cipher, encrypt_block, encrypt_cbc, mac, pad
from kiosk.card.crypto.sm import SecureMessaging, SMUnprotectedError
from kiosk.card.errors import CardError, SecureMessagingError

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "emrtd_vectors.json").read_text())
D4 = VECTORS["secure_messaging_3des_worked_example_icao9303_11_appD4"]
AES = VECTORS["secure_messaging_aes256_trace_gmrtd_not_icao"]
CASES = [(D4, Cipher.TDES), (AES, Cipher.AES256)]


def x(s: str) -> bytes:
    return bytes.fromhex(s)


def pair(group, cipher):
    """Terminal and chip ends of the vector's channel."""
    keys = x(group["ks_enc"]), x(group["ks_mac"]), x(group["ssc_initial"])
    return SecureMessaging(*keys, cipher), SecureMessaging(*keys, cipher)


def test_d4_intermediate_values():
    ks_enc, ks_mac = x(D4["ks_enc"]), x(D4["ks_mac"])
    assert D4["ks_enc"] == VECTORS["bac_worked_example_icao9303_11_appD"]["ks_enc"]
    for step in D4["steps"]:
        cmd = Command.decode(x(step["unprotected_command"]))
        header = bytes((cmd.cla | 0x0C, cmd.ins, cmd.p1, cmd.p2))
        assert header == x(step["masked_header"])
        body = b""
        if "do87" in step:
            do87 = b"\x87" + bytes((len(cmd.data) // 8 * 8 + 9,)) + b"\x01" \
                + encrypt_cbc(Cipher.TDES, ks_enc, pad(cmd.data, 8))
            assert do87 == x(step["do87"])
            body = do87
        if "do97" in step:
            assert b"\x97\x01" + bytes((cmd.le % 256,)) == x(step["do97"])
            body = x(step["do97"])
        m = pad(header, 8) + body
        assert m == x(step["m"])
        n = pad(x(step["ssc_for_command"]) + m, 8)
        assert n == x(step["n_padded_ssc_m"])
        assert mac(Cipher.TDES, ks_mac, n) == x(step["cc_mac"])
        assert b"\x8e\x08" + x(step["cc_mac"]) == x(step["do8e"])
        # the response MAC input: SSC || DO'87' || DO'99' padded; the printed K keeps its final 80
        resp = x(step["protected_response"])
        covered = resp[:resp.index(b"\x8e\x08" + x(step["response_cc_mac"]))]
        k = pad(x(step["ssc_for_response"]) + covered, 8)
        assert k == x(step["k_padded_ssc_response_dos"])
        assert mac(Cipher.TDES, ks_mac, k) == x(step["response_cc_mac"])


def test_aes_iv_is_the_encrypted_ssc():
    for step in AES["steps"]:
        assert encrypt_block(Cipher.AES256, x(AES["ks_enc"]), x(step["ssc_for_command"])) == x(step["iv_e_ksenc_ssc"])


@pytest.mark.parametrize("group,cipher", CASES, ids=["3des-D4", "aes256"])
def test_terminal_side_byte_for_byte(group, cipher):
    terminal, _ = pair(group, cipher)
    data = b""
    for step in group["steps"]:
        protected = terminal.protect(Command.decode(x(step["unprotected_command"])))
        assert terminal.ssc == x(step["ssc_for_command"])
        assert protected.encode() == x(step["protected_command"]), step["name"]
        resp = terminal.unprotect(Response.decode(x(step["protected_response"])))
        assert terminal.ssc == x(step["ssc_for_response"])
        assert resp == Response(x(step["unprotected_response_data"]), 0x9000)
        data += resp.data
    assert terminal.ssc == x(group["ssc_final"])
    assert data == x(group["ef_com_full"])  # SELECT gives nothing, the two READ BINARY give EF.COM


@pytest.mark.parametrize("group,cipher", CASES, ids=["3des-D4", "aes256"])
def test_chip_side_byte_for_byte(group, cipher):
    _, chip = pair(group, cipher)
    for step in group["steps"]:
        cmd = chip.unprotect_command(Command.decode(x(step["protected_command"])))
        assert cmd == Command.decode(x(step["unprotected_command"])), step["name"]
        resp = chip.protect_response(Response(x(step["unprotected_response_data"]), 0x9000))
        assert resp.encode() == x(step["protected_response"]), step["name"]
    assert chip.ssc == x(group["ssc_final"])


def test_response_without_do99_takes_the_outer_status_word():
    terminal, chip = pair(D4, Cipher.TDES)
    chip.unprotect_command(terminal.protect(Command(0x00, 0xB0, 0, 0, le=4)))
    # the chip side always sends DO'99'; build a DO'87' + DO'8E' only answer by hand
    ssc = (int.from_bytes(chip.ssc, "big") + 1).to_bytes(8, "big")
    do87 = b"\x87\x09\x01" + encrypt_cbc(Cipher.TDES, x(D4["ks_enc"]), pad(b"\x60\x14\x5f\x01", 8))
    cc = mac(Cipher.TDES, x(D4["ks_mac"]), pad(ssc + do87, 8))
    resp = terminal.unprotect(Response(do87 + b"\x8e\x08" + cc, 0x6282))
    assert resp == Response(b"\x60\x14\x5f\x01", 0x6282)


def test_do99_wins_over_the_outer_status_word():
    terminal, chip = pair(AES, Cipher.AES256)
    chip.unprotect_command(terminal.protect(Command(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e")))
    wire = chip.protect_response(Response(b"", 0x6A82))
    assert terminal.unprotect(Response(wire.data, 0x9000)).sw == 0x6A82


@pytest.mark.parametrize("sw", [0x6A82, 0x6988, 0x6987, 0x6D00])
def test_unprotected_error_status_is_its_own_error(sw):
    terminal, _ = pair(D4, Cipher.TDES)
    with pytest.raises(SMUnprotectedError) as e:
        terminal.unprotect(Response(b"", sw))
    assert e.value.sw == sw
    assert isinstance(e.value, SecureMessagingError)


def test_plain_9000_without_sm_data_is_not_accepted():
    terminal, _ = pair(D4, Cipher.TDES)
    with pytest.raises(SecureMessagingError) as e:
        terminal.unprotect(Response(b"", 0x9000))
    assert not isinstance(e.value, SMUnprotectedError)


@pytest.mark.parametrize("group,cipher", CASES, ids=["3des-D4", "aes256"])
def test_every_single_bit_flip_of_a_response_is_caught(group, cipher):
    step = group["steps"][2]
    raw = x(step["protected_response"])
    for i in range(len(raw) - 2):
        for bit in (0x01, 0x80):
            terminal, _ = pair(group, cipher)
            terminal.protect(Command.decode(x(group["steps"][0]["unprotected_command"])))
            terminal.unprotect(Response.decode(x(group["steps"][0]["protected_response"])))
            terminal.protect(Command.decode(x(group["steps"][1]["unprotected_command"])))
            terminal.unprotect(Response.decode(x(group["steps"][1]["protected_response"])))
            terminal.protect(Command.decode(x(step["unprotected_command"])))
            bad = bytearray(raw)
            bad[i] ^= bit
            with pytest.raises(SecureMessagingError):
                terminal.unprotect(Response.decode(bytes(bad)))


def test_replayed_response_fails_because_the_ssc_moved():
    terminal, _ = pair(D4, Cipher.TDES)
    step = D4["steps"][1]
    terminal.protect(Command.decode(x(D4["steps"][0]["unprotected_command"])))
    with pytest.raises(SecureMessagingError, match="MAC"):
        terminal.unprotect(Response.decode(x(step["protected_response"])))


@pytest.mark.parametrize("cipher", list(Cipher))
@pytest.mark.parametrize("size,le", [(0, 256), (4, 4), (255, 255), (256, 256), (300, 300),
                                     (1000, 65536), (4000, 4000), (65530, 65536)])
def test_protected_read_binary_round_trips(cipher, size, le):
    keys = bytes(range(1, 1 + cipher.key_length)), bytes(range(100, 100 + cipher.key_length))
    terminal = SecureMessaging(*keys, bytes(cipher.block_size), cipher)
    chip = SecureMessaging(*keys, bytes(cipher.block_size), cipher)
    content = bytes((i * 7 + 3) & 0xFF for i in range(size))
    cmd = Command(0x00, 0xB0, 0x00, 0x00, le=le)
    wire = terminal.protect(cmd)
    extended = le > 256
    assert wire.cla == 0x0C
    assert wire.le == (65536 if extended else 256)
    assert wire.encode()[-2 if extended else -1:] == bytes(2 if extended else 1)
    do97 = wire.data[:wire.data.index(b"\x8e\x08")]
    assert do97 == (b"\x97\x02" + (le % 65536).to_bytes(2, "big") if extended else b"\x97\x01" + bytes((le % 256,)))
    assert chip.unprotect_command(Command.decode(wire.encode())) == cmd
    resp = chip.protect_response(Response(content, 0x9000))
    assert terminal.unprotect(Response.decode(resp.encode())) == Response(content, 0x9000)
    assert terminal.ssc == chip.ssc == (2).to_bytes(cipher.block_size, "big")


@pytest.mark.parametrize("cipher", [Cipher.TDES, Cipher.AES128, Cipher.AES192])
def test_commands_with_data_even_and_odd_ins(cipher):
    keys = bytes(cipher.key_length), bytes(range(cipher.key_length))
    terminal = SecureMessaging(*keys, 5, cipher)
    chip = SecureMessaging(*keys, 5, cipher)
    for cmd in [Command(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"),                         # DO'87'
                Command(0x00, 0xB1, 0x00, 0x00, b"\x54\x02\x01\x00", le=256),         # odd INS: DO'85'
                Command(0x00, 0xD6, 0x00, 0x00, bytes(600)),                          # extended Lc
                Command(0x10, 0x2A, 0x9E, 0x9A, b"abc", le=65536),                    # chaining CLA kept
                Command(0x00, 0x44, 0x00, 0x00)]:                                     # case 1
        wire = terminal.protect(cmd)
        assert wire.data[0] == (0x85 if cmd.ins & 1 else 0x87 if cmd.data else 0x97 if cmd.le else 0x8E)
        assert chip.unprotect_command(Command.decode(wire.encode())) == cmd
        back = terminal.unprotect(chip.protect_response(Response(b"\x53\x01\xff" if cmd.ins & 1 else b"", 0x9000)))
        assert back.data == (b"\x53\x01\xff" if cmd.ins & 1 else b"")


def test_chip_rejects_tampered_or_unprotected_commands():
    terminal, chip = pair(AES, Cipher.AES256)
    wire = bytearray(terminal.protect(Command(0x00, 0xB0, 0, 0, le=4)).encode())
    wire[2] ^= 1  # P1 is covered by the MAC
    with pytest.raises(SecureMessagingError):
        chip.unprotect_command(Command.decode(bytes(wire)))
    with pytest.raises(SecureMessagingError):
        chip.unprotect_command(Command(0x00, 0xB0, 0, 0, le=4))


def test_keys_never_show_in_repr_and_bad_sizes_are_refused():
    sm = SecureMessaging(x(AES["ks_enc"]), x(AES["ks_mac"]), 0, Cipher.AES256)
    assert AES["ks_enc"].lower() not in repr(sm).lower() and "AES-256" in repr(sm)
    with pytest.raises(ValueError):
        SecureMessaging(bytes(16), bytes(16), bytes(16), Cipher.TDES)
    with pytest.raises(ValueError):
        SecureMessaging(bytes(16), bytes(24), 0, Cipher.AES128)


def test_ssc_wraps_around():
    sm = SecureMessaging(bytes(16), bytes(16), b"\xff" * 8, Cipher.TDES)
    sm.protect(Command(0x00, 0xB0, 0, 0, le=1))
    assert sm.ssc == bytes(8)


def test_errors_are_card_errors():
    assert issubclass(SMUnprotectedError, CardError)
