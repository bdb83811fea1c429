"""Full read of the emulated CNIE through a real pcscd + vsmartcard vpcd.

PACE-CAN, EF.COM, DG1, DG2 (about 20 KB photo), DG11, DG12, DG14, DG15, EF.SOD,
passive and active authentication: wall time median of N reads, split by phase,
with APDU counts, for extended-length and short-only chips; then the raw round
trip of one APDU (SELECT of the eMRTD application) through pcscd + vpcd.

    .venv/bin/python benchmarks/card_read.py [N]

Starts pcscd when none is running (root needed) and stops it at the end.
"""

import math
import statistics
import sys
import time


def main(n: int) -> None:
    from kiosk.card import pcsc
    from kiosk.card.apdu import Command
    from kiosk.card.emulator.chip import ChipOptions, chip_for
    from kiosk.card.emulator.pcscd import VIRTUAL_READER, ensure_pcscd, wait_card
    from kiosk.card.emulator.vpcd import VpcdCard
    from kiosk.card.reading import SHORT_SM_READ, AccessKey, read_document
    from kiosk.card.source import demo_document
    from kiosk.card.trust import load_trust_store

    document = demo_document()
    trust = load_trust_store()
    sizes = {name: len(document.files[fid]) for name, fid in
             (("COM", 0x011E), ("DG1", 0x0101), ("DG2", 0x0102), ("DG11", 0x010B), ("DG12", 0x010C),
              ("DG14", 0x010E), ("DG15", 0x010F), ("SOD", 0x011D)) if fid in document.files}
    print("files (bytes):", sizes)
    with ensure_pcscd():
        for extended in (True, False):
            chip = chip_for(document, ChipOptions(extended_length=extended))
            card = VpcdCard(chip).start()
            assert card.wait_connected(10) and wait_card(True)
            runs = []
            with pcsc.Context() as ctx:
                for _ in range(n + 1):  # the first warms caches up
                    conn = pcsc.Connection(ctx, VIRTUAL_READER)
                    t = time.perf_counter()
                    result = read_document(conn.transmit, AccessKey(can=document.can), trust=trust)
                    wall = (time.perf_counter() - t) * 1000
                    conn.close()
                    assert result.passive.verified and result.active == "verified"
                    runs.append((wall, result))
                runs = runs[1:]
                rtts = []
                if extended:
                    conn = pcsc.Connection(ctx, VIRTUAL_READER)
                    select = Command(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))
                    for _ in range(2000):
                        t = time.perf_counter()
                        conn.transmit(select)
                        rtts.append((time.perf_counter() - t) * 1000)
                    conn.close()
            card.stop()
            wait_card(False)
            walls = [w for w, _ in runs]
            last = runs[-1][1]
            label = "extended length" if extended else "short APDUs only"
            print(f"\nCNIE, PACE-CAN, {label}: median {statistics.median(walls):.1f} ms "
                  f"(min {min(walls):.1f}, max {max(walls):.1f}) over {n} reads; {last.apdus} APDUs")
            for phase in last.phases:
                ms = statistics.median(next(p.ms for p in r.phases if p.name == phase.name) for _, r in runs)
                print(f"  {phase.name:7} median {ms:6.1f} ms  {phase.apdus:3} APDUs")
            # The least a reader can do: 1 READ BINARY of EF.CardAccess, MSE + 4 GENERAL
            # AUTHENTICATE, SELECT of the application, then per file ceil(size / chunk)
            # reads (by short EF identifier, no SELECT), and INTERNAL AUTHENTICATE.
            chunk = 65536 if extended else SHORT_SM_READ
            access_min = 1 + 5 + 1
            read_min = sum(math.ceil(s / chunk) for s in sizes.values())
            minimum = access_min + read_min + 1
            print(f"  minimum for this chip: {minimum} APDUs (access {access_min}, files {read_min}, AA 1); "
                  f"measured {last.apdus} ({(last.apdus - minimum) / minimum:+.0%})")
            if rtts:
                print(f"\nraw APDU round trip through pcscd + vpcd: median {statistics.median(rtts):.3f} ms, "
                      f"p95 {sorted(rtts)[int(len(rtts) * 0.95)]:.3f} ms over {len(rtts)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
