"""Shared by the WMS tests: the fixture features, pixels of a map, colours."""

from __future__ import annotations

import io

from PIL import Image
from pyproj import Transformer

# The fixture layer `punti` (tests/data/geodata/punti.geojson): p1 a museo, p2 a teatro.
P1 = (10.02, 45.133)
P2 = (10.025, 45.136)
P4 = (9.96, 45.1)  # a biblioteca
MUSEO, TEATRO, BIBLIOTECA = "#8a0a2e", "#1f5fa8", "#2e7d32"
POINT_OPACITY = 0.9  # app/styles/model.py POINT_FILL_OPACITY


def rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def over_white(colour: str, opacity: float) -> tuple[int, int, int]:
    return tuple(round(opacity * v + (1 - opacity) * 255) for v in rgb(colour))


def xy(code: str, lon: float, lat: float) -> tuple[float, float]:
    """A CRS84 point in `code`, easting first."""
    src = "OGC:CRS84"
    dst = "OGC:CRS84" if code == "CRS:84" else code
    return Transformer.from_crs(src, dst, always_xy=True).transform(lon, lat)


def bbox_around(code: str, lon: float, lat: float, half_deg: float = 0.02):
    """An easting-first box in `code` around a CRS84 point."""
    t = Transformer.from_crs("OGC:CRS84", "OGC:CRS84" if code == "CRS:84" else code, always_xy=True)
    corners = [
        t.transform(lon + dx, lat + dy)
        for dx in (-half_deg, half_deg)
        for dy in (-half_deg, half_deg)
    ]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def pixel(bbox_xy, size, point_xy) -> tuple[int, int]:
    """The pixel (column, row) of an easting-first point on a map of `bbox_xy`."""
    w, h = size
    col = (point_xy[0] - bbox_xy[0]) / (bbox_xy[2] - bbox_xy[0]) * w
    row = (bbox_xy[3] - point_xy[1]) / (bbox_xy[3] - bbox_xy[1]) * h
    return int(col), int(row)


def image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def close(found, expected, tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(found, expected, strict=False))


def colours(img: Image.Image) -> set:
    """Every colour in an image."""
    return {c for _, c in img.getcolors(maxcolors=img.width * img.height)}
