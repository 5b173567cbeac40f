"""Style documents (SLD 1.0, QML, MapLibre GL style): time to make and to serve, p50/p95.

    python3 scripts/bench_styles.py [--runs 200]

Builds a throw-away store of the shipped layers in a temporary directory (never touches
instance/), then for every published layer (each geometry family of a mixed one) times

- make: the document made in-process from the layer file (app/styles), no HTTP;
- serve: GET /api/collections/{id}/styles/default?f=... through the Flask test client
  (routing, registry lookup, the document, ETag and caching headers);

and, as the peer on the same bytes, the same SLD served as a static file by Flask's
`send_file` (what a pre-generated file on disk would cost). Nothing is asserted: the
figures are printed (docs/benchmarks.md keeps a run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask, send_file  # noqa: E402

from app import create_app  # noqa: E402
from app.services import services  # noqa: E402
from app.styles import documents, model, qml_document, sld_document  # noqa: E402


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def timed(fn, runs: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def row(label: str, ms: list[float], size: int | None = None) -> str:
    kb = f"{size / 1024:7.1f}" if size is not None else "      -"
    return f"{label:<34} {pct(ms, 50):8.3f} {pct(ms, 95):8.3f} {kb}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"STORE": str(Path(tmp) / "store.gpkg")})
        client = app.test_client()
        with app.app_context():
            specs = list(services().registry.published)
        jobs = [(s, f) for s in specs for f in model.families_of(s)]
        print(f"{len(specs)} layers, {len(jobs)} layer/family styles, {args.runs} runs each")
        print(f"{'document':<34} {'p50 ms':>8} {'p95 ms':>8} {'KiB':>7}")
        print("-" * 60)
        made = {"sld": [], "qml": [], "mapbox": []}
        served = {"sld": [], "qml": [], "mapbox": []}
        sizes = {"sld": [], "qml": [], "mapbox": []}
        with app.test_request_context("/api"):
            for spec, family in jobs:
                made["sld"] += timed(lambda s=spec, f=family: sld_document(s, f), args.runs)
                made["qml"] += timed(lambda s=spec, f=family: qml_document(s, f), args.runs)
            for spec in specs:  # the MapLibre style covers every family at once
                made["mapbox"] += timed(
                    lambda s=spec: documents.mapbox_document(s, None), args.runs
                )
        for spec, family in jobs:
            for fmt in ("sld", "qml"):
                path = f"/api/collections/{spec.id}/styles/default?f={fmt}&family={family}"
                served[fmt] += timed(lambda p=path: client.get(p), args.runs)
                sizes[fmt].append(len(client.get(path).data))
        for spec in specs:
            path = f"/api/collections/{spec.id}/styles/default?f=mapbox"
            served["mapbox"] += timed(lambda p=path: client.get(p), args.runs)
            sizes["mapbox"].append(len(client.get(path).data))
        for fmt in made:
            size = int(statistics.mean(sizes[fmt]))
            print(row(f"{fmt}: make (in-process)", made[fmt], size))
            print(row(f"{fmt}: serve (HTTP, test client)", served[fmt], size))
        # Peer: the largest SLD as a static file, through Flask's send_file.
        spec, family = max(jobs, key=lambda j: len(sld_document(*j)))
        static = Path(tmp) / "style.sld"
        static.write_text(sld_document(spec, family), encoding="utf-8")
        peer = Flask("peer")
        peer.add_url_rule("/style.sld", "style", lambda: send_file(static))
        peer_client = peer.test_client()
        ours = f"/api/collections/{spec.id}/styles/default?f=sld&family={family}"
        print("-" * 60)
        print(f"largest SLD: {spec.id} ({family}), {static.stat().st_size} bytes")
        print(row("sld: ours (HTTP, made per request)", timed(lambda: client.get(ours), args.runs)))
        print(
            row(
                "sld: static file (Flask send_file)",
                timed(lambda: peer_client.get("/style.sld"), args.runs),
            )
        )
        app.extensions["geoportale"].store.close()


if __name__ == "__main__":
    main()
