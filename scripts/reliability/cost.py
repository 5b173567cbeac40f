"""The LIKE/cost family (issue 14): costly and malformed reads, and a check that they never
stall a worker.

    result = run_cost(ws, seconds=20)

`COSTLY` are read requests an anonymous client can send that once cost seconds to minutes
or a 500: LIKE patterns that backtrack exponentially, NUL bytes (PostgreSQL text cannot
hold them), filters nested past Python's recursion limit, impossible dates. The read-API
fuzz (`fuzz.py`) sends them too; here they are sent without pause by several clients to a
gunicorn server with gunicorn's default 30 s worker timeout while other clients ask for
the cheap `/api/collections`. A worker held by a request starves its cheap requests (a
regular expression holds Python's lock) and is killed by gunicorn when silent for 30 s:
both are counted. Every costly request must answer 400 (bad input) or 200 (a LIKE that is
cheap now), or 503 (query-timeout, the time limit doing its job), never anything else.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from scripts.reliability.common import LAYER, Server, Workspace

ITEMS = f"/api/collections/{LAYER}/items"
DATED = "/api/collections/punti/items"  # a fixture layer with a date field (`data`)
#: A cheap request answers within this, however busy the costly clients keep the server.
CHEAP_SECONDS = 2.0
GUNICORN_TIMEOUT = 30  # gunicorn's default


def _not_nested(depth: int) -> str:
    node: dict = {"op": ">", "args": [{"property": "valore"}, 50]}
    for _ in range(depth):
        node = {"op": "not", "args": [node]}
    return json.dumps(node)


LIKES = (
    "%" * 12 + "#",
    "%" * 40 + "#",
    "%_" * 20 + "#",
    "P%u%n%t%o%" * 6 + "#",
    "%" * 5000 + "x",
)
COSTLY = (
    *(f"{ITEMS}?filter={quote(f'nome LIKE {p!r}')}" for p in LIKES),
    *(f"{ITEMS}?filter={quote(f'CASEI(nome) LIKE CASEI({p!r})')}" for p in LIKES[:2]),
    f"{ITEMS}?filter={quote('nome LIKE ' + repr('%' * 12 + '#') + ' OR valore > 1e3')}",
    f"{ITEMS}?filter={quote(chr(0))}",
    f"{ITEMS}?filter={quote('nome = ' + repr('a' + chr(0)))}",
    f"{ITEMS}?filter-lang=cql2-json&filter="
    + quote(json.dumps({"op": "=", "args": [{"property": "nome"}, "a\x00"]})),
    f"{ITEMS}?nome=a%00b",
    f"{ITEMS}/1%00",
    f"{ITEMS}?filter={quote(' AND '.join(['valore > 1'] * 1300))}",
    f"{ITEMS}?filter={quote(' OR '.join(['valore = 1'] * 1300))}",
    f"{ITEMS}?filter={quote('NOT (' * 400 + 'valore > 1' + ')' * 400)}",
    f"{ITEMS}?filter-lang=cql2-json&filter={quote(_not_nested(400))}",
    # Within gunicorn's 4,094-byte request line, so a served request reaches the app:
    f"{ITEMS}?filter={quote('NOT(' * 150 + 'valore>1' + ')' * 150)}",
    f"{ITEMS}?filter={quote(' OR '.join(['valore=1'] * 150))}",
    f"{ITEMS}?filter-lang=cql2-json&filter={quote(_not_nested(120).replace(' ', ''))}",
    f"{ITEMS}?filter={quote('nome LIKE ' + repr('%' * 900 + '#'))}",
    f"{DATED}?data=2024-13-45",
    f"{DATED}?data=2024-02-30",
    f"{DATED}?filter={quote(chr(39).join(['data = ', '2024-13-45', '']))}",
    f"{DATED}?filter-lang=cql2-json&filter="
    + quote(json.dumps({"op": "=", "args": [{"property": "data"}, {"date": "2024-13-45"}]})),
)
EXPECTED = {200, 400, 503}
# gunicorn refuses a longer request line (414) before any worker time is spent on it; the
# in-process fuzz sends those to the app.
SERVED = tuple(u for u in COSTLY if len(u) < 4000)


@dataclass
class CostResult:
    server: str
    seconds: float = 0.0
    costly: Counter = field(default_factory=Counter)  # status -> count
    cheap: list[float] = field(default_factory=list)  # latencies of the cheap requests
    cheap_failed: int = 0
    killed: int = 0  # workers killed by gunicorn's timeout
    tracebacks: int = 0
    samples: list[str] = field(default_factory=list)
    started: float = 0.0  # perf_counter() at the start of the run

    @property
    def slow(self) -> int:
        return sum(1 for s in self.cheap if s > CHEAP_SECONDS)

    @property
    def ok(self) -> bool:
        unexpected = sum(n for status, n in self.costly.items() if status not in EXPECTED)
        return not (unexpected or self.cheap_failed or self.slow or self.killed) and not (
            self.tracebacks
        )

    def lines(self) -> list[str]:
        data = sorted(self.cheap) or [0.0]
        pct = lambda q: data[min(len(data) - 1, int(q * len(data)))] * 1000  # noqa: E731
        return [
            f"server: {self.server}, gunicorn timeout {GUNICORN_TIMEOUT} s; {self.seconds:.0f} s",
            f"costly requests: {sum(self.costly.values())}, statuses "
            f"{dict(sorted(self.costly.items(), key=str))}",
            f"cheap requests (/api/collections): {len(self.cheap)}, p50 {pct(0.5):.0f} ms, "
            f"p95 {pct(0.95):.0f} ms, max {data[-1] * 1000:.0f} ms, over "
            f"{CHEAP_SECONDS:.0f} s: {self.slow}, failed: {self.cheap_failed}",
            f"stalled workers: {self.killed} (killed by gunicorn's timeout); tracebacks in "
            f"the server log: {self.tracebacks}",
            *(f"  e.g. {s}" for s in self.samples[:10]),
        ]


def _get(base: str, path: str, timeout: float = 120) -> int:
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _costly(base: str, offset: int, stop: threading.Event, result: CostResult, lock) -> None:
    i = offset
    while not stop.is_set():
        url = SERVED[i % len(SERVED)]
        i += 1
        try:
            status = _get(base, url)
        except Exception as exc:  # noqa: BLE001 (reset by a killed worker, timeout)
            status = type(exc).__name__
        with lock:
            result.costly[status] += 1
            if status not in EXPECTED and len(result.samples) < 20:
                result.samples.append(f"{status} {url[:120]}")


def _cheap(base: str, stop: threading.Event, result: CostResult, lock) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            ok = _get(base, "/api/collections?f=json", timeout=GUNICORN_TIMEOUT * 2) == 200
        except Exception:  # noqa: BLE001
            ok = False
        elapsed = time.perf_counter() - started
        with lock:
            result.cheap.append(elapsed)
            if not ok:
                result.cheap_failed += 1
            if (elapsed > CHEAP_SECONDS or not ok) and len(result.samples) < 20:
                at = started - result.started
                result.samples.append(f"cheap request at {at:.1f} s: {elapsed:.1f} s, ok={ok}")
        time.sleep(0.05)


def run_cost(
    ws: Workspace, seconds: float = 20, costly_clients: int = 4, workers: int = 2, threads: int = 4
) -> CostResult:
    """`costly_clients` send COSTLY in a loop for `seconds` while two clients time the cheap
    request, on gunicorn (`workers` x `threads`, the default 30 s worker timeout)."""
    with Server(ws, workers=workers, threads=threads, timeout=GUNICORN_TIMEOUT) as server:
        result = CostResult(server.kind)
        stop, lock = threading.Event(), threading.Lock()
        pool = [
            threading.Thread(target=_costly, args=(server.url, i * 3, stop, result, lock))
            for i in range(costly_clients)
        ] + [
            threading.Thread(target=_cheap, args=(server.url, stop, result, lock)) for _ in range(2)
        ]
        for _ in range(8):  # both workers have served once: a first request is no stall
            _get(server.url, "/api/collections?f=json")
        t0 = time.monotonic()
        result.started = time.perf_counter()
        for t in pool:
            t.daemon = True
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in pool:
            t.join(GUNICORN_TIMEOUT * 4)
        result.seconds = time.monotonic() - t0
    log = server.log.read_text(errors="replace")
    result.killed = log.count("WORKER TIMEOUT")
    result.tracebacks = log.count("Traceback")
    return result
