"""The reading flow against a chip that answers anything: only typed card errors."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.card.apdu import Response
from kiosk.card.emulator.chip import chip_for
from kiosk.card.errors import CardError
from kiosk.card.reading import AccessKey, read_document


@pytest.fixture(scope="module")
def chip(cnie):
    return chip_for(cnie)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.binary(max_size=64), st.integers(0, 0xFFFF)), min_size=1, max_size=30))
def test_random_chip_answers(answers):
    it = iter(answers)

    def transmit(cmd):
        try:
            data, sw = next(it)
        except StopIteration:
            return Response(b"", 0x6F00)
        return Response(data, sw)

    with pytest.raises(CardError):
        read_document(transmit, AccessKey(can="123456", mrz_information="L898902C<369080619406236"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 40), st.integers(0, 7), st.integers(0, 255))
def test_one_corrupted_answer_in_a_real_read(chip, cnie, trust, which, bit, value):
    """A genuine chip whose n-th answer is corrupted: the read fails with a typed
    error, or, if the corruption hit nothing that matters, still verifies."""
    chip.power_on()
    count = 0

    def transmit(cmd):
        nonlocal count
        count += 1
        resp = chip.transmit(cmd)
        if count == which:
            raw = bytearray(resp.encode())
            raw[value % len(raw)] ^= 1 << bit
            return Response.decode(bytes(raw))
        return resp

    try:
        result = read_document(transmit, AccessKey(can=cnie.can), trust=trust)
    except CardError:
        return
    assert result.passive.verified or result.passive.status == "failed"
