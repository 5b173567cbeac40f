"""The parameters of a WMS request: names case-insensitive, CRS, BBOX in the CRS's axis order.

WMS 1.3.0 gives BBOX in the axis order of the CRS as its authority defines it: EPSG:4326
is latitude first and EPSG:6707 northing first, while CRS:84, EPSG:3857, 3003 and 7791
are easting first. Inside, every box is easting/longitude first (`xy`), which is what
Mapnik and pyproj (`always_xy`) take. A 1.1.1 request (SRS=) is always x/y.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS

from app.wms import errors

VERSION = "1.3.0"
#: The CRSs the WMS draws in, in the order the capabilities list them.
CRS_CODES = (
    "EPSG:3857",
    "EPSG:4326",
    "CRS:84",
    "EPSG:3003",
    "EPSG:3004",
    "EPSG:6707",
    "EPSG:7791",
    "EPSG:25832",
    "EPSG:32632",
)
MAX_SIZE = 4096  # MaxWidth and MaxHeight
IMAGE_FORMATS = {"image/png": "png32", "image/jpeg": "jpeg85"}
_COLOUR = re.compile(r"^(0x|#)?([0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class WmsCrs:
    code: str  # as the request and the capabilities write it
    swap: bool  # BBOX comes northing/latitude first

    @property
    def pyproj(self) -> str:
        return "OGC:CRS84" if self.code == "CRS:84" else self.code

    @property
    def mapnik(self) -> str:
        return "epsg:4326" if self.code == "CRS:84" else self.code.lower()

    def to_xy(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A box as the request gives it, easting first."""
        return (box[1], box[0], box[3], box[2]) if self.swap else box

    def from_xy(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """An easting-first box in this CRS's axis order (for the capabilities)."""
        return self.to_xy(box)


@lru_cache(maxsize=32)
def _northing_first(code: str) -> bool:
    axes = CRS.from_user_input(code).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


def parse_crs(value: str | None, version: str = VERSION, parameter: str = "CRS") -> WmsCrs:
    if not value:
        raise errors.missing(parameter)
    code = value.strip().upper()
    if code.startswith("URN:OGC:DEF:CRS:EPSG::"):
        code = "EPSG:" + code.rsplit(":", 1)[1]
    if code not in CRS_CODES:
        raise errors.invalid_crs(
            f"CRS {value!r} is not offered; use one of: {', '.join(CRS_CODES)}", parameter
        )
    swap = version == VERSION and code != "CRS:84" and _northing_first(code)
    return WmsCrs(code, swap)


class Args:
    """The request's parameters by upper-case name."""

    def __init__(self, args):
        self._values = {k.upper(): v for k, v in args.items()}

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name, default)

    def require(self, name: str) -> str:
        value = self._values.get(name)
        if value is None or value == "" and name not in ("STYLES",):
            raise errors.missing(name)
        return value

    def version(self) -> str:
        version = self._values.get("VERSION") or self._values.get("WMTVER") or VERSION
        return "1.1.1" if version.startswith("1.1") else VERSION

    def crs(self) -> WmsCrs:
        version = self.version()
        name = "CRS" if version == VERSION else "SRS"
        return parse_crs(self._values.get(name) or self._values.get("CRS"), version, name)

    def bbox(self, crs: WmsCrs) -> tuple[float, float, float, float]:
        """BBOX easting first, checked: four numbers, min below max."""
        raw = self.require("BBOX")
        try:
            box = tuple(float(v) for v in raw.split(",")[:4])
        except ValueError:
            box = ()
        if len(box) != 4 or len(raw.split(",")) not in (4, 5) or any(v != v for v in box):
            raise errors.WmsError(f"BBOX {raw!r} is not four numbers minx,miny,maxx,maxy", "BBOX")
        if box[0] >= box[2] or box[1] >= box[3]:
            order = (
                "lat,lon (EPSG:4326 in WMS 1.3.0)" if crs.code == "EPSG:4326" else "min,min,max,max"
            )
            raise errors.WmsError(
                f"BBOX {raw!r} is empty or inverted: each minimum must be below its maximum "
                f"(the axis order of {crs.code} is {order})",
                "BBOX",
            )
        return crs.to_xy(box)

    def size(self) -> tuple[int, int]:
        out = []
        for name in ("WIDTH", "HEIGHT"):
            raw = self.require(name)
            try:
                value = int(raw)
            except ValueError:
                raise errors.WmsError(f"{name} {raw!r} is not a whole number", name) from None
            if not 1 <= value <= MAX_SIZE:
                raise errors.WmsError(f"{name} must be between 1 and {MAX_SIZE}", name)
            out.append(value)
        return out[0], out[1]

    def image_format(self) -> str:
        raw = self.require("FORMAT")
        fmt = raw.split(";")[0].strip().lower()
        if fmt == "png":
            fmt = "image/png"
        if fmt in ("jpeg", "jpg", "image/jpg"):
            fmt = "image/jpeg"
        if fmt not in IMAGE_FORMATS:
            raise errors.invalid_format(
                f"FORMAT {raw!r} is not offered; use one of: {', '.join(IMAGE_FORMATS)}"
            )
        return fmt

    def transparent(self) -> bool:
        raw = (self._values.get("TRANSPARENT") or "FALSE").upper()
        if raw not in ("TRUE", "FALSE"):
            raise errors.WmsError("TRANSPARENT must be TRUE or FALSE", "TRANSPARENT")
        return raw == "TRUE"

    def bgcolor(self) -> str:
        raw = self._values.get("BGCOLOR") or "0xFFFFFF"
        found = _COLOUR.match(raw.strip())
        if not found:
            raise errors.WmsError(f"BGCOLOR {raw!r} is not a colour 0xRRGGBB", "BGCOLOR")
        return "#" + found.group(2).lower()

    def names(self, name: str) -> list[str]:
        raw = self.require(name)
        names = [n.strip() for n in raw.split(",")]
        if not all(names):
            raise errors.layer_not_defined(f"{name} {raw!r} names an empty layer", name)
        return names

    def exceptions(self) -> None:
        raw = self._values.get("EXCEPTIONS")
        if raw and raw.upper() not in ("XML", "APPLICATION/VND.OGC.SE_XML", "TEXT/XML"):
            raise errors.WmsError(
                f"EXCEPTIONS {raw!r} is not offered; this service reports exceptions as XML",
                "EXCEPTIONS",
            )
