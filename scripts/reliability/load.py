"""Load during change: concurrent readers while `carico` is re-published twice.

    result = run_load(ws, clients=50, seconds=60)

Each client loops over the read API (items pages, bbox, CQL2 filter, item by id, the
collection) and the viewer page. Meanwhile another process imports and publishes version
"B" and then "C" of `carico` with `flask layers import --publish`. Every response is
checked: status 200, valid JSON, `numberReturned == len(features)`, every feature of a
page from ONE version (the `versione` marker), `numberMatched` equal to the count of that
version, and no client ever sees an older version after a newer one.
"""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from scripts.reliability.common import (
    BBOX,
    FILTER,
    LAYER,
    VERSIONS,
    Server,
    Workspace,
    expected_counts,
    write_version,
)

ITEMS = f"/api/collections/{LAYER}/items"
KINDS = ("page", "page", "bbox", "filter", "item", "collection", "viewer")
ORDER = "".join(VERSIONS)  # "ABC": publishing order


@dataclass
class LoadResult:
    server: str
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    versions_seen: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    publishes: list[tuple[str, int, float]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    tracebacks: int = 0
    sources: Counter = field(default_factory=Counter)  # Geoportale-Read-From (replicas)
    events: list[str] = field(default_factory=list)  # what was done to the databases

    @property
    def ok(self) -> bool:
        published = all(rc == 0 for _, rc, _ in self.publishes) and len(self.publishes) == 2
        return published and self.errors == 0 and set(self.versions_seen) == set(VERSIONS)

    def percentile(self, q: float) -> float:
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else 0.0

    def lines(self) -> list[str]:
        seen = ", ".join(f"{m}: {n}" for m, n in sorted(self.versions_seen.items()))
        pubs = ", ".join(f"{m} (exit {rc}, {s:.1f} s)" for m, rc, s in self.publishes)
        return [
            f"server: {self.server}; {self.clients} clients for {self.seconds:.1f} s",
            f"requests: {self.requests} ({self.requests / max(self.seconds, 0.001):.0f}/s; "
            f"p50 {self.percentile(0.5):.0f} ms, p95 {self.percentile(0.95):.0f} ms)",
            f"by kind: {dict(sorted(self.by_kind.items()))}",
            f"re-published during the run: {pubs}",
            f"versions seen (items responses): {seen}",
            *([f"read from: {dict(sorted(self.sources.items()))}"] if self.sources else []),
            *(f"during the run: {e}" for e in self.events),
            f"errors: {self.errors}; tracebacks in the server log: {self.tracebacks}",
            *(f"  e.g. {s}" for s in self.samples[:10]),
        ]


class _Check(Exception):
    """A response that is not what it must be."""


_last = threading.local()  # the database that served the thread's last response


def _get(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=60) as r:
            _last.source = r.headers.get("Geoportale-Read-From")
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        _last.source = exc.headers.get("Geoportale-Read-From")
        return exc.code, exc.read()


def _marker_of(features: list[dict]) -> str:
    markers = {f["properties"]["versione"] for f in features}
    if len(markers) != 1:
        raise _Check(f"one page mixes versions {sorted(markers)}")
    return markers.pop()


def _items(body: bytes, query: str, offset: int = 0, limit: int = 1000) -> str:
    doc = json.loads(body)
    features = doc["features"]
    if doc["numberReturned"] != len(features):
        raise _Check(f"numberReturned {doc['numberReturned']} != {len(features)} features")
    marker = _marker_of(features)
    matched = expected_counts(marker)[query]
    if doc["numberMatched"] != matched:
        raise _Check(f"numberMatched {doc['numberMatched']} != {matched} of version {marker}")
    if len(features) != max(0, min(limit, matched - offset)):
        raise _Check(f"{len(features)} features on a page of version {marker} at {offset}")
    return marker


def _one(kind: str, base: str, rng: random.Random) -> str | None:
    """Do one request of `kind` and check it; the version marker seen, if any."""
    if kind == "page":
        offset = rng.randrange(0, VERSIONS["A"], 50)
        status, body = _get(base, f"{ITEMS}?f=json&limit=50&offset={offset}")
        check = lambda: _items(body, "all", offset, 50)  # noqa: E731
    elif kind == "bbox":
        status, body = _get(base, f"{ITEMS}?f=json&limit=1000&bbox={','.join(map(str, BBOX))}")
        check = lambda: _items(body, "bbox")  # noqa: E731
    elif kind == "filter":
        q = urllib.parse.urlencode({"f": "json", "limit": 1000, "filter": FILTER})
        status, body = _get(base, f"{ITEMS}?{q}&filter-lang=cql2-text")
        check = lambda: _items(body, "filter")  # noqa: E731
    elif kind == "item":
        fid = rng.randint(1, VERSIONS["A"])
        status, body = _get(base, f"{ITEMS}/{fid}?f=json")

        def check():
            doc = json.loads(body)
            if doc["id"] != fid or doc["properties"]["codice"] != fid:
                raise _Check(f"asked for feature {fid}, got {doc['id']}")
            return doc["properties"]["versione"]

    elif kind == "collection":
        status, body = _get(base, f"/api/collections/{LAYER}?f=json")
        check = lambda: None if json.loads(body)["id"] == LAYER else 1 / 0  # noqa: E731
    else:
        status, body = _get(base, "/")
        check = lambda: None if body.rstrip().endswith(b"</html>") else 1 / 0  # noqa: E731
    if status != 200:
        raise _Check(f"{kind}: HTTP {status}: {body[:200]!r}")
    try:
        return check()
    except _Check:
        raise
    except Exception as exc:  # noqa: BLE001 (bad JSON, missing key, ...)
        raise _Check(
            f"{kind}: incomplete response ({type(exc).__name__}): {body[:120]!r}"
        ) from None


def _client(base: str, seed: int, stop: threading.Event, result: LoadResult, lock) -> None:
    rng = random.Random(seed)
    newest = 0
    while not stop.is_set():
        kind = rng.choice(KINDS)
        started = time.perf_counter()
        error = None
        try:
            marker = _one(kind, base, rng)
            if marker is not None:
                if ORDER.index(marker) < newest:
                    error = f"{kind}: version {marker} after {ORDER[newest]} (went back)"
                newest = max(newest, ORDER.index(marker))
        except _Check as exc:
            error, marker = str(exc), None
        except Exception as exc:  # noqa: BLE001 (connection refused, reset, timeout)
            error, marker = f"{kind}: {type(exc).__name__}: {exc}", None
        elapsed = time.perf_counter() - started
        source = getattr(_last, "source", None)
        with lock:
            result.requests += 1
            result.by_kind[kind] += 1
            if source is not None:
                result.sources[source] += 1
            result.latencies.append(elapsed)
            if marker is not None:
                result.versions_seen[marker] += 1
            if error:
                result.errors += 1
                if len(result.samples) < 20:
                    result.samples.append(error)


def _republish(ws: Workspace, markers: str, at: list[float], t0: float, result) -> None:
    """Import and publish each version at its time (after the one before has finished)."""
    for marker, when in zip(markers, at, strict=True):
        time.sleep(max(0.0, t0 + when - time.monotonic()))
        path = write_version(ws.root / f"{LAYER}_{marker}.geojson", marker)
        started = time.monotonic()
        proc = ws.cli("layers", "import", str(path), "--id", LAYER, "--publish", "--user", "load")
        result.publishes.append((marker, proc.returncode, time.monotonic() - started))
        if proc.returncode:
            result.samples.append(f"publish {marker} failed: {proc.stderr[-300:]}")


def run_load(
    ws: Workspace,
    clients: int = 50,
    seconds: float = 60,
    workers: int = 2,
    threads: int = 16,
    during=None,
) -> LoadResult:
    """Run the clients for `seconds` (and until 1 s after the second publish) on a live server.
    `during(t0, result)`, if given, runs in its own thread meanwhile (faults to inject)."""
    with Server(ws, workers=workers, threads=threads) as server:
        result = LoadResult(server.kind, clients, 0.0)
        stop, lock = threading.Event(), threading.Lock()
        t0 = time.monotonic()
        pool = [
            threading.Thread(target=_client, args=(server.url, i, stop, result, lock), daemon=True)
            for i in range(clients)
        ]
        for t in pool:
            t.start()
        publisher = threading.Thread(
            target=_republish, args=(ws, "BC", [seconds * 0.15, seconds * 0.5], t0, result)
        )
        publisher.start()
        faults = None
        if during is not None:
            faults = threading.Thread(target=during, args=(t0, result))
            faults.start()
        time.sleep(seconds)
        publisher.join()
        if faults is not None:
            faults.join()
        time.sleep(1.0)  # every client sees the last version at least once
        stop.set()
        for t in pool:
            t.join(120)
        result.seconds = time.monotonic() - t0
    result.tracebacks = server.tracebacks()
    result.errors += result.tracebacks
    return result
