"""Thin views of OGC API - Features Part 1: parse, ask the store, render JSON or HTML."""

from __future__ import annotations

import datetime as dt
import decimal

import orjson
from flask import Blueprint, Response, g, render_template, request

from app import catalog, hooks
from app.geo.crs import geometry_to, uri_of
from app.i18n import current_language
from app.ogcapi import documents, params
from app.ogcapi.history import feature_history, history_document
from app.ogcapi.links import GEOJSON, JSON, OPENAPI, SCHEMA
from app.ogcapi.openapi import openapi_document
from app.organisation import organisation
from app.services import services
from app.stores.base import Query
from app.stores.cql2 import conjunction
from app.stores.edits import etag_of

bp = Blueprint("ogcapi", __name__)


def negotiated_format() -> str:
    """'json' or 'html': `f`, else the Accept header (a browser gets HTML), for every
    collection of the API, the layers' and the contributions' (app/contributions)."""
    if "f" not in request.args:  # chosen by the Accept header: caches must key on it
        g.vary_accept = True
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, OPENAPI, "text/html"], default=JSON)
    return params.parse_format(request.args, best == "text/html")


def _default(value):
    """What orjson does not write itself: numeric and date values of unusual drivers."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(doc) -> bytes:
    return orjson.dumps(doc, default=_default)


def _render(doc: dict, fmt: str, template: str, mimetype: str = JSON, **context) -> Response:
    if fmt == "html":
        return Response(render_template(template, doc=doc, **context), mimetype="text/html")
    return Response(dumps(doc), mimetype=mimetype)


def feature_document(feature, crs: str) -> dict:
    """A GeoJSON feature for the JSON responses. In CRS84 the store's GeoJSON text of the
    geometry goes into the response as it is (never parsed and re-written)."""
    if crs == "OGC:CRS84":
        text = feature.geometry_json
        geometry = None if text is None else orjson.Fragment(text)
    else:
        geometry = geometry_to(feature.geometry, crs)
    return {
        "type": "Feature",
        "id": feature.id,
        "geometry": geometry,
        "properties": feature.properties,
    }


def _check_params(allowed: set[str]) -> None:
    params.check_known(request.args, allowed)


@bp.get("", strict_slashes=False)
def landing():
    _check_params({"f"})
    fmt = negotiated_format()
    doc = documents.landing(services().settings["TITLE"], fmt)
    return _render(doc, fmt, "api/landing.html")


@bp.get("/conformance")
def conformance():
    _check_params({"f"})
    fmt = negotiated_format()
    return _render(documents.conformance(), fmt, "api/conformance.html")


@bp.get("/collections")
def collections():
    _check_params({"f"})
    fmt = negotiated_format()
    svc = services()
    entries = [
        (spec, svc.store.describe(spec.id), svc.geometry_types(spec))
        for spec in svc.registry.published
    ]
    doc = documents.collections(entries, fmt)
    # Collections that are not layers (the citizens' contributions): app/hooks.py
    doc["collections"].extend(hooks.collect("ogcapi.collections", "json", current_language()))
    return _render(doc, fmt, "api/collections.html")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    _check_params({"f"})
    fmt = negotiated_format()
    svc = services()
    spec = svc.layer(collection_id)
    info = svc.store.describe(spec.id)
    doc = documents.collection(spec, info, fmt, types=svc.geometry_types(spec))
    return _render(doc, fmt, "api/collection.html", spec=spec)


# OPTIONS of the items and of an item: app/ogcapi/transactions.py (Allow names the writes).
@bp.get("/collections/<collection_id>/items", provide_automatic_options=False)
def items(collection_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    fmt = negotiated_format()
    settings = svc.settings
    params.parse_datetime(request.args)
    bbox, area = params.parse_bbox(request.args)
    crs = params.parse_crs(request.args)
    query = Query(
        bbox=bbox,
        equals=params.parse_equals(request.args, spec),
        filter=conjunction(area, params.parse_filter(request.args, spec)),
        limit=params.parse_limit(request.args, settings["DEFAULT_LIMIT"], settings["MAX_LIMIT"]),
        offset=params.parse_offset(request.args),
    )
    page = svc.store.query(spec, query)
    features = None
    if fmt == "json":
        features = [feature_document(f, crs) for f in page.features]
    doc = documents.items(spec, page, fmt, query.offset, query.limit, features)
    response = _render(doc, fmt, "api/items.html", GEOJSON, spec=spec, query=query)
    response.headers["Content-Crs"] = f"<{uri_of(crs)}>"
    return response


@bp.get("/collections/<collection_id>/items/<feature_id>", provide_automatic_options=False)
def item(collection_id: str, feature_id: str):
    _check_params({"f", "crs", "draft"})
    svc = services()
    spec = svc.layer(collection_id)
    crs = params.parse_crs(request.args)
    if params.parse_draft(request.args):  # editors: the feature as their draft holds it
        from app.ogcapi.transactions import draft_item  # it builds on this module

        return draft_item(spec, params.parse_feature_id(feature_id), crs)
    fmt = negotiated_format()
    found = svc.store.get(spec, params.parse_feature_id(feature_id))
    feature = feature_document(found, crs) if fmt == "json" else found.as_geojson()
    doc = documents.item(spec, feature, fmt)
    history = feature_history(svc.store, spec, found.id) if fmt == "html" else None
    zones = organisation().zones
    words = zones.value_words(spec.field_names, current_language()) if zones else {}
    response = _render(
        doc, fmt, "api/item.html", GEOJSON, spec=spec, history=history, value_words=words
    )
    response.headers["Content-Crs"] = f"<{uri_of(crs)}>"
    if fmt == "json":  # the feature's ETag, for If-Match (Part 4); HTML: its page's hash
        response.headers["ETag"] = etag_of(found)
    return response


@bp.get("/collections/<collection_id>/items/<feature_id>/history")
def item_history(collection_id: str, feature_id: str):
    """The feature's published edits, oldest first (no user names: see ogcapi/history.py)."""
    _check_params({"f"})
    if request.args.get("f", "json") != "json":
        raise params.InvalidParameter("the history is served as JSON only (f=json)", "f")
    svc = services()
    spec = svc.layer(collection_id)
    fid = params.parse_feature_id(feature_id)
    entries = feature_history(svc.store, spec, fid)
    return Response(dumps(history_document(spec, fid, entries)), mimetype=JSON)


@bp.get("/collections/<collection_id>/metadata")
def metadata(collection_id: str):
    """The layer's metadata record (OGC API Records-like; DCAT-AP_IT at /catalog.jsonld)."""
    _check_params({"f"})
    svc = services()
    spec = svc.layer(collection_id)
    fmt = negotiated_format()
    doc = catalog.record(spec, svc.store.describe(spec.id))
    return _render(doc, fmt, "api/metadata.html", GEOJSON, spec=spec)


@bp.get("/collections/<collection_id>/queryables")
def queryables(collection_id: str):
    _check_params({"f"})
    svc = services()
    spec = svc.layer(collection_id)
    fmt = negotiated_format()
    doc = documents.queryables(spec, types=svc.geometry_types(spec))
    return _render(doc, fmt, "api/queryables.html", SCHEMA, spec=spec)


@bp.get("/collections/<collection_id>/schema")
def schema(collection_id: str):
    """The schema of the features (Part 5): fields, id, and every geometry type held."""
    _check_params({"f"})
    svc = services()
    spec = svc.layer(collection_id)
    fmt = negotiated_format()
    doc = documents.schema(spec, types=svc.geometry_types(spec))
    return _render(doc, fmt, "api/queryables.html", SCHEMA, spec=spec, schema=True)


@bp.get("/openapi")
def openapi():
    _check_params({"f"})
    fmt = negotiated_format()
    doc = openapi_document(services())
    if fmt == "html":
        return Response(render_template("api/openapi.html", doc=doc), mimetype="text/html")
    return Response(dumps(doc), mimetype=OPENAPI)
