"""The processes offered: their descriptions (OGC API - Processes) and how each one runs.

Each `run` takes validated inputs and returns its outputs as Python values; `encode` turns
one output into bytes of a media type. The analysis itself lives in app/analysis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import shapely

from app.analysis import classify as classes
from app.analysis.crosslayer import PREDICATES, CrossQuery, run_cross_query
from app.analysis.export import frame_csv, rows_csv
from app.analysis.layers import LayerLookup, plain
from app.analysis.stats import MEASURES, LayerStat, ZoneStatsQuery, zone_statistics
from app.errors import InvalidParameter, LimitExceeded, NotFound
from app.stores.base import FeatureStore, Query

GEOJSON, JSON_, CSV, SVG = "application/geo+json", "application/json", "text/csv", "image/svg+xml"
#: The comune's population (ISTAT, 1 January 2023) is read from this layer when it exists.
POPULATION_LAYER, POPULATION_FIELD = "confine", "popolazione"
#: Limits of every execution: the body of a public request, the heavy-request slots.
EXECUTION_LIMITS = ("MAX_PUBLIC_BODY_KB", "HEAVY_SLOTS")


def _in(title: str, schema: dict, description: str = "", required: bool = False) -> dict:
    return {
        "title": title,
        "description": description,
        "schema": schema,
        "minOccurs": 1 if required else 0,
        "maxOccurs": 1,
    }


def _out(title: str, media_types: list[str], description: str = "") -> dict:
    return {
        "title": title,
        "description": description,
        "schema": {"oneOf": [{"type": "object", "contentMediaType": m} for m in media_types]},
        "formats": media_types,
    }


@dataclass(frozen=True)
class RunLimits:
    """What one run must give and may do: the outputs asked for, and the configured maxima."""

    outputs: frozenset[str]
    max_pairs: int | None = None
    max_result_features: int | None = None

    @classmethod
    def of(cls, settings: dict, outputs) -> RunLimits:
        return cls(frozenset(outputs), settings["MAX_PAIRS"], settings["MAX_RESULT_FEATURES"])


def result_limit(count: int, maximum: int) -> LimitExceeded:
    """The problem of a result of `count` features, over `maximum`."""
    return LimitExceeded(
        f"Il risultato ha {count} elementi, oltre il limite di {maximum}: restringi la query "
        f"o chiedi solo il riepilogo (summary). / The result has {count} features, more than "
        f"the limit (GEOPORTALE_MAX_RESULT_FEATURES={maximum}): narrow the query with "
        'filter, or ask only for the summary output ({"outputs": {"summary": {}}}).',
        "outputs",
        "MAX_RESULT_FEATURES",
        maximum,
    )


@dataclass(frozen=True)
class Process:
    id: str
    title: str
    description: str
    inputs: dict
    outputs: dict
    example: dict
    run: Callable[[FeatureStore, LayerLookup, dict, RunLimits], dict]
    #: Settings bounding this process beyond those of every execution (EXECUTION_LIMITS).
    limit_settings: tuple[str, ...] = ()

    def summary(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "version": "1.0.0",
            "jobControlOptions": ["sync-execute"],
            "outputTransmission": ["value"],
        }


# -- cross-layer query -------------------------------------------------------------------


def _run_cross(store: FeatureStore, layer_of: LayerLookup, v: dict, limits: RunLimits) -> dict:
    q = CrossQuery(
        layer=v["layer"],
        reference=v["reference"],
        predicate=v["predicate"],
        distance=v["distance"],
        filter=v["filter"],
        reference_filter=v["reference_filter"],
        filter_lang=v["filter_lang"],
        group_by=v["group_by"],
    )
    result = run_cross_query(store, layer_of, q, max_pairs=limits.max_pairs)
    out = {"summary": result.summary, "_frame": result.frame}
    if "result" in limits.outputs:  # the features are built only when asked for
        maximum = limits.max_result_features
        if maximum is not None and len(result.frame) > maximum:
            raise result_limit(len(result.frame), maximum)
        out["result"] = result.feature_collection(layer_of(q.layer).id_field)
    return out


CROSS = Process(
    id="cross-layer-query",
    title="Interrogazione tra layer / Cross-layer query",
    description="Features of `layer` that intersect, lie within, contain, lie within "
    "`distance` metres of (dwithin), lie farther than `distance` metres from every (beyond), "
    "or touch no (disjoint) feature of `reference`; CQL2 attribute filters on either side. "
    "Distances in metres in EPSG:7791. Features without geometry are left out and counted.",
    inputs={
        "layer": _in("Layer to select from", {"type": "string"}, "a collection id", True),
        "reference": _in("Reference layer", {"type": "string"}, "a collection id", True),
        "predicate": _in(
            "Spatial relation",
            {"type": "string", "enum": list(PREDICATES), "default": "intersects"},
        ),
        "distance": _in(
            "Distance (m)",
            {"type": "number", "minimum": 0, "maximum": 100000},
            "for dwithin and beyond, in metres (EPSG:7791)",
        ),
        "filter": _in("CQL2 filter on layer", {"type": "string"}, "e.g. stato = 'in_corso'"),
        "reference_filter": _in("CQL2 filter on reference", {"type": "string"}, "e.g. numero = 16"),
        "filter_lang": _in(
            "Filter language",
            {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
        ),
        "group_by": _in("Count results by this field", {"type": "string"}, "e.g. stato"),
    },
    outputs={
        "result": _out("Matching features", [GEOJSON, CSV], "with distanza_m to the nearest"),
        "summary": _out("Summary", [JSON_], "counts, unlocated features, groups, notes"),
    },
    example={
        "inputs": {
            "layer": "interventi",
            "reference": "quartieri",
            "predicate": "within",
            "reference_filter": "numero = 16",
            "group_by": "stato",
        }
    },
    run=_run_cross,
    limit_settings=("MAX_PAIRS", "MAX_RESULT_FEATURES"),
)


# -- statistics per zone ------------------------------------------------------------------


def _layer_stats(raw: list) -> tuple[LayerStat, ...]:
    out = []
    for i, item in enumerate(raw or []):
        if isinstance(item, str):
            item = {"layer": item}
        if not isinstance(item, dict) or not isinstance(item.get("layer"), str):
            raise InvalidParameter(
                f"layers[{i}] must be a layer id or {{'layer': id, ...}}", "layers"
            )
        unknown = sorted(set(item) - {"layer", "category", "sum", "measure", "filter"})
        if unknown:
            raise InvalidParameter(f"layers[{i}]: unknown member {unknown[0]!r}", "layers")
        if item.get("measure", "count") not in MEASURES:
            raise InvalidParameter(
                f"layers[{i}].measure must be one of {', '.join(MEASURES)}", "layers"
            )
        for key in ("category", "sum", "filter"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise InvalidParameter(f"layers[{i}].{key} must be a string", "layers")
        out.append(LayerStat(**item))
    return tuple(out)


def comune_population(store: FeatureStore, layer_of: LayerLookup) -> dict | None:
    """The comune's population from the `confine` layer, if it is published."""
    try:
        spec = layer_of(POPULATION_LAYER)
    except NotFound:
        return None
    if spec.field(POPULATION_FIELD) is None:
        return None
    page = store.query(spec, Query(limit=1))
    if not page.features:
        return None
    props = page.features[0].properties
    value = props.get(POPULATION_FIELD)
    return {
        "popolazione": value,
        "anno": props.get("anno_popolazione"),
        "fonte": props.get("fonte"),
    }


def _run_stats(store: FeatureStore, layer_of: LayerLookup, v: dict, limits: RunLimits) -> dict:
    # one row per zone: its size is bounded by the zone layer, not by the request
    q = ZoneStatsQuery(
        zones=v["zones"],
        zone_key=v["zone_key"],
        zone_label=v["zone_label"],
        text_field=v["text_field"],
        layers=_layer_stats(v["layers"]),
        population_field=v["population_field"],
    )
    stats = zone_statistics(store, layer_of, q)
    names = [c["name"] for c in stats.columns]
    column = v["classify_by"] or q.layers[0].layer
    if column not in names or column in ("zona", "nome"):
        raise InvalidParameter(
            f"classify_by: {column!r} is not a column; columns: {', '.join(names[2:])}",
            "classify_by",
        )
    zone_rows = stats.rows[:-1]
    located = [g is not None for g in stats.zones.geometry.values]
    values = [r[column] if ok else None for r, ok in zip(zone_rows, located, strict=True)]
    klass = classes.classify(values, v["scheme"], v["k"])
    features = []
    for row, geom, cls, color in zip(
        zone_rows, stats.zones.geometry.values, klass["classes"], klass["colors"], strict=True
    ):
        if geom is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": row["zona"],
                "geometry": shapely.geometry.mapping(geom),
                "properties": {**row, "valore": row[column], "classe": cls, "colore": color},
            }
        )
    labels = [f"{r['zona']} {r['nome'] or ''}".strip() for r in zone_rows]
    chart = classes.bar_chart(
        labels,
        [r[column] for r in zone_rows],
        [c if ok else classes.NO_DATA for c, ok in zip(klass["colors"], located, strict=True)],
        f"{column} per {q.zones}",
    )
    notes = list(stats.notes)
    population = comune_population(store, layer_of)
    ratios = None
    if q.population_field is None:
        notes.append(
            "Population per zone is not available in the data (only the comune total): "
            "per 1,000 inhabitants ratios are given for the whole comune."
        )
    if population and population["popolazione"]:
        total = stats.rows[-1]
        ratios = {
            lyr.layer: round(total[lyr.layer] * 1000 / population["popolazione"], 3)
            for lyr in q.layers
        }
    return {
        "table": {"columns": stats.columns, "rows": stats.rows},
        "choropleth": {"type": "FeatureCollection", "column": column, "features": features},
        "legend": {
            "column": column,
            "scheme": klass["scheme"],
            "k": klass["k"],
            "classes": klass["legend"],
        },
        "chart": chart,
        "population": {"comune": population, "per_1000_comune": ratios},
        "notes": notes,
    }


STATS = Process(
    id="zone-statistics",
    title="Statistiche per quartiere / Statistics per zone",
    description="Counts per layer and category, sums (e.g. importo_euro by stato), km of "
    "lines and hectares of polygons inside each zone of a polygon layer (quartieri by "
    "default), with choropleth classes (mapclassify: quantiles, jenks, equal_interval), a "
    "legend and a bar chart. Features without geometry are counted by their `text_field` "
    "(the quartiere named by the sources) and reported apart.",
    inputs={
        "zones": _in("Zone layer", {"type": "string", "default": "quartieri"}),
        "zone_key": _in("Zone key field", {"type": "string", "default": "numero"}),
        "zone_label": _in("Zone name field", {"type": ["string", "null"], "default": "nome"}),
        "text_field": _in(
            "Field naming the zone key in counted layers",
            {"type": ["string", "null"], "default": "quartiere"},
        ),
        "layers": _in(
            "Layers to count",
            {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
            "ids, or objects {layer, category, sum, measure (count|length|area), filter}",
            True,
        ),
        "population_field": _in("Population field of the zones", {"type": ["string", "null"]}),
        "classify_by": _in("Column for the choropleth", {"type": "string"}, "default: first layer"),
        "scheme": _in(
            "Classification",
            {"type": "string", "enum": list(classes.SCHEMES), "default": "quantiles"},
        ),
        "k": _in(
            "Number of classes", {"type": "integer", "minimum": 2, "maximum": 7, "default": 5}
        ),
    },
    outputs={
        "table": _out("Table per zone", [JSON_, CSV], "last row: totals"),
        "choropleth": _out("Zones with value, class and colour", [GEOJSON]),
        "legend": _out("Legend", [JSON_]),
        "chart": _out("Bar chart", [SVG]),
        "population": _out("Population and per 1,000 ratios", [JSON_]),
        "notes": _out("How features were counted", [JSON_]),
    },
    example={
        "inputs": {
            "layers": [{"layer": "interventi", "category": "stato", "sum": "importo_euro"}],
            "classify_by": "interventi",
            "scheme": "quantiles",
            "k": 5,
        }
    },
    run=_run_stats,
)

PROCESSES: dict[str, Process] = {p.id: p for p in (CROSS, STATS)}


def get_process(process_id: str) -> Process:
    process = PROCESSES.get(process_id)
    if process is None:
        raise NotFound(f"no process '{process_id}'; processes: {', '.join(PROCESSES)}")
    return process


def encode(outputs: dict, name: str, media_type: str) -> bytes:
    """One output in one of its formats, as bytes."""
    if name == "result" and media_type == CSV:
        return frame_csv(outputs["_frame"]).encode("utf-8")
    if name == "table" and media_type == CSV:
        table = outputs["table"]
        return rows_csv(table["rows"], [c["name"] for c in table["columns"]]).encode("utf-8")
    value = outputs[name]
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, default=plain).encode("utf-8")
