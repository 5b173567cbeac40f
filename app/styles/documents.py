"""The JSON documents and links of the styles (OGC API - Styles), and their OpenAPI paths.

A collection's styles: `/api/collections/{id}/styles` lists one style, `default` (the
layer file's), with a link per encoding; `/styles/default?f=sld|qml|mapbox` is the style.
A layer of mixed geometry (`Geometry`) has an SLD and a QML per geometry family
(`family=point|line|polygon`), its MapLibre style one layer set per family.
"""

from __future__ import annotations

from flask import url_for

from app.i18n import translate
from app.registry.spec import LayerSpec
from app.styles import DEFAULT_STYLE, ENCODINGS, mapbox, model
from app.styles.model import families_of
from app.tiles.documents import MAX_ZOOM_ADVERTISED, MIN_ZOOM, tile_template

JSON = "application/json"
REL_STYLES = "styles"
REL_STYLESHEET = "stylesheet"
_FAMILY_TITLES = {"point": "punti", "line": "linee", "polygon": "poligoni"}


def link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def url(endpoint: str, **values) -> str:
    """The absolute URL, leaving out the query parameters that are None."""
    return url_for(endpoint, _external=True, **{k: v for k, v in values.items() if v is not None})


def stylesheet_links(spec: LayerSpec, lang: str = "it", rel: str = REL_STYLESHEET) -> list[dict]:
    """The default style's links, one per encoding (and per family where one is needed)."""
    mixed = len(families_of(spec)) > 1
    extra = {"lang": lang} if lang != "it" else {}
    out = []
    for fmt, (media, title) in ENCODINGS.items():
        per_family = mixed and fmt != "mapbox"
        for family in families_of(spec) if per_family else (None,):
            href = url(
                "styles.style",
                collection_id=spec.id,
                style_id=DEFAULT_STYLE,
                f=fmt,
                family=family,
                **extra,
            )
            label = f"{title} ({_FAMILY_TITLES[family]})" if family else title
            out.append(link(href, rel, media, label))
    return out


def collection_links(spec: LayerSpec) -> list[dict]:
    """Links for the collection document: the styles list and the default stylesheets."""
    return [
        link(url("styles.styles", collection_id=spec.id), REL_STYLES, JSON, "Styles"),
        *stylesheet_links(spec),
    ]


def styles(spec: LayerSpec, lang: str = "it") -> dict:
    """`/collections/{id}/styles`: the OGC API - Styles list of the collection."""
    extra = {"lang": lang} if lang != "it" else {}
    return {
        "default": DEFAULT_STYLE,
        "styles": [
            {
                "id": DEFAULT_STYLE,
                "title": spec.title.get(lang),
                "description": translate("Stile del layer", lang),
                "links": stylesheet_links(spec, lang),
            }
        ],
        "links": [
            link(url("styles.styles", collection_id=spec.id, **extra), "self", JSON, "Styles"),
            link(url("ogcapi.collection", collection_id=spec.id), "collection", JSON, "Collection"),
        ],
    }


def mapbox_document(spec: LayerSpec, family: str | None, lang: str = "it") -> dict:
    """The MapLibre GL style of the collection's vector tiles (every family when None)."""
    families = (family,) if family else families_of(spec)
    order = [f for f in model.FAMILIES if f in families]
    return mapbox.encode(
        [model.build(spec, f, lang) for f in order],
        tile_template(spec.id),
        MIN_ZOOM,
        MAX_ZOOM_ADVERTISED,
        spec.metadata.attribution,
    )


_PROBLEM = {"$ref": "#/components/responses/Problem"}


def _param(name: str, where: str, description: str, schema: dict, required=False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


def openapi_paths(layer_id: str, title: str) -> dict:
    """The /collections/{id}/styles paths of one layer (OpenAPI 3.0)."""
    base = f"/collections/{layer_id}/styles"
    lang = _param(
        "lang", "query", "Language of titles and labels.", {"type": "string", "enum": ["it", "en"]}
    )
    text = {"schema": {"type": "string"}}
    return {
        base: {
            "get": {
                "operationId": f"getStyles_{layer_id}",
                "summary": f"{title}: styles (OGC API - Styles)",
                "parameters": [
                    _param("f", "query", "Response format.", {"type": "string", "enum": ["json"]}),
                    lang,
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "400": _PROBLEM,
                    "404": _PROBLEM,
                },
            }
        },
        f"{base}/{{styleId}}": {
            "get": {
                "operationId": f"getStyle_{layer_id}",
                "summary": f"{title}: a style as SLD 1.0, QML or MapLibre GL style",
                "parameters": [
                    _param("styleId", "path", "The style's id.", {"type": "string"}, required=True),
                    _param(
                        "f",
                        "query",
                        "Encoding (default by Accept, else sld).",
                        {"type": "string", "enum": list(ENCODINGS)},
                    ),
                    _param(
                        "family",
                        "query",
                        "Geometry family (needed for SLD and QML of a mixed layer).",
                        {"type": "string", "enum": list(model.FAMILY_NAMES)},
                    ),
                    lang,
                ],
                "responses": {
                    "200": {
                        "description": "The style document.",
                        "content": {
                            ENCODINGS["sld"][0].split(";")[0]: text,
                            ENCODINGS["qml"][0]: text,
                            ENCODINGS["mapbox"][0]: {"schema": {"type": "object"}},
                        },
                    },
                    "400": _PROBLEM,
                    "404": _PROBLEM,
                },
            }
        },
    }
