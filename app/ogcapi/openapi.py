"""The OpenAPI 3.0 document of /api, generated from the registry (one path per collection)."""

from __future__ import annotations

from flask import url_for

from app import hooks
from app.geo.crs import supported_crs_uris
from app.ogcapi import openapi_writes, tiles
from app.ogcapi.openapi_limits import PROBLEM_MEMBERS, limited_paths
from app.organisation import organisation
from app.services import Services
from app.styles import documents as styles

_OAS_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "date": "string",
}


def _param(
    name: str, description: str, schema: dict, where: str = "query", required: bool = False, **extra
) -> dict:
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required,
        "schema": schema,
        **extra,
    }


def _shared_components(max_limit: int, default_limit: int) -> dict:
    problem = {
        "type": "object",
        "required": ["title", "status"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "parameter": {"type": "string"},
            **PROBLEM_MEMBERS,
        },
    }
    return {
        "parameters": {
            "f": _param("f", "Response format.", {"type": "string", "enum": ["json", "html"]}),
            "bbox": _param(
                "bbox",
                "Only features whose geometry intersects the box minLon,minLat,maxLon,"
                "maxLat (CRS84).",
                {
                    "type": "array",
                    "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                    "items": {"type": "number"},
                },
                style="form",
                explode=False,
            ),
            "bbox-crs": _param(
                "bbox-crs",
                "CRS of bbox, in its axis order (default CRS84).",
                {"type": "string", "format": "uri", "enum": supported_crs_uris()},
            ),
            "limit": _param(
                "limit",
                # No schema maximum: OGC API Features requires a larger limit to be served
                # at the maximum, not refused.
                f"Items per page (1-{max_limit}; larger values are served at {max_limit}).",
                {"type": "integer", "minimum": 1, "default": default_limit},
            ),
            "offset": _param(
                "offset", "Items to skip.", {"type": "integer", "minimum": 0, "default": 0}
            ),
            "datetime": _param(
                "datetime",
                "RFC 3339 instant or interval (layers without time match all).",
                {"type": "string"},
            ),
            "crs": _param(
                "crs",
                "CRS of the response geometries (axis order of the CRS).",
                {"type": "string", "format": "uri", "enum": supported_crs_uris()},
            ),
            "filter": _param(
                "filter",
                "CQL2 filter on the layer's queryables (S_DWITHIN distances in metres).",
                {"type": "string"},
            ),
            "filter-lang": _param(
                "filter-lang",
                "Language of filter.",
                {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
            ),
            "filter-crs": _param(
                "filter-crs",
                "CRS of the geometries in filter.",
                {"type": "string", "format": "uri", "enum": supported_crs_uris()},
            ),
        },
        "schemas": {
            "problem": problem,
            "featureCollection": {
                "type": "object",
                "required": ["type", "features"],
                "properties": {
                    "type": {"type": "string", "enum": ["FeatureCollection"]},
                    "features": {"type": "array", "items": {"type": "object"}},
                    "numberMatched": {"type": "integer"},
                    "numberReturned": {"type": "integer"},
                    "links": {"type": "array"},
                },
            },
            "feature": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {"type": {"type": "string", "enum": ["Feature"]}},
            },
            "document": {"type": "object"},
            "history": {
                "type": "object",
                "required": ["collection", "id", "history"],
                "properties": {
                    "collection": {"type": "string"},
                    "id": {"type": "string"},
                    "history": {"type": "array", "items": {"type": "object"}},
                    "links": {"type": "array"},
                },
            },
        },
        "responses": {
            "Problem": {
                "description": "A problem (RFC 9457).",
                "content": {
                    "application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/problem"}
                    },
                    "text/html": {"schema": {"type": "string"}},
                },
            }
        },
    }


def _ok(schema: str, media: str) -> dict:
    return {
        "description": "OK",
        "content": {
            media: {"schema": {"$ref": f"#/components/schemas/{schema}"}},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def _op(
    op_id: str,
    summary: str,
    params: list,
    schema: str,
    media: str = "application/json",
    errors=("400",),
) -> dict:
    responses = {"200": _ok(schema, media)}
    for code in errors:
        responses[code] = {"$ref": "#/components/responses/Problem"}
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "parameters": params,
            "responses": responses,
        }
    }


def _history_op(layer_id: str, title: str) -> dict:
    """The feature history path: published edits only, JSON only, no user names."""
    op = _op(
        f"getItemHistory_{layer_id}",
        f"{title}: the published edits of one feature (no user names)",
        [
            _param("f", "Response format.", {"type": "string", "enum": ["json"]}),
            _param("featureId", "The feature's id.", {"type": "string"}, "path", True),
        ],
        "history",
        errors=("400", "404"),
    )
    del op["get"]["responses"]["200"]["content"]["text/html"]
    return op


def openapi_document(svc: Services) -> dict:
    """OpenAPI 3.0.3 for /api; each collection gets its own items path with its fields."""
    s = svc.settings
    ref = lambda name: {"$ref": f"#/components/parameters/{name}"}  # noqa: E731
    f = [ref("f")]
    paths = {
        "/": _op("getLandingPage", "Landing page", f, "document"),
        "/conformance": _op("getConformance", "Conformance classes", f, "document"),
        "/collections": _op("getCollections", "Collections", f, "document"),
    }
    for spec in svc.registry.published:
        base = f"/collections/{spec.id}"
        fields = [
            _param(
                fl.name, f"{fl.label.get('en')} equals this value.", {"type": _OAS_TYPES[fl.type]}
            )
            for fl in spec.fields
        ]
        title = spec.title.get("en")
        paths[base] = _op(
            f"describe_{spec.id}", f"{title}: metadata", f, "document", errors=("400", "404")
        )
        paths[f"{base}/items"] = _op(
            f"getItems_{spec.id}",
            f"{title}: features",
            [
                *f,
                ref("bbox"),
                ref("bbox-crs"),
                ref("limit"),
                ref("offset"),
                ref("datetime"),
                ref("crs"),
                ref("filter"),
                ref("filter-lang"),
                ref("filter-crs"),
                *fields,
            ],
            "featureCollection",
            "application/geo+json",
            errors=("400", "404"),
        )
        paths.update(tiles.openapi_paths(spec.id, title))
        paths.update(styles.openapi_paths(spec.id, title))
        paths[f"{base}/queryables"] = _op(
            f"getQueryables_{spec.id}",
            f"{title}: queryables",
            f,
            "document",
            media="application/schema+json",
            errors=("400", "404"),
        )
        paths[f"{base}/schema"] = _op(
            f"getSchema_{spec.id}",
            f"{title}: schema of the features (geometry types included)",
            f,
            "document",
            media="application/schema+json",
            errors=("400", "404"),
        )
        feature_id = _param(
            "featureId", f"Value of '{spec.id_field}'.", {"type": "string"}, "path", True
        )
        paths[f"{base}/items"].update(openapi_writes.items_operations(spec, s))
        paths[f"{base}/items/{{featureId}}"] = _op(
            f"getItem_{spec.id}",
            f"{title}: one feature",
            [*f, ref("crs"), ref("draft"), feature_id],
            "feature",
            "application/geo+json",
            errors=("400", "401", "403", "404", "429"),
        )
        paths[f"{base}/items/{{featureId}}"]["get"]["responses"]["200"]["headers"] = {
            "ETag": {"$ref": "#/components/headers/ETag"}
        }
        paths[f"{base}/items/{{featureId}}"].update(
            openapi_writes.item_operations(spec, s, feature_id)
        )
        paths[f"{base}/edits"] = openapi_writes.edits_path(spec)
        paths[f"{base}/items/{{featureId}}/history"] = _history_op(spec.id, title)
    # Collections that are not layers (the citizens' contributions): app/hooks.py
    for extra in hooks.collect("ogcapi.openapi_paths"):
        paths.update(extra)
    paths["/openapi"] = _op("getOpenAPI", "This document", f, "document")
    paths.update(limited_paths(s, [spec.id for spec in svc.registry.published]))
    components = _shared_components(s["MAX_LIMIT"], s["DEFAULT_LIMIT"])
    components["parameters"].update(openapi_writes.parameters())
    components["headers"] = openapi_writes.headers()
    components["securitySchemes"] = openapi_writes.security_schemes()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": s["TITLE"] + " - OGC API Features",
            "version": "1.0.0",
            "description": f"Layers of the SIT geoportal of the {organisation().name.get('en')}.",
            "license": {"name": "Per-layer licences: see each collection"},
        },
        "servers": [{"url": url_for("ogcapi.landing", _external=True).rstrip("/")}],
        "paths": paths,
        "components": components,
    }
