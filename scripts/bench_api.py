"""Benchmark: our OGC API Features against pygeoapi's, on the SAME PostGIS tables, in one run.

A throw-away PostGIS database gets the Cremona layers (`flask geodata build`) and Alessandria's
26,160 house numbers (`flask layers import ... --id civici --publish`) through our own CLI.
pygeoapi (its PostgreSQL provider) is configured to read the very tables we serve
(`geoportale."<id>__v<n>"`, geometry `geom`, id the layer's id field), so both sides query
identical rows, indexes and statistics. Beside them: us on the embedded GeoPackage built by
the same two commands. Every server runs under gunicorn with the same number of sync workers
and is driven by the same `wrk`, one side at a time, query type by query type:

    items    /collections/civici/items?limit=100&offset=0..2500 (pages 1-26)
    bbox     20 bboxes each holding ~100 house numbers, limit=100
    item     /collections/civici/items/{id} for 50 ids
    filter   CQL2 text `QuartiereSobborgo = '...' AND Civico < 20`, limit=100
    cremona  /collections/interventi/items?limit=100 (a shipped Cremona layer, 250 features)

pygeoapi's SQLite/GeoPackage provider needs SQLite extension loading (SpatiaLite), which this
machine's Python lacks, so pygeoapi is compared on PostGIS only.

pygeoapi is not a dependency of the geoportal: it runs from its own virtualenv, made once:

    python -m venv ~/.cache/geoportale-bench/pygeoapi
    ~/.cache/geoportale-bench/pygeoapi/bin/pip install pygeoapi gunicorn psycopg2-binary GeoAlchemy2

    python scripts/bench_api.py [--workers 2] [--connections 4] [--seconds 10] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    ALESSANDRIA,
    Server,
    bboxes_with_about,
    build_shipped,
    flask_cli,
    fmt_bbox,
    free_port,
    our_env,
    pct,
    postgres_available,
    scratch_database,
    wrk_available,
    wrk_run,
)

PYGEOAPI_VENV = Path.home() / ".cache" / "geoportale-bench" / "pygeoapi"
QUERIES = ("items", "bbox", "item", "filter", "cremona")
SIDES = ("geoportale PostGIS", "pygeoapi PostGIS", "geoportale GPKG")
FILTER_AREAS = ("Centro", "Cristo", "Pista", "Orti", "Valmadonna")


def find_pygeoapi(explicit: str | None) -> str:
    """The Python that has pygeoapi and gunicorn, or exit saying how to make one."""
    candidates = [explicit] if explicit else [str(PYGEOAPI_VENV / "bin" / "python"), sys.executable]
    for python in candidates:
        if python and Path(python).exists():
            ok = subprocess.run(
                [python, "-c", "import pygeoapi, gunicorn, geoalchemy2, psycopg2"],
                capture_output=True,
            )
            if ok.returncode == 0:
                return python
    sys.exit(
        "pygeoapi not found. Make its own virtualenv once:\n"
        f"  python -m venv {PYGEOAPI_VENV}\n"
        f"  {PYGEOAPI_VENV}/bin/pip install pygeoapi gunicorn psycopg2-binary GeoAlchemy2\n"
        "or pass --pygeoapi-python PATH"
    )


def served_tables(url: str) -> dict[str, tuple[str, str, list[float]]]:
    """layer id -> (table, id field, bbox) of every served layer in our PostGIS store."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT v.layer_id, v.table_name, v.spec->>'id_field', v.minx, v.miny, v.maxx, "
            "v.maxy FROM geoportale.layers l JOIN geoportale.versions v "
            "ON v.layer_id = l.id AND v.version = l.version"
        ).fetchall()
    return {r[0]: (r[1], r[2], [r[3], r[4], r[5], r[6]]) for r in rows}


def pygeoapi_config(tmp: Path, url: str, port: int, tables: dict) -> dict[str, str]:
    """Write pygeoapi's config and OpenAPI document to `tmp`; returns the server env."""
    parsed = urllib.parse.urlparse(url)
    resources = {}
    for layer_id, (table, id_field, bbox) in sorted(tables.items()):
        resources[layer_id] = {
            "type": "collection",
            "title": layer_id,
            "description": f"geoportale.{table}",
            "keywords": ["benchmark"],
            "extents": {
                "spatial": {"bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}
            },
            "providers": [
                {
                    "type": "feature",
                    "name": "PostgreSQL",
                    "data": {
                        "host": parsed.hostname,
                        "port": parsed.port or 5432,
                        "dbname": parsed.path.lstrip("/"),
                        "user": parsed.username,
                        "password": parsed.password or "",
                        "search_path": ["geoportale", "public"],
                    },
                    "id_field": id_field,
                    "table": table,
                    "geom_field": "geom",
                }
            ],
        }
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["it"],
            "limits": {"default_items": 100, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"},
            "pretty_print": False,
            "admin": False,
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "pygeoapi bench",
                "description": "pygeoapi on the geoportal's PostGIS tables",
                "keywords": ["benchmark"],
                "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": "https://example.org",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "bench", "url": "https://example.org"},
            "contact": {"name": "bench", "email": "bench@example.org"},
        },
        "resources": resources,
    }
    cfg, openapi = tmp / "pygeoapi-config.yml", tmp / "pygeoapi-openapi.yml"
    cfg.write_text(json.dumps(config))  # JSON is YAML
    return {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(openapi)}


def query_paths(prefix: str, civici: np.ndarray, ids: list[int]) -> dict[str, list[str]]:
    """The same request mix for every side (`prefix` is /api for us, '' for pygeoapi)."""
    lon, lat = civici[:, 0], civici[:, 1]
    c = f"{prefix}/collections/civici/items"
    return {
        "items": [f"{c}?f=json&limit=100&offset={100 * i}" for i in range(26)],
        "bbox": [
            f"{c}?f=json&limit=100&bbox={fmt_bbox(b)}" for b in bboxes_with_about(lon, lat, 100, 20)
        ],
        "item": [f"{c}/{i}?f=json" for i in ids],
        "filter": [
            f"{c}?f=json&limit=100&filter="
            + urllib.parse.quote(f"QuartiereSobborgo = '{q}' AND Civico < 20")
            for q in FILTER_AREAS
        ],
        "cremona": [f"{prefix}/collections/interventi/items?f=json&limit=100"],
    }


def check(base: str, path: str) -> str:
    """A short description of one answer, to show every side returns the same thing."""
    with urllib.request.urlopen(base + path, timeout=60) as r:
        doc = json.loads(r.read())
    if doc.get("type") == "Feature":
        return f"feature {doc['id']}"
    return f"{len(doc['features'])} of {doc.get('numberMatched')}"


def civici_points(url: str) -> tuple[np.ndarray, list[int]]:
    import psycopg

    with psycopg.connect(url) as conn:
        table = conn.execute(
            "SELECT v.table_name FROM geoportale.layers l JOIN geoportale.versions v "
            "ON v.layer_id = l.id AND v.version = l.version WHERE l.id = 'civici'"
        ).fetchone()[0]
        rows = conn.execute(
            f'SELECT ST_X(geom), ST_Y(geom), gp_id FROM geoportale."{table}" ORDER BY fid'
        ).fetchall()
    arr = np.array([(r[0], r[1]) for r in rows])
    rng = np.random.default_rng(11)
    ids = sorted(int(rows[i][2]) for i in rng.choice(len(rows), 50, replace=False))
    return arr, ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2, help="gunicorn sync workers, every side")
    ap.add_argument("--connections", type=int, default=4, help="wrk connections")
    ap.add_argument("--seconds", type=int, default=10, help="wrk duration per query and side")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the whole mix (interleaved)")
    ap.add_argument("--pygeoapi-python", help="Python with pygeoapi+gunicorn (default: its venv)")
    ap.add_argument("--queries", default=",".join(QUERIES))
    args = ap.parse_args()
    for problem in (wrk_available(), postgres_available()):
        if problem:
            sys.exit(problem)
    if not ALESSANDRIA.is_file():
        sys.exit(f"input not found: {ALESSANDRIA} (needs ../shared/reference-geodata)")
    pyg_python = find_pygeoapi(args.pygeoapi_python)
    queries = args.queries.split(",")

    with tempfile.TemporaryDirectory() as tmp, scratch_database("geoportale_bench_api") as url:
        tmp = Path(tmp)
        gpkg = str(tmp / "store.gpkg")
        for store in (url, gpkg):
            kind = "PostGIS" if store == url else "GeoPackage"
            s_build = build_shipped(store)
            s_import = flask_cli(
                store, "layers", "import", str(ALESSANDRIA), "--id", "civici", "--publish"
            )
            print(f"{kind}: shipped layers {s_build:.1f} s, civici import (CLI) {s_import:.1f} s")
        tables = served_tables(url)
        civici, ids = civici_points(url)
        print(f"pygeoapi reads our tables: {', '.join(t for t, _, _ in tables.values())}")

        port = free_port()
        pyg_env = pygeoapi_config(tmp, url, port, tables)
        pyg_bin = Path(pyg_python).parent
        subprocess.run(
            [str(pyg_bin / "pygeoapi"), "openapi", "generate", pyg_env["PYGEOAPI_CONFIG"],
             "--output-file", pyg_env["PYGEOAPI_OPENAPI"]],
            env={**pyg_env, "PATH": f"{pyg_bin}:/usr/bin:/bin"},
            check=True, capture_output=True,
        )  # fmt: skip
        servers = {
            "geoportale PostGIS": Server(
                "ours-pg", "app:create_app()", our_env(url), args.workers, ready_path="/api"
            ),
            "pygeoapi PostGIS": Server(
                "pygeoapi",
                "pygeoapi.flask_app:APP",
                {**pyg_env, "PATH": f"{pyg_bin}:/usr/bin:/bin"},
                args.workers,
                python=pyg_python,
                ready_path="/collections",
                cwd=tmp,
                port=port,
            ),
            "geoportale GPKG": Server(
                "ours-gpkg", "app:create_app()", our_env(gpkg), args.workers, ready_path="/api"
            ),
        }
        results: dict[tuple[str, str], list[dict]] = {}
        with servers[SIDES[0]], servers[SIDES[1]], servers[SIDES[2]]:
            paths = {
                side: query_paths("" if side.startswith("pygeoapi") else "/api", civici, ids)
                for side in SIDES
            }
            print("\nsame answers (first request of each type):")
            for q in queries:
                seen = [check(servers[s].base, paths[s][q][0]) for s in SIDES]
                print(
                    f"  {q:8} " + " | ".join(f"{s}: {v}" for s, v in zip(SIDES, seen, strict=True))
                )
            for _ in range(args.rounds):
                for q in queries:
                    for side in SIDES:
                        # a short warm-up of this side and query (worker caches, plans)
                        wrk_run(servers[side].base, paths[side][q], 1, args.connections)
                        res = wrk_run(
                            servers[side].base, paths[side][q], args.seconds, args.connections
                        )
                        results.setdefault((q, side), []).append(res)
        report(results, queries, args)


def report(results: dict, queries: list[str], args) -> None:
    print(
        f"\n{args.workers} gunicorn sync workers per side; wrk 1 thread, {args.connections} "
        f"connections, {args.seconds:g} s per query and side, {args.rounds} round(s)"
    )
    head = (
        f"{'query':8} {'side':20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"
        f" | {'x pygeoapi req/s':>16}"
    )
    print(head)
    print("-" * len(head))
    for q in queries:
        base = _median(results[(q, "pygeoapi PostGIS")], "rps")
        for side in SIDES:
            runs = results[(q, side)]
            rps = _median(runs, "rps")
            errors = sum(r["errors"] + r["non2xx"] for r in runs)
            print(
                f"{q:8} {side:20} {rps:>8.0f} {_median(runs, 'p50'):>8.1f}"
                f" {_median(runs, 'p95'):>8.1f} {errors:>7} | {rps / base:>15.1f}x"
            )


def _median(runs: list[dict], key: str) -> float:
    return pct([r[key] for r in runs], 50)


if __name__ == "__main__":
    main()
