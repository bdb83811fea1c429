"""Random edits of valid bytes for the fuzz tests of parsers that read what comes from
outside (card responses, IPP replies...): bit flips, byte sets, truncation, insertions
and deletions."""

from hypothesis import strategies as st

#: byte values worth trying in length and tag fields (besides any byte)
EDGE_BYTES = [0x00, 0x7F, 0x80, 0x81, 0x84, 0xFF]


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set" and data:
            data[pos] = draw(st.sampled_from([*EDGE_BYTES, draw(st.integers(0, 255))]))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and data:
            del data[pos:pos + draw(st.integers(1, 4))]
    return bytes(data)
