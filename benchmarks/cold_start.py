"""Cold start of the kiosk offscreen, from interpreter start to the first rendered frame
of Welcome. Each run is a fresh process; prints the median of N runs (default 5).

    .venv/bin/python benchmarks/cold_start.py [N]
"""

import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import time, os
t0 = float(os.environ["GUICHET_T0"])
from ui.main import configure_qt
configure_qt()
from kiosk.services import Services
from ui.app import Kiosk
services = Services.open()
kiosk = Kiosk(services, fullscreen=False, demo=True, animations=False)
done = []
kiosk.window.frameSwapped.connect(lambda: done.append(time.time()) if not done else None)
kiosk.window.show()
while not done:
    kiosk.app.processEvents()
print(f"{done[0] - t0:.4f}")
"""


def once() -> float:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_HOME=home)
        import time
        env["GUICHET_T0"] = repr(time.time())
        out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                             capture_output=True, text=True).stdout
        return float(out.strip().splitlines()[-1])


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    once()  # warm the file cache
    times = [once() for _ in range(n)]
    print(f"cold start to first Welcome frame: median {statistics.median(times)*1000:.0f} ms "
          f"(min {min(times)*1000:.0f}, max {max(times)*1000:.0f}, n={n})")
