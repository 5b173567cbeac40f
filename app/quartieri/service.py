"""The citizen view of the interventions: per quartiere, filtered, totalled, near a point.

Pure functions over data read once from the store (see `data.py`); no HTTP here, so every
rule is testable directly.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely

from app.geo.crs import transformer
from app.organisation import organisation
from app.quartieri.areas import Quartiere, QuartiereAreas, representative_point
from app.quartieri.data import load_areas
from app.registry.spec import LayerSpec
from app.services import Services

#: Distances are measured in RDN2008 / UTM 32N (metres), the national CRS for Lombardy
#: and most of Italy west of 12° E.
METRIC_CRS = "EPSG:7791"
STATUS_ORDER = ("in_corso", "pianificato", "sospeso", "concluso", "sconosciuto")


@dataclass(frozen=True)
class Intervento:
    """One intervention as the citizen pages show it."""

    id: str
    properties: dict
    geometry: dict | None
    point: tuple[float, float] | None
    metric: tuple[float, float] | None
    quartiere: Quartiere | None
    years: frozenset[int]
    history: tuple[dict, ...]
    sources: tuple[str, ...]

    def __getitem__(self, name):
        return self.properties.get(name)

    @property
    def title(self) -> str:
        return self.properties.get("titolo") or str(self.id)

    @property
    def status(self) -> str:
        return self.properties.get("stato") or "sconosciuto"

    @property
    def amount(self) -> float | None:
        return self.properties.get("importo_euro")


@dataclass
class Interventi:
    """All interventions, the quartieri, and the layer's spec (labels of status values)."""

    spec: LayerSpec | None
    areas: QuartiereAreas
    items: list[Intervento] = field(default_factory=list)

    def get(self, item_id: str) -> Intervento | None:
        return next((i for i in self.items if str(i.id) == item_id), None)

    def successor(self, item_id: str) -> Intervento | None:
        """The intervention an old code was merged into (its `id_sostituiti` lists the code)."""
        for i in self.items:
            old = str(i["id_sostituiti"] or "")
            if item_id in (s.strip() for s in old.split(",")):
                return i
        return None

    def in_quartiere(self, q: Quartiere) -> list[Intervento]:
        return [i for i in self.items if i.quartiere == q]

    def unattributed(self) -> list[Intervento]:
        return [i for i in self.items if i.quartiere is None]

    def status_labels(self, lang: str) -> dict[str, str]:
        """Labels of status codes from the layer's style (the SIT office names them)."""
        if self.spec is None:
            return {}
        return {str(c.value): c.label.get(lang) for c in self.spec.style.categories}

    def options(self, items: list[Intervento]) -> dict[str, list]:
        """Values present for each filter, for the filter form."""
        return {
            "stato": _ordered_statuses({i.status for i in items}),
            "tema": sorted({i["tema"] for i in items if i["tema"]}),
            "missione": sorted({i["missione"] for i in items if i["missione"]}, key=_code_key),
            "anno": sorted({y for i in items for y in i.years}, reverse=True),
        }


def _code_key(text: str):
    head = text.split(" ", 1)[0]
    return (int(head) if head.isdigit() else 999, text)


def _ordered_statuses(values: set[str]) -> list[str]:
    known = [s for s in STATUS_ORDER if s in values]
    return known + sorted(values - set(STATUS_ORDER))


def parse_history(raw) -> tuple[dict, ...]:
    """`storia_stato` (JSON text: [{anno, stato, fonte}]) to entries; bad JSON gives none."""
    if not raw:
        return ()
    try:
        entries = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return ()
    if not isinstance(entries, list):
        return ()
    good = [e for e in entries if isinstance(e, dict)]
    return tuple(sorted(good, key=lambda e: (e.get("anno") is None, e.get("anno") or 0)))


def split_sources(props: dict) -> tuple[str, ...]:
    """The list of sources (`fonti`, separated by ';'), else the main `fonte`."""
    raw = props.get("fonti") or props.get("fonte") or ""
    return tuple(dict.fromkeys(s.strip() for s in str(raw).split(";") if s.strip()))


def years_of(props: dict, history: tuple[dict, ...]) -> frozenset[int]:
    """Every year the intervention is active or documented in."""
    years = set()
    start, end = props.get("anno_inizio"), props.get("anno_fine")
    if start and end and 0 <= end - start <= 50:
        years.update(range(int(start), int(end) + 1))
    for value in (start, end, props.get("anno_stato"), *(e.get("anno") for e in history)):
        if isinstance(value, int):
            years.add(value)
    return frozenset(years)


def build_interventi(svc: Services) -> Interventi:
    areas = load_areas(svc)
    layer = organisation().interventions_layer
    spec = svc.served_spec(layer) if layer else None
    result = Interventi(spec, areas)
    if spec is None:
        return result
    to_metric = transformer("EPSG:4326", METRIC_CRS)
    for f in svc.read_all(spec):
        geom = shapely.geometry.shape(f.geometry) if f.geometry else None
        point = representative_point(geom)
        metric = to_metric.transform(*point) if point else None
        history = parse_history(f.properties.get("storia_stato"))
        result.items.append(
            Intervento(
                id=str(f.id),
                properties=f.properties,
                geometry=f.geometry,
                point=point,
                metric=metric,
                quartiere=areas.of_feature(f.properties, point),
                years=years_of(f.properties, history),
                history=history,
                sources=split_sources(f.properties),
            )
        )
    return result


def load_interventi(svc: Services) -> Interventi:
    """The interventions, cached until the store's generation moves."""
    return svc.cached("interventi", lambda: build_interventi(svc))


# -- filters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Near:
    lon: float
    lat: float
    metres: int = 500

    def metric(self) -> tuple[float, float]:
        return transformer("EPSG:4326", METRIC_CRS).transform(self.lon, self.lat)


@dataclass(frozen=True)
class Filters:
    """What the citizen asked for; every field is also a query parameter."""

    stato: str | None = None
    tema: str | None = None
    missione: str | None = None
    anno: int | None = None
    near: Near | None = None
    entro: bool = False

    @property
    def active(self) -> bool:
        return any([self.stato, self.tema, self.missione, self.anno, self.entro])


def distance(item: Intervento, near: Near) -> float | None:
    """Metres from the point to the intervention's location, measured in EPSG:7791."""
    if item.metric is None or item.geometry is None:
        return None
    x, y = near.metric()
    if item.geometry["type"] in ("Point", "MultiPoint"):
        return float(((item.metric[0] - x) ** 2 + (item.metric[1] - y) ** 2) ** 0.5)
    to_metric = transformer("EPSG:4326", METRIC_CRS)
    metric = shapely.transform(
        shapely.geometry.shape(item.geometry),
        lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1])),
    )
    return float(metric.distance(shapely.Point(x, y)))


def apply(items: list[Intervento], f: Filters) -> list[Intervento]:
    """The items matching every given filter, in reading order (status, year, title)."""
    out = []
    for i in items:
        if f.stato and i.status != f.stato:
            continue
        if f.tema and i["tema"] != f.tema:
            continue
        if f.missione and i["missione"] != f.missione:
            continue
        if f.anno and f.anno not in i.years:
            continue
        if f.entro and f.near is not None:
            d = distance(i, f.near)
            if d is None or d > f.near.metres:
                continue
        out.append(i)
    return sort_items(out)


def sort_items(items: list[Intervento]) -> list[Intervento]:
    rank = {s: n for n, s in enumerate(STATUS_ORDER)}
    return sorted(
        items,
        key=lambda i: (rank.get(i.status, 99), -(i["anno_stato"] or 0), i.title.lower()),
    )


def totals(items: list[Intervento]) -> dict:
    """Counts and amounts by status, and overall (an unknown amount counts as unknown)."""
    count, amount, unknown = Counter(), defaultdict(float), Counter()
    for i in items:
        count[i.status] += 1
        if i.amount is None:
            unknown[i.status] += 1
        else:
            amount[i.status] += i.amount
    rows = [
        {"stato": s, "count": count[s], "amount": amount.get(s, 0.0), "unknown": unknown[s]}
        for s in _ordered_statuses(set(count))
    ]
    return {
        "rows": rows,
        "count": len(items),
        "amount": sum(amount.values()),
        "unknown": sum(unknown.values()),
    }


def counts_by_quartiere(data: Interventi) -> list[dict]:
    """For /quartieri: each quartiere with its counts by status."""
    per: dict = defaultdict(Counter)
    for i in data.items:
        per[i.quartiere][i.status] += 1
    return [{"quartiere": q, "counts": per.get(q, Counter())} for q in data.areas.items]


def nearby(data: Interventi, near: Near, limit: int = 20) -> list[tuple[Intervento, float]]:
    """Interventions within `near.metres` of the point, nearest first, any quartiere."""
    found = []
    for i in data.items:
        d = distance(i, near)
        if d is not None and d <= near.metres:
            found.append((i, d))
    found.sort(key=lambda pair: pair[1])
    return found[:limit]
