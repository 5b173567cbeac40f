"""Preview one version of a layer (a draft before publishing, or any kept version) on a map.

The page is the viewer's folium map with the version's own style and popups; its features
come from an admin JSON route that reads that version (`store.query(..., version=n)`), so a
draft is seen by logged-in users only and never by the public API.
"""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from app.admin.auth import login_required
from app.admin.publishing import bp
from app.admin.publishing.service import version_features, version_info
from app.errors import InvalidParameter
from app.services import services
from app.viewer.mapbuilder import build_map, layer_config, render_parts
from app.viewer.views import basemap_settings


def _int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be an integer", name) from None
    if not lowest <= value <= highest:
        raise InvalidParameter(f"{name} must be between {lowest} and {highest}", name)
    return value


def leaflet_assets() -> dict:
    """Leaflet from our vendor route (the XStatic package), never a CDN."""
    return {
        "leaflet_js": url_for("viewer.vendor", package="leaflet", filename="leaflet.js"),
        "leaflet_css": url_for("viewer.vendor", package="leaflet", filename="leaflet.css"),
    }


@bp.get("/layers/<layer_id>/versions/<int:version>/preview")
@login_required
def preview(layer_id: str, version: int):
    """The version on a map with its style and popups, before (or after) publishing."""
    info = version_info(services().store, layer_id, version)
    cfg = layer_config(
        info.spec,
        url_for(".preview_items", layer_id=layer_id, version=version),
        url_for(".preview_item", layer_id=layer_id, version=version, feature_id="__ID__"),
        info.feature_count,
        "it",
    )
    cfg["visible"] = True
    cfg["mode"] = "geojson"  # the version's own features, never the served layer's tiles
    m = build_map([cfg], info.bbox, basemap_settings(), leaflet_assets())
    return render_template(
        "admin/publishing/preview.html", map=render_parts(m), layer=cfg, info=info
    )


@bp.get("/layers/<layer_id>/versions/<int:version>/items")
@login_required
def preview_items(layer_id: str, version: int):
    """That version's features as GeoJSON (`limit`, `offset`; a `next` link to page on)."""
    svc = services()
    info = version_info(svc.store, layer_id, version)
    limit = _int_arg("limit", svc.settings["DEFAULT_LIMIT"], 1, svc.settings["MAX_LIMIT"])
    offset = _int_arg("offset", 0, 0, 10**9)

    def next_url(at: int) -> str:
        return url_for(
            ".preview_items", layer_id=layer_id, version=version, f="json", limit=limit, offset=at
        )

    doc = version_features(svc.store, info, limit, offset, next_url)
    response = jsonify(doc)
    response.mimetype = "application/geo+json"
    return response


@bp.get("/layers/<layer_id>/versions/<int:version>/items/<feature_id>")
@login_required
def preview_item(layer_id: str, version: int, feature_id: str):
    """One feature of that version: a table of its attributes (JSON with `f=json`)."""
    store = services().store
    info = version_info(store, layer_id, version)
    feature = store.get(info.spec, feature_id, version=version).as_geojson()
    if request.args.get("f") == "json":
        return jsonify(feature)
    return render_template(
        "admin/publishing/feature.html", feature=feature, spec=info.spec, info=info
    )
