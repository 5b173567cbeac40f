"""A published map as a page: live at /embed/<slug>, or as one standalone HTML file.

Both use the viewer's folium map and `static/geoportale.js` (same styles, popups, legend).

- The embed page loads Leaflet, our script and the layers from this site (the public OGC
  API), so it always shows what is published now.
- The standalone file carries everything inside it: Leaflet's JS and CSS (its images as
  data: URIs), our script, and every feature of every layer as JSON. A few lines make
  `fetch("inline:<layer>")` answer from that JSON, so geoportale.js works unchanged from a
  `file://` page with no network. Its own Content-Security-Policy allows no connection at
  all, only its own inline scripts (by their SHA-256 hashes), and images only from the
  basemap host (none, or OpenStreetMap's tiles).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, render_template, url_for
from markupsafe import escape

from app.errors import LayerNotFound
from app.maps.definitions import MapDefinition
from app.services import services
from app.settings import OSM_ATTRIBUTION, OSM_URL
from app.stores.base import BBox, Query
from app.viewer.mapbuilder import build_map, layer_config, render_parts

STATIC = Path(__file__).parent / "static"
INLINE_SCHEME = "inline:"
#: Rows of the text alternative (the list under the map) per layer in a standalone file.
MAX_LISTED = 500
OSM_HOST = "https://tile.openstreetmap.org"
#: Stands for the script hashes in the standalone file's policy until the file is rendered.
SCRIPT_HASHES = "SCRIPT-HASHES"
_INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)


@dataclass
class ComposedMap:
    """The layers of a map that are published now, and the ones that are not."""

    definition: MapDefinition
    layers: list[dict] = field(default_factory=list)  # layer_config() dicts, in order
    bounds: BBox | None = None
    missing: list[str] = field(default_factory=list)


def basemap_for(definition: MapDefinition) -> dict:
    if definition.basemap == "osm":
        return {"kind": "xyz", "url": OSM_URL, "attribution": OSM_ATTRIBUTION, "wms_layers": ""}
    return {"kind": "none", "url": "", "attribution": "", "wms_layers": ""}


def _union(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def compose(definition: MapDefinition, *, inline: bool, lang: str = "it") -> ComposedMap:
    """The layer configs of the map: API URLs (embed) or `inline:` ones (standalone)."""
    svc = services()
    out = ComposedMap(definition)
    boxes = []
    for layer_id in definition.layers:
        try:
            spec = svc.layer(layer_id)
            info = svc.store.describe(layer_id)
        except LayerNotFound:
            out.missing.append(layer_id)
            continue
        item = url_for("ogcapi.item", collection_id=layer_id, feature_id="__ID__", _external=inline)
        items = (
            INLINE_SCHEME + layer_id if inline else url_for("ogcapi.items", collection_id=layer_id)
        )
        cfg = layer_config(spec, items, item, info.feature_count, lang)
        cfg["visible"] = True
        if inline:
            cfg["mode"] = "geojson"  # the data travels inside the file, never as tiles
        cfg["listUrl"] = url_for("ogcapi.items", collection_id=layer_id, f="html", _external=inline)
        out.layers.append(cfg)
        if info.bbox:
            boxes.append(info.bbox)
    out.bounds = _union(boxes)
    return out


def _map_parts(composed: ComposedMap, assets: dict) -> dict:
    m = build_map(composed.layers, composed.bounds, basemap_for(composed.definition), assets)
    return render_parts(m)


def embed_page(definition: MapDefinition) -> str:
    """The live page for `<iframe src=".../embed/<slug>">`."""
    composed = compose(definition, inline=False)
    assets = {
        "leaflet_js": url_for("viewer.vendor", package="leaflet", filename="leaflet.js"),
        "leaflet_css": url_for("viewer.vendor", package="leaflet", filename="leaflet.css"),
    }
    return render_template(
        "maps/map.html",
        composed=composed,
        map=_map_parts(composed, assets),
        standalone=False,
        css=None,
        lists={},
    )


def embed_snippet(embed_url: str, title: str) -> str:
    """The `<iframe>` HTML an admin copies into another site (plain text, not Markup).

    Its values are escaped for an HTML attribute here, once: the template escapes the
    whole snippet again to show it as text, so what is copied is this safe HTML.
    """
    return (
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}" width="100%" height="500" '
        'style="border:0" loading="lazy"></iframe>'
    )


# -- standalone -----------------------------------------------------------------------


def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as leaflet

    return Path(leaflet.BASE_DIR)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def leaflet_inline() -> tuple[str, str]:
    """Leaflet's JS and CSS, the CSS's images as data: URIs (no request for them)."""
    base = _leaflet_dir()
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    css = re.sub(
        r"url\((images/[A-Za-z0-9_.-]+\.png)\)",
        lambda m: f"url({_data_uri(base / m.group(1))})",
        css,
    )
    return (base / "leaflet.js").read_text(encoding="utf-8"), css


def script_safe(text: str) -> str:
    """JavaScript source that can sit inside <script>…</script>: no closing tag inside.

    For code we ship (Leaflet, geoportale.js); data goes through `json_for_script`.
    """
    return re.sub(r"</(?=script)", r"<\\/", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


#: Characters that may end a <script> element or switch the HTML tokenizer's script states
#: (`</script`, `<!--`, `<script`), and the two line separators that were not valid in
#: JavaScript strings before ES2019. Outside strings JSON has none of them, so the escapes
#: only ever land inside string literals, where JSON.parse reads them back exactly.
_SCRIPT_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def json_for_script(data) -> str:
    """`data` as JSON text safe inside `<script type="application/json">`, any value."""
    return json.dumps(data, ensure_ascii=False, default=str).translate(_SCRIPT_JSON_ESCAPES)


def _layer_data(composed: ComposedMap) -> dict[str, dict]:
    svc = services()
    data = {}
    for cfg in composed.layers:
        spec = svc.layer(cfg["id"])
        page = svc.store.query(spec, Query(limit=max(cfg["count"], 1)))
        data[cfg["id"]] = {
            "type": "FeatureCollection",
            "features": [f.as_geojson() for f in page.features],
            "numberMatched": page.number_matched,
            "links": [],
        }
    return data


def _lists(composed: ComposedMap, data: dict[str, dict]) -> dict[str, dict]:
    """The text alternative of each layer: title and popup fields of the first rows."""
    out = {}
    for cfg in composed.layers:
        features = data[cfg["id"]]["features"]
        columns = [c for c in cfg["popup"] if c["name"] != cfg["titleField"]][:4]
        rows = []
        for feat in features[:MAX_LISTED]:
            props = feat["properties"] or {}
            title = props.get(cfg["titleField"]) if cfg["titleField"] else None
            rows.append(
                {
                    "title": title if title not in (None, "") else feat["id"],
                    "cells": [props.get(c["name"]) for c in columns],
                }
            )
        out[cfg["id"]] = {"columns": columns, "rows": rows, "total": len(features)}
    return out


def standalone_html(definition: MapDefinition) -> str:
    """One self-contained HTML file of the map (see the module docstring)."""
    composed = compose(definition, inline=True)
    leaflet_js, leaflet_css = leaflet_inline()
    m = build_map(
        composed.layers,
        composed.bounds,
        basemap_for(definition),
        {"leaflet_js": "", "leaflet_css": ""},
        external=True,
    )
    m.default_js, m.default_css = [], []  # Leaflet goes inline instead of as links
    parts = render_parts(m)
    data = _layer_data(composed)
    static = Path(current_app.static_folder)
    html = render_template(
        "maps/map.html",
        composed=composed,
        map=parts,
        standalone=True,
        lists=_lists(composed, data),
        inline={
            "leaflet_js": script_safe(leaflet_js),
            "leaflet_css": leaflet_css,
            "geoportale_js": script_safe((static / "geoportale.js").read_text(encoding="utf-8")),
            "shim": (STATIC / "inline-fetch.js").read_text(encoding="utf-8"),
            "common_js": script_safe((static / "geoportale-common.js").read_text(encoding="utf-8")),
            "data": json_for_script(data),
        },
        css=(STATIC / "maps.css").read_text(encoding="utf-8"),
        csp=standalone_csp(definition),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    return html.replace(SCRIPT_HASHES, " ".join(script_hashes(html)), 1)


def script_hashes(html: str) -> list[str]:
    """The CSP sources (`'sha256-…'`) of the inline scripts the browser runs in `html` (a
    page we rendered: folium's code, our config through `tojson`, which escapes "<", so no
    value can end an element early), each once; JSON data blocks are not run."""
    sources = []
    for attrs, body in _INLINE_SCRIPT.findall(html):
        if "src=" in attrs or "application/json" in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        sources.append(f"'sha256-{digest}'")
    return list(dict.fromkeys(sources))


def standalone_csp(definition: MapDefinition) -> str:
    """The file's own policy: its inline scripts only, no connections, images from the basemap.

    The scripts' hashes are known once the file is rendered: `SCRIPT_HASHES` stands for them.
    """
    images = "data:" + (f" {OSM_HOST}" if definition.basemap == "osm" else "")
    return (
        f"default-src 'none'; script-src {SCRIPT_HASHES}; style-src 'unsafe-inline'; "
        f"img-src {images}; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def embed_csp(policy: str, definition: MapDefinition, html: str) -> str:
    """The site's strict policy (no nonce) for the embed page `html`: its inline scripts
    allowed by hash, plus OpenStreetMap's tiles when the map uses them.

    Hashes, not a nonce, because /embed/ pages are publicly cached: a shared cache would
    hand the same "per-response" nonce to every visitor, while a hash stays true of the
    cached body whoever gets it.
    """
    scripts = " ".join(script_hashes(html))
    policy = policy.replace("script-src 'self'", f"script-src 'self' {scripts}", 1)
    if definition.basemap != "osm" or OSM_HOST in policy:
        return policy
    return policy.replace("img-src 'self' data:", f"img-src 'self' data: {OSM_HOST}", 1)
