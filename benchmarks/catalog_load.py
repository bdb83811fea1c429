"""Catalog load and validation of 100 procedures (issue 5: <= 150 ms).

The 100 procedures are the bundled ones copied under new ids until there are 100
(same size and shape as real ones). Two paths are measured, each in a fresh process
state (the compiled copy is removed or kept as the case requires):

- kiosk start: the compiled JSON copy is loaded and the whole schema re-validated
  (pydantic-core), which is what ``kiosk run`` does on every start;
- sources: the YAML files are parsed and validated, which is what ``kiosk catalog
  validate`` and the first start after an import do (then the compiled copy is written).

    .venv/bin/python benchmarks/catalog_load.py [RUNS]
"""

import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kiosk.procedures.loader import DEFAULT_CATALOG, load_catalog, parse_catalog


def make_catalog(target: Path, count: int = 100) -> int:
    target.mkdir(parents=True)
    shutil.copy(DEFAULT_CATALOG / "catalog.yaml", target / "catalog.yaml")
    sources = sorted(p for p in DEFAULT_CATALOG.glob("*.yaml") if p.name != "catalog.yaml")
    n = 0
    while n < count:
        for src in sources:
            if n == count:
                break
            text = src.read_text(encoding="utf-8")
            old = re.search(r"^id: (\S+)$", text, re.M).group(1)
            new = f"{old}-{n:03d}"
            (target / f"{new}.yaml").write_text(text.replace(f"id: {old}", f"id: {new}", 1),
                                                encoding="utf-8")
            n += 1
    return sum(p.stat().st_size for p in target.glob("*.yaml"))


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return sorted(out)


def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, cache = Path(tmp) / "catalog", Path(tmp) / "compiled"
        size = make_catalog(folder)
        cat = parse_catalog(folder)
        fields = sum(1 for p in cat.procedures for _ in p.all_fields())
        print(f"{len(cat.procedures)} procedures, {fields} fields, {size / 1024:.0f} KiB of YAML")
        load_catalog(folder, cache_dir=cache)  # writes the compiled copy
        warm = timed(lambda: load_catalog(folder, cache_dir=cache), runs)
        cold = timed(lambda: parse_catalog(folder), max(3, runs // 4))
        for name, t in (("kiosk start (compiled copy, full validation)", warm),
                        ("sources (YAML parse + validation)", cold)):
            print(f"{name}: median {statistics.median(t):.1f} ms, min {t[0]:.1f}, max {t[-1]:.1f} (n={len(t)})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
