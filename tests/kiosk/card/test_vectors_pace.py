"""PACE generic mapping: ICAO 9303-11 Appendix G.1 (ECDH, brainpoolP256r1) and G.2
(DH, RFC 5114 1024-bit) reproduced byte for byte, K_pi from a CAN, the APDU
transcripts replayed against both sides, and in-process round trips on every
supported curve, group and cipher."""

import hashlib
import json
import time
from pathlib import Path

import pytest

from kiosk.card import pace
from kiosk.card.apdu import Command, Response
from kiosk.card.crypto import tlv
from kiosk.card.crypto.cipher import Cipher, aes_cmac, decrypt_cbc
from kiosk.card.crypto.ec import BRAINPOOL_P256R1, MODP_1024_160, STANDARD_DOMAIN_PARAMETERS, Curve
from kiosk.card.crypto.kdf import adjust_parity, k_pi, kdf, password_bytes, session_keys
from kiosk.card.errors import AccessDeniedError, ParseError, SecureMessagingError, StatusError, UnsupportedCardError
from kiosk.card.pace import PaceChip, PaceInfo, build_card_access, pace_oid, parse_card_access, run_pace

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "emrtd_vectors.json").read_text())
G1 = VECTORS["pace_ecdh_gm_brainpoolp256r1_aes128_icao9303_11_appG1"]
G2 = VECTORS["pace_dh_gm_rfc5114_1024_aes128_icao9303_11_appG2"]
CAN = VECTORS["pace_password_k_pi_can"]
MRZ = G1["mrz_information_ascii"]  # G.2 uses the same MRZ (same K_pi)


def x(s: str) -> bytes:
    return bytes.fromhex(s)


def n(s: str) -> int:
    return int(s, 16)


def feeder(*chunks: bytes):
    queue = list(chunks)

    def rng(size: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == size
        return value
    return rng


# --- K_pi ----------------------------------------------------------------------------

def test_k_pi_from_can_for_every_aes_key_length_and_3des():
    assert password_bytes(CAN["can"], "CAN") == x(CAN["k_password_hex"])
    assert k_pi(CAN["can"], "CAN", Cipher.AES128) == x(CAN["k_pi_aes128"])
    assert k_pi(CAN["can"], "CAN", Cipher.AES192) == x(CAN["k_pi_aes192"])
    assert k_pi(CAN["can"], "CAN", Cipher.AES256) == x(CAN["k_pi_aes256"])
    assert hashlib.sha1(x(CAN["k_password_hex"]) + b"\0\0\0\3").digest()[:16] == x(CAN["k_pi_3des_before_parity"])
    assert k_pi(CAN["can"], "CAN", Cipher.TDES) == adjust_parity(x(CAN["k_pi_3des_before_parity"]))


def test_k_pi_from_mrz():
    for v in (G1, G2):
        assert password_bytes(MRZ, "MRZ") == x(v["k_password_sha1_mrz_information"])
        assert k_pi(MRZ, "MRZ", Cipher.AES128) == x(v["k_pi"])
    assert (MRZ[:9], MRZ[10:16], MRZ[17:23]) == (G1["mrz_document_number"], G1["mrz_date_of_birth"],
                                                 G1["mrz_date_of_expiry"])


@pytest.mark.parametrize("kind,ref", [("MRZ", "mse_set_at_password_reference_mrz"),
                                      ("CAN", "mse_set_at_password_reference_can"),
                                      ("PIN", "mse_set_at_password_reference_pin")])
def test_mse_set_at_password_references(kind, ref):
    info = PaceInfo(G1["protocol_oid"], 2, 13)
    data = pace._mse_set_at_data(info, kind, False)
    assert data == b"\x80\x0a" + x(G1["protocol_oid_der_value"]) + x(CAN[ref].replace(" ", ""))


# --- EF.CardAccess -------------------------------------------------------------------

@pytest.mark.parametrize("v,ka,param", [(G1, "ECDH", 13), (G2, "DH", 0)], ids=["G1", "G2"])
def test_card_access_parse_and_build(v, ka, param):
    infos = parse_card_access(x(v["ef_cardaccess"]))
    assert infos == [PaceInfo(v["protocol_oid"], 2, param)]
    info = infos[0]
    assert (info.key_agreement, info.mapping, info.cipher, info.supported) == (ka, "GM", Cipher.AES128, True)
    assert info.domain_parameters is STANDARD_DOMAIN_PARAMETERS[v["standardized_domain_parameter_id"]]
    assert tlv.encode_oid(info.oid) == x(v["protocol_oid_der_value"])
    assert build_card_access(infos) == x(v["ef_cardaccess"])


def test_card_access_ignores_other_security_infos_and_trailing_padding():
    def seq(oid, *fields):
        return tlv.encode(0x30, tlv.encode(0x06, tlv.encode_oid(oid)) + b"".join(fields))
    ca_info = seq("0.4.0.127.0.7.2.2.3.2.4", b"\x02\x01\x02", b"\x02\x01\x2d")  # ChipAuthenticationInfo
    dom_info = seq("0.4.0.127.0.7.2.2.4.2", seq("1.2.840.10045.2.1"), b"\x02\x01\x00")  # PACEDomainParameterInfo
    bad_pace = seq(G1["protocol_oid"], b"\x04\x01\x02")  # version not an INTEGER: skipped
    im = PaceInfo(pace_oid("ECDH", "IM", Cipher.AES256), 2, 13)
    gm = PaceInfo(G1["protocol_oid"], 2, 13)
    body = ca_info + dom_info + bad_pace + build_card_access([im, gm])[2:]
    data = tlv.encode(0x31, body) + b"\x00" * 5
    infos = parse_card_access(data)
    assert infos == [gm, im]  # DER orders the SET OF by encoding
    assert [i.supported for i in infos] == [True, False]
    assert pace.select_pace_info([im, gm]) == gm
    assert pace.select_pace_info([im]) is None


@pytest.mark.parametrize("data", ["3014", "300A06010002010202010D", "31053003020102", "3103040100"])
def test_card_access_structural_errors(data):
    with pytest.raises(ParseError):
        parse_card_access(x(data))


def test_pace_info_properties():
    for ka in ("ECDH", "DH"):
        for c in Cipher:
            info = PaceInfo(pace_oid(ka, "GM", c), 2, 13 if ka == "ECDH" else 2)
            assert (info.key_agreement, info.cipher, info.supported) == (ka, c, True)
    assert not PaceInfo(G1["protocol_oid"], 1, 13).supported  # version
    assert not PaceInfo(G1["protocol_oid"], 2, 0).supported   # a DH group for ECDH
    assert not PaceInfo(G1["protocol_oid"], 2, None).supported  # proprietary parameters
    assert not PaceInfo(G1["protocol_oid"], 2, 5).supported   # RFU id
    with pytest.raises(UnsupportedCardError):
        PaceInfo("0.4.0.127.0.7.2.2.3.2.1").cipher
    assert pace_oid("ECDH", "CAM", Cipher.AES128) == "0.4.0.127.0.7.2.2.4.6.2"


# --- G.1 and G.2 step by step ---------------------------------------------------------

def test_g1_intermediate_values():
    c = BRAINPOOL_P256R1
    s = decrypt_cbc(Cipher.AES128, x(G1["k_pi"]), x(G1["encrypted_nonce_z"]))
    assert s == x(G1["decrypted_nonce_s"])
    pk_map_ifd = c.mul_base(n(G1["terminal_mapping_private_key"]))
    assert c.encode_point(pk_map_ifd) == x(G1["terminal_mapping_public_key"])
    pk_map_ic = c.decode_point(x(G1["chip_mapping_public_key"]))
    assert c.encode_point(c.mul_base(n(G1["chip_mapping_private_key"]))) == x(G1["chip_mapping_public_key"])
    h = c.mul(n(G1["terminal_mapping_private_key"]), pk_map_ic)
    assert c.encode_point(h) == x(G1["shared_secret_h"])
    assert h == c.mul(n(G1["chip_mapping_private_key"]), pk_map_ifd)
    g2 = c.add(c.mul(int.from_bytes(s, "big"), c.G), h)
    assert c.encode_point(g2) == x(G1["mapped_generator"])
    pk_ifd = c.mul(n(G1["terminal_ephemeral_private_key"]), g2)
    pk_ic = c.mul(n(G1["chip_ephemeral_private_key"]), g2)
    assert c.encode_point(pk_ifd) == x(G1["terminal_ephemeral_public_key"])
    assert c.encode_point(pk_ic) == x(G1["chip_ephemeral_public_key"])
    k = c.mul(n(G1["terminal_ephemeral_private_key"]), pk_ic)
    assert k == (n(G1["shared_secret_k_x"]), n(G1["shared_secret_k_y"]))
    assert k == c.mul(n(G1["chip_ephemeral_private_key"]), pk_ifd)
    assert session_keys(c.encode_field(k[0]), Cipher.AES128) == (x(G1["ks_enc"]), x(G1["ks_mac"]))
    info = PaceInfo(G1["protocol_oid"], 2, 13)
    group = pace._group(info)
    t_ifd_input = tlv.encode(0x7F49, tlv.encode(0x06, tlv.encode_oid(info.oid)) + tlv.encode(0x86, c.encode_point(pk_ic)))
    assert t_ifd_input == x(G1["t_ifd_input"])
    assert aes_cmac(x(G1["ks_mac"]), t_ifd_input) == x(G1["t_ifd"])
    assert pace._token(info, group, x(G1["ks_mac"]), x(G1["chip_ephemeral_public_key"])) == x(G1["t_ifd"])
    assert pace._token(info, group, x(G1["ks_mac"]), x(G1["terminal_ephemeral_public_key"])) == x(G1["t_ic"])
    assert x(G1["t_ic_input"])[-65:] == x(G1["terminal_ephemeral_public_key"])


def test_g2_intermediate_values():
    grp = MODP_1024_160
    assert (grp.p, grp.g, grp.q) == (n(G2["group_p"]), n(G2["group_g"]), n(G2["group_q"]))
    p = grp.p
    s = decrypt_cbc(Cipher.AES128, x(G2["k_pi"]), x(G2["encrypted_nonce_z"]))
    assert s == x(G2["decrypted_nonce_s"])
    pk_map_ifd = pow(grp.g, n(G2["terminal_mapping_private_key"]), p)
    assert grp.encode_element(pk_map_ifd) == x(G2["terminal_mapping_public_key"])
    assert len(x(G2["terminal_mapping_public_key"])) == 128  # the PDF's leading 00 is not on the wire
    pk_map_ic = grp.decode_element(x(G2["chip_mapping_public_key"]))
    assert grp.decode_element(b"\x00" + x(G2["chip_mapping_public_key"])) == pk_map_ic  # tolerated on input
    h = pow(pk_map_ic, n(G2["terminal_mapping_private_key"]), p)
    assert grp.encode_element(h) == x(G2["shared_secret_h"])
    g2 = pow(grp.g, int.from_bytes(s, "big"), p) * h % p
    assert grp.encode_element(g2) == x(G2["mapped_generator"])
    assert grp.encode_element(pow(g2, n(G2["terminal_ephemeral_private_key"]), p)) == x(G2["terminal_ephemeral_public_key"])
    assert grp.encode_element(pow(g2, n(G2["chip_ephemeral_private_key"]), p)) == x(G2["chip_ephemeral_public_key"])
    k = pow(grp.decode_element(x(G2["chip_ephemeral_public_key"])), n(G2["terminal_ephemeral_private_key"]), p)
    assert grp.encode_element(k) == x(G2["shared_secret_k"])
    assert (kdf(x(G2["shared_secret_k"]), 1, Cipher.AES128), kdf(x(G2["shared_secret_k"]), 2, Cipher.AES128)) \
        == (x(G2["ks_enc"]), x(G2["ks_mac"]))
    info = PaceInfo(G2["protocol_oid"], 2, 0)
    t_ifd_input = tlv.encode(0x7F49, tlv.encode(0x06, tlv.encode_oid(info.oid))
                             + tlv.encode(0x84, x(G2["chip_ephemeral_public_key"])))
    assert t_ifd_input == x(G2["t_ifd_input"])
    group = pace._group(info)
    assert pace._token(info, group, x(G2["ks_mac"]), x(G2["chip_ephemeral_public_key"])) == x(G2["t_ifd"])
    assert pace._token(info, group, x(G2["ks_mac"]), x(G2["terminal_ephemeral_public_key"])) == x(G2["t_ic"])
    assert x(G2["t_ic_input"]).endswith(x(G2["terminal_ephemeral_public_key"]))


# --- transcripts ---------------------------------------------------------------------

def replay(apdus, alternative_first=None):
    sent = []

    def transmit(cmd: Command) -> Response:
        step = apdus[len(sent)]
        sent.append(cmd)
        expected = {step["command"]}
        if len(sent) == 1 and alternative_first:
            expected.add(alternative_first)
        assert cmd.encode().hex().upper() in expected, step["name"]
        return Response.decode(x(step["response"]))
    return transmit, sent


G1_MSE_WITH_84 = "0022C1A412800A04007F0007020204020283010184010D"


@pytest.mark.parametrize("with_84", [False, True])
def test_g1_terminal_replays_the_transcript(with_84):
    assert G1_MSE_WITH_84 in G1["apdu_variant_note"]
    transmit, sent = replay(G1["apdus"], G1_MSE_WITH_84)
    info = parse_card_access(x(G1["ef_cardaccess"]))[0]
    sm = run_pace(transmit, info, MRZ, "MRZ", include_parameter_id=with_84,
                  rng=feeder(x(G1["terminal_mapping_private_key"]), x(G1["terminal_ephemeral_private_key"])))
    assert len(sent) == 5
    assert sent[0].encode().hex().upper() == (G1_MSE_WITH_84 if with_84 else G1["apdus"][0]["command"])
    assert [c.cla for c in sent[1:]] == [0x10, 0x10, 0x10, 0x00]
    assert (sm._ks_enc, sm._ks_mac, sm.ssc) == (x(G1["ks_enc"]), x(G1["ks_mac"]), x(G1["ssc_initial_after_pace"]))


def test_g2_terminal_replays_the_transcript_and_accepts_the_car():
    transmit, sent = replay(G2["apdus"])
    info = parse_card_access(x(G2["ef_cardaccess"]))[0]
    sm = run_pace(transmit, info, MRZ, "MRZ",
                  rng=feeder(x(G2["terminal_mapping_private_key"]), x(G2["terminal_ephemeral_private_key"])))
    assert len(sent) == 5
    assert (sm._ks_enc, sm._ks_mac, sm.ssc) == (x(G2["ks_enc"]), x(G2["ks_mac"]), bytes(16))
    last = pace._parse_dynamic_auth(Response.decode(x(G2["apdus"][-1]["response"])).data)
    assert last[0x87] == x(G2["chip_returned_car"]) == G2["chip_returned_car_ascii"].encode()


@pytest.mark.parametrize("v,param", [(G1, 13), (G2, 0)], ids=["G1", "G2"])
def test_chip_replays_the_transcript(v, param):
    info = PaceInfo(v["protocol_oid"], 2, param)
    chip = PaceChip([info], {"MRZ": MRZ}, rng=feeder(x(v["decrypted_nonce_s"]), x(v["chip_mapping_private_key"]),
                                                     x(v["chip_ephemeral_private_key"])))
    for step in v["apdus"]:
        resp = chip.handle(Command.decode(x(step["command"])))
        expected = Response.decode(x(step["response"]))
        if step is v["apdus"][-1] and v is G2:  # the emulated chip sends no CAR (DO'87')
            expected = Response(tlv.encode(0x7C, pace._parse_dynamic_auth(expected.data)[0x86] and
                                           tlv.encode(0x86, x(v["t_ic"]))), 0x9000)
        assert resp == expected, step["name"]
    assert chip.sm is not None and (chip.sm._ks_enc, chip.sm._ks_mac) == (x(v["ks_enc"]), x(v["ks_mac"]))


# --- in-process round trips ------------------------------------------------------------

PASSWORDS = {"CAN": "123456", "MRZ": MRZ}
ALL_PARAMS = sorted(STANDARD_DOMAIN_PARAMETERS)


def info_for(param_id: int, cipher: Cipher) -> PaceInfo:
    ka = "ECDH" if isinstance(STANDARD_DOMAIN_PARAMETERS[param_id], Curve) else "DH"
    return PaceInfo(pace_oid(ka, "GM", cipher), 2, param_id)


@pytest.mark.parametrize("kind", ["CAN", "MRZ"])
@pytest.mark.parametrize("cipher", list(Cipher), ids=lambda c: c.value)
@pytest.mark.parametrize("param_id", ALL_PARAMS, ids=lambda i: STANDARD_DOMAIN_PARAMETERS[i].name.split(",")[0])
def test_round_trip_every_group_and_cipher(param_id, cipher, kind):
    info = info_for(param_id, cipher)
    other = info_for(13 if param_id != 13 else 12, Cipher.AES128)
    chip = PaceChip([other, info], PASSWORDS)
    sm = run_pace(chip.handle, info, PASSWORDS[kind], kind, include_parameter_id=True)
    assert chip.sm is not None and sm.cipher is cipher and sm.ssc == chip.sm.ssc == bytes(cipher.block_size)
    content = bytes(range(256)) * 3
    for le in (0xDF, 700):
        wire = sm.protect(Command(0x00, 0xB0, 0x00, 0x10, le=le))
        assert chip.sm.unprotect_command(Command.decode(wire.encode())) == Command(0x00, 0xB0, 0x00, 0x10, le=le)
        resp = chip.sm.protect_response(Response(content[:le], 0x9000))
        assert sm.unprotect(Response.decode(resp.encode())).data == content[:le]


@pytest.mark.parametrize("param_id", [0, 13, 18])
@pytest.mark.parametrize("kind", ["CAN", "MRZ"])
def test_wrong_password_is_access_denied_and_the_chip_resets(param_id, kind):
    info = info_for(param_id, Cipher.AES128)
    chip = PaceChip([info], PASSWORDS)
    answers = []

    def transmit(cmd):
        answers.append(chip.handle(cmd))
        return answers[-1]
    wrong = "654321" if kind == "CAN" else "T22000129364081251010317"
    with pytest.raises(AccessDeniedError) as e:
        run_pace(transmit, info, wrong, kind)
    assert e.value.tries_left is None
    assert [a.sw for a in answers] == [0x9000] * 4 + [0x6300]
    assert chip.sm is None and chip._run is None
    run_pace(chip.handle, info, PASSWORDS[kind], kind)
    assert chip.sm is not None


def test_password_kind_the_chip_does_not_have():
    info = info_for(13, Cipher.AES128)
    with pytest.raises(StatusError) as e:
        run_pace(PaceChip([info], {"CAN": "123456"}).handle, info, MRZ, "MRZ")
    assert e.value.sw == 0x6A88


@pytest.mark.parametrize("sw,tries", [(0x63C2, 2), (0x63C0, 0), (0x6300, None), (0x6982, None), (0x6988, None)])
def test_mutual_authentication_rejections(sw, tries):
    info = info_for(13, Cipher.AES128)
    chip = PaceChip([info], PASSWORDS)

    def transmit(cmd):
        resp = chip.handle(cmd)
        return Response(b"", sw) if cmd.cla == 0x00 and cmd.ins == 0x86 else resp
    with pytest.raises(AccessDeniedError) as e:
        run_pace(transmit, info, "123456", "CAN")
    assert e.value.tries_left == tries


def test_retry_counter_warning_on_mse_and_blocked_password():
    info = info_for(13, Cipher.AES128)
    chip = PaceChip([info], PASSWORDS)
    run_pace(lambda c: Response(b"", 0x63C1) if c.ins == 0x22 and chip.handle(c).ok else chip.handle(c),
             info, "123456", "CAN")
    assert chip.sm is not None
    with pytest.raises(AccessDeniedError) as e:
        run_pace(lambda c: Response(b"", 0x63C0), info, "123456", "CAN")
    assert e.value.tries_left == 0


def test_chip_token_mismatch_is_rejected():
    info = info_for(13, Cipher.AES128)
    chip = PaceChip([info], PASSWORDS)

    def transmit(cmd):
        resp = chip.handle(cmd)
        if cmd.cla == 0x00 and cmd.ins == 0x86:
            data = bytearray(resp.data)
            data[-1] ^= 1
            return Response(bytes(data), resp.sw)
        return resp
    with pytest.raises(SecureMessagingError, match="token"):
        run_pace(transmit, info, "123456", "CAN")


def test_unsupported_protocols():
    for info in (PaceInfo(pace_oid("ECDH", "IM", Cipher.AES128), 2, 13),
                 PaceInfo(pace_oid("ECDH", "CAM", Cipher.AES128), 2, 13),
                 PaceInfo(G1["protocol_oid"], 2, None), PaceInfo(G1["protocol_oid"], 1, 13)):
        with pytest.raises(UnsupportedCardError):
            run_pace(lambda c: pytest.fail("nothing may be sent"), info, "123456", "CAN")


def test_chip_state_machine():
    info = info_for(13, Cipher.AES128)
    chip = PaceChip([info], PASSWORDS)
    ga1 = Command(0x10, 0x86, 0, 0, b"\x7c\x00", le=256)
    assert chip.handle(ga1).sw == 0x6985  # no MSE:Set AT
    mse = Command(0x00, 0x22, 0xC1, 0xA4, pace._mse_set_at_data(info, "CAN", False))
    assert chip.handle(mse).ok
    assert chip.handle(Command(0x00, 0x86, 0, 0, b"\x7c\x00", le=256)).sw == 0x6985  # not chained
    assert chip.handle(ga1).sw == 0x6985  # reset by the error
    assert chip.handle(mse).ok and chip.handle(ga1).ok
    assert chip.handle(Command(0x10, 0x86, 0, 0, b"\x7c\x03\x81\x01\x04", le=256)).sw == 0x6A80  # bad point
    bad_oid = Command(0x00, 0x22, 0xC1, 0xA4, pace._mse_set_at_data(info_for(13, Cipher.AES256), "CAN", False))
    assert chip.handle(bad_oid).sw == 0x6A80
    assert chip.handle(Command(0x00, 0x22, 0xC1, 0xA4, pace._mse_set_at_data(info, "CAN", True))).ok
    wrong_param = PaceInfo(info.oid, 2, 17)
    assert chip.handle(Command(0x00, 0x22, 0xC1, 0xA4, pace._mse_set_at_data(wrong_param, "CAN", True))).sw == 0x6A80
    assert chip.handle(Command(0x00, 0xB0, 0, 0, le=1)).sw == 0x6D00
    assert chip.handle(Command(0x80, 0x86, 0, 0, le=1)).sw == 0x6E00


def test_terminal_pace_time_on_brainpool_p256r1():
    """PACE on brainpoolP256r1 must stay well under 100 ms on the terminal side (pure
    Python EC). CPU time of the terminal only: the in-process chip is subtracted."""
    info = info_for(13, Cipher.AES128)
    best = float("inf")
    for _ in range(5):
        chip = PaceChip([info], PASSWORDS)
        chip_time = 0.0

        def transmit(cmd):
            nonlocal chip_time
            t = time.process_time()
            resp = chip.handle(cmd)
            chip_time += time.process_time() - t
            return resp
        t0 = time.process_time()
        run_pace(transmit, info, "123456", "CAN")
        best = min(best, time.process_time() - t0 - chip_time)
    assert best < 0.1, f"terminal PACE took {best * 1000:.0f} ms"
