"""Benchmark: vector tiles of a synthetic point layer, per zoom, on GeoPackage and PostGIS.

A synthetic layer of N random points (seeded) over the city of Cremona, or over the whole
province (--area province), is written to a temporary store: a GeoPackage, and with
--stores gpkg,postgis also a scratch PostGIS database (tiles by ST_AsMVT there). For each
zoom, the tiles over the middle of the layer (up to --tiles of them) are requested through
the app in-process: cold (each tile once: the tile cache cannot answer) and warm (again,
from the tile cache). Unless --no-geojson, the same bbox is also fetched from
`/api/collections/{id}/items` as the GeoJSON viewer would (every page, `next` links
followed). Prints latency p50/p95 and the bytes a browser would download, per zoom:
`feat/tile` is the layer's features inside the tile, `in MVT` those the tile carries
(thinned by the point generalisation, `app/stores/generalise.py`). With
--without-generalisation the layer is also written as before it (no hidden columns) and
timed in the same run, for a comparison on one machine state.

    python scripts/bench_tiles.py [--features 100000] [--tiles 12] [--zooms 10,12,13,14,15,16]
    # issue 8's figures: 1M points over the province, z10-z16, both stores (~5 minutes)
    python scripts/bench_tiles.py --area province --features 1000000 --stores postgis,gpkg \\
        --zooms 10,11,12,13,14,15,16 --tiles 5 --no-geojson
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from app import create_app  # noqa: E402
from app.geo.tilegrid import Tile, tiles_covering  # noqa: E402
from app.registry.spec import LayerSpec  # noqa: E402
from app.stores import open_store  # noqa: E402

CREMONA = (9.97, 45.11, 10.08, 45.16)  # lon/lat extent the points are spread over
PROVINCE = (9.43, 44.90, 10.52, 45.65)  # --area province
KINDS = ("museo", "teatro", "biblioteca", "scuola", "parco")


def synthetic_layer(n: int, extent=CREMONA) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    """N seeded random points over `extent` (lon/lat) with a few typed attributes."""
    rng = np.random.default_rng(2026)
    lon = rng.uniform(extent[0], extent[2], n)
    lat = rng.uniform(extent[1], extent[3], n)
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
    ap.add_argument("--area", choices=("city", "province"), default="city")
    ap.add_argument("--stores", default="gpkg", help="gpkg, postgis or gpkg,postgis")
    ap.add_argument("--no-geojson", dest="geojson", action="store_false",
                    help="skip the GeoJSON items comparison (slow on big layers)")  # fmt: skip
    ap.add_argument("--without-generalisation", dest="old", action="store_true",
                    help="also time the layer written without the hidden gp_minzoom columns")  # fmt: skip
    args = ap.parse_args()
    zooms = [int(z) for z in args.zooms.split(",")]
    extent = CREMONA if args.area == "city" else PROVINCE
    t0 = time.perf_counter()
    spec, gdf = synthetic_layer(args.features, extent)
    print(
        f"{args.features:,} points over the {args.area} generated in {time.perf_counter() - t0:.1f} s"
    )
    for kind in args.stores.split(","):
        for generalised in (True, False) if args.old else (True,):
            with tempfile.TemporaryDirectory() as tmp, _store(kind, Path(tmp)) as location:
                store = open_store(location, create=True)
                t0 = time.perf_counter()
                with _generalisation(generalised):
                    store.write_layer(spec, gdf, source="synthetic")
                how = "" if generalised else " WITHOUT generalisation (as before it)"
                print(
                    f"\n{kind}{how}: written with stage+publish in {time.perf_counter() - t0:.1f} s"
                )
                store.close()
                app = create_app({"STORE": str(location), "AUTO_BUILD": False, "BASEMAP": "none"})
                try:
                    run_zooms(app, zooms, extent, args.tiles, args.geojson)
                finally:
                    _close(app)


@contextmanager
def _generalisation(on: bool):
    """Write without the hidden generalisation columns when `on` is False."""
    import app.stores.gpkg as gpkg_store
    import app.stores.postgis_catalog as postgis_catalog

    saved = gpkg_store.hidden_columns, postgis_catalog.hidden_columns
    if not on:
        gpkg_store.hidden_columns = postgis_catalog.hidden_columns = lambda *a: None
    try:
        yield
    finally:
        gpkg_store.hidden_columns, postgis_catalog.hidden_columns = saved


def run_zooms(app, zooms: list[int], extent, n_tiles: int, geojson: bool) -> None:
    """Per zoom: cold and warm MVT latency and size (and the GeoJSON items route)."""
    limit = app.config["GEOPORTALE"]["MAX_LIMIT"]
    client = app.test_client()
    client.get("/api/collections/bench/tiles/WebMercatorQuad/0/0/0")  # warm imports
    head = (
        f"{'zoom':>4} {'tiles':>5} {'feat/tile':>9} {'in MVT':>7} | {'cold p50':>8} {'p95':>7}"
        f" {'KB/tile':>8} | {'warm p50':>8} {'p95':>7}"
    )
    if geojson:
        head += f" | {'GeoJSON p50':>11} {'p95':>7} {'KB/tile':>8}"
    print(head)
    print("-" * len(head))
    for z in zooms:
        tiles = _middle(tiles_covering(extent, z), n_tiles)
        mvt = [time_tile(client, t) for t in tiles]
        warm = [time_tile(client, t) for t in tiles]  # served from the tile cache
        ms, kb = [m[0] for m in mvt], [m[1] / 1024 for m in mvt]
        wms = [w[0] for w in warm]
        per_tile = statistics.mean(_count(app, t) for t in tiles)
        in_mvt = statistics.mean(_in_mvt(client, t) for t in tiles)
        line = (
            f"{z:>4} {len(tiles):>5} {per_tile:>9,.0f} {in_mvt:>7,.0f} | {pct(ms, 50):>6.0f}ms"
            f" {pct(ms, 95):>5.0f}ms {statistics.mean(kb):>8.0f} | {pct(wms, 50):>6.1f}ms"
            f" {pct(wms, 95):>5.1f}ms"
        )
        if geojson:
            geo = [time_geojson(client, t, limit) for t in tiles]
            gms, gkb = [g[0] for g in geo], [g[1] / 1024 for g in geo]
            line += f" | {pct(gms, 50):>9.0f}ms {pct(gms, 95):>5.0f}ms {statistics.mean(gkb):>8.0f}"
        print(line)


def _count(app, tile: Tile) -> int:
    """Features in the tile itself (numberMatched of its bbox, limit 1)."""
    bbox = ",".join(f"{v:.9f}" for v in tile.lonlat_bounds())
    r = app.test_client().get(f"/api/collections/bench/items?f=json&limit=1&bbox={bbox}")
    return r.get_json()["numberMatched"]


def _in_mvt(client, tile: Tile) -> int:
    """Features the tile carries (its buffer included), decoded from the cached tile."""
    import mapbox_vector_tile

    r = client.get(f"/api/collections/bench/tiles/WebMercatorQuad/{tile}")
    if r.status_code != 200:
        return 0
    layers = mapbox_vector_tile.decode(r.data)
    return sum(len(layer["features"]) for layer in layers.values())


class _store:
    """A GeoPackage path in `tmp`, or a scratch PostGIS database dropped on exit."""

    def __init__(self, kind: str, tmp: Path):
        self.kind, self.tmp, self._db = kind, tmp, None

    def __enter__(self):
        if self.kind == "gpkg":
            return self.tmp / "bench.gpkg"
        from bench_common import scratch_database

        self._db = scratch_database("geoportale_bench_tiles")
        return self._db.__enter__()

    def __exit__(self, *exc) -> None:
        if self._db is not None:
            self._db.__exit__(*exc)


def _close(app) -> None:
    """Close the app's PostGIS pool (so the scratch database can be dropped)."""
    from app.services import KEY, Services

    found = app.extensions.get(KEY)
    if isinstance(found, Services):
        found.store.close()


def _middle(tiles: list[Tile], n: int) -> list[Tile]:
    """Up to `n` tiles nearest the middle of the list (the densest part of the layer)."""
    if len(tiles) <= n:
        return tiles
    start = (len(tiles) - n) // 2
    return tiles[start : start + n]


if __name__ == "__main__":
    main()
