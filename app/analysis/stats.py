"""Statistics per zone (quartieri or any polygon layer) over other layers.

Each located feature is assigned to the zone that holds its representative point (so a
feature is counted once). A feature without geometry is assigned by its text field (e.g.
`quartiere`, the quartiere number the sources name) when that matches a zone's key: such
counts are reported apart (`<layer>_testo`) and say so. Lengths (km) and areas (ha) are of
the parts of lines and polygons inside each zone, in EPSG:7791.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from app.analysis.layers import (
    LayerLookup,
    layer_filter,
    load_frame,
    located,
    metric,
    require_field,
)
from app.errors import InvalidParameter
from app.stores.base import FeatureStore

MEASURES = ("count", "length", "area")


@dataclass(frozen=True)
class LayerStat:
    """What to compute for one layer in each zone."""

    layer: str
    category: str | None = None  # counts (and sums) per value of this field
    sum: str | None = None  # a numeric field to add up (e.g. importo_euro)
    measure: str = "count"  # count, or also length (km) / area (ha) inside the zone
    filter: str | None = None


@dataclass(frozen=True)
class ZoneStatsQuery:
    zones: str = "quartieri"
    zone_key: str = "numero"
    zone_label: str | None = "nome"
    text_field: str | None = "quartiere"  # field of the counted layers naming the zone key
    layers: tuple[LayerStat, ...] = ()
    population_field: str | None = None  # a field of the zones with their population


@dataclass
class ZoneStats:
    rows: list[dict]  # one per zone, then the totals row (key None)
    columns: list[dict]  # name, label, kind (key, label, count, sum, km, ha, ratio)
    zones: gpd.GeoDataFrame  # the zones with the values (CRS84)
    notes: list[str] = field(default_factory=list)


def _assign(
    zones_m: np.ndarray, zone_keys: list, frame: gpd.GeoDataFrame, text_field: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """The zone index of each feature (-1 none) and whether it was assigned by text."""
    n = len(frame)
    out = np.full(n, -1, dtype=int)
    by_text = np.zeros(n, dtype=bool)
    mask = located(frame)
    if mask.any() and len(zones_m):
        points = shapely.point_on_surface(metric(frame[mask]).values)
        tree = shapely.STRtree(zones_m)
        feat_idx, zone_idx = tree.query(points, predicate="intersects")
        first = {}
        for f, z in zip(feat_idx.tolist(), zone_idx.tolist(), strict=True):
            first.setdefault(f, z)
        where = np.flatnonzero(mask)
        for f, z in first.items():
            out[where[f]] = z
    if text_field is not None and text_field in frame.columns:
        position = {str(k): i for i, k in enumerate(zone_keys) if k is not None}
        for i in np.flatnonzero(~mask):
            value = frame[text_field].iloc[i]
            if value is not None and value == value:
                key = (
                    str(int(value))
                    if isinstance(value, float) and value.is_integer()
                    else str(value)
                )
                if key in position:
                    out[i], by_text[i] = position[key], True
    return out, by_text


def _clip_measure(zones_m: np.ndarray, frame: gpd.GeoDataFrame, kind: str) -> np.ndarray:
    """Per zone: km of lines (kind 'length') or ha of polygons ('area') inside it."""
    totals = np.zeros(len(zones_m))
    mask = located(frame)
    if not mask.any() or not len(zones_m):
        return totals
    geoms = metric(frame[mask]).values
    dims = shapely.get_dimensions(geoms)
    geoms = geoms[dims == (1 if kind == "length" else 2)]
    tree = shapely.STRtree(geoms)
    for z, zone in enumerate(zones_m):
        if zone is None:
            continue
        near = geoms[tree.query(zone, predicate="intersects")]
        if len(near):
            parts = shapely.intersection(near, zone)
            value = shapely.length(parts) if kind == "length" else shapely.area(parts)
            totals[z] = float(value.sum()) / (1000.0 if kind == "length" else 10_000.0)
    return totals


def zone_statistics(store: FeatureStore, layer_of: LayerLookup, q: ZoneStatsQuery) -> ZoneStats:
    """Counts, sums, lengths and areas of `q.layers` in each zone of `q.zones`."""
    zspec = layer_of(q.zones)
    require_field(zspec, q.zone_key, "zone_key")
    require_field(zspec, q.zone_label, "zone_label")
    require_field(zspec, q.population_field, "population_field")
    if not q.layers:
        raise InvalidParameter("layers: name at least one layer to count", "layers")
    zones = load_frame(store, zspec).sort_values(q.zone_key, kind="stable").reset_index(drop=True)
    zones_m = metric(zones).values
    zones_m = np.array([g if g is not None and not g.is_empty else None for g in zones_m])
    if not any(g is not None and shapely.get_dimensions(g) == 2 for g in zones_m):
        raise InvalidParameter(f"zones: '{q.zones}' has no polygon to count in", "zones")
    keys = [_scalar(k) for k in zones[q.zone_key]]
    label_of = zones[q.zone_label] if q.zone_label else zones[q.zone_key]
    rows = [
        {
            "zona": k,
            "nome": _scalar(lbl),
            "area_km2": round(float(shapely.area(g)) / 1e6, 3) if g is not None else None,
        }
        for k, lbl, g in zip(keys, label_of, zones_m, strict=True)
    ]
    total = {"zona": None, "nome": "Totale", "area_km2": None}
    columns = [
        {"name": "zona", "label": f"{zspec.title.it}: {q.zone_key}", "kind": "key"},
        {"name": "nome", "label": "Nome", "kind": "label"},
        {"name": "area_km2", "label": "Area (km²)", "kind": "km2"},
    ]
    notes = []
    for stat in q.layers:
        spec = layer_of(stat.layer)
        require_field(spec, stat.category, f"{stat.layer}.category")
        require_field(spec, stat.sum, f"{stat.layer}.sum")
        if stat.measure not in MEASURES:
            raise InvalidParameter(
                f"{stat.layer}.measure must be one of {', '.join(MEASURES)}", "measure"
            )
        if stat.sum and spec.field(stat.sum).type not in ("integer", "number"):
            raise InvalidParameter(f"{stat.layer}.sum: {stat.sum!r} is not numeric", "sum")
        frame = load_frame(store, spec, layer_filter(spec, stat.filter, None, "filter"))
        text = q.text_field if spec.field(q.text_field or "") is not None else None
        zone_of, by_text = _assign(zones_m, keys, frame, text)
        notes.append(_note(stat.layer, frame, zone_of, by_text, text))
        add = _columns_for(stat, frame)
        columns.extend(add)
        values = _tally(stat, frame, zone_of, by_text, len(rows))
        if stat.measure != "count":
            per_zone = _clip_measure(zones_m, frame, stat.measure)
            unit = "km" if stat.measure == "length" else "ha"
            values[f"{stat.layer}_{unit}"] = np.append(per_zone, per_zone.sum())
        for col in add:
            series = values[col["name"]]
            for i, row in enumerate(rows):
                row[col["name"]] = _round(series[i])
            total[col["name"]] = _round(series[len(rows)])
    if q.population_field:
        _add_ratios(rows, total, columns, zones[q.population_field].tolist(), q.layers)
    rows.append(total)
    out = zones[[q.zone_key, "geometry"]].copy()
    for col in columns[1:]:
        out[col["name"]] = [r[col["name"]] for r in rows[:-1]]
    return ZoneStats(rows, columns, out, notes)


def _columns_for(stat: LayerStat, frame: gpd.GeoDataFrame) -> list[dict]:
    base = stat.layer
    cols = [
        {"name": base, "label": f"{base}: elementi", "kind": "count"},
        {"name": f"{base}_testo", "label": f"{base}: di cui assegnati dal testo", "kind": "count"},
    ]
    for value in _categories(stat, frame):
        cols.append({"name": f"{base}_{value}", "label": f"{base}: {value}", "kind": "count"})
    if stat.sum:
        cols.append({"name": f"{base}_{stat.sum}", "label": f"{base}: {stat.sum}", "kind": "sum"})
        for value in _categories(stat, frame):
            name = f"{base}_{stat.sum}_{value}"
            cols.append({"name": name, "label": f"{base}: {stat.sum} ({value})", "kind": "sum"})
    if stat.measure == "length":
        cols.append({"name": f"{base}_km", "label": f"{base}: km nella zona", "kind": "km"})
    if stat.measure == "area":
        cols.append({"name": f"{base}_ha", "label": f"{base}: ettari nella zona", "kind": "ha"})
    return cols


def _categories(stat: LayerStat, frame: gpd.GeoDataFrame) -> list[str]:
    if not stat.category:
        return []
    values = frame[stat.category].dropna().astype(str).unique().tolist()
    return sorted(values) + (["n_d"] if frame[stat.category].isna().any() else [])


def _tally(stat, frame, zone_of, by_text, n_zones) -> dict[str, np.ndarray]:
    """Per zone (and a last slot for the total of assigned features)."""
    slots = np.where(zone_of >= 0, zone_of, n_zones + 1)  # unassigned go to a dropped slot

    def count(mask):
        per = np.bincount(slots[mask], minlength=n_zones + 2)[: n_zones + 1].astype(float)
        per[n_zones] = per[:n_zones].sum()
        return per

    def add(mask, values):
        per = np.bincount(slots[mask], weights=values[mask], minlength=n_zones + 2)
        per = per[: n_zones + 1]
        per[n_zones] = per[:n_zones].sum()
        return per

    every = np.ones(len(frame), dtype=bool)
    out = {stat.layer: count(every), f"{stat.layer}_testo": count(by_text)}
    cats = _categories(stat, frame)
    col = frame[stat.category].astype(object) if stat.category else None
    amounts = None
    if stat.sum:
        amounts = frame[stat.sum].astype(float).fillna(0.0).to_numpy()
        out[f"{stat.layer}_{stat.sum}"] = add(every, amounts)
    for value in cats:
        mask = (col.isna() if value == "n_d" else col.astype(str) == value).to_numpy()
        out[f"{stat.layer}_{value}"] = count(mask)
        if amounts is not None:
            out[f"{stat.layer}_{stat.sum}_{value}"] = add(mask, amounts)
    return out


def _add_ratios(rows, total, columns, population, layers) -> None:
    for stat in layers:
        name = f"{stat.layer}_per_1000"
        columns.append({"name": name, "label": f"{stat.layer} per 1.000 abitanti", "kind": "ratio"})
        for row, pop in zip(rows, population, strict=True):
            row[name] = round(row[stat.layer] * 1000 / pop, 3) if pop else None


def _note(layer, frame, zone_of, by_text, text_field) -> str:
    n, assigned, texts = len(frame), int((zone_of >= 0).sum()), int(by_text.sum())
    how = f"by its '{text_field}' field" if text_field else "(no text field to use)"
    return (
        f"{layer}: {n} features, {assigned} assigned to a zone ({assigned - texts} by geometry, "
        f"{texts} without geometry {how}); {n - assigned} in no zone."
    )


def _scalar(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _round(value):
    value = float(value)
    return int(value) if value.is_integer() else round(value, 3)
