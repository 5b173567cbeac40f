"""All CRS logic: the storage CRS, URIs and transformations (pyproj, axis order explicit)."""

from __future__ import annotations

from functools import lru_cache

from pyproj import CRS, Transformer

#: Everything is stored and served in WGS84 longitude/latitude (RFC 7946 order).
STORAGE_CRS = "EPSG:4326"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@lru_cache(maxsize=64)
def parse_crs(value: str) -> CRS:
    """A CRS from 'EPSG:n', an OGC URI or WKT; raises pyproj's CRSError if unknown."""
    if value == CRS84_URI:
        return CRS.from_user_input("OGC:CRS84")
    return CRS.from_user_input(value)


@lru_cache(maxsize=64)
def transformer(src: str, dst: str) -> Transformer:
    """A transformer that always uses longitude/easting first, whatever the CRS says."""
    return Transformer.from_crs(parse_crs(src), parse_crs(dst), always_xy=True)


def crs_label(crs: CRS | None) -> str | None:
    """'EPSG:3003' when the CRS has an EPSG code, else its name."""
    if crs is None:
        return None
    code = crs.to_epsg(min_confidence=70)
    return f"EPSG:{code}" if code else crs.name
