"""Benchmark: submitting a citizen's contribution, server-side, against a bare insert.

The goal (issue 20): `POST /api/contributions` without a photo has a p95 of at most 100 ms
server-side. Per store (GeoPackage in a temporary directory; PostGIS in a scratch database
on BENCH_PG, skipped with a note where the server does not answer), on the shipped layers:

    submit (HTTP)   POST /api/contributions through Flask's test client: parsing, checks,
                    resolving the target (an intervention, or a quartiere from a point),
                    rate limits counted and the row written in one transaction
    bare insert     the peer, in the same run: store.contribution_add of the same rows,
                    no HTTP, no checks, no target resolution (what the store alone costs)
    with a photo    the same POST with a 3 MB, 4000 x 3000 JPEG (re-encoded, stripped)
    the pages       an intervention's page and quartiere 16's page before any contribution
                    (the peer) and with --crowd approved ones on them (the issue: pages keep
                    their speed, contributions being paged)
    with a photo    a segnalazione carrying a 3 MB camera JPEG (4000 x 3000, base64 in
                    the JSON): decoded at a reduced scale, re-encoded at 1600 px without
                    metadata, stored with its row (app/contributions/photo.py); no goal,
                    a figure (it is CPU work: one photo is one core for that long)

The rate limits are raised for the run (they are what they are for in production).

    python scripts/bench_contributions.py [--runs 300]
"""

from __future__ import annotations

import argparse
import base64
import io
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import ROOT, pct, postgres_available, scratch_database  # noqa: E402

sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402

TEXT = "Il marciapiede davanti al cantiere è chiuso da settimane: serve un passaggio sicuro."


def app_on(store: str):
    return create_app(
        {
            "STORE": store,
            "BASEMAP": "none",
            "CONTRIBUTION_RATE": 10**6,
            "CONTRIBUTION_TARGET_RATE": 10**6,
        }
    )


def bodies(app, n: int, rng: random.Random) -> list[dict]:
    client = app.test_client()
    items = client.get("/api/collections/interventi/items?limit=300").get_json()["features"]
    ids = [f["id"] for f in items]
    out = []
    for i in range(n):
        if i % 3 == 2:  # a report at a point of the centre, for quartiere 16
            body = {"target": {"quartiere": 16}, "kind": "segnalazione",
                    "location": [10.0227 + rng.uniform(-0.002, 0.002),
                                 45.1335 + rng.uniform(-0.002, 0.002)]}  # fmt: skip
        else:
            body = {"target": {"layer": "interventi", "id": rng.choice(ids)}, "kind": "commento"}
        out.append(body | {"text": f"{TEXT} ({i})", "consent": True, "email": f"c{i}@example.org"})
    return out


def submit_http(app, rows: list[dict]) -> list[float]:
    client = app.test_client()
    out = []
    for i, body in enumerate(rows):
        env = {"REMOTE_ADDR": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
        t = time.perf_counter()
        r = client.post("/api/contributions", json=body, environ_base=env)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 202, r.get_data(as_text=True)[:300]
    return out


def bare_inserts(app, rows: list[dict]) -> list[float]:
    """The peer: the same rows straight into the store (no HTTP, no checks)."""
    from app.contributions.service import follow_digest, limits, rate_key
    from app.services import services
    from app.stores.contributions import NewContribution

    out = []
    with app.app_context():
        svc = services()
        lim = limits(svc.settings)
        for i, body in enumerate(rows):
            lon, lat = body.get("location") or (None, None)
            target = body["target"]
            new = NewContribution(
                id=f"b{i:06d}",
                kind=body["kind"],
                target_layer=target.get("layer"),
                target_id=target.get("id"),
                quartiere=target.get("quartiere"),
                text=body["text"],
                name=None,
                lon=lon,
                lat=lat,
                state="ricevuta",
                follow_digest=follow_digest(f"t{i}"),
                email=body["email"],
                rate_key=rate_key(f"10.9.{i // 256 % 256}.{i % 256}", b"bench"),
            )
            t = time.perf_counter()
            svc.store.contribution_add(new, lim)
            out.append((time.perf_counter() - t) * 1000)
    return out


def camera_photo(size: int = 3 * 2**20) -> str:
    """A 4000 x 3000 JPEG of about `size` bytes (noise over a gradient), as base64."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, noise, 0.5)
    for quality in (95, 90, 85, 80, 75, 70, 60, 50):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= size:
            break
    return base64.b64encode(out.getvalue()).decode()


def with_photos(app, n: int) -> list[float]:
    photo = camera_photo()
    rows = [
        {"target": {"quartiere": 16}, "kind": "segnalazione", "location": [10.0227, 45.1335],
         "text": f"{TEXT} (foto {i})", "consent": True, "photo": photo}
        for i in range(n)
    ]  # fmt: skip
    return submit_http(app, rows)


def page_times(app, path: str, n: int = 60) -> list[float]:
    client = app.test_client()
    assert client.get(path).status_code == 200  # warm
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    return out


def crowd(app, target: str, n: int) -> None:
    """`n` approved comments on one intervention and `n` approved reports in quartiere 16."""
    rows = [
        {"target": {"layer": "interventi", "id": target}, "kind": "commento",
         "text": f"{TEXT} (folla {i})", "consent": True}
        for i in range(n)
    ] + [
        {"target": {"quartiere": 16}, "kind": "segnalazione", "location": [10.0227, 45.1335],
         "text": f"{TEXT} (quartiere {i})", "consent": True}
        for i in range(n)
    ]  # fmt: skip
    submit_http(app, rows)
    from app.services import services

    with app.app_context():
        store = services().store
        while True:
            page = store.contributions(status="in_moderazione", limit=200)
            if not page.items:
                break
            for c in page.items:
                store.contribution_moderate(c.id, "bench", "approve", {"status": "approvato"})


def line(name: str, ms: list[float]) -> str:
    return f"| {name} | {len(ms)} | {pct(ms, 50):.1f} | {pct(ms, 95):.1f} | {max(ms):.1f} |"


def run(label: str, store: str, runs: int, crowded: int) -> list[str]:
    app = app_on(store)
    rows = bodies(app, runs, random.Random(2026))
    target = rows[0]["target"]["id"]
    slug = app.test_client().get("/api/quartieri/punto?lon=10.0227&lat=45.1335").get_json()
    q16 = slug["quartiere"]["link"].replace("http://localhost", "")
    before = {
        "intervention": page_times(app, f"/interventi/{target}"),
        "quartiere": page_times(app, q16),
    }
    submit_http(app, rows[:10])  # warm: caches of the layers and quartieri
    http = submit_http(app, rows)
    bare = bare_inserts(app, rows)
    photos = with_photos(app, max(10, runs // 10))
    crowd(app, target, crowded)
    after = {
        "intervention": page_times(app, f"/interventi/{target}"),
        "quartiere": page_times(app, q16),
    }
    verdict = "met" if pct(http, 95) <= 100 else "NOT met"
    return [
        line(f"{label}: submit (HTTP), goal p95 ≤ 100 ms: {verdict}", http),
        line(f"{label}: bare insert (peer)", bare),
        line(f"{label}: submit with a 3 MB photo (HTTP)", photos),
        line(f"{label}: intervention page, no contributions (peer)", before["intervention"]),
        line(
            f"{label}: intervention page, {crowded}+ approved on it (paged by 10)",
            after["intervention"],
        ),
        line(f"{label}: quartiere 16 page, no contributions (peer)", before["quartiere"]),
        line(f"{label}: quartiere 16 page, {crowded}+ approved in it", after["quartiere"]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--crowd", type=int, default=500, help="approved contributions on one page")
    args = ap.parse_args()
    print(f"# {platform.node()} · {platform.python_version()} · {time.strftime('%Y-%m-%d')}")
    print("| what | n | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for row in run("GeoPackage", str(Path(tmp) / "bench.gpkg"), args.runs, args.crowd):
            print(row)
    why_not = postgres_available()
    if why_not:
        print(f"\nPostGIS skipped: {why_not}")
        return
    with scratch_database("bench_contrib") as url:
        for row in run("PostGIS", url, args.runs, args.crowd):
            print(row)


if __name__ == "__main__":
    main()
