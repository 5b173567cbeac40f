"""Query parameters of the OGC API, each parsed by one small function (400 on bad input)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from werkzeug.datastructures import MultiDict

from app.errors import InvalidParameter
from app.geo.crs import bbox_to_crs84, crs_from_uri, supported_crs_uris, uri_of
from app.query import LANGUAGE, check_known  # noqa: F401 (used by the views)
from app.registry.spec import LayerSpec
from app.stores import cql2
from app.stores.base import BBox
from app.stores.filter_tree import Spatial

ITEMS_PARAMS = {
    "f",
    "bbox",
    "bbox-crs",
    "limit",
    "offset",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
    LANGUAGE,  # the page's language (the header's links add it), as everywhere
}
INT64_MAX = 2**63 - 1
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"^(\.\.|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?)$"
)


def parse_format(args: MultiDict, accept_html: bool) -> str:
    """'json' or 'html' from `f`, else from the Accept header (`accept_html`)."""
    fmt = args.get("f")
    if fmt is None:
        return "html" if accept_html else "json"
    if fmt not in ("json", "html"):
        raise InvalidParameter(f"f={fmt!r} is not available; use f=json or f=html", "f")
    return fmt


def parse_limit(args: MultiDict, default: int, maximum: int) -> int:
    raw = args.get("limit")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"limit must be an integer, got {raw!r}", "limit") from None
    if value < 1:
        raise InvalidParameter(f"limit must be between 1 and {maximum}, got {value}", "limit")
    # OGC API Features: a limit above the maximum is served at the maximum.
    return min(value, maximum)


def parse_offset(args: MultiDict) -> int:
    raw = args.get("offset")
    if raw is None:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"offset must be an integer, got {raw!r}", "offset") from None
    if value < 0:
        raise InvalidParameter(f"offset must be 0 or more, got {value}", "offset")
    return min(value, INT64_MAX)  # beyond every layer: an empty page, never an overflow


def parse_crs(args: MultiDict, name: str = "crs") -> str:
    """A supported CRS from its URI ('OGC:CRS84' when absent); 400 listing the supported."""
    raw = args.get(name)
    if raw is None:
        return "OGC:CRS84"
    try:
        return crs_from_uri(raw)
    except ValueError:
        raise InvalidParameter(
            f"{name} {raw!r} is not supported; use one of: {', '.join(supported_crs_uris())}",
            name,
        ) from None


def parse_bbox(args: MultiDict) -> tuple[BBox | None, tuple | None]:
    """`bbox` as a CRS84 box, or (with another `bbox-crs`) as a filter on its area.

    Coordinates are in the axis order of `bbox-crs` (latitude first for EPSG:4326); a
    6-value 3D bbox keeps its horizontal part.
    """
    raw = args.get("bbox")
    crs = parse_crs(args, "bbox-crs")
    if raw is None:
        return None, None
    parts = raw.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise InvalidParameter(
            f"bbox must be 4 numbers separated by commas, got {raw!r}", "bbox"
        ) from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidParameter(f"bbox must be 4 finite numbers, got {raw!r}", "bbox")
    minx, miny, maxx, maxy = values
    if miny > maxy:
        raise InvalidParameter(
            "bbox: the second coordinate of the lower corner is above the upper corner's", "bbox"
        )
    if crs != "OGC:CRS84":
        if minx > maxx:
            raise InvalidParameter("bbox: the lower corner is beyond the upper corner", "bbox")
        area = bbox_to_crs84((minx, miny, maxx, maxy), crs)
        x0, y0, x1, y1 = area.bounds if area.is_valid and not area.is_empty else (math.nan,) * 4
        if not (
            math.isfinite(x0 + y0 + x1 + y1) and -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90
        ):
            raise InvalidParameter(f"bbox is outside the area where {crs} can be used", "bbox")
        return None, Spatial("intersects", area)
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidParameter("bbox is outside longitude -180..180, latitude -90..90", "bbox")
    if minx > maxx:
        raise InvalidParameter("bbox crossing the antimeridian is not supported", "bbox")
    return (minx, miny, maxx, maxy), None


def parse_filter(args: MultiDict, spec: LayerSpec) -> tuple | None:
    """`filter` in CQL2 (`filter-lang` cql2-text or cql2-json, geometries in `filter-crs`)."""
    text = args.get("filter") or None  # an empty filter selects everything
    lang = args.get("filter-lang")
    crs = parse_crs(args, "filter-crs")
    if lang is not None and lang not in ("cql2-text", "cql2-json"):
        raise InvalidParameter(
            f"filter-lang {lang!r} is not supported; use cql2-text or cql2-json", "filter-lang"
        )
    if text is None:
        return None
    return cql2.parse_filter(text, lang, spec, uri_of(crs))


def parse_datetime(args: MultiDict) -> str | None:
    """Checked for syntax; the layers carry no temporal extent, so it selects everything."""
    raw = args.get("datetime")
    if not raw:  # absent or empty: no temporal constraint
        return None
    parts = raw.split("/")
    if len(parts) > 2 or not all(_DATETIME.match(p) for p in parts) or parts == ["..", ".."]:
        raise InvalidParameter(f"datetime must be RFC 3339 or an interval, got {raw!r}", "datetime")
    return raw


def parse_equals(args: MultiDict, spec: LayerSpec) -> dict[str, Any]:
    """`field=value` on the layer's declared fields; any other parameter is a 400."""
    equals: dict[str, Any] = {}
    for name in args:
        if name in ITEMS_PARAMS:
            continue
        field = spec.field(name)
        if field is None:
            raise InvalidParameter(
                f"unknown parameter {name!r}; filterable properties of '{spec.id}': "
                f"{', '.join(spec.field_names)}",
                name,
            )
        values = args.getlist(name)
        if len(values) > 1:
            raise InvalidParameter(f"{name} is given more than once", name)
        equals[name] = _typed(values[0], field.type, name)
    return equals


def parse_draft(args: MultiDict) -> bool:
    """`draft=true`: an editor's read of the draft (Part 4 writes go there)."""
    raw = args.get("draft", "false")
    if raw not in ("true", "false"):
        raise InvalidParameter(f"draft must be true or false, not {raw!r}", "draft")
    return raw == "true"


def parse_feature_id(raw: str) -> str:
    """The featureId of an item's URL: PostgreSQL text cannot hold NUL, so no id does."""
    if "\x00" in raw:
        raise InvalidParameter("featureId holds a NUL character", "featureId")
    return raw


def _typed(raw: str, kind: str, name: str):
    if "\x00" in raw:  # PostgreSQL text cannot hold it: refused on both stores alike
        raise InvalidParameter(f"{name} holds a NUL character", name)
    try:
        if kind == "integer":
            value = int(raw)
            if not -INT64_MAX <= value <= INT64_MAX:
                raise InvalidParameter(f"{name} is out of the 64-bit integer range", name)
            return value
        if kind == "number":
            value = float(raw)
            if not math.isfinite(value):
                raise ValueError
            return value
    except ValueError:
        raise InvalidParameter(f"{name} must be a {kind}, got {raw!r}", name) from None
    if kind == "boolean":
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise InvalidParameter(f"{name} must be true or false, got {raw!r}", name)
    if kind == "date":
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError
            dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidParameter(
                f"{name} must be a date (YYYY-MM-DD), got {raw!r}", name
            ) from None
    return raw
