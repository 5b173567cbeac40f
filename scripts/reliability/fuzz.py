"""The read API with odd and hostile parameters: no 500, no stack trace, no internal path.

Beyond the schemathesis contract test: bbox, limit, offset, filter, crs, bbox-crs,
property filters, datetime and feature ids with wrong, huge, negative, NaN, SQL-injection
and traversal values; download names with `../`, encoded slashes and odd suffixes; the
LIKE/cost family of `cost.py` (backtracking LIKEs, NUL bytes, deep nesting, bad dates).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from urllib.parse import quote

from scripts.reliability.common import LAYER, Workspace
from scripts.reliability.cost import COSTLY
from scripts.reliability.hostile import LEAKS

INJECTIONS = (
    "' OR 1=1 --",
    "1; DROP TABLE geoportale_versions",
    '" OR ""="',
    "x') UNION SELECT sql FROM sqlite_master --",
    "nome = 'a' OR 1=1",
    "\x00",
    "%00",
    "😀" * 50,
    "A" * 20000,
    "../../../../etc/passwd",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "<script>alert(1)</script>",
)
ODD_NUMBERS = ("-1", "0", "1e309", "NaN", "inf", "-inf", "9" * 40, "0x10", "1.5", "", " ", "١٢")
BBOXES = (
    "1,2,3",
    "a,b,c,d",
    "10,45,9,44",
    "NaN,NaN,NaN,NaN",
    "inf,-inf,inf,-inf",
    "1e309,0,1e309,1",
    "-180,-90,180,90",
    "-1000,-1000,1000,1000",
    "10,45,10,45",
    "1,2,3,4,5,6",
    "1,2,3,4,5",
    ",,,",
)
FILTERS = (
    "valore > 50 AND",
    "nome LIKE '%",
    "manca = 1",
    "S_INTERSECTS(geometry, POLYGON((0 0, 1 1)))",
    "S_INTERSECTS(geometry, POINT(NaN NaN))",
    "valore > 1e309",
    "valore > 99999999999999999999999999",
    "codice IN (" + ",".join(str(i) for i in range(3000)) + ")",
    "(" * 500 + "valore > 1" + ")" * 500,
    "NOT " * 2000 + "valore > 1",
    "nome = 'a' " + "OR nome = 'a' " * 1500,
    "CASEI(nome) = casei('x')",
    "T_AFTER(valore, TIMESTAMP('x'))",
    "valore BETWEEN 10 AND",
    "A_CONTAINS(nome, ('a'))",
)
CRSES = ("EPSG:99999", "http://www.opengis.net/def/crs/EPSG/0/3003'", "EPSG:4326/../", "x" * 5000)
DOWNLOADS = (
    "../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/app/settings.py",
    f"{LAYER}.geojson/../../secret",
    f"../{LAYER}.geojson",
    f"{LAYER}.exe",
    f"{LAYER}.shp.zip.geojson",
    f"{LAYER}..geojson",
    ".geojson",
    f"{LAYER}.geojson%00.txt",
    "zone\\..\\..\\x.gpkg",
    "/etc/passwd.gpkg",
    "geoportale_versions.gpkg",
    "A" * 3000 + ".csv",
)


@dataclass
class FuzzResult:
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    statuses: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.server_errors and not self.leaks

    def lines(self) -> list[str]:
        return [
            f"read API fuzz: {self.requests} requests, 5xx: {len(self.server_errors)}, "
            f"leaks: {len(self.leaks)}; statuses {dict(sorted(self.statuses.items()))}",
            *(f"  5xx: {e}" for e in self.server_errors[:10]),
            *(f"  leak: {e}" for e in self.leaks[:10]),
        ]


def urls(seed: int = 5) -> list[str]:
    """Every fuzz URL (deterministic for a seed)."""
    rng = random.Random(seed)
    items = f"/api/collections/{LAYER}/items"
    out = []
    for value in itertools.chain(INJECTIONS, ODD_NUMBERS):
        v = quote(value, safe="")
        out += [
            f"{items}?limit={v}",
            f"{items}?offset={v}",
            f"{items}?nome={v}",
            f"{items}?valore={v}",
            f"{items}?codice={v}",
            f"{items}?datetime={v}",
            f"{items}?f={v}",
            f"{items}?sortby={v}",
            f"{items}/{v}",
            f"/api/collections/{v}/items",
            f"/api/collections/{v}",
            f"/download/{v}.geojson",
            f"/download/{LAYER}.csv?filter={v}",
        ]
    out += [f"{items}?bbox={quote(b)}" for b in BBOXES]
    out += [f"{items}?bbox={quote(b)}&bbox-crs=EPSG:3003" for b in BBOXES[:6]]
    out += [f"{items}?filter={quote(f)}" for f in FILTERS]
    out += [f"{items}?filter={quote(f)}&filter-lang=cql2-json" for f in FILTERS[:4]]
    out += [f"{items}?filter={quote(v)}" for v in INJECTIONS]
    out += [f"{items}?crs={quote(c)}" for c in CRSES]
    out += [f"{items}/1?crs={quote(c)}" for c in CRSES]
    out += [f"/download/{d}" for d in DOWNLOADS]
    out += [f"/download/{LAYER}.kml?crs=EPSG:3003", f"/download/{LAYER}.gpkg?bogus=1"]
    out += list(COSTLY)  # the LIKE/cost family
    out += [
        u.replace(f"/api/collections/{LAYER}/items?", f"/download/{LAYER}.csv?")
        for u in COSTLY
        if f"{LAYER}/items?filter" in u
    ]
    for _ in range(60):  # random mixtures of the above
        params = [
            f"limit={quote(rng.choice(ODD_NUMBERS))}",
            f"bbox={quote(rng.choice(BBOXES))}",
            f"filter={quote(rng.choice(FILTERS + INJECTIONS))}",
            f"crs={quote(rng.choice(CRSES))}",
        ]
        out.append(f"{items}?" + "&".join(rng.sample(params, rng.randint(2, 4))))
    return out


def run_fuzz(ws: Workspace, client=None) -> FuzzResult:
    """Every URL, as JSON and as HTML (the two error shapes)."""
    from app import create_app

    client = client or create_app(ws.settings()).test_client()
    result = FuzzResult()
    for url in urls():
        for accept in ("application/json", "text/html"):
            r = client.get(url, headers={"Accept": accept})
            result.requests += 1
            result.statuses[r.status_code] = result.statuses.get(r.status_code, 0) + 1
            body = r.get_data(as_text=True)
            if r.status_code >= 500:
                result.server_errors.append(f"{r.status_code} {url[:140]}")
            leak = next((x for x in LEAKS if x in body), None)
            if leak:
                result.leaks.append(f"{url[:120]} shows {leak!r}")
    return result
