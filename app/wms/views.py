"""The thin view of the WMS 1.3.0 at /wms: GetCapabilities, GetMap, GetFeatureInfo and
GetLegendGraphic, chosen by REQUEST (parameter names in any case, as OGC says).

Every error raised while answering is written once, by `errors.report`, as an OGC
ServiceExceptionReport. A GetMap larger than render.HEAVY_PIXELS holds a heavy-request
slot (app/heavy.py) while Mapnik draws it.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from flask import Blueprint, Response, current_app, request, url_for

from app.errors import GeoportaleError, LayerNotFound
from app.heavy import heavy_slot
from app.services import services
from app.styles import DEFAULT_STYLE
from app.wms import capabilities, errors, featureinfo, legend
from app.wms.params import VERSION, Args
from app.wms.render import HEAVY_PIXELS, MapRequest, Renderer

log = logging.getLogger(__name__)
bp = Blueprint("wms", __name__)
_EXT = "geoportale.wms"
# Revalidate after a minute: a publish must show within a minute (as the vector tiles).
CACHE_CONTROL = "public, max-age=60"
_LANGUAGES = {"it": "it", "ita": "it", "en": "en", "eng": "en"}


@bp.errorhandler(GeoportaleError)
def _wms_error(exc: GeoportaleError):
    if exc.status >= 500:
        log.error("%s: %s", exc.code, exc.detail)
    return errors.report(exc)


@bp.errorhandler(Exception)
def _unexpected(exc: Exception):
    log.exception("unhandled error on %s", request.path)
    return errors.report(GeoportaleError("The server hit an error."))


def renderer() -> Renderer:
    """The app's Renderer (one image cache per app), made on first use for this store."""
    store = services().store
    found = current_app.extensions.get(_EXT)
    if found is None or found.store is not store:
        found = current_app.extensions[_EXT] = Renderer(store)
    return found


def _language(args: Args) -> str:
    raw = (args.get("LANGUAGE") or "it").lower()
    return _LANGUAGES.get(raw, "it")


@bp.get("/wms")
def service():
    args = Args(request.args)
    found = args.get("SERVICE")
    if found and found.upper() != "WMS":
        raise errors.WmsError(f"SERVICE {found!r} is not offered here: this is a WMS", "SERVICE")
    args.exceptions()
    operation = (args.require("REQUEST") or "").lower()
    if operation in ("getcapabilities", "capabilities"):
        return _capabilities(args)
    if operation in ("getmap", "map"):
        return _getmap(args)
    if operation == "getfeatureinfo":
        return _getfeatureinfo(args)
    if operation == "getlegendgraphic":
        return _legend(args)
    raise errors.not_supported(
        f"REQUEST {operation!r} is not offered; use GetCapabilities, GetMap, GetFeatureInfo "
        "or GetLegendGraphic"
    )


def _capabilities(args: Args) -> Response:
    svc = services()
    lang = _language(args)
    layers = [(s, svc.store.describe(s.id)) for s in svc.served_specs()]
    urls = {
        "legend": lambda layer_id: url_for(
            "wms.service",
            _external=True,
            SERVICE="WMS",
            VERSION=VERSION,
            REQUEST="GetLegendGraphic",
            LAYER=layer_id,
            FORMAT="image/png",
            SLD_VERSION="1.1.0",
            **({"LANGUAGE": "eng"} if lang == "en" else {}),
        ),
        "metadata": lambda layer_id: url_for(
            "ogcapi.metadata", collection_id=layer_id, f="json", _external=True
        ),
        "catalogue": url_for("catalog.catalog_jsonld", _external=True),
    }
    body = capabilities.document(
        layers,
        url_for("wms.service", _external=True),
        urls,
        svc.settings["TITLE"] if lang == "it" else _english_title(),
        svc.store.generation(),
        lang,
    )
    response = Response(body, content_type=f"{capabilities.MEDIA_TYPE}; charset=utf-8")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _english_title() -> str:
    from app.organisation import organisation

    return organisation().title.get("en")


def _layers(args: Args, name: str = "LAYERS") -> list:
    svc = services()
    specs = []
    for layer_id in args.names(name):
        try:
            specs.append(svc.layer(layer_id))
        except LayerNotFound:
            raise errors.layer_not_defined(
                f"{name}: no published layer {layer_id!r}; GetCapabilities lists them", name
            ) from None
    return specs


def _styles(args: Args, count: int) -> None:
    raw = args.get("STYLES")
    if raw is None:
        if args.version() == VERSION:
            raise errors.missing("STYLES")
        return
    styles = [s.strip() for s in raw.split(",")] if raw else []
    if styles and len(styles) != count:
        raise errors.style_not_defined(
            f"STYLES names {len(styles)} styles for {count} layers: give one per layer, "
            "or leave it empty"
        )
    for style in styles:
        if style not in ("", DEFAULT_STYLE):
            raise errors.style_not_defined(
                f"no style {style!r}; each layer has the style '{DEFAULT_STYLE}'"
            )


def _map_request(args: Args, layers_param: str = "LAYERS") -> tuple[MapRequest, list]:
    specs = _layers(args, layers_param)
    crs = args.crs()
    bbox = args.bbox(crs)
    width, height = args.size()
    store = services().store
    versions = tuple(store.describe(s.id).version for s in specs)
    req = MapRequest(tuple(specs), versions, crs, bbox, width, height, "image/png")
    return req, specs


def _getmap(args: Args) -> Response:
    fmt = args.image_format()
    req, specs = _map_request(args)
    _styles(args, len(specs))
    req = MapRequest(
        req.layers,
        req.versions,
        req.crs,
        req.bbox,
        req.width,
        req.height,
        fmt,
        args.transparent(),
        args.bgcolor(),
    )
    r = renderer()
    data = r.cache.get(r.key(req))
    if data is None:
        heavy = req.width * req.height > HEAVY_PIXELS
        with heavy_slot() if heavy else nullcontext():
            data = r.image(req)
    response = Response(data, mimetype=fmt)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _int(args: Args, names: tuple[str, ...], default: int | None = None) -> int:
    for name in names:
        raw = args.get(name)
        if raw is None:
            continue
        try:
            return int(raw)
        except ValueError:
            raise errors.invalid_point(f"{name} {raw!r} is not a whole number", name) from None
    if default is None:
        raise errors.missing(names[0])
    return default


def _getfeatureinfo(args: Args) -> Response:
    req, specs = _map_request(args)
    queried = _layers(args, "QUERY_LAYERS")
    drawn = {s.id: v for s, v in zip(specs, req.versions, strict=True)}
    for spec in queried:
        if spec.id not in drawn:
            raise errors.layer_not_queryable(
                f"QUERY_LAYERS names {spec.id!r}, which LAYERS does not draw"
            )
    raw = args.get("INFO_FORMAT") or "text/html"
    kind = featureinfo.FORMATS.get(raw.split(";")[0].strip().lower())
    if kind is None:
        raise errors.invalid_format(
            f"INFO_FORMAT {raw!r} is not offered; use one of: {', '.join(featureinfo.ADVERTISED)}",
            "INFO_FORMAT",
        )
    new = args.version() == VERSION
    i = _int(args, ("I",) if new else ("X",))
    j = _int(args, ("J",) if new else ("Y",))
    if not 0 <= i < req.width:
        raise errors.invalid_point(f"I={i} is outside the map (0 to {req.width - 1})", "I")
    if not 0 <= j < req.height:
        raise errors.invalid_point(f"J={j} is outside the map (0 to {req.height - 1})", "J")
    count = _int(args, ("FEATURE_COUNT",), 1)
    if not 1 <= count <= featureinfo.MAX_FEATURE_COUNT:
        raise errors.WmsError(
            f"FEATURE_COUNT must be between 1 and {featureinfo.MAX_FEATURE_COUNT}", "FEATURE_COUNT"
        )
    hits = featureinfo.query(
        services().store,
        [(s, drawn[s.id]) for s in queried],
        req.crs,
        req.bbox,
        (req.width, req.height),
        (i, j),
        count,
    )
    lang = _language(args)
    if kind == "html":
        return Response(featureinfo.as_html(hits, lang), content_type="text/html; charset=utf-8")
    if kind == "json":
        return Response(featureinfo.as_json(hits), mimetype="application/json")
    namespace = url_for("wms.service", _external=True)
    media = raw.split(";")[0].strip().lower()
    return Response(featureinfo.as_gml(hits, namespace), content_type=f"{media}; charset=utf-8")


def _legend(args: Args) -> Response:
    specs = _layers(args, "LAYER")
    if len(specs) != 1:
        raise errors.layer_not_defined("LAYER names one layer for its legend", "LAYER")
    fmt = (args.get("FORMAT") or "image/png").split(";")[0].strip().lower()
    if fmt != "image/png":
        raise errors.invalid_format(f"FORMAT {fmt!r} is not offered for legends; use image/png")
    style = args.get("STYLE") or ""
    if style not in ("", DEFAULT_STYLE):
        raise errors.style_not_defined(f"no style {style!r}; each layer has the style 'default'")
    sizes = []
    for name in ("WIDTH", "HEIGHT"):  # the size of a swatch
        raw = args.get(name)
        if raw is None:
            continue
        try:
            sizes.append(int(raw))
        except ValueError:
            raise errors.WmsError(f"{name} {raw!r} is not a whole number", name) from None
        if not legend.MIN_SIZE <= sizes[-1] <= legend.MAX_SIZE:
            raise errors.WmsError(
                f"{name} must be between {legend.MIN_SIZE} and {legend.MAX_SIZE} (pixels of a "
                "swatch)",
                name,
            )
    size = min(sizes) if sizes else legend.ROW
    response = Response(legend.legend_png(specs[0], _language(args), size), mimetype="image/png")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
