"""Benchmark: does a bbox page stay as fast as the layer grows? GeoPackage and PostGIS.

Synthetic layers of N points and N small polygons (seeded, uniform over the province of
Cremona, 9.43-10.52 E, 44.90-45.65 N) are written with the store's own `stage`/`publish`
(`write_layer`), timed; then each store is served by gunicorn and one client asks, one
request at a time, for:

    dense   bbox pages each holding about 1,000 features (limit=1000): the same answer size
            at every N, so only the index and the store's overhead may grow
    city    the city of Cremona's bbox (9.97,45.11,10.08,45.16), limit=1000: the page is
            always full, while numberMatched grows with N (about 0.7% of the layer)

Prints p50/p95 per store, geometry and size, and (with --plot) writes docs/bench/growth.png.
The goal (issue 8): p95 flat as N grows, at most 50 ms at 1M.

    python scripts/bench_growth.py [--sizes 10000,100000] [--stores gpkg,postgis]
    python scripts/bench_growth.py --sizes 10000,100000,1000000 --plot    # the figures of docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    ROOT,
    Server,
    bboxes_with_about,
    fmt_bbox,
    our_env,
    pct,
    postgres_available,
    scratch_database,
    sequential_latencies,
    synthetic_layer,
)

sys.path.insert(0, str(ROOT))
CITY = (9.97, 45.11, 10.08, 45.16)
KINDS = ("point", "polygon")


def layer_id(kind: str, n: int) -> str:
    return f"{kind[:4]}_{n}"


def open_store(kind: str, location: str):
    if kind == "postgis":
        from app.stores.postgis import PostgisStore

        return PostgisStore(location, create=True)
    from app.stores.gpkg import GpkgStore

    return GpkgStore.create(Path(location))


def build(store_kind: str, location: str, sizes: list[int]) -> tuple[dict, dict]:
    """Write every layer; returns ({layer id: seconds to stage+publish}, {id: centroids})."""
    import shapely

    store = open_store(store_kind, location)
    seconds, centres = {}, {}
    try:
        for kind in KINDS:
            for n in sizes:
                lid = layer_id(kind, n)
                spec, gdf = synthetic_layer(n, kind, layer_id=lid)
                t0 = time.perf_counter()
                store.write_layer(spec, gdf, source="synthetic", user="bench")
                seconds[lid] = time.perf_counter() - t0
                xy = shapely.get_coordinates(shapely.centroid(gdf.geometry.values))
                centres[lid] = xy
                print(f"  {store_kind:8} {lid:14} {n:>9,} written in {seconds[lid]:6.1f} s")
    finally:
        store.close()
    return seconds, centres


def measure(base: str, lid: str, centres: np.ndarray, requests: int) -> dict[str, list[float]]:
    """Latencies (ms) of the dense and the city requests on one layer, after a warm-up."""
    c = f"/api/collections/{lid}/items?f=json&limit=1000&bbox="
    boxes = bboxes_with_about(centres[:, 0], centres[:, 1], 1000, requests + 5)
    dense = [c + fmt_bbox(b) for b in boxes]
    city = [c + fmt_bbox(CITY)] * (requests // 2 + 3)
    out = {}
    for name, paths in (("dense", dense), ("city", city)):
        timed = sequential_latencies(base, paths)
        bad = [s for _, s, _ in timed if s != 200]
        if bad:
            raise RuntimeError(f"{lid} {name}: HTTP {bad[0]}")
        out[name] = [ms for ms, _, _ in timed[5 if name == "dense" else 3 :]]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000", help="features per layer, comma-separated")
    ap.add_argument("--stores", default="gpkg,postgis")
    ap.add_argument("--requests", type=int, default=40, help="dense bbox requests per layer")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--plot", action="store_true", help="write docs/bench/growth.png")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    if "postgis" in stores and (problem := postgres_available()):
        print(f"skipping PostGIS: {problem}")
        stores.remove("postgis")

    rows: list[tuple[str, str, int, float, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for store_kind in stores:
            with _location(store_kind, Path(tmp)) as location:
                print(f"building the {store_kind} layers")
                seconds, centres = build(store_kind, location, sizes)
                env = our_env(location)
                with Server(f"growth-{store_kind}", "app:create_app()", env, args.workers,
                            ready_path="/api") as server:  # fmt: skip
                    for kind in KINDS:
                        for n in sizes:
                            lid = layer_id(kind, n)
                            lat = measure(server.base, lid, centres[lid], args.requests)
                            rows.append((store_kind, kind, n, seconds[lid], lat))
    report(rows)
    if args.plot:
        plot(rows, ROOT / "docs" / "bench" / "growth.png")


class _location:
    """A GeoPackage path in `tmp`, or a scratch PostGIS database (dropped on exit)."""

    def __init__(self, kind: str, tmp: Path):
        self.kind, self.tmp, self._db = kind, tmp, None

    def __enter__(self) -> str:
        if self.kind == "gpkg":
            return str(self.tmp / "growth.gpkg")
        self._db = scratch_database("geoportale_bench_growth")
        return self._db.__enter__()

    def __exit__(self, *exc) -> None:
        if self._db is not None:
            self._db.__exit__(*exc)


def report(rows) -> None:
    head = (
        f"{'store':8} {'geometry':8} {'features':>10} {'write s':>8} | {'dense p50':>9}"
        f" {'p95 ms':>7} | {'city p50':>8} {'p95 ms':>7}"
    )
    print("\nbbox pages (limit=1000), one client, sequential requests")
    print(head)
    print("-" * len(head))
    for store, kind, n, seconds, lat in rows:
        print(
            f"{store:8} {kind:8} {n:>10,} {seconds:>8.1f} | {pct(lat['dense'], 50):>9.1f}"
            f" {pct(lat['dense'], 95):>7.1f} | {pct(lat['city'], 50):>8.1f}"
            f" {pct(lat['city'], 95):>7.1f}"
        )


def plot(rows, path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib not installed (pip install matplotlib): no plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, which, title in (
        (axes[0], "dense", "bbox holding ~1,000 features"),
        (axes[1], "city", "Cremona city bbox, limit 1,000"),
    ):
        for store in sorted({r[0] for r in rows}):
            for kind in KINDS:
                pts = [
                    (n, pct(lat[which], 95)) for s, k, n, _, lat in rows if (s, k) == (store, kind)
                ]
                if pts:
                    xs, ys = zip(*pts, strict=True)
                    style = "-o" if store == "postgis" else "--s"
                    ax.plot(xs, ys, style, label=f"{store} {kind}")
        ax.axhline(50, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.set_xlabel("features in the layer")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("p95 latency (ms)")
    axes[0].legend(fontsize=8)
    fig.suptitle("GET /items?bbox=...&limit=1000 (goal: flat, p95 <= 50 ms at 1M)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    print(f"plot: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
