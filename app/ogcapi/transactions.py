"""OGC API - Features Part 4 (create, replace, update, delete) on /api, for the SIT office.

Thin views: the request is read by `edit_requests`, the store checks and records the edit
(app/stores/catalog_edits.py) in the layer's draft, and the public keeps reading the served
version until the edits are published. Every write answers with the feature as the draft
now holds it, its `ETag`, and the headers of docs/api.md:

- `Geoportale-Draft-Of`: the served version the draft is based on;
- `Geoportale-Published-Version`: the new served version, where the layer publishes each
  edit at once (`editing.publish: immediate`);
- `Geoportale-Warning: outside-comune`: the geometry lies outside the comune's boundary
  (the organisation's `area.boundary_layer`); the write is kept, the client asks its user.
"""

from __future__ import annotations

import shapely.geometry
from flask import Blueprint, Response, request

from app.geo.crs import uri_of
from app.ogcapi import documents, edit_requests, params
from app.ogcapi.links import GEOJSON, JSON, url
from app.ogcapi.views import bp, dumps, feature_document
from app.organisation import organisation
from app.publishing.importer import comune_boundary
from app.registry.spec import LayerSpec
from app.services import Services, services
from app.stores.base import Feature
from app.stores.edits import EditResult, changes

ITEMS = "/collections/<collection_id>/items"
ITEM = "/collections/<collection_id>/items/<feature_id>"
READS = ("GET", "HEAD", "OPTIONS")


def _no_store(response: Response) -> Response:
    """Writes and drafts are one editor's view of the moment: never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _outside_comune(svc: Services, geometry: dict | None) -> bool:
    layer_id = organisation().area.boundary_layer
    if geometry is None or layer_id is None:
        return False
    boundary = svc.cached("comune-boundary", lambda: comune_boundary(svc.store, layer_id))
    return boundary is not None and not boundary.covers(shapely.geometry.shape(geometry))


def _feature_response(spec: LayerSpec, feature: Feature, etag: str, crs: str, status=200):
    doc = documents.item(spec, feature_document(feature, crs), "json")
    response = Response(dumps(doc), status=status, mimetype=GEOJSON)
    response.headers["ETag"] = etag
    response.headers["Content-Crs"] = f"<{uri_of(crs)}>"
    return response


def _written(svc: Services, spec: LayerSpec, result: EditResult, status: int = 200) -> Response:
    if result.feature is None:  # deleted
        response = _empty()
    else:
        response = _feature_response(spec, result.feature, result.etag, "OGC:CRS84", status)
        if status == 201:
            fid = str(result.feature.id)
            response.headers["Location"] = url("ogcapi.item", collection_id=spec.id, feature_id=fid)
        if _outside_comune(svc, result.feature.geometry):
            response.headers["Geoportale-Warning"] = "outside-comune"
    response.headers["Geoportale-Draft-Of"] = str(result.draft_of)
    if result.published is not None:
        response.headers["Geoportale-Published-Version"] = str(result.published)
    return _no_store(response)


@bp.post(ITEMS, provide_automatic_options=False)
def create_item(collection_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    user = edit_requests.writer()
    change = edit_requests.created(spec)
    result = svc.store.edit(spec, change, user=user.username, if_match=None)
    return _written(svc, spec, result, 201)


@bp.put(ITEM, provide_automatic_options=False)
def replace_item(collection_id: str, feature_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    user = edit_requests.writer()
    change = edit_requests.replaced(spec, params.parse_feature_id(feature_id))
    result = svc.store.edit(spec, change, user=user.username, if_match=edit_requests.if_match())
    return _written(svc, spec, result)


@bp.patch(ITEM, provide_automatic_options=False)
def update_item(collection_id: str, feature_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    user = edit_requests.writer()
    change = edit_requests.patched(spec, params.parse_feature_id(feature_id))
    result = svc.store.edit(spec, change, user=user.username, if_match=edit_requests.if_match())
    return _written(svc, spec, result)


@bp.delete(ITEM, provide_automatic_options=False)
def delete_item(collection_id: str, feature_id: str):
    svc = services()
    spec = svc.layer(collection_id)
    user = edit_requests.writer()
    change = edit_requests.deleted(params.parse_feature_id(feature_id))
    result = svc.store.edit(spec, change, user=user.username, if_match=edit_requests.if_match())
    return _written(svc, spec, result)


def _empty() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def _allow(methods: tuple[str, ...]) -> Response:
    response = _empty()
    response.headers["Allow"] = ", ".join(methods)
    return response


@bp.route(ITEMS, methods=["OPTIONS"])
def items_options(collection_id: str):
    spec = services().layer(collection_id)
    return _allow(READS + (("POST",) if spec.editing.enabled else ()))


@bp.route(ITEM, methods=["OPTIONS"])
def item_options(collection_id: str, feature_id: str):
    spec = services().layer(collection_id)
    return _allow(READS + (("PUT", "PATCH", "DELETE") if spec.editing.enabled else ()))


def draft_item(spec: LayerSpec, feature_id: str, crs: str) -> Response:
    """`GET .../items/{featureId}?draft=true`: the feature as the draft holds it (editors)."""
    edit_requests.writer()
    svc = services()
    feature, etag = svc.store.draft_get(spec, feature_id)
    response = _feature_response(spec, feature, etag, crs)
    response.headers["Geoportale-Draft-Of"] = str(svc.store.describe(spec.id).version)
    return _no_store(response)


def _change_document(change) -> dict:
    return {
        "featureId": change.feature_id,
        "kind": change.kind,
        "moved": change.moved,
        "fields": list(change.fields),
        "before": change.before,
        "after": change.after,
        "edits": change.edits,
        "user": change.user,
        "at": change.at,
    }


@bp.get("/collections/<collection_id>/edits")
def pending_edits(collection_id: str):
    """The layer's pending edits as a diff per feature (the web editor lists them)."""
    svc = services()
    spec = svc.layer(collection_id)
    params.check_known(request.args, {"f"})
    edit_requests.writer()
    doc = {
        "base": svc.store.describe(spec.id).version,
        "changes": [_change_document(c) for c in changes(svc.store.edits(spec.id))],
    }
    return _no_store(Response(dumps(doc), mimetype=JSON))


#: The same writes and draft reads for the web editor, under /admin/api: the browser sends
#: the admin session cookie only below /admin (app/security.py), so the editor writes there
#: with its session and CSRF token; programs write to /api with a token. One set of views.
session_bp = Blueprint("ogcapi_session", __name__)
for _rule, _view, _methods in (
    (ITEMS, create_item, ["POST"]),
    (ITEM, replace_item, ["PUT"]),
    (ITEM, update_item, ["PATCH"]),
    (ITEM, delete_item, ["DELETE"]),
    ("/collections/<collection_id>/edits", pending_edits, ["GET"]),
):
    session_bp.add_url_rule(
        _rule, view_func=_view, methods=_methods, provide_automatic_options=False
    )


@session_bp.get(ITEM)
def draft_read(collection_id: str, feature_id: str):
    """The feature as the editor's draft holds it (the session twin of `?draft=true`)."""
    svc = services()
    spec = svc.layer(collection_id)
    params.check_known(request.args, {"f", "crs", "draft"})
    crs = params.parse_crs(request.args)
    return draft_item(spec, params.parse_feature_id(feature_id), crs)
