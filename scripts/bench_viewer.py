"""Benchmark: the map page `/` in headless Chromium until every default layer is drawn.

The shipped Cremona layers are loaded into a temporary GeoPackage (or, with --store
postgis, a scratch PostGIS database) and served by gunicorn with no basemap (the only
outside request the page can make), so everything measured comes from us. Chromium
(Playwright driving the system's /usr/bin/chromium; `playwright install` is never needed)
opens `/` in a fresh profile and waits until the page says it is ready
(`html[data-geoportale=ready]`) and every layer checkbox is enabled (each is enabled when its
layer's data has arrived). Per run: time, requests, bytes on the wire and decoded. Then a
reload in the same profile shows what the browser cache saves. Finally every response is
checked for compression (Content-Encoding) and caching headers (ETag, Cache-Control,
Last-Modified).

The goal (issue 8): <= 1 s on localhost, <= 600 KB transferred, compressed and cacheable.

    python scripts/bench_viewer.py [--runs 5] [--store gpkg|postgis] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (  # noqa: E402
    Server,
    build_shipped,
    our_env,
    pct,
    postgres_available,
    scratch_database,
)

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOADED = """() => document.documentElement.dataset.geoportale === 'ready'
  && document.querySelectorAll("input[name='layer']").length > 0
  && document.querySelectorAll("input[name='layer']:disabled").length === 0"""


class Recorder:
    """Every response of a page through the DevTools protocol: headers, wire and body bytes."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.responses: dict[str, dict] = {}
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.dataReceived", self._data)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _response(self, ev) -> None:
        r = ev["response"]
        self.responses[ev["requestId"]] = {
            "url": r["url"],
            "status": r["status"],
            "type": ev.get("type", ""),
            "mime": r.get("mimeType", ""),
            "headers": {k.lower(): v for k, v in r.get("headers", {}).items()},
            "from_cache": r.get("fromDiskCache") or r.get("fromMemoryCache", False),
            "decoded": 0,
            "wire": 0,
        }

    def _data(self, ev) -> None:
        if ev["requestId"] in self.responses:
            self.responses[ev["requestId"]]["decoded"] += ev.get("dataLength", 0)

    def _finished(self, ev) -> None:
        if ev["requestId"] in self.responses:
            self.responses[ev["requestId"]]["wire"] = ev.get("encodedDataLength", 0)


def load(context, base: str) -> tuple[float, list[dict]]:
    """Open `/` in a new tab of `context`, wait until every default layer is drawn;
    returns (seconds, responses)."""
    page = context.new_page()
    rec = Recorder(page)
    t0 = time.perf_counter()
    page.goto(base + "/", wait_until="commit")
    page.wait_for_function(LOADED, timeout=60_000, polling=20)
    seconds = time.perf_counter() - t0
    page.wait_for_timeout(200)  # let the last loadingFinished events arrive
    page.close()
    return seconds, list(rec.responses.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="cold loads, each in a fresh profile")
    ap.add_argument("--store", choices=("gpkg", "postgis"), default="gpkg")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sys.exit("playwright not installed (pip install playwright; Chromium from the system)")
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    if args.store == "postgis" and (problem := postgres_available()):
        sys.exit(problem)

    with tempfile.TemporaryDirectory() as tmp:
        db = scratch_database("geoportale_bench_viewer") if args.store == "postgis" else None
        store = db.__enter__() if db else str(Path(tmp) / "store.gpkg")
        try:
            print(f"shipped layers into {args.store} in {build_shipped(store):.1f} s")
            with (
                Server("viewer", "app:create_app()", our_env(store), args.workers) as server,
                sync_playwright() as pw,
            ):
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                try:
                    cold = []
                    for run in range(args.runs):
                        context = browser.new_context()
                        cold.append(load(context, server.base))
                        if run < args.runs - 1:
                            context.close()
                    warm = load(context, server.base)  # a returning visitor: same profile
                    context.close()
                    gzipped = gzip_sizes(server.base, cold[0][1])
                finally:
                    browser.close()
        finally:
            if db:
                db.__exit__(None, None, None)
    report(cold, warm, server.base, gzipped)


def gzip_sizes(base: str, responses: list[dict]) -> dict[str, int]:
    """What each of our responses would weigh gzipped (level 6): the case for compression."""
    out = {}
    for r in responses:
        if r["url"].startswith(base) and r["status"] == 200:
            with urllib.request.urlopen(r["url"], timeout=60) as resp:
                out[r["url"]] = len(gzip.compress(resp.read(), 6))
    return out


def report(cold, warm, base: str, gzipped: dict[str, int]) -> None:
    host = urlparse(base).netloc
    secs = [s for s, _ in cold]
    wire = [sum(r["wire"] for r in rs) / 1024 for _, rs in cold]
    decoded = [sum(r["decoded"] for r in rs) / 1024 for _, rs in cold]
    print(f"\ncold loads of / in a fresh profile ({len(cold)} runs)")
    print(
        f"  time to all layers drawn: median {statistics.median(secs):.2f} s,"
        f" p95 {pct(secs, 95):.2f} s, min {min(secs):.2f} s"
    )
    print(
        f"  requests {len(cold[0][1])}, transferred {statistics.median(wire):,.0f} KB"
        f" (decoded {statistics.median(decoded):,.0f} KB)"
    )
    ws, wrs = warm
    w304 = sum(1 for r in wrs if r["status"] == 304)
    wcache = sum(1 for r in wrs if r["from_cache"])
    print(
        f"second visit in the same profile: {ws:.2f} s, {len(wrs)} requests, "
        f"{sum(r['wire'] for r in wrs) / 1024:,.0f} KB transferred, {w304} answered 304, "
        f"{wcache} from the browser cache"
    )
    print("\nresponses of one cold load (largest first)")
    head = (
        f"{'path':58} {'status':>6} {'wire KB':>8} {'body KB':>8} {'encoding':>9}"
        f" {'ETag':>5} {'Last-Mod':>8}  Cache-Control"
    )
    print(head)
    print("-" * (len(head) + 10))
    rows = sorted(cold[0][1], key=lambda r: -r["decoded"])
    for r in rows:
        u = urlparse(r["url"])
        path = (u.path + ("?" + u.query if u.query else "")) if u.netloc == host else r["url"]
        h = r["headers"]
        print(
            f"{path[:58]:58} {r['status']:>6} {r['wire'] / 1024:>8.1f} {r['decoded'] / 1024:>8.1f}"
            f" {h.get('content-encoding', '-'):>9} {'yes' if 'etag' in h else 'no':>5}"
            f" {'yes' if 'last-modified' in h else 'no':>8}  {h.get('cache-control', '-')}"
        )
    compressible = [r for r in rows if r["decoded"] > 1024 and _compressible(r["mime"])]
    plain = [r for r in compressible if "content-encoding" not in r["headers"]]
    no_validator = [r for r in rows if not ({"etag", "last-modified"} & set(r["headers"]))]
    no_cc = [r for r in rows if "cache-control" not in r["headers"]]
    print(
        f"\ncompressible responses > 1 KB sent uncompressed: {len(plain)} of {len(compressible)}"
        f" ({sum(r['decoded'] for r in plain) / 1024:,.0f} KB)"
    )
    gz = sum(gzipped.get(r["url"], r["wire"]) for r in rows) / 1024
    print(f"the same load with every response gzipped (level 6): {gz:,.0f} KB")
    print(f"responses without ETag or Last-Modified: {len(no_validator)} of {len(rows)}")
    print(f"responses without Cache-Control: {len(no_cc)} of {len(rows)}")
    med_s, med_kb = statistics.median(secs), statistics.median(wire)
    print(
        f"goal <= 1 s: {'met' if med_s <= 1 else 'MISSED'} ({med_s:.2f} s);"
        f" goal <= 600 KB: {'met' if med_kb <= 600 else 'MISSED'} ({med_kb:,.0f} KB);"
        f" compressed: {'yes' if not plain else 'NO'};"
        f" cacheable: {'yes' if not no_validator and not no_cc else 'partly'}"
    )


def _compressible(mime: str) -> bool:
    return mime.startswith("text/") or any(
        k in mime for k in ("json", "javascript", "xml", "svg", "vnd.mapbox-vector-tile")
    )


if __name__ == "__main__":
    main()
