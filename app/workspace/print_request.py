"""The print request: what to print, checked member by member (InvalidParameter)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.errors import InvalidParameter, LimitExceeded
from app.registry.spec import LayerSpec
from app.stores.base import BBox, FeatureStore, Query

PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}
MAX_LAYERS = 30


@dataclass(frozen=True)
class PrintRequest:
    title: str
    bbox: tuple[float, float, float, float]  # lon/lat of the view
    layers: tuple[tuple[str, float], ...] = ()  # (layer id, opacity), bottom first
    paper: str = "A4"
    orientation: str = "landscape"
    format: str = "pdf"
    highlight: dict | None = None  # a GeoJSON FeatureCollection
    choropleth: dict | None = None  # features with properties.colore, and "legend"
    attribution: tuple[str, ...] = field(default_factory=tuple)


def parse_print_request(body, default_title: str) -> PrintRequest:
    """A PrintRequest from the JSON body (`default_title` when it has none); InvalidParameter
    naming the wrong member."""
    if not isinstance(body, dict):
        raise InvalidParameter("send a JSON object", "body")
    unknown = sorted(
        set(body)
        - {"title", "bbox", "layers", "paper", "orientation", "format", "highlight", "choropleth"}
    )
    if unknown:
        raise InvalidParameter(f"unknown member {unknown[0]!r}", unknown[0])
    bbox = body.get("bbox")
    try:
        box = tuple(float(v) for v in bbox)
        assert len(box) == 4 and all(math.isfinite(v) for v in box)
        assert -180 <= box[0] < box[2] <= 180 and -90 <= box[1] < box[3] <= 90
    except (TypeError, ValueError, AssertionError):
        raise InvalidParameter("bbox must be [minlon, minlat, maxlon, maxlat]", "bbox") from None
    paper = body.get("paper", "A4")
    if paper not in PAPER_MM:
        raise InvalidParameter("paper must be A4 or A3", "paper")
    orientation = body.get("orientation", "landscape")
    if orientation not in ("portrait", "landscape"):
        raise InvalidParameter("orientation must be portrait or landscape", "orientation")
    fmt = body.get("format", "pdf")
    if fmt not in ("pdf", "png"):
        raise InvalidParameter("format must be pdf or png", "format")
    layers = []
    raw_layers = body.get("layers", [])
    if not isinstance(raw_layers, list) or len(raw_layers) > MAX_LAYERS:
        raise InvalidParameter(f"layers must be a list of at most {MAX_LAYERS}", "layers")
    for item in raw_layers:
        item = {"id": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InvalidParameter("each layer is an id or {id, opacity}", "layers")
        opacity = item.get("opacity", 1)
        if (
            isinstance(opacity, bool)
            or not isinstance(opacity, (int, float))
            or not 0 <= opacity <= 1
        ):
            raise InvalidParameter("layer opacity must be between 0 and 1", "layers")
        layers.append((item["id"], float(opacity)))
    title = str(body.get("title") or default_title)[:120]
    for name in ("highlight", "choropleth"):
        value = body.get(name)
        if value is not None and not (
            isinstance(value, dict) and isinstance(value.get("features"), list)
        ):
            raise InvalidParameter(f"{name} must be a GeoJSON FeatureCollection", name)
    return PrintRequest(
        title,
        box,
        tuple(layers),
        paper,
        orientation,
        fmt,
        body.get("highlight"),
        body.get("choropleth"),
    )


def print_size(store: FeatureStore, specs: list[LayerSpec], box: BBox, req: PrintRequest) -> int:
    """Features the print would draw: the layers' in `box` (counted, not read), plus the
    highlight and choropleth features the client sent."""
    total = sum(store.query(spec, Query(bbox=box, limit=1)).number_matched for spec in specs)
    for doc in (req.highlight, req.choropleth):
        total += len(doc["features"]) if doc else 0
    return total


def print_limit(count: int, maximum: int) -> LimitExceeded:
    """The problem of a print of `count` features, over `maximum`."""
    return LimitExceeded(
        f"La stampa disegnerebbe {count} elementi, oltre il limite di {maximum}: ingrandisci "
        f"la vista o stampa meno layer. / The print would draw {count} features, more than the "
        f"limit (GEOPORTALE_MAX_PRINT_FEATURES={maximum}): zoom in (a smaller bbox) or print "
        "fewer layers.",
        "layers",
        "MAX_PRINT_FEATURES",
        maximum,
    )
