"""Benchmark: the draft review page (/admin/layers/<id>/draft) with 1,000 pending edits.

On each store (GeoPackage and PostGIS), a synthetic layer of 5,000 points gets 1,000
pending edits (600 updates, half of them moving the point, 200 creates, 200 deletes, each
with a placement); then the server render time of the draft page is measured in-process
(Flask's test client: no network, what the worker spends) side by side with peers on the
same layer in the same run: the versions page and the layers page. The web editor's page
for the same layer and its list of editable layers are timed too (with `--features 26160`,
the editor opening on a 26k-point layer: it draws such a layer as vector tiles, so the page
itself carries no features). Prints median and p90 in milliseconds and the size of the page. Nothing is asserted (docs/DESIGN.md, principle 8).

    python scripts/bench_draft.py [--runs 15] [--edits 1000] [--features 5000] [--no-postgis]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_common import pct, scratch_database, synthetic_layer  # noqa: E402

DATA = ROOT / "tests" / "data"
PLACEMENTS = ({"precisione": "via", "fonte_posizione": "Tavola 3 del PGT", "via": "Via Dante"},)


def make_edits(store, spec, n: int) -> float:
    """n pending edits on `spec` in one batch; seconds taken."""
    from app.stores.edits import FeatureEdit

    updates, creates = n * 6 // 10, n // 5
    deletes = n - updates - creates
    changes = []
    for i in range(1, updates + 1):
        geometry = {"type": "Point", "coordinates": [9.9 + i * 1e-4, 45.1]} if i % 2 else None
        changes.append(
            (
                FeatureEdit(
                    "update",
                    str(i),
                    geometry=geometry,
                    set_geometry=geometry is not None,
                    properties={"nome": f"Rinominato {i}", "valore": i / 10},
                    placement=PLACEMENTS[0],
                ),
                "*",
            )
        )
    for i in range(creates):
        point = {"type": "Point", "coordinates": [10.0 + i * 1e-4, 45.2]}
        props = {"nome": f"Nuovo {i}", "tipo": "museo"}
        changes.append((FeatureEdit("create", geometry=point, properties=props), None))
    for i in range(deletes):
        changes.append((FeatureEdit("delete", str(updates + 1 + i)), "*"))
    t0 = time.perf_counter()
    store.edit_many(spec, changes, user="bench")
    return time.perf_counter() - t0


def logged_in_client(app):
    from app.admin.auth import ACCOUNTS_KEY

    app.extensions[ACCOUNTS_KEY].create("bench", "una-password-lunga-bench", "editor")
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = {"username": "bench", "password": "una-password-lunga-bench", "csrf_token": token}
    assert client.post("/admin/login", data=data).status_code == 302
    return client


def timed(client, path: str, runs: int) -> tuple[list[float], int]:
    client.get(path)  # warm: templates compiled, caches filled
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code)
        size = len(r.data)
    return times, size


def bench_store(label: str, location: str, tmp: Path, args) -> list[tuple]:
    from app import create_app
    from app.registry import load_registry
    from app.services import KEY
    from app.stores.build import sync_shipped

    sync_shipped(load_registry(DATA / "layers", DATA), DATA, DATA / "layers", location)
    app = create_app(
        {
            "STORE": location,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            "ACCOUNTS": str(tmp / f"accounts-{label}.sqlite"),
        }
    )
    store = app.extensions[KEY].store
    spec, gdf = synthetic_layer(args.features, "point", layer_id="sint_draft")
    store.write_layer(spec, gdf, origin="import", source="synthetic", user="bench")
    seconds = make_edits(store, spec, args.edits)
    print(f"{label}: {args.edits} edits written in {seconds:.2f} s", file=sys.stderr)
    client = logged_in_client(app)
    rows = []
    for name, path in (
        ("draft page (1,000 edits)", "/admin/layers/sint_draft/draft"),
        ("  peer: versions page", "/admin/layers/sint_draft/versions"),
        ("  peer: layers page", "/admin/layers"),
        ("editor page", "/admin/edit/sint_draft"),
        ("editor's layer list", "/admin/edit/"),
    ):
        times, size = timed(client, path, args.runs)
        rows.append((label, name, statistics.median(times), pct(times, 90), size))
    store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--features", type=int, default=5000)
    parser.add_argument("--no-postgis", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows += bench_store("gpkg", str(tmp / "store.gpkg"), tmp, args)
        if not args.no_postgis:
            try:
                with scratch_database("bench_draft") as url:
                    rows += bench_store("postgis", url, tmp, args)
            except Exception as exc:  # noqa: BLE001 (no server: say so, keep the GeoPackage rows)
                print(f"postgis skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
    print(f"{'store':<8} {'page':<28} {'median ms':>10} {'p90 ms':>8} {'KiB':>8}")
    for label, name, median, p90, size in rows:
        print(f"{label:<8} {name:<28} {median:>10.1f} {p90:>8.1f} {size / 1024:>8.0f}")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
