"""The JSON documents of OGC API - Features (Parts 1, 2, 3), from the registry and the store."""

from __future__ import annotations

import datetime as dt

from app.catalog import licence_uri
from app.geo.crs import supported_crs_uris
from app.geo.families import geometry_property
from app.geo.io import EXPORT_FORMATS
from app.ogcapi import tiles
from app.ogcapi.links import (
    GEOJSON,
    HTML,
    JSON,
    OPENAPI,
    SCHEMA,
    link,
    paging,
    self_and_alternate,
    url,
)
from app.organisation import organisation, owner_of
from app.registry.spec import LayerSpec
from app.stores.base import FeaturePage, LayerInfo
from app.styles import documents as styles

QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    # Part 5: /collections/{id}/schema, geometry types stated (QGIS reads it when listed)
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    # Part 4 (draft 20-002): writes for the SIT office's editors (app/ogcapi/transactions.py)
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
]
_JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "string",
}


def landing(title: str, fmt: str) -> dict:
    return {
        "title": title,
        "description": f"OGC API - Features del geoportale ({organisation().name.it}): i layer "
        "pubblicati dal SIT in GeoJSON e HTML.",
        "links": [
            *self_and_alternate("ogcapi.landing", fmt),
            link(url("ogcapi.openapi"), "service-desc", OPENAPI, "OpenAPI 3.0"),
            link(url("ogcapi.openapi", f="html"), "service-doc", HTML, "API documentation"),
            link(url("ogcapi.conformance"), "conformance", JSON, "Conformance classes"),
            link(url("ogcapi.collections"), "data", JSON, "Collections"),
            link(
                url("processes.index"),
                "http://www.opengis.net/def/rel/ogc/1.0/processes",
                JSON,
                "Processes",
            ),
        ],
    }


def conformance() -> dict:
    return {"conformsTo": CONFORMANCE}


def collection(
    spec: LayerSpec,
    info: LayerInfo,
    fmt: str,
    lang: str = "it",
    types: tuple[str, ...] = (),
) -> dict:
    """The collection document; `types` are the layer's geometry types (services)."""
    meta = spec.metadata
    licence = licence_uri(meta.licence)
    doc = {
        "id": spec.id,
        "title": spec.title.get(lang),
        "description": meta.abstract.get(lang),
        "keywords": list(meta.keywords),
        "itemType": "feature",
        "crs": supported_crs_uris(),
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [list(info.bbox)] if info.bbox else [], "crs": CRS84}},
        # where clients (QGIS among them) look for it: `license`, and a rel="license" link
        "license": meta.licence,
        "links": [
            *self_and_alternate("ogcapi.collection", fmt, collection_id=spec.id),
            link(
                url("ogcapi.items", collection_id=spec.id, f="json"),
                "items",
                GEOJSON,
                "Features (GeoJSON)",
            ),
            link(
                url("ogcapi.items", collection_id=spec.id, f="html"),
                "items",
                HTML,
                "Features (HTML)",
            ),
            link(
                url("ogcapi.queryables", collection_id=spec.id),
                QUERYABLES_REL,
                SCHEMA,
                "Queryables",
            ),
            link(url("ogcapi.schema", collection_id=spec.id), SCHEMA_REL, SCHEMA, "Schema"),
            *([link(licence, "license", HTML, meta.licence)] if licence else []),
            link(
                url("ogcapi.metadata", collection_id=spec.id),
                "describedby",
                GEOJSON,
                "Metadata record",
            ),
            *[
                link(
                    url("downloads.download", name=f"{spec.id}.{fmt}"),
                    "enclosure",
                    media,
                    f"Download ({fmt})",
                )
                for fmt, (_, _, media) in EXPORT_FORMATS.items()
            ],
            *tiles.collection_links(spec.id),
            *styles.collection_links(spec),
        ],
        # Beyond the standard: what a citizen or a SIT officer needs to trust the layer.
        "geoportale": {
            "group": spec.group.get(lang),
            "geometryType": spec.geometry_type,
            "geometryTypes": list(types),
            "version": info.version,
            "numberOfFeatures": info.feature_count,
            "published": info.published_at,
            "owner": owner_of(meta),
            "license": meta.licence,
            "attribution": meta.attribution,
            "lineage": meta.lineage.get(lang),
            "updated": meta.updated.isoformat(),
            "sourceCrs": meta.source_crs,
            "notice": spec.notice.get(lang) if spec.notice else None,
            "fields": [
                {"name": f.name, "type": f.type, "label": f.label.get(lang)} for f in spec.fields
            ],
        },
    }
    return doc


def _properties(spec: LayerSpec, lang: str, types: tuple[str, ...]) -> dict:
    """The layer's geometry (its types, Part 5) and fields as JSON Schema properties."""
    props = {"geometry": geometry_property(types, "Geometria" if lang == "it" else "Geometry")}
    for f in spec.fields:
        prop = {"title": f.label.get(lang), "type": _JSON_TYPES[f.type]}
        if f.type == "date":
            prop["format"] = "date"
        props[f.name] = prop
    return props


def queryables(spec: LayerSpec, lang: str = "it", types: tuple[str, ...] = ()) -> dict:
    """The layer's filterable properties as JSON Schema (Part 3; geometry as in Part 5)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogcapi.queryables", collection_id=spec.id),
        "type": "object",
        "title": spec.title.get(lang),
        "properties": _properties(spec, lang, types),
        "additionalProperties": False,
    }


def schema(spec: LayerSpec, lang: str = "it", types: tuple[str, ...] = ()) -> dict:
    """The schema of the layer's features (Part 5): its fields in order, the id field and
    the primary geometry with every geometry type the layer holds."""
    props = _properties(spec, lang, types)
    for seq, name in enumerate(props, start=1):
        props[name]["x-ogc-propertySeq"] = seq
    props[spec.id_field]["x-ogc-role"] = "id"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url("ogcapi.schema", collection_id=spec.id),
        "type": "object",
        "title": spec.title.get(lang),
        "properties": props,
    }


def collections(
    entries: list[tuple[LayerSpec, LayerInfo, tuple[str, ...]]], fmt: str, lang: str = "it"
) -> dict:
    """The collections; each entry is (spec, info, geometry types)."""
    return {
        "links": self_and_alternate("ogcapi.collections", fmt),
        "collections": [
            collection(spec, info, "json", lang, types) for spec, info, types in entries
        ],
    }


def items(
    spec: LayerSpec,
    page: FeaturePage,
    fmt: str,
    offset: int,
    limit: int,
    features: list[dict] | None = None,
) -> dict:
    """An items page; `features` are the page's features as written (default: GeoJSON)."""
    returned = len(page.features)
    return {
        "type": "FeatureCollection",
        "features": features if features is not None else [f.as_geojson() for f in page.features],
        "numberMatched": page.number_matched,
        "numberReturned": returned,
        "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "links": [
            *self_and_alternate("ogcapi.items", fmt, GEOJSON, collection_id=spec.id),
            *paging(
                "ogcapi.items",
                fmt,
                offset,
                limit,
                returned,
                page.number_matched,
                collection_id=spec.id,
            ),
            link(
                url("ogcapi.collection", collection_id=spec.id), "collection", JSON, spec.title.it
            ),
        ],
    }


def item(spec: LayerSpec, feature: dict, fmt: str) -> dict:
    fid = str(feature["id"])
    return {
        **feature,
        "links": [
            *self_and_alternate("ogcapi.item", fmt, GEOJSON, collection_id=spec.id, feature_id=fid),
            link(
                url("ogcapi.collection", collection_id=spec.id), "collection", JSON, spec.title.it
            ),
        ],
    }
