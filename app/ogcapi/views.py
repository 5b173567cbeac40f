"""Thin views of OGC API - Features Part 1: parse, ask the store, render JSON or HTML."""

from __future__ import annotations

from flask import Blueprint, Response, json, render_template, request

from app.ogcapi import documents, params
from app.ogcapi.links import GEOJSON, JSON, OPENAPI
from app.ogcapi.openapi import openapi_document
from app.services import services
from app.stores.base import Query

bp = Blueprint("ogcapi", __name__)


def _format() -> str:
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, OPENAPI, "text/html"], default=JSON)
    return params.parse_format(request.args, best == "text/html")


def _render(doc: dict, fmt: str, template: str, mimetype: str = JSON, **context) -> Response:
    if fmt == "html":
        return Response(render_template(template, doc=doc, **context), mimetype="text/html")
    return Response(json.dumps(doc), mimetype=mimetype)


def _check_params(allowed: set[str]) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise params.InvalidParameter(
            f"unknown parameter {unknown[0]!r}; this resource accepts: {', '.join(sorted(allowed))}",
            unknown[0],
        )


@bp.get("", strict_slashes=False)
def landing():
    _check_params({"f"})
    fmt = _format()
    doc = documents.landing(services().settings["TITLE"], fmt)
    return _render(doc, fmt, "api/landing.html")


@bp.get("/conformance")
def conformance():
    _check_params({"f"})
    fmt = _format()
    return _render(documents.conformance(), fmt, "api/conformance.html")


@bp.get("/collections")
def collections():
    _check_params({"f"})
    fmt = _format()
    svc = services()
    entries = [(spec, svc.store.describe(spec.id)) for spec in svc.registry.published]
    return _render(documents.collections(entries, fmt), fmt, "api/collections.html")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    _check_params({"f"})
    fmt = _format()
    svc = services()
    spec = svc.layer(collection_id)
    doc = documents.collection(spec, svc.store.describe(spec.id), fmt)
    return _render(doc, fmt, "api/collection.html", spec=spec)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    fmt = _format()
    settings = svc.settings
    params.parse_datetime(request.args)
    query = Query(
        bbox=params.parse_bbox(request.args),
        equals=params.parse_equals(request.args, spec),
        limit=params.parse_limit(request.args, settings["DEFAULT_LIMIT"], settings["MAX_LIMIT"]),
        offset=params.parse_offset(request.args),
    )
    page = svc.store.query(spec, query)
    doc = documents.items(spec, page, fmt, query.offset, query.limit)
    return _render(doc, fmt, "api/items.html", GEOJSON, spec=spec, query=query)


@bp.get("/collections/<collection_id>/items/<feature_id>")
def item(collection_id: str, feature_id: str):
    _check_params({"f"})
    svc = services()
    spec = svc.layer(collection_id)
    fmt = _format()
    feature = svc.store.get(spec, feature_id).as_geojson()
    doc = documents.item(spec, feature, fmt)
    return _render(doc, fmt, "api/item.html", GEOJSON, spec=spec)


@bp.get("/openapi")
def openapi():
    _check_params({"f"})
    fmt = _format()
    doc = openapi_document(services())
    if fmt == "html":
        return Response(render_template("api/openapi.html", doc=doc), mimetype="text/html")
    return Response(json.dumps(doc), mimetype=OPENAPI)
