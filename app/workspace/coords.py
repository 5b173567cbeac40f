"""Coordinates for the workspace: WGS84 ↔ the projected CRSs planners use (pyproj)."""

from __future__ import annotations

import math

from app.errors import InvalidParameter
from app.geo.crs import OUTPUT_EPSG, crs_from_uri, transformer

#: Shown under the cursor besides WGS84.
SHOWN = ("EPSG:7791", "EPSG:3003")


def _number(raw, name: str) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidParameter(f"{name} must be a number", name) from None
    if not math.isfinite(value):
        raise InvalidParameter(f"{name} must be a finite number", name)
    return value


def convert(x_raw, y_raw, crs_raw: str | None) -> dict:
    """A point given as x (easting/longitude), y in `crs`, in WGS84 and the SHOWN CRSs."""
    x, y = _number(x_raw, "x"), _number(y_raw, "y")
    try:
        crs = crs_from_uri(crs_raw or "EPSG:4326")
    except ValueError:
        codes = ", ".join(f"EPSG:{c}" for c in OUTPUT_EPSG)
        raise InvalidParameter(f"crs {crs_raw!r} is not supported; use {codes}", "crs") from None
    src = "EPSG:4326" if crs == "OGC:CRS84" else crs
    lon, lat = transformer(src, "EPSG:4326").transform(x, y)
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (
        -180 <= lon <= 180 and -90 <= lat <= 90
    ):
        raise InvalidParameter(f"({x}, {y}) is not a valid position in {crs}", "x")
    out = {"EPSG:4326": [round(lon, 7), round(lat, 7)]}
    for label in SHOWN:
        e, n = transformer("EPSG:4326", label).transform(lon, lat)
        out[label] = [round(e, 2), round(n, 2)]
    return {
        "input": {"x": x, "y": y, "crs": src},
        "coordinates": out,
        "order": "easting/longitude first",
    }
