"""Thin views of the editor: the editable layers, the editor page, the queue as JSON.

Every view needs the editor role (admins have it too); the writes go to the Part 4 API.
"""

from __future__ import annotations

import shapely
import shapely.geometry
from flask import current_app, jsonify, render_template, request, url_for

from app.admin.auth import role_required
from app.editing import bp, queue
from app.editing.fields import form_fields, precisions
from app.errors import EditingDisabled
from app.fonti import readable
from app.fonti.views import catalogue
from app.i18n import current_language
from app.organisation import organisation
from app.publishing.importer import comune_boundary
from app.registry.spec import LayerSpec
from app.services import Services, services
from app.stores.edits import changes
from app.viewer.mapbuilder import layer_config

#: Above this many features a layer is loaded by bounding box, and only from this zoom.
BBOX_ZOOM = 16
#: Layers with at most this many features are offered as snapping targets (as GeoJSON).
SNAP_MAX = 2000
#: The boundary is simplified to about this many degrees (~5 m) before it goes to the page.
BOUNDARY_TOLERANCE = 0.00005
#: The default precisione of each way of placing (the form lets the user change it).
METHODS = (
    ("punto", "edificio"),
    ("indirizzo", "indirizzo"),
    ("tratto", "via"),
    ("area", "area"),
    ("quartiere", "quartiere"),
)


def editable(svc: Services, layer_id: str) -> LayerSpec:
    """A published layer the office may edit; LayerNotFound / EditingDisabled otherwise."""
    spec = svc.layer(layer_id)
    if not spec.editing.enabled:
        raise EditingDisabled(f"the layer '{layer_id}' is not editable (its file: editing)")
    return spec


def draft_page(layer_id: str) -> str:
    """The draft review page (publish, discard): the `drafts` pages at /admin/layers/<id>/draft."""
    return f"{request.script_root}/admin/layers/{layer_id}/draft"


@bp.get("/")
@role_required("editor")
def index():
    svc = services()
    lang = current_language()
    rows = []
    for spec in svc.served_specs():
        if not spec.editing.enabled:
            continue
        rows.append(
            {
                "id": spec.id,
                "title": spec.title.get(lang),
                "geometry_type": spec.geometry_type,
                "features": svc.store.describe(spec.id).feature_count,
                "unplaced": len(queue.unplaced(svc, spec)),
                "pending": len(changes(svc.store.edits(spec.id))),
                "draft_url": draft_page(spec.id),
            }
        )
    return render_template("editing/index.html", rows=rows)


def _layer(svc: Services, spec: LayerSpec, lang: str) -> dict:
    count = svc.store.describe(spec.id).feature_count
    cfg = layer_config(
        spec,
        url_for("ogcapi.items", collection_id=spec.id),
        url_for("ogcapi_session.draft_read", collection_id=spec.id, feature_id="__ID__"),
        count,
        lang,
    )
    # Reads of the served layer go to /api; the draft and the writes to the same Part 4
    # views under /admin/api, where the admin session cookie goes (app/ogcapi/transactions.py).
    cfg["createUrl"] = url_for("ogcapi_session.create_item", collection_id=spec.id)
    cfg["bboxZoom"] = BBOX_ZOOM if cfg["mode"] == "tiles" else None
    cfg["editsUrl"] = url_for("ogcapi_session.pending_edits", collection_id=spec.id)
    cfg["precisionField"] = spec.editing.precision_field
    cfg["sourceField"] = spec.editing.position_source_field
    return cfg


def _snap_layers(svc: Services, spec: LayerSpec, lang: str) -> list[dict]:
    out = []
    for other in svc.served_specs():
        count = svc.store.describe(other.id).feature_count
        if other.id == spec.id or count > SNAP_MAX:
            continue
        out.append(
            {
                "id": other.id,
                "title": other.title.get(lang),
                "count": count,
                "itemsUrl": url_for("ogcapi.items", collection_id=other.id),
            }
        )
    return out


def _boundary(svc: Services) -> dict | None:
    layer_id = organisation().area.boundary_layer

    def build():
        shape = comune_boundary(svc.store, layer_id)
        if shape is None:
            return None
        return shapely.geometry.mapping(shape.simplify(BOUNDARY_TOLERANCE))

    return svc.cached("editing-boundary", build)


def _zones(svc: Services) -> dict | None:
    zones = organisation().zones
    if zones is None or svc.served_spec(zones.layer) is None:
        return None
    return {
        "itemsUrl": url_for("ogcapi.items", collection_id=zones.layer),
        "numberField": zones.number_field,
        "labelField": zones.label_field or zones.name_field,
        "featureField": zones.feature_field,
    }


def _address_search(svc: Services) -> str | None:
    """/api/search, where an address layer is served (its results of kind `address`)."""
    if any(s.search and s.search.address for s in svc.served_specs()):
        return url_for("search.api_search")
    return None


STREETS = "/admin/streets.json"


def _streets() -> str | None:
    """The official street list (ANNCSU, /admin/streets.json), where the app serves one."""
    if any(rule.rule == STREETS for rule in current_app.url_map.iter_rules()):
        return request.script_root + STREETS
    return None


@bp.get("/<layer_id>")
@role_required("editor")
def editor(layer_id: str):
    svc = services()
    spec = editable(svc, layer_id)
    lang = current_language()
    org = organisation()
    config = {
        "layer": _layer(svc, spec, lang),
        "fields": form_fields(spec, lang),
        "precisions": precisions(lang),
        "methods": dict(METHODS),
        "queueUrl": url_for("editing.queue_json", layer_id=spec.id),
        "draftUrl": draft_page(spec.id),
        "snapLayers": _snap_layers(svc, spec, lang),
        "zones": _zones(svc),
        "boundary": _boundary(svc),
        "addressSearch": _address_search(svc),
        "streets": _streets(),
        "map": {"lon": org.map.lon, "lat": org.map.lat, "zoom": org.map.zoom},
    }
    return render_template("editing/editor.html", spec=spec, editor=config)


@bp.get("/<layer_id>/queue")
@role_required("editor")
def queue_json(layer_id: str):
    svc = services()
    spec = editable(svc, layer_id)
    entries = queue.queue(svc, spec, current_language())
    for e in entries:  # the raw reference, and the readable citation the page shows
        e["source_citation"] = readable(e["source"], catalogue(), current_language())
    return jsonify({"layer": spec.id, "count": len(entries), "features": entries})
