"""The WebMercatorQuad tile grid (EPSG:3857, 256-pixel tiles, z/x/y from the top left).

Tiles are addressed as in XYZ/TileJSON: `x` is the column from the west, `y` the row from
the north. A tile's extent in lon/lat is a plain rectangle (Mercator keeps meridians and
parallels straight), so the store's WGS84 bbox query selects exactly a tile's features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.errors import InvalidParameter

TILE_MATRIX_SET = "WebMercatorQuad"
TILE_MATRIX_SET_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
EPSG_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
MAX_ZOOM = 24
RADIUS = 6378137.0
HALF_WORLD = math.pi * RADIUS  # 20037508.342789244 m
MAX_LAT = 85.0511287798066
TILE_PIXELS = 256  # the pixel size "1 pixel at that zoom" is measured in


@dataclass(frozen=True)
class Tile:
    z: int
    x: int
    y: int

    @property
    def size(self) -> float:
        """Width (and height) of the tile in EPSG:3857 metres."""
        return 2 * HALF_WORLD / (1 << self.z)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(minx, miny, maxx, maxy) in EPSG:3857 metres."""
        size = self.size
        minx = -HALF_WORLD + self.x * size
        maxy = HALF_WORLD - self.y * size
        return minx, maxy - size, minx + size, maxy

    @property
    def pixel(self) -> float:
        """One screen pixel at this zoom, in EPSG:3857 metres."""
        return self.size / TILE_PIXELS

    def lonlat_bounds(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """The tile grown by `margin` (a fraction of its size) as a WGS84 lon/lat bbox."""
        minx, miny, maxx, maxy = self.bounds
        grow = margin * self.size
        lon, lat = mercator_to_lonlat(
            np.array([minx - grow, maxx + grow]), np.array([miny - grow, maxy + grow])
        )
        return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"


def parse_tile(z: str, x: str, y: str, max_zoom: int = MAX_ZOOM) -> Tile:
    """A tile address from the URL; InvalidParameter (400) if it is not on the grid."""
    values = {}
    for name, raw in (("z", z), ("x", x), ("y", y)):
        if not raw.isascii() or not raw.isdigit():
            raise InvalidParameter(f"tile {name} must be a non-negative integer, got {raw!r}", name)
        values[name] = int(raw)
    if values["z"] > max_zoom:
        raise InvalidParameter(f"tile zoom z must be between 0 and {max_zoom}", "z")
    last = (1 << values["z"]) - 1
    for name in ("x", "y"):
        if values[name] > last:
            raise InvalidParameter(
                f"tile {name} must be between 0 and {last} at zoom {values['z']}", name
            )
    return Tile(values["z"], values["x"], values["y"])


def lonlat_to_mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees to EPSG:3857 metres (the spherical formula EPSG:3857 is defined by)."""
    lat = np.clip(lat, -MAX_LAT, MAX_LAT)
    x = np.radians(lon) * RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * RADIUS
    return x, y


def mercator_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """EPSG:3857 metres to WGS84 degrees (latitudes clamped to the grid's ±85.05°)."""
    y = np.clip(y, -HALF_WORLD, HALF_WORLD)
    lon = np.degrees(np.asarray(x) / RADIUS)
    lat = np.degrees(2 * np.arctan(np.exp(y / RADIUS)) - np.pi / 2)
    return lon, lat


def tiles_covering(bbox: tuple[float, float, float, float], z: int) -> list[Tile]:
    """Every tile of zoom `z` that a lon/lat bbox touches (for benchmarks and seeding)."""
    x0, y0 = lonlat_to_tile(bbox[0], bbox[3], z)
    x1, y1 = lonlat_to_tile(bbox[2], bbox[1], z)
    return [Tile(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (x, y) of the tile of zoom `z` holding a lon/lat point."""
    mx, my = lonlat_to_mercator(np.array([lon]), np.array([lat]))
    n = 1 << z
    size = 2 * HALF_WORLD / n
    x = int(min(n - 1, max(0, (mx[0] + HALF_WORLD) // size)))
    y = int(min(n - 1, max(0, (HALF_WORLD - my[0]) // size)))
    return x, y
