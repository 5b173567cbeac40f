"""WMS GetMap: p50/p95 of 256×256 and 1024×1024 maps of every default layer, cold and cached.

    python3 scripts/bench_wms.py [--runs 100]

Builds a throw-away store of the shipped layers in a temporary directory (never touches
instance/), then requests GET /wms?REQUEST=GetMap through Flask's test client (parameter
parsing, versions, Mapnik, PNG encoding, the image cache) for maps at random places and
scales inside the organisation's area:

- cold: every map a new bbox, so it is drawn (the layers' datasources are already loaded,
  once per version, as on a serving worker);
- cached: the same maps asked again, answered from the image cache;

and, as the peer in the same run, the same frames drawn by matplotlib from the same data
(geopandas `plot` per layer with the category colours, saved as PNG): what drawing a map
without a map renderer costs. Nothing is asserted: the figures are printed
(docs/benchmarks.md keeps a run).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyproj import Transformer  # noqa: E402

from app import create_app  # noqa: E402
from app.organisation import organisation  # noqa: E402
from app.services import services  # noqa: E402
from app.stores.base import Query  # noqa: E402


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def boxes(n: int, seed: int = 19) -> list[tuple[float, float, float, float]]:
    """`n` EPSG:3857 boxes inside the organisation's map area, 500 m to 8 km wide."""
    rnd = random.Random(seed)
    org = organisation()
    t = Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
    cx, cy = t.transform(org.map.lon, org.map.lat)
    out = []
    for _ in range(n):
        half = rnd.uniform(250, 4000)
        x = cx + rnd.uniform(-3000, 3000)
        y = cy + rnd.uniform(-3000, 3000)
        out.append((x - half, y - half, x + half, y + half))
    return out


def url(layers: str, box, size: int) -> str:
    bbox = ",".join(f"{v:.3f}" for v in box)
    return (
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:3857&FORMAT=image/png"
        f"&LAYERS={layers}&BBOX={bbox}&WIDTH={size}&HEIGHT={size}"
    )


def timed_get(client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        t0 = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.data[:300]
    return out


def matplotlib_peer(frames, specs, box, size: int) -> float:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = time.perf_counter()
    fig = plt.figure(figsize=(size / 100, size / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    for spec in specs:
        frame = frames[spec.id]
        part = frame.cx[box[0] : box[2], box[1] : box[3]]
        if part.empty:
            continue
        st = spec.style
        colours = {c.value: c.color for c in st.categories}
        colour = (
            part[st.property].map(colours).fillna(st.color).tolist()
            if st.property and colours
            else st.color
        )
        part.plot(ax=ax, color=colour, markersize=(2 * st.radius) ** 2, linewidth=st.weight)
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    fig.savefig(io.BytesIO(), format="png", dpi=100)
    plt.close(fig)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"STORE": str(Path(tmp) / "store.gpkg"), "LOCK_DIR": tmp})
        client = app.test_client()
        with app.app_context():
            specs = [s for s in services().served_specs() if s.visible]
            frames = {s.id: services().store.frame(s, Query()).to_crs("EPSG:3857") for s in specs}
            areas = boxes(args.runs)
        layers = ",".join(s.id for s in specs)
        print(f"{len(specs)} default layers, {args.runs} maps per row, EPSG:3857")
        client.get(url(layers, areas[0], 64))  # loads every layer's datasource once
        print(f"{'GetMap':<30} {'p50 ms':>8} {'p95 ms':>8}")
        print("-" * 48)
        for size in (256, 1024):
            paths = [url(layers, box, size) for box in areas]
            cold = timed_get(client, paths)
            cached = timed_get(client, paths)
            peer = [matplotlib_peer(frames, specs, box, size) for box in areas[: args.runs // 2]]
            for label, ms in (
                (f"{size}x{size} Mapnik, cold", cold),
                (f"{size}x{size} Mapnik, cached", cached),
                (f"{size}x{size} matplotlib (peer)", peer),
            ):
                print(f"{label:<30} {pct(ms, 50):8.2f} {pct(ms, 95):8.2f}")


if __name__ == "__main__":
    main()
