"""Benchmark: the cross-layer query and zone statistics on 100,000 synthetic points.

    python3 scripts/bench_processes.py [--points 100000]

Builds a throw-away GeoPackage store with N random points around Cremona, 200 line
"paths" and a 4×4 grid of zones, then times (best of 3) the same services the processes
API calls: dwithin 500 m, beyond 300 m, within a zone with an attribute filter, statistics.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.analysis.crosslayer import CrossQuery, run_cross_query  # noqa: E402
from app.analysis.stats import LayerStat, ZoneStatsQuery, zone_statistics  # noqa: E402
from app.stores.gpkg import GpkgStore  # noqa: E402
from tests.analysis.planner_data import LINEE, PUNTI, ZONES  # noqa: E402


def build(path: Path, n: int) -> GpkgStore:
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = 9.95, 45.09, 10.10, 45.18
    xs, ys = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    stati = np.array(["concluso", "in_corso", "pianificato"])[rng.integers(0, 3, n)]
    punti = gpd.GeoDataFrame(
        {
            "id": [f"p{i}" for i in range(n)],
            "nome": "P",
            "stato": stati,
            "importo_euro": rng.uniform(0, 1e5, n),
            "quartiere": rng.integers(1, 17, n),
        },
        geometry=shapely.points(xs, ys),
        crs="EPSG:4326",
    )
    starts = rng.uniform([x0, y0], [x1, y1], (200, 2))
    linee = gpd.GeoDataFrame(
        {"id": [f"l{i}" for i in range(200)], "nome": "L"},
        geometry=[shapely.LineString([s, s + rng.normal(0, 0.003, 2)]) for s in starts],
        crs="EPSG:4326",
    )
    cells, k = [], 0
    for i in range(4):
        for j in range(4):
            k += 1
            dx, dy = (x1 - x0) / 4, (y1 - y0) / 4
            cells.append(
                (
                    f"z{k}",
                    k,
                    f"Zona {k}",
                    1000,
                    shapely.box(x0 + i * dx, y0 + j * dy, x0 + (i + 1) * dx, y0 + (j + 1) * dy),
                )
            )
    zones = gpd.GeoDataFrame(
        [c[:4] for c in cells],
        columns=["id", "numero", "nome", "popolazione"],
        geometry=[c[4] for c in cells],
        crs="EPSG:4326",
    )
    store = GpkgStore.create(path)
    for spec, frame in ((ZONES, zones), (PUNTI, punti), (LINEE, linee)):
        store.write_layer(spec, frame)
    return store


def best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        store = build(Path(tmp) / "bench.gpkg", args.points)
        print(f"store with {args.points:,} points built in {time.perf_counter() - t:.1f} s")
        specs = {s.id: s for s in store.published_specs()}
        cases = {
            "dwithin 500 m of 200 paths": CrossQuery("punti_p", "linee_p", "dwithin", 500),
            "beyond 300 m of 200 paths": CrossQuery("punti_p", "linee_p", "beyond", 300),
            "within zone 6, stato = in_corso": CrossQuery(
                "punti_p",
                "zone_p",
                "within",
                filter="stato = 'in_corso'",
                reference_filter="numero = 6",
            ),
        }
        for label, q in cases.items():
            seconds, result = best(lambda q=q: run_cross_query(store, specs.__getitem__, q))
            print(f"{label:<36} {seconds:6.3f} s  {result.summary['matched']:>7,} matched")
        sq = ZoneStatsQuery(
            zones="zone_p", layers=(LayerStat("punti_p", category="stato", sum="importo_euro"),)
        )
        seconds, _ = best(lambda: zone_statistics(store, specs.__getitem__, sq))
        print(f"{'statistics per zone (16 zones)':<36} {seconds:6.3f} s")


if __name__ == "__main__":
    main()
