"""Compose the viewer map with folium; every asset is served by this app, none from a CDN.

folium builds the map, the basemap and the scale bar; the vector layers are loaded from our
own OGC API by `static/geoportale.js`, which also draws the grouped layer panel and legends.
"""

from __future__ import annotations

import re

import folium
from branca.element import MacroElement
from flask import current_app, url_for
from folium.elements import JSCSSMixin
from jinja2 import Template

from app.fonti.views import sources_for_scripts
from app.organisation import organisation
from app.registry.spec import LayerSpec
from app.stores.base import BBox


class LocalMap(folium.Map):
    """folium's Map without its CDN assets: Leaflet comes from our vendor route."""

    def __init__(self, leaflet_js: str, leaflet_css: str, **kwargs):
        super().__init__(**kwargs)
        self.default_js = [("leaflet", leaflet_js)]
        self.default_css = [("leaflet_css", leaflet_css)]


class GeoportaleLayers(JSCSSMixin, MacroElement):
    """Hands the layer configuration to `Geoportale.init` once the map exists.

    With a layer in tiles mode it also loads our vector tile renderer (geoportale-tiles.js).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "Geoportale.init({{ this._parent.get_name() }}, {{ this.config|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, config: dict):
        super().__init__()
        self._name = "GeoportaleLayers"
        self.config = config
        self.default_js = []
        if any(layer.get("mode") == "tiles" for layer in config["layers"]):
            tiles_js = url_for("static", filename="geoportale-tiles.js")
            self.default_js = [("geoportale_tiles", tiles_js)]


def layer_config(
    spec: LayerSpec,
    items_url: str,
    item_url: str,
    count: int,
    lang: str,
    tiles_threshold: int | None = None,
) -> dict:
    """What the browser needs to load, style, explain and list one layer.

    A layer with more than `tiles_threshold` features (default: the TILES_THRESHOLD setting)
    is loaded as vector tiles (`mode` "tiles", `tilesUrl`), a smaller one as GeoJSON.
    """
    st = spec.style
    if tiles_threshold is None:
        tiles_threshold = current_app.config["GEOPORTALE"]["TILES_THRESHOLD"]
    tiles_url = url_for("tiles.tile", collection_id=spec.id, z=0, x=0, y=0)
    zones = organisation().zones
    words = zones.value_words(spec.field_names, lang) if zones else {}
    return {
        "id": spec.id,
        "title": spec.title.get(lang),
        "group": spec.group.get(lang),
        "geometryType": spec.geometry_type,
        "mode": "tiles" if count > tiles_threshold else "geojson",
        "itemsUrl": items_url,
        "itemUrl": item_url,
        "tilesUrl": tiles_url.removesuffix("0/0/0") + "{z}/{x}/{y}",
        "count": count,
        "visible": spec.visible,
        "idField": spec.id_field,
        "titleField": spec.title_field,
        "attribution": spec.metadata.attribution,
        "notice": spec.notice.get(lang) if spec.notice else None,
        "time": time_config(spec),
        # `values`: words for a coded field's values (the zone origin), shown for the code
        "popup": [
            {"name": n, "label": spec.field(n).label.get(lang)}
            | ({"values": words[n]} if n in words else {})
            for n in (spec.popup or spec.field_names)
        ],
        "style": {
            "color": st.color,
            "fillColor": st.fill_color or st.color,
            "weight": st.weight,
            "opacity": st.opacity,
            "fillOpacity": st.fill_opacity,
            "radius": st.radius,
            "dashArray": st.dash_array,
            "property": st.property,
            "approximate": list(st.approximate) if spec.field("precisione") else [],
            "categories": [
                {"value": c.value, "color": c.color, "label": c.label.get(lang)}
                for c in st.categories
            ],
        },
    }


def time_config(spec: LayerSpec) -> dict | None:
    """The layer's `time` section for geoportale.js's year control (None: no history)."""
    t = spec.time
    if t is None:
        return None
    return {
        "historyField": t.history_field,
        "stateField": t.state_field,
        "yearField": t.year_field,
        "firstYear": t.first_year,
    }


def year_control(layers: list[dict], today_year: int) -> dict | None:
    """The bounds of the map's year control, or None when no layer has a `time` section.

    The last year is today's (the data as published); the first is the earliest
    `first_year` of the layers (without one, geoportale.js lowers it to the data's)."""
    timed = [lyr["time"] for lyr in layers if lyr.get("time")]
    if not timed:
        return None
    firsts = [t["firstYear"] for t in timed if t["firstYear"] is not None]
    return {"min": min([*firsts, today_year]), "max": today_year}


def build_map(
    layers: list[dict], bounds: BBox | None, basemap: dict, assets: dict, external: bool = False
) -> LocalMap:
    """The folium map: basemap from settings (xyz, wms or none), scale bar, our layers.

    The popups get the catalogue of cited documents (app/fonti); `external`: its links are
    absolute (a map file opened away from the site)."""
    org = organisation()
    m = LocalMap(
        leaflet_js=assets["leaflet_js"],
        leaflet_css=assets["leaflet_css"],
        location=(org.map.lat, org.map.lon),
        zoom_start=org.map.zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    if basemap["kind"] == "xyz":
        folium.TileLayer(
            basemap["url"], attr=basemap["attribution"], name="Base", max_zoom=19, control=False
        ).add_to(m)
    elif basemap["kind"] == "wms":
        folium.WmsTileLayer(
            basemap["url"],
            layers=basemap["wms_layers"],
            fmt="image/png",
            attr=basemap["attribution"],
            name="Base",
            control=False,
        ).add_to(m)
    if bounds:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(12, 12))
    zones = org.zones
    GeoportaleLayers(
        {
            "layers": layers,
            "sources": sources_for_scripts(external=external),  # cited documents (app/fonti)
            # a feature placed only in a whole zone is drawn as that zone's faint outline,
            # taken from the zones layer when the map has it
            "zones": {
                "layer": zones.layer,
                "numberField": zones.number_field,
                "featureField": zones.feature_field,
            }
            if zones
            else None,
        }
    ).add_to(m)
    return m


def render_parts(m: folium.Map) -> dict[str, str]:
    """The head, body and script parts of the folium figure, to place in our own page."""
    fig = m.get_root()
    fig.render()
    # Our pages have their own viewport tag; folium's forbids zooming (WCAG 1.4.4).
    head = re.sub(r"<meta\s+name=\"viewport\"[^>]*>", "", fig.header.render())
    return {
        "head": head,
        "body": fig.html.render(),
        "script": fig.script.render(),
    }
