"""The map page and the vendor assets.

Leaflet comes from its XStatic package on PyPI; Leaflet-Geoman, which no Python package
ships, from the pinned copy of its npm package in static/vendor/leaflet-geoman (licence and
manifest beside it; `scripts/refresh_geoman.py` refreshes and checks it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, render_template, send_from_directory, url_for

from app import hooks
from app.i18n import current_language
from app.services import services
from app.viewer.mapbuilder import build_map, layer_config, render_parts, year_control

bp = Blueprint("viewer", __name__)


def _vendor_dirs() -> dict[str, Path]:
    import xstatic.pkg.leaflet as leaflet

    return {
        "leaflet": Path(leaflet.BASE_DIR),
        "leaflet-geoman": Path(bp.root_path).parent / "static" / "vendor" / "leaflet-geoman",
    }


def basemap_settings() -> dict:
    s = services().settings
    return {
        "kind": s["BASEMAP"],
        "url": s["BASEMAP_URL"],
        "attribution": s["BASEMAP_ATTRIBUTION"],
        "wms_layers": s["BASEMAP_WMS_LAYERS"],
    }


@bp.app_context_processor
def _basemap():
    return {"basemap": basemap_settings}


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """Third-party browser assets, served from their packages or pinned copies (never a CDN)."""
    base = _vendor_dirs().get(package)
    if base is None:
        abort(404)
    return send_from_directory(base, filename, max_age=86400)


@bp.get("/")
def index():
    svc = services()
    layers, boxes = [], []
    for spec in svc.registry.published:
        info = svc.store.describe(spec.id)
        if info.bbox:
            boxes.append(info.bbox)
        layers.append(
            layer_config(
                spec,
                url_for("ogcapi.items", collection_id=spec.id),
                url_for("ogcapi.item", collection_id=spec.id, feature_id="__ID__"),
                info.feature_count,
                current_language(),  # titles, groups, labels in the page's language
            )
        )
    # Layers that are not the registry's (the citizens' contributions): app/hooks.py
    layers.extend(hooks.collect("viewer.layers", current_language()))
    bounds = None
    if boxes:
        bounds = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
    m = build_map(
        layers,
        bounds,
        basemap_settings(),
        {
            "leaflet_js": url_for("viewer.vendor", package="leaflet", filename="leaflet.js"),
            "leaflet_css": url_for("viewer.vendor", package="leaflet", filename="leaflet.css"),
        },
    )
    return render_template(
        "viewer/index.html",
        map=render_parts(m),
        layers=layers,
        years=year_control(layers, dt.date.today().year),
    )


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(
        Path(bp.root_path).parent / "static", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
