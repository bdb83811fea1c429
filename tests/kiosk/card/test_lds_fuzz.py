"""Fuzzing the parsers with random, truncated and bit-flipped bytes: only card
errors (ParseError and its kin) may come out, never another exception, and
every call returns quickly. Seeds are the emulated CNIE's real files."""

import datetime as dt
import io
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kiosk.card.emulator import pki as pkilib
from kiosk.card.emulator.document import CNIE_PROFILE, PROFILES, EmulatedDocument, load_profile
from kiosk.card.errors import CardError
from kiosk.card.lds import face, files, tlv
from kiosk.card.lds.identity_from_lds import identity_from_lds
from kiosk.card.lds.image import decode_face_image
from kiosk.card.lds.masterlist import build_master_list, parse_master_list
from kiosk.card.lds.mrz import MRZ_CHARS, parse_mrz, parse_mrz_key
from kiosk.card.lds.sod import parse_sod
from kiosk.card.passive import TrustStore, passive_authenticate
from tests.mutations import mutated

TODAY = dt.date(2026, 6, 1)
FUZZ = settings(deadline=None, max_examples=120, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: a parser that takes longer than this on a few KB is as good as hung
MAX_SECONDS = 2.0

DOC = EmulatedDocument.from_profile(CNIE_PROFILE)
TRUST = TrustStore([DOC.csca_certificate])


def _small_image(fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    im = Image.new("RGB", (24, 30), (90, 120, 150))
    im.putpixel((3, 4), (255, 0, 0))
    im.save(out, format=fmt, **kw)
    return out.getvalue()


JPEG = _small_image("JPEG", quality=80)
JP2 = _small_image("JPEG2000")
SMALL_DG2 = face.encode_dg2(face.build_facial_record(JPEG, 24, 30, "F"))


def only_card_errors(fn, *args, **kwargs):
    start = time.monotonic()
    try:
        return fn(*args, **kwargs)
    except CardError:
        return None
    finally:
        assert time.monotonic() - start < MAX_SECONDS, f"{fn.__name__} took too long"


# ------------------------------------------------------------------ TLV


@FUZZ
@given(st.one_of(st.binary(max_size=80), mutated(DOC.files[files.EF_COM]), mutated(SMALL_DG2)))
def test_tlv(data):
    t = only_card_errors(tlv.decode, data)
    if t is not None:
        assert tlv.encode(t.tag, t.value) == data or data[1] & 0x80  # non-minimal lengths differ
        only_card_errors(t.children)
    only_card_errors(tlv.decode_all, data)
    only_card_errors(tlv.file_length, data[:6])


# ------------------------------------------------------------------ MRZ

_mrz_alphabet = st.sampled_from(sorted(MRZ_CHARS) + ["\n", " ", "a", "é", ",", "0"])


@st.composite
def mutated_mrz(draw) -> str:
    text = draw(st.sampled_from([DOC.mrz, DOC.mrz.replace("\n", ""),
                                 "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                                 "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]))
    chars = list(text)
    for _ in range(draw(st.integers(1, 3))):
        if not chars:
            break
        pos = draw(st.integers(0, len(chars) - 1))
        chars[pos] = draw(_mrz_alphabet)
    return "".join(chars)


@FUZZ
@given(st.one_of(st.text(_mrz_alphabet, max_size=100), mutated_mrz()))
def test_mrz(text):
    m = only_card_errors(parse_mrz, text, TODAY)
    if m is not None:
        assert parse_mrz(m.text, TODAY).mrz_information == m.mrz_information
    only_card_errors(parse_mrz_key, text)
    only_card_errors(parse_mrz_key, text.replace("\n", ","))


# -------------------------------------------------------------- LDS files

PARSERS = {
    "EF.COM": (files.parse_ef_com, DOC.files[files.EF_COM]),
    "DG1": (files.parse_dg1, DOC.dg(1)),
    "DG2": (face.parse_dg2, SMALL_DG2),
    "DG11": (files.parse_dg11, DOC.dg(11)),
    "DG12": (files.parse_dg12, DOC.dg(12)),
    "DG14": (files.parse_dg14, DOC.dg(14)),
    "DG15": (files.parse_dg15, DOC.dg(15)),
    "EF.SOD": (parse_sod, DOC.sod),
}


@pytest.mark.parametrize("name", list(PARSERS))
def test_lds_file_parsers(name):
    parse, seed = PARSERS[name]
    assert parse(seed) is not None  # the seed itself parses

    @FUZZ
    @given(st.one_of(mutated(seed), st.binary(max_size=48)))
    def run(data):
        only_card_errors(parse, data)

    run()


# --------------------------------------------------- passive authentication


@FUZZ
@given(mutated(DOC.sod), st.sampled_from([1, 2, 11]), st.booleans())
def test_passive_authentication_never_raises(sod, n, mutate_dg):
    dgs = dict(DOC.data_groups)
    if mutate_dg:
        dgs[n] = dgs[n][:-1]
    start = time.monotonic()
    r = passive_authenticate(sod, dgs, TRUST, TODAY)  # no exception at all
    assert time.monotonic() - start < MAX_SECONDS
    assert r.status in ("verified", "failed")
    if r.verified:
        assert sod == DOC.sod or parse_sod(sod).dg_hashes == parse_sod(DOC.sod).dg_hashes
        assert not mutate_dg


_SIGNER = pkilib.issue_master_list_signer(pkilib.load_test_pki().csca)
MASTER_LIST = build_master_list([DOC.csca_certificate], _SIGNER.asn1, _SIGNER.key)


@FUZZ
@given(mutated(MASTER_LIST))
def test_master_list(data):
    only_card_errors(parse_master_list, data)
    only_card_errors(TrustStore().add_master_list, data)


# ------------------------------------------------------------------ images


@FUZZ
@given(st.one_of(mutated(JPEG), mutated(JP2), st.binary(max_size=64).map(lambda b: b"\xff\xd8\xff" + b)))
def test_image_decoder(data):
    d = only_card_errors(decode_face_image, data)
    if d is not None:
        assert d.png.startswith(b"\x89PNG")


@settings(deadline=None, max_examples=60, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([1, 2, 11]), st.data())
def test_identity_builder(n, data):
    groups = {1: DOC.dg(1), 2: SMALL_DG2, 11: DOC.dg(11)}
    groups[n] = data.draw(mutated(groups[n]))
    only_card_errors(identity_from_lds, groups[1], groups[2], groups[11], "failed", today=TODAY)


# ---------------------------------------------------------------- profiles

_PROFILE_TEXT = CNIE_PROFILE.read_text(encoding="utf-8")
_TMP = Path(tempfile.mkdtemp(prefix="guichet-profile-fuzz-"))
(_TMP / "face.jpg").write_bytes((PROFILES / "face.jpg").read_bytes())

_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.text(max_size=12),
                          st.dates().map(str), st.floats(allow_nan=True))
_yaml_values = st.recursive(_yaml_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


@st.composite
def profile_texts(draw) -> str:
    kind = draw(st.sampled_from(["chars", "field", "random"]))
    if kind == "chars":
        chars = list(_PROFILE_TEXT)
        for _ in range(draw(st.integers(1, 3))):
            pos = draw(st.integers(0, len(chars) - 1))
            chars[pos] = draw(st.sampled_from(list(":-[]{}'\"\n #&*!|>%@`\t") + ["\x00", "é"]))
        return "".join(chars)
    if kind == "field":
        data = yaml.safe_load(_PROFILE_TEXT)
        key = draw(st.sampled_from(["document", "photo", "can", "access", "pace", "tamper", "csca",
                                    "active_authentication", "ds_expired", "photo_format", "hash"]))
        if key == "document" and draw(st.booleans()):
            sub = draw(st.sampled_from(sorted(data["document"])))
            data["document"][sub] = draw(_yaml_values)
        else:
            data[key] = draw(_yaml_values)
        return yaml.safe_dump(data, allow_unicode=True)
    return draw(st.text(max_size=120))


@settings(deadline=None, max_examples=150, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile_texts())
def test_profile_loader(text):
    path = _TMP / "profile.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    profile = only_card_errors(load_profile, path)
    if profile is not None:
        only_card_errors(EmulatedDocument.build, profile)
