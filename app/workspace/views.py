"""Thin views of the planner workspace: the page, coordinate conversion, print."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from app.errors import InvalidParameter
from app.heavy import heavy_slot
from app.i18n import gettext
from app.organisation import organisation
from app.query import check_known
from app.security import content_security_policy, csp_nonce
from app.services import services
from app.viewer.mapbuilder import build_map, layer_config, render_parts, year_control
from app.workspace import coords, printing

bp = Blueprint("workspace", __name__)


def basemaps() -> list[dict]:
    """The basemaps offered: the configured one, the workspace WMS (if set), and none."""
    s = services().settings
    out = []
    if s["BASEMAP"] == "xyz" and s["BASEMAP_URL"]:
        out.append(
            {
                "id": "base",
                "title": gettext("Mappa di base"),
                "kind": "xyz",
                "url": s["BASEMAP_URL"],
                "attribution": s["BASEMAP_ATTRIBUTION"],
            }
        )
    elif s["BASEMAP"] == "wms" and s["BASEMAP_URL"]:
        out.append(
            {
                "id": "base",
                "title": gettext("Mappa di base (WMS)"),
                "kind": "wms",
                "url": s["BASEMAP_URL"],
                "layers": s["BASEMAP_WMS_LAYERS"],
                "attribution": s["BASEMAP_ATTRIBUTION"],
            }
        )
    if s["WORKSPACE_WMS_URL"]:
        out.append(
            {
                "id": "wms",
                "title": s["WORKSPACE_WMS_TITLE"],
                "kind": "wms",
                "url": s["WORKSPACE_WMS_URL"],
                "layers": s["WORKSPACE_WMS_LAYERS"],
                "attribution": s["WORKSPACE_WMS_ATTRIBUTION"],
            }
        )
    out.append({"id": "none", "title": gettext("Nessuna"), "kind": "none"})
    return out


def _image_hosts(entries: list[dict]) -> list[str]:
    hosts = []
    for b in entries:
        parts = urlsplit(b.get("url", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            hosts.append(f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".replace("{s}", "*"))
    return hosts


@bp.get("/workspace")
def index():
    svc = services()
    layers = []
    for spec in svc.registry.published:
        info = svc.store.describe(spec.id)
        cfg = layer_config(
            spec,
            url_for("ogcapi.items", collection_id=spec.id),
            url_for("ogcapi.item", collection_id=spec.id, feature_id="__ID__"),
            info.feature_count,
            "it",
        )
        cfg["fields"] = [{"name": f.name, "type": f.type, "label": f.label.it} for f in spec.fields]
        cfg["bbox"] = info.bbox
        layers.append(cfg)
    boxes = [lyr["bbox"] for lyr in layers if lyr["bbox"]]
    bounds = None
    if boxes:
        bounds = tuple(f(b[i] for b in boxes) for i, f in enumerate((min, min, max, max)))
    m = build_map(
        layers,
        bounds,
        {"kind": "none"},
        {
            "leaflet_js": url_for("viewer.vendor", package="leaflet", filename="leaflet.js"),
            "leaflet_css": url_for("viewer.vendor", package="leaflet", filename="leaflet.css"),
        },
    )
    choices = basemaps()
    default = next((b["id"] for b in choices if b["id"] == "base"), "none")
    ws = {
        "basemaps": choices,
        "basemap": default,
        "processes": url_for("processes.index"),
        "transform": url_for("workspace.transform"),
        "print": url_for("workspace.print_map"),
        "printName": f"mappa-{organisation().slug}",
        "layers": [
            {k: lyr[k] for k in ("id", "title", "itemsUrl", "titleField", "geometryType")}
            for lyr in layers
        ],
        "crs": ["EPSG:4326", "EPSG:7791", "EPSG:3003", "EPSG:6707", "EPSG:32632", "EPSG:3857"],
    }
    body = render_template(
        "workspace/index.html",
        map=render_parts(m),
        layers=layers,
        ws=ws,
        years=year_control(layers, dt.date.today().year),
    )
    response = Response(body, mimetype="text/html")
    policy = content_security_policy(services().settings, nonce=csp_nonce(), embed=False)
    extra = " ".join(_image_hosts(choices))
    if extra:
        policy = policy.replace("img-src 'self' data:", f"img-src 'self' data: {extra}")
    response.headers["Content-Security-Policy"] = policy
    return response


@bp.get("/api/workspace/transform")
def transform():
    """A point in any supported CRS as WGS84, EPSG:7791 and EPSG:3003 (JSON)."""
    check_known(request.args, {"x", "y", "crs"})
    return jsonify(
        coords.convert(request.args.get("x"), request.args.get("y"), request.args.get("crs"))
    )


@bp.post("/api/workspace/print")
def print_map():
    """The view as a PDF or PNG page (JSON body, see printing.PrintRequest)."""
    body = request.get_json(silent=True)
    if body is None:
        raise InvalidParameter("send a JSON body", "body")
    svc = services()
    req = printing.parse_print_request(body, svc.settings["TITLE"])
    with heavy_slot():  # a large print takes seconds: it must not hold every worker
        data = printing.render(svc.store, svc.layer, req, svc.settings["MAX_PRINT_FEATURES"])
    mime = "application/pdf" if req.format == "pdf" else "image/png"
    response = Response(data, mimetype=mime)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="mappa-{organisation().slug}-{req.paper}-{req.orientation}.'
        f'{req.format}"'
    )
    return response
