"""Read a layer from any FeatureStore into a GeoDataFrame, and the metric CRS for measures."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely

from app.errors import InvalidParameter
from app.registry.spec import LayerSpec
from app.stores.base import BBox, FeatureStore, Query
from app.stores.cql2 import parse_filter

#: Distances, lengths and areas are computed in RDN2008 / UTM zone 32N (metres).
METRIC_CRS = "EPSG:7791"
PAGE = 10_000

LayerLookup = Callable[[str], LayerSpec]


def layer_filter(spec: LayerSpec, text: str | None, lang: str | None, name: str):
    """The CQL2 tree of an attribute filter on `spec`; InvalidParameter naming `name`."""
    if text is None or str(text).strip() == "":
        return None
    if not isinstance(text, str):
        raise InvalidParameter(f"{name} must be a CQL2 text (string)", name)
    try:
        return parse_filter(text, lang, spec)
    except InvalidParameter as exc:
        raise InvalidParameter(f"{name}: {exc.detail}", name) from None


def load_frame(
    store: FeatureStore, spec: LayerSpec, tree=None, bbox: BBox | None = None
) -> gpd.GeoDataFrame:
    """Every feature of the served version matching `tree` (and `bbox`), in CRS84.

    Columns are the layer's declared fields; features without geometry keep a None geometry
    (callers decide whether to count them by an attribute or leave them out).
    """
    return store.frame(spec, Query(bbox=bbox, filter=tree))


def metric(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """The frame's geometries in METRIC_CRS (None stays None)."""
    return frame.geometry.to_crs(METRIC_CRS)


def located(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Mask of rows with a non-empty geometry."""
    g = frame.geometry.values
    return ~(shapely.is_missing(g) | shapely.is_empty(g))


def require_field(spec: LayerSpec, name: str | None, parameter: str) -> str | None:
    """`name` if it is a field of `spec` (or None); InvalidParameter listing the fields."""
    if name is None:
        return None
    if spec.field(name) is None:
        names = ", ".join(spec.field_names)
        raise InvalidParameter(
            f"{parameter}: '{spec.id}' has no field {name!r}; its fields: {names}", parameter
        )
    return name


def plain(value):
    """A JSON-ready scalar: numpy values unwrapped, NaN / NA / NaT as None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    try:
        if value != value:  # NaN, and pd.NA / NaT compare as such
            return None
    except TypeError:
        return None
    return value
