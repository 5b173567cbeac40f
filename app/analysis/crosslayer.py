"""Cross-layer queries: features of layer A by their spatial relation to features of layer B.

    intersects  A intersects some B          within   A lies within some B
    contains    A contains some B            dwithin  A is within `distance` m of some B
    beyond      A is farther than `distance` m from every B (features of B filtered first)
    disjoint    A touches no B

Both sides may carry a CQL2 attribute filter (the store evaluates it). Distances are in
metres in EPSG:7791. Features of A without geometry cannot be related spatially: they are
left out and counted (`unlocated`), never guessed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from app.analysis.layers import (
    LayerLookup,
    layer_filter,
    load_frame,
    located,
    metric,
    plain,
    require_field,
)
from app.analysis.pairs import matched
from app.errors import InvalidParameter
from app.stores.base import FeatureStore, Query

PREDICATES = ("intersects", "within", "contains", "dwithin", "beyond", "disjoint")
MAX_DISTANCE = 100_000.0
DISTANCE_FIELD = "distanza_m"
#: beyond and disjoint are the complements of these.
_POSITIVE = {"beyond": "dwithin", "disjoint": "intersects"}


@dataclass(frozen=True)
class CrossQuery:
    """What to ask: `layer` features in `predicate` relation to `reference` features."""

    layer: str
    reference: str
    predicate: str = "intersects"
    distance: float | None = None
    filter: str | None = None
    reference_filter: str | None = None
    filter_lang: str = "cql2-text"
    group_by: str | None = None

    def checked(self) -> CrossQuery:
        """Itself, or InvalidParameter naming the wrong input."""
        if self.predicate not in PREDICATES:
            raise InvalidParameter(
                f"predicate {self.predicate!r} is not one of {', '.join(PREDICATES)}", "predicate"
            )
        needs_distance = self.predicate in ("dwithin", "beyond")
        if needs_distance and self.distance is None:
            raise InvalidParameter(
                f"predicate {self.predicate} needs a distance in metres", "distance"
            )
        if self.distance is not None:
            d = self.distance
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not math.isfinite(d):
                raise InvalidParameter("distance must be a number of metres", "distance")
            if not 0 <= d <= MAX_DISTANCE:
                raise InvalidParameter(
                    f"distance must be between 0 and {MAX_DISTANCE:.0f} metres", "distance"
                )
        return self


@dataclass
class CrossResult:
    """The matching features of A (CRS84, with distance to the nearest B) and a summary."""

    frame: gpd.GeoDataFrame
    summary: dict

    def feature_collection(self, id_field: str) -> dict:
        """The result as a GeoJSON FeatureCollection (RFC 7946)."""
        features = []
        for row, geom in zip(
            self.frame.drop(columns="geometry").to_dict("records"),
            self.frame.geometry.values,
            strict=True,
        ):
            props = {k: plain(v) for k, v in row.items()}
            features.append(
                {
                    "type": "Feature",
                    "id": props.get(id_field),
                    "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
                    "properties": props,
                }
            )
        return {
            "type": "FeatureCollection",
            "numberMatched": len(features),
            "numberReturned": len(features),
            "features": features,
        }


def _prefilter_box(ref_geoms: gpd.GeoSeries, predicate: str, distance: float | None):
    """A lon/lat box that holds every feature of A that can match (None: no shortcut)."""
    if predicate in ("beyond", "disjoint") or ref_geoms.empty:
        return None
    minx, miny, maxx, maxy = ref_geoms.total_bounds
    pad = ((distance or 0.0) * 1.05 + 1.0) / 111_000.0
    lat = max(abs(miny), abs(maxy)) + pad
    padx = pad / max(math.cos(math.radians(min(lat, 89.0))), 1e-6)
    return (minx - padx, miny - pad, maxx + padx, maxy + pad)


def run_cross_query(
    store: FeatureStore, layer_of: LayerLookup, q: CrossQuery, max_pairs: int | None = None
) -> CrossResult:
    """Answer `q` on `store`; `layer_of(id)` gives a published LayerSpec or raises.

    Past `max_pairs` related pairs the query stops with LimitExceeded (None: no limit).
    """
    q = q.checked()
    spec_a, spec_b = layer_of(q.layer), layer_of(q.reference)
    tree_a = layer_filter(spec_a, q.filter, q.filter_lang, "filter")
    tree_b = layer_filter(spec_b, q.reference_filter, q.filter_lang, "reference_filter")
    require_field(spec_a, q.group_by, "group_by")

    ref = load_frame(store, spec_b, tree_b)
    ref = ref[located(ref)]
    ref_metric = metric(ref).values
    box = _prefilter_box(ref.geometry, q.predicate, q.distance)
    if box is not None and _covers_most(store, spec_a.id, box):
        box = None  # reading A once beats an R-tree pass that keeps nearly all of it
    if box is None:  # every feature of A is a candidate
        target = load_frame(store, spec_a, tree_a)
        mask = located(target)
        unlocated = int((~mask).sum())
        target = target[mask]
    else:  # the R-tree keeps only features of A near B; the rest is counted, not read
        target = load_frame(store, spec_a, tree_a, bbox=box)
        target = target[located(target)]
        unlocated = _count_unlocated(store, spec_a, tree_a)
    geoms = metric(target).values

    tree = shapely.STRtree(ref_metric)
    # the relation of each feature of A, never every (A, B) pair at once (see pairs.py)
    hit = matched(
        tree,
        geoms,
        _POSITIVE.get(q.predicate, q.predicate),
        float(q.distance or 0.0),
        max_pairs,
    )
    if q.predicate in ("beyond", "disjoint"):
        hit = ~hit
    result = target[hit].copy()
    if len(ref_metric) and len(result):
        _, nearest = tree.query_nearest(geoms[hit], return_distance=True, all_matches=False)
        result[DISTANCE_FIELD] = np.round(nearest, 1)
    else:
        result[DISTANCE_FIELD] = None
    summary = {
        "layer": q.layer,
        "reference": q.reference,
        "predicate": q.predicate,
        "distance_m": q.distance,
        "filter": q.filter or None,
        "reference_filter": q.reference_filter or None,
        "metric_crs": "EPSG:7791",
        "matched": int(len(result)),
        "reference_features": int(len(ref)),
        "unlocated": unlocated,
        "groups": _groups(result, q.group_by),
        "notes": _notes(q, len(ref)),
    }
    return CrossResult(result, summary)


def _covers_most(store: FeatureStore, layer_id: str, box) -> bool:
    """Whether `box` covers over a quarter of the layer's extent (so it filters little)."""
    extent = store.describe(layer_id).bbox
    if extent is None:
        return False
    whole = shapely.box(*extent)
    return whole.area == 0 or whole.intersection(shapely.box(*box)).area > 0.25 * whole.area


def _count_unlocated(store: FeatureStore, spec, tree) -> int:
    """Features matching `tree` that have no geometry (all minus those the R-tree knows)."""
    everything = store.query(spec, Query(filter=tree, limit=1)).number_matched
    world = store.query(spec, Query(bbox=(-180.0, -90.0, 180.0, 90.0), filter=tree, limit=1))
    return int(everything - world.number_matched)


def _groups(frame: gpd.GeoDataFrame, field: str | None) -> list[dict] | None:
    if field is None:
        return None
    counts = (
        frame[field].astype(object).where(frame[field].notna(), None).value_counts(dropna=False)
    )
    return [{"value": plain(k), "count": int(v)} for k, v in counts.items()]


def _notes(q: CrossQuery, references: int) -> list[str]:
    notes = [
        "Features without geometry cannot be related spatially: they are left out "
        "(see 'unlocated'). / Gli elementi senza geometria sono esclusi."
    ]
    if references == 0:
        notes.append(
            f"No feature of '{q.reference}' has a geometry (after its filter): "
            + (
                "every located feature is farther than the distance."
                if q.predicate == "beyond"
                else "nothing can match."
            )
        )
    return notes
