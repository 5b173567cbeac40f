"""Search latency, p50/p95, on the Cremona layers and with Alessandria's 26,160 house numbers.

    python3 scripts/bench_search.py [--runs 200]

Builds throw-away stores in a temporary directory (never touches instance/), warms the
index once (its build time is printed too), then times `search()` in-process for a mix of
queries: addresses with numbers, abbreviations, typos, places, quartieri, prefixes. The
Alessandria part needs ../shared/reference-geodata (skipped with a message otherwise).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.search.service import search, search_index  # noqa: E402
from app.services import services  # noqa: E402

ALESSANDRIA = (
    ROOT.parent / "shared/reference-geodata/comune-alessandria-opendata/numeri-civici.gpkg"
)
CREMONA_QUERIES = [
    "via Dante 12",
    "v. dante",
    "corso Garibaldi",
    "c.so garibaldi 120",
    "Museo del Violino",
    "museo del violno",
    "piazza Stradivari",
    "p.za stradivari",
    "Cavatigozzi",
    "quartiere 16",
    "centro",
    "ciclabile",
    "scuola",
    "sant'agata",
    "teatr",
    "Borgo Loreto",
    "PNRR",
    "po",
]
ALESSANDRIA_QUERIES = CREMONA_QUERIES + [
    "via Modena 8",
    "v. san lorenzo 46",
    "corso roma 10",
    "spalto marengo",
    "via dnate alighieri 90",
    "strada cerca di valle san bartolomeo 70",
    "via vescovado",
    "piazza della libert",
]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def bench(app, queries: list[str], runs: int, label: str) -> None:
    with app.test_request_context():
        svc = services()
        started = time.perf_counter()
        ix = search_index(svc)
        build = time.perf_counter() - started
        times = []
        for n in range(runs):
            q = queries[n % len(queries)]
            t0 = time.perf_counter()
            search(svc, q, 10)
            times.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label}: {len(ix)} documents (index built in {build:.2f} s); {runs} searches: "
        f"p50 {statistics.median(times):.2f} ms, p95 {percentile(times, 0.95):.2f} ms, "
        f"max {max(times):.2f} ms"
    )


def cremona_app(tmp: Path):
    return create_app({"STORE": str(tmp / "cremona.gpkg"), "BASEMAP": "none"})


def alessandria_app(tmp: Path):
    import pyogrio

    root = tmp / "al"
    (root / "layers").mkdir(parents=True)
    for path in (ROOT / "layers").glob("*.yaml"):
        shutil.copy(path, root / "layers")
    shutil.copytree(ROOT / "geodata", root / "geodata")
    gdf = pyogrio.read_dataframe(ALESSANDRIA, fid_as_index=True)
    gdf["codice"] = gdf.index.astype("int64")
    pyogrio.write_dataframe(gdf.reset_index(drop=True), root / "civici_al.gpkg", layer="civici")
    from tests.quartieri.fixtures import ALESSANDRIA_LAYER

    (root / "layers" / "civici_al.yaml").write_text(ALESSANDRIA_LAYER)
    return create_app(
        {
            "STORE": str(tmp / "al.gpkg"),
            "LAYERS_DIR": str(root / "layers"),
            "DATA_ROOT": str(root),
            "BASEMAP": "none",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bench(cremona_app(tmp), CREMONA_QUERIES, args.runs, "Cremona layers")
        if ALESSANDRIA.is_file():
            bench(
                alessandria_app(tmp),
                ALESSANDRIA_QUERIES,
                args.runs,
                "Cremona + 26,160 Alessandria civici",
            )
        else:
            print(f"skipped the address benchmark: {ALESSANDRIA} not found")


if __name__ == "__main__":
    main()
