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


#: CRSs the SIT office's files come in, with the range of x/y (easting/longitude first)
#: that data in Italy can have in each. Beyond these, any CRS PROJ knows is accepted.
ITALY_RANGES: dict[str, tuple[float, float, float, float]] = {
    "EPSG:4326": (6.0, 35.0, 19.0, 48.0),
    "EPSG:4258": (6.0, 35.0, 19.0, 48.0),
    "EPSG:6706": (6.0, 35.0, 19.0, 48.0),
    "EPSG:3857": (650_000.0, 4_150_000.0, 2_150_000.0, 6_150_000.0),
    "EPSG:3003": (1_250_000.0, 3_900_000.0, 2_050_000.0, 5_250_000.0),
    "EPSG:3004": (1_950_000.0, 3_900_000.0, 2_900_000.0, 5_250_000.0),
    "EPSG:32632": (250_000.0, 3_900_000.0, 1_300_000.0, 5_250_000.0),
    "EPSG:25832": (250_000.0, 3_900_000.0, 1_300_000.0, 5_250_000.0),
    "EPSG:7791": (250_000.0, 3_900_000.0, 1_300_000.0, 5_250_000.0),
    "EPSG:6707": (250_000.0, 3_900_000.0, 1_300_000.0, 5_250_000.0),
    "EPSG:32633": (-250_000.0, 3_900_000.0, 800_000.0, 5_250_000.0),
    "EPSG:25833": (-250_000.0, 3_900_000.0, 800_000.0, 5_250_000.0),
    "EPSG:7792": (-250_000.0, 3_900_000.0, 800_000.0, 5_250_000.0),
}


def _inside(bounds, box) -> bool:
    minx, miny, maxx, maxy = bounds
    return box[0] <= minx and maxx <= box[2] and box[1] <= miny and maxy <= box[3]


def plausible_in_italy(crs_label_: str, bounds) -> bool:
    """Whether data with these x/y bounds can be in Italy in this CRS."""
    box = ITALY_RANGES.get(crs_label_)
    if box is not None:
        return _inside(bounds, box)
    try:
        t = transformer(crs_label_, STORAGE_CRS)
    except Exception:
        return False
    lon0, lat0 = t.transform(bounds[0], bounds[1])
    lon1, lat1 = t.transform(bounds[2], bounds[3])
    return _inside((lon0, lat0, lon1, lat1), ITALY_RANGES["EPSG:4326"])


def guess_crs(bounds, home: tuple[float, float]) -> str | None:
    """The supported CRS the coordinates look like, or None. Of several, the one that puts
    them nearest `home` (lon/lat: where the geoportal is, the organisation's map centre)."""
    best, best_distance = None, None
    for label, box in ITALY_RANGES.items():
        if not _inside(bounds, box):
            continue
        cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        lon, lat = transformer(label, STORAGE_CRS).transform(cx, cy)
        distance = (lon - home[0]) ** 2 + (lat - home[1]) ** 2
        if best_distance is None or distance < best_distance:
            best, best_distance = label, distance
    return best


# -- OGC API Features Part 2: CRS by reference ----------------------------------------

EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
#: The CRSs the API can answer in (besides CRS84), in the order collections list them.
OUTPUT_EPSG = (4326, 3857, 3003, 3004, 6707, 7791, 7792, 25832, 32632, 32633)


def supported_crs_uris() -> list[str]:
    return [CRS84_URI] + [EPSG_URI.format(code) for code in OUTPUT_EPSG]


def crs_from_uri(value: str) -> str:
    """'OGC:CRS84' or 'EPSG:n' for a supported CRS URI (or EPSG:n shorthand); ValueError else."""
    value = value.strip()
    if value in (CRS84_URI, "OGC:CRS84", "CRS84"):
        return "OGC:CRS84"
    for prefix in (
        "http://www.opengis.net/def/crs/EPSG/0/",
        "https://www.opengis.net/def/crs/EPSG/0/",
        "EPSG:",
        "urn:ogc:def:crs:EPSG::",
    ):
        if value.startswith(prefix) and value[len(prefix) :].isdigit():
            code = int(value[len(prefix) :])
            if code in OUTPUT_EPSG:
                return f"EPSG:{code}"
    raise ValueError(value)


def uri_of(label: str) -> str:
    return CRS84_URI if label == "OGC:CRS84" else EPSG_URI.format(label.split(":")[1])


@lru_cache(maxsize=32)
def _authority_transformer(src: str, dst: str) -> Transformer:
    """Coordinates in each CRS's own axis order (EPSG:4326 is latitude first, 6707 northing)."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst))


def _move(transformer: Transformer):
    import numpy as np

    def move(xy):
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return move


def geometry_to(geometry: dict | None, label: str) -> dict | None:
    """A GeoJSON geometry (CRS84) in `label`, in that CRS's axis order."""
    if geometry is None or label == "OGC:CRS84":
        return geometry
    import shapely

    geom = shapely.transform(
        shapely.geometry.shape(geometry), _move(_authority_transformer("OGC:CRS84", label))
    )
    return shapely.geometry.mapping(geom)


def geometry_from(geometry: dict | None, label: str) -> dict | None:
    """A GeoJSON geometry given in `label` (that CRS's axis order), in CRS84; ValueError
    if it is not a geometry or does not transform to finite coordinates."""
    if geometry is None or label == "OGC:CRS84":
        return geometry
    import numpy as np
    import shapely

    try:
        shape = shapely.geometry.shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed GeoJSON
        raise ValueError(f"not a GeoJSON geometry ({exc})") from None
    with np.errstate(all="ignore"):
        moved = shapely.transform(shape, _move(_authority_transformer(label, "OGC:CRS84")))
    if not moved.is_empty and not np.isfinite(shapely.get_coordinates(moved)).all():
        raise ValueError(f"coordinates outside the area of {label}")
    return shapely.geometry.mapping(moved)


def bbox_to_crs84(bbox: tuple[float, float, float, float], label: str):
    """The area of a bbox given in `label` (its axis order), as a CRS84 polygon.

    Each edge is densified to 16 segments so the area stays right after reprojection;
    coordinates that cannot be transformed give an empty polygon.
    """
    import numpy as np
    import shapely

    x0, y0, x1, y1 = bbox
    t = np.linspace(0.0, 1.0, 17)
    with np.errstate(all="ignore"):
        xs = np.concatenate(
            [x0 + (x1 - x0) * t, np.full(17, x1), x1 - (x1 - x0) * t, np.full(17, x0)]
        )
        ys = np.concatenate(
            [np.full(17, y0), y0 + (y1 - y0) * t, np.full(17, y1), y1 - (y1 - y0) * t]
        )
        if label != "OGC:CRS84":
            xs, ys = _authority_transformer(label, "OGC:CRS84").transform(xs, ys)
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return shapely.Polygon()
    return shapely.make_valid(shapely.Polygon(np.column_stack([xs, ys])))
