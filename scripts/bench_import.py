"""Benchmark: import, validate and publish Alessandria's 26,160 house numbers end to end.

Each run is its own process (peak memory is per process), side by side with a peer on the
same file in the same run: a plain GDAL copy (pyogrio read + GeoPackage write), which does
no validation, no reprojection check and no versioning. Prints seconds and peak RSS.

    python scripts/bench_import.py [--runs 3] [PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = (
    ROOT.parent
    / "shared"
    / "reference-geodata"
    / "comune-alessandria-opendata"
    / "numeri-civici.gpkg"
)

OURS = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from app.publishing.importer import ImportOptions, import_file
from app.stores.gpkg import GpkgStore
t0 = time.perf_counter()
store = GpkgStore.create(Path({tmp!r}) / "store.gpkg")
result = import_file(store, Path({path!r}), ImportOptions("civici", publish=True), "bench")
assert result.ok and result.report.published, result.report.errors
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "features": result.report.features,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

PEER = """
import json, resource, time
import pyogrio
t0 = time.perf_counter()
gdf = pyogrio.read_dataframe({path!r})
pyogrio.write_dataframe(gdf.to_crs(4326), {tmp!r} + "/copy.gpkg", layer="civici")
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "features": len(gdf),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.path.is_file():
        sys.exit(f"input not found: {args.path} (needs ../shared/reference-geodata)")
    rows = {"geoportale import+validate+publish": [], "peer: GDAL copy (no checks)": []}
    for _ in range(args.runs):
        for name, code in (
            ("geoportale import+validate+publish", OURS),
            ("peer: GDAL copy (no checks)", PEER),
        ):
            with tempfile.TemporaryDirectory() as tmp:
                rows[name].append(run(code.format(root=str(ROOT), tmp=tmp, path=str(args.path))))
    print(
        f"input: {args.path.name}, {rows['peer: GDAL copy (no checks)'][0]['features']} "
        f"features, {args.runs} runs each, interleaved"
    )
    print(f"{'':40} {'median s':>9} {'min s':>7} {'peak MB':>8}")
    for name, results in rows.items():
        secs = [r["seconds"] for r in results]
        peak = max(r["peak_mb"] for r in results)
        print(f"{name:40} {statistics.median(secs):9.2f} {min(secs):7.2f} {peak:8.0f}")
    ours = statistics.median(r["seconds"] for r in rows["geoportale import+validate+publish"])
    peer = statistics.median(r["seconds"] for r in rows["peer: GDAL copy (no checks)"])
    print(f"ratio (ours / plain copy): {ours / peer:.2f}x; target: <= 10 s and <= 1024 MB")


if __name__ == "__main__":
    main()
