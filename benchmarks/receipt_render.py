"""Receipt rendering (issue 7): the first receipt after start-up (fonts loaded and
registered, HarfBuzz warmed up, in a fresh process), then the median of N receipts per
language with everything loaded. Each receipt is a real one: tracking number, signed QR,
Code 128, the catalog's next steps and documents, the second language's headings, the
office's logo.

    .venv/bin/python benchmarks/receipt_render.py [N]
"""

import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIRST = r"""
import datetime as dt, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kiosk.procedures.loader import load_catalog
from kiosk.receipts.authenticity import qr_text
from kiosk.receipts.render import ReceiptData, render
from kiosk.paths import ASSETS
p = load_catalog().get("cnss.ipe")
t1 = time.perf_counter()
now = dt.datetime.now().astimezone()
qr = qr_text("DEMO1-261122-0001-8", now, "DEMO-KIOSK-01", Ed25519PrivateKey.generate())
data = ReceiptData("DEMO1-261122-0001-8", "ar", now, p.title("ar"), p.next_steps("ar"),
                   tuple(d("ar") for d in p.documents), "Agence", "DEMO-KIOSK-01", qr, "fr", p.title("fr"),
                   80, ASSETS / "demo" / "office-logo-DEMO.png")
with tempfile.TemporaryDirectory() as tmp:
    render(data, Path(tmp) / "r.pdf")
print((time.perf_counter() - t1) * 1000)
"""


def first_receipt(runs: int = 5) -> list[float]:
    return [float(subprocess.run([sys.executable, "-c", FIRST], check=True, capture_output=True,
                                 text=True).stdout.split()[-1]) for _ in range(runs)]


def steady(n: int) -> dict[str, list[float]]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from kiosk.paths import ASSETS
    from kiosk.procedures.loader import load_catalog
    from kiosk.receipts.authenticity import qr_text
    from kiosk.receipts.render import ReceiptData, render

    catalog = load_catalog()
    logo = ASSETS / "demo" / "office-logo-DEMO.png"
    key = Ed25519PrivateKey.generate()
    out: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for lang, second in (("ar", "fr"), ("fr", "ar"), ("zgh", "fr")):
            times = []
            for i in range(n + 5):
                p = catalog.procedures[i % len(catalog.procedures)]
                now = dt.datetime.now().astimezone()
                number = f"DEMO1-261122-{i:04d}-8"
                data = ReceiptData(number, lang, now, p.title(lang), p.next_steps(lang),
                                   tuple(d(lang) for d in p.documents), "Agence de démonstration",
                                   "DEMO-KIOSK-01", qr_text(number, now, "DEMO-KIOSK-01", key),
                                   second, p.title(second), 80, logo)
                t0 = time.perf_counter()
                render(data, Path(tmp) / f"{lang}.pdf")
                if i >= 5:  # the first few warm the caches of this language
                    times.append((time.perf_counter() - t0) * 1000)
            out[lang] = times
    return out


def main(n: int) -> None:
    firsts = first_receipt()
    print(f"first receipt after start-up (fonts registered on first use), n=5: median "
          f"{statistics.median(firsts):.1f} ms (min {min(firsts):.1f}, max {max(firsts):.1f})")
    for lang, times in steady(n).items():
        times.sort()
        print(f"{lang}: median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, "
              f"max {times[-1]:.1f} ms (n={len(times)})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
