"""Benchmark: vector tiles of a 100k-point layer, beside the GeoJSON items route, in one run.

A synthetic layer of N random points over Cremona (seeded) is written to a temporary store.
For each zoom, every tile over the middle of the layer (up to --tiles of them) is requested
through the app (cold: each tile once, so the tile cache never answers), and the same bbox is
fetched from `/api/collections/{id}/items` as the GeoJSON viewer would (every page, `next`
links followed). Prints latency p50/p95 and the bytes a browser would download, per zoom.

    python scripts/bench_tiles.py [--features 100000] [--tiles 12] [--zooms 10,12,13,14,15,16]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.registry.spec import LayerSpec  # noqa: E402
from app.stores.gpkg import GpkgStore  # noqa: E402
from app.tiles.grid import Tile, tiles_covering  # noqa: E402

CREMONA = (9.97, 45.11, 10.08, 45.16)  # lon/lat extent the points are spread over
KINDS = ("museo", "teatro", "biblioteca", "scuola", "parco")


def synthetic_layer(n: int) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    rng = np.random.default_rng(2026)
    lon = rng.uniform(CREMONA[0], CREMONA[2], n)
    lat = rng.uniform(CREMONA[1], CREMONA[3], n)
    spec = LayerSpec.model_validate(
        {
            "id": "bench",
            "title": "Punti sintetici",
            "group": "Benchmark",
            "geometry_type": "Point",
            "source": {"path": "synthetic"},
            "id_field": "id",
            "title_field": "nome",
            "fields": [
                {"name": "id", "type": "string", "label": "Codice"},
                {"name": "nome", "type": "string", "label": "Nome"},
                {"name": "tipo", "type": "string", "label": "Tipo"},
                {"name": "valore", "type": "number", "label": "Valore"},
            ],
            "metadata": {
                "abstract": "Punti casuali per il benchmark.",
                "licence": "CC0-1.0",
                "lineage": "Generati da scripts/bench_tiles.py.",
                "updated": "2026-01-01",
            },
        }
    )
    gdf = gpd.GeoDataFrame(
        {
            "id": [f"b{i}" for i in range(n)],
            "nome": [f"Punto {i}" for i in range(n)],
            "tipo": rng.choice(KINDS, n),
            "valore": np.round(rng.uniform(0, 1000, n), 2),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    return spec, gdf


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def time_tile(client, tile: Tile) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    r = client.get(f"/api/collections/bench/tiles/WebMercatorQuad/{tile}")
    assert r.status_code in (200, 204), r.status_code
    return (time.perf_counter() - t0) * 1000, len(r.data), r.status_code


def time_geojson(client, tile: Tile, limit: int) -> tuple[float, int, int]:
    """Every page of the items route for the tile's bbox, as the GeoJSON viewer loads them."""
    bbox = ",".join(f"{v:.9f}" for v in tile.lonlat_bounds())
    url = f"/api/collections/bench/items?f=json&limit={limit}&bbox={bbox}"
    size = count = 0
    t0 = time.perf_counter()
    while url:
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        doc = r.get_json()
        size += len(r.data)
        count += len(doc["features"])
        url = next((lk["href"] for lk in doc["links"] if lk["rel"] == "next"), None)
    return (time.perf_counter() - t0) * 1000, size, count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=int, default=100_000)
    ap.add_argument("--tiles", type=int, default=12, help="tiles per zoom (around the centre)")
    ap.add_argument("--zooms", default="10,12,13,14,15,16")
    args = ap.parse_args()
    zooms = [int(z) for z in args.zooms.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        spec, gdf = synthetic_layer(args.features)
        store = GpkgStore.create(Path(tmp) / "bench.gpkg")
        store.write_layer(spec, gdf, source="synthetic")
        print(f"store: {args.features:,} points written in {time.perf_counter() - t0:.1f} s")
        app = create_app({"STORE": str(store.path), "AUTO_BUILD": False, "BASEMAP": "none"})
        limit = app.config["GEOPORTALE"]["MAX_LIMIT"]
        client = app.test_client()
        client.get("/api/collections/bench/tiles/WebMercatorQuad/0/0/0")  # warm imports
        head = (
            f"{'zoom':>4} {'tiles':>5} {'feat/tile':>9} | {'MVT p50':>8} {'p95':>7} {'KB/tile':>8}"
            f" | {'GeoJSON p50':>11} {'p95':>7} {'KB/tile':>8} | {'MVT warm p50':>12}"
        )
        print(head)
        print("-" * len(head))
        for z in zooms:
            tiles = _middle(tiles_covering(CREMONA, z), args.tiles)
            mvt = [time_tile(client, t) for t in tiles]
            warm = [time_tile(client, t) for t in tiles]  # served from the tile cache
            geo = [time_geojson(client, t, limit) for t in tiles]
            ms, kb = [m[0] for m in mvt], [m[1] / 1024 for m in mvt]
            gms, gkb = [g[0] for g in geo], [g[1] / 1024 for g in geo]
            per_tile = statistics.mean(g[2] for g in geo)
            print(
                f"{z:>4} {len(tiles):>5} {per_tile:>9,.0f} | {pct(ms, 50):>6.0f}ms {pct(ms, 95):>5.0f}ms"
                f" {statistics.mean(kb):>8.0f} | {pct(gms, 50):>9.0f}ms {pct(gms, 95):>5.0f}ms"
                f" {statistics.mean(gkb):>8.0f} | {pct([w[0] for w in warm], 50):>10.1f}ms"
            )


def _middle(tiles: list[Tile], n: int) -> list[Tile]:
    """Up to `n` tiles nearest the middle of the list (the densest part of the layer)."""
    if len(tiles) <= n:
        return tiles
    start = (len(tiles) - n) // 2
    return tiles[start : start + n]


if __name__ == "__main__":
    main()
