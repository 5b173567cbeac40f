"""The processes offered: their descriptions (OGC API - Processes) and how each one runs.

Each `run` takes validated inputs and returns its outputs as Python values; `encode` turns
one output into bytes of a media type. The analysis itself lives in app/analysis.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import shapely

from app.analysis import classify as classes
from app.analysis.crosslayer import PREDICATES, CrossQuery, run_cross_query
from app.analysis.export import frame_csv, rows_csv
from app.analysis.layers import LayerLookup, plain
from app.analysis.stats import MEASURES, LayerStat, ZoneStatsQuery, zone_statistics
from app.errors import InvalidParameter, LimitExceeded, NotFound
from app.organisation import Organisation, organisation
from app.stores.base import FeatureStore, Query

GEOJSON, JSON_, CSV, SVG = "application/geo+json", "application/json", "text/csv", "image/svg+xml"
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
    example: dict | None  # runnable inputs on the organisation's layers, if it gives some
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
    example=None,
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
    """The comune's population from the organisation's boundary layer and population field
    (`area`), if it is published."""
    area = organisation().area
    if area.boundary_layer is None or area.population_field is None:
        return None
    try:
        spec = layer_of(area.boundary_layer)
    except NotFound:
        return None
    if spec.field(area.population_field) is None:
        return None
    page = store.query(spec, Query(limit=1))
    if not page.features:
        return None
    props = page.features[0].properties
    value = props.get(area.population_field)
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
    "lines and hectares of polygons inside each zone of a polygon layer (by default the "
    "organisation's zones, e.g. the quartieri), with choropleth classes (mapclassify: "
    "quantiles, jenks, equal_interval), a legend and a bar chart. Features without "
    "geometry are counted by their `text_field` (the quartiere named by the sources) and "
    "reported apart.",
    inputs={
        "zones": _in("Zone layer", {"type": "string"}, required=True),
        "zone_key": _in("Zone key field", {"type": "string"}, required=True),
        "zone_label": _in("Zone name field", {"type": ["string", "null"]}),
        "text_field": _in(
            "Field naming the zone key in counted layers", {"type": ["string", "null"]}
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
    example=None,
    run=_run_stats,
)

PROCESSES: dict[str, Process] = {p.id: p for p in (CROSS, STATS)}


def _defaults(inputs: dict, values: dict) -> dict:
    """The inputs with these defaults, optional from then on."""
    out = dict(inputs)
    for name, value in values.items():
        out[name] = {
            **out[name],
            "minOccurs": 0,
            "schema": {**out[name]["schema"], "default": value},
        }
    return out


def for_organisation(process: Process, org: Organisation) -> Process:
    """The process as the organisation's geoportal offers it: zone statistics default to its
    zones layer and fields, and the runnable example is the one its file gives (if any)."""
    inputs = process.inputs
    if process.id == STATS.id and org.zones is not None:
        z = org.zones
        inputs = _defaults(
            inputs,
            {
                "zones": z.layer,
                "zone_key": z.number_field,
                "zone_label": z.name_field,
                "text_field": z.feature_field,
            },
        )
    example = org.process_examples.get(process.id)
    return replace(process, inputs=inputs, example={"inputs": example} if example else None)


def get_process(process_id: str) -> Process:
    """A process as the current organisation offers it (see `for_organisation`)."""
    process = PROCESSES.get(process_id)
    if process is None:
        raise NotFound(f"no process '{process_id}'; processes: {', '.join(PROCESSES)}")
    return for_organisation(process, organisation())


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
