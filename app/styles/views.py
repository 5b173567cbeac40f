"""Thin views of the styles (OGC API - Styles) under /api:

    /collections/{id}/styles                 the collection's styles, JSON
    /collections/{id}/styles/{styleId}       a style: ?f=sld|qml|mapbox (or by Accept),
                                             ?family=point|line|polygon, ?lang=it|en

ETag and caching come from app/http.py (every /api/ GET), like the other documents.
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Response, g, request

from app.errors import InvalidParameter
from app.query import check_known
from app.services import services
from app.styles import (
    DEFAULT_STYLE,
    ENCODINGS,
    StyleNotFound,
    parse_family,
    parse_language,
    qml_document,
    sld_document,
)
from app.styles import documents as docs
from app.styles.model import NO_GEOMETRY_FAMILY

bp = Blueprint("styles", __name__)
# Accept types offered when there is no f=, the first being the default.
_OFFERED = {media.split(";")[0]: fmt for fmt, (media, _) in ENCODINGS.items()}


def _check_params(allowed: set[str]) -> None:
    check_known(request.args, allowed)


def _encoding() -> str:
    fmt = request.args.get("f")
    if fmt is None:  # chosen by the Accept header: caches must key on it
        g.vary_accept = True
        best = request.accept_mimetypes.best_match(list(_OFFERED), default=None)
        return _OFFERED.get(best, "sld")
    if fmt not in ENCODINGS:
        raise InvalidParameter(f"unknown f {fmt!r}; use one of: {', '.join(ENCODINGS)}", "f")
    return fmt


@bp.get("/collections/<collection_id>/styles")
def styles(collection_id: str):
    _check_params({"f", "lang"})
    if request.args.get("f", "json") != "json":
        raise InvalidParameter("the styles list is served as JSON only (f=json)", "f")
    lang = parse_language(request.args.get("lang"))
    spec = services().layer(collection_id)
    return Response(orjson.dumps(docs.styles(spec, lang)), mimetype="application/json")


@bp.get("/collections/<collection_id>/styles/<style_id>")
def style(collection_id: str, style_id: str):
    _check_params({"f", "family", "lang"})
    spec = services().layer(collection_id)
    if style_id != DEFAULT_STYLE:
        raise StyleNotFound(
            f"collection '{spec.id}' has no style {style_id!r}; its style is '{DEFAULT_STYLE}'"
        )
    fmt = _encoding()
    family = parse_family(request.args.get("family"), spec)
    if family == NO_GEOMETRY_FAMILY and fmt != "qml":
        raise InvalidParameter("family=none (the field labels alone) is served as f=qml", "family")
    lang = parse_language(request.args.get("lang"))
    media = ENCODINGS[fmt][0]
    if fmt == "mapbox":
        body = orjson.dumps(docs.mapbox_document(spec, family, lang))
    elif fmt == "sld":
        body = sld_document(spec, family, lang)
    else:
        body = qml_document(spec, family, lang)
    response = Response(body, content_type=_content_type(media))
    name = (
        spec.id if family is None or request.args.get("family") is None else spec.id + "_" + family
    )
    extension = {"sld": "sld", "qml": "qml", "mapbox": "json"}[fmt]
    response.headers["Content-Disposition"] = f'inline; filename="{name}.{extension}"'
    return response


def _content_type(media: str) -> str:
    """SLD and QML are XML text in UTF-8: say so."""
    return media if media.endswith("+json") else f"{media}; charset=utf-8"
