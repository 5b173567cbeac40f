"""Query parameters of the citizen pages, each parsed by one small function (400 if bad)."""

from __future__ import annotations

import math

from werkzeug.datastructures import MultiDict

from app.errors import InvalidParameter
from app.quartieri.service import Filters, Near

MAX_TEXT = 200
MAX_METRES = 5000
DEFAULT_METRES = 500


def parse_text(args: MultiDict, name: str) -> str | None:
    raw = args.get(name)
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_TEXT:
        raise InvalidParameter(f"{name} is too long (at most {MAX_TEXT} characters)", name)
    return raw.strip()


def parse_year(args: MultiDict) -> int | None:
    raw = args.get("anno")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise InvalidParameter(f"anno must be a year such as 2019, got {raw[:20]!r}", "anno")
    return int(raw)


def _coordinate(args: MultiDict, name: str, low: float, high: float) -> float:
    raw = args.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidParameter(f"{name} must be a number, got {raw[:20]!r}", name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidParameter(f"{name} must be between {low} and {high}", name)
    return value


def parse_point(args: MultiDict, required: bool = False) -> tuple[float, float] | None:
    """`lon` and `lat` in WGS84 degrees, both or neither."""
    if args.get("lon") in (None, "") and args.get("lat") in (None, ""):
        if required:
            raise InvalidParameter("give a point as lon and lat (WGS84 degrees)", "lon")
        return None
    return _coordinate(args, "lon", -180, 180), _coordinate(args, "lat", -90, 90)


def parse_metres(args: MultiDict) -> int | None:
    """`entro`: metres from the point (on, or a number up to 5000)."""
    raw = args.get("entro")
    if raw is None or raw == "":
        return None
    if raw in ("1", "on", "true"):
        return DEFAULT_METRES
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_METRES:
        raise InvalidParameter(f"entro must be metres between 1 and {MAX_METRES}", "entro")
    return int(raw)


def parse_filters(args: MultiDict) -> Filters:
    point = parse_point(args)
    metres = parse_metres(args)
    if metres and point is None:
        raise InvalidParameter("entro needs a point: give lon and lat", "entro")
    near = Near(point[0], point[1], metres or DEFAULT_METRES) if point else None
    return Filters(
        stato=parse_text(args, "stato"),
        tema=parse_text(args, "tema"),
        missione=parse_text(args, "missione"),
        anno=parse_year(args),
        near=near,
        entro=bool(metres),
    )
