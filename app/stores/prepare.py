"""Check a GeoDataFrame against its LayerSpec and shape it for storage (any back end)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from app.errors import DataError
from app.registry.spec import LayerSpec

_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


_TRUE = {True, "1", "true", "True", "TRUE", "si", "sì", "yes"}
_FALSE = {False, "0", "false", "False", "FALSE", "no"}


def _booleans(series: pd.Series) -> pd.Series:
    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
            return None
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise ValueError(f"{v!r} is not true or false")

    return pd.array([one(v) for v in series], dtype="boolean")


def _cast(series: pd.Series, kind: str, where: str) -> pd.Series:
    try:
        if kind == "integer":
            return pd.to_numeric(series, errors="raise").astype("Int64")
        if kind == "number":
            return pd.to_numeric(series, errors="raise").astype("float64")
        if kind == "boolean":
            return _booleans(series)
        if kind == "date":
            parsed = pd.to_datetime(series, errors="raise", format="ISO8601")
            return parsed.dt.strftime("%Y-%m-%d").where(series.notna(), None).astype("object")
        return (
            series.astype("object")
            .where(series.notna(), None)
            .map(lambda v: v if v is None else str(v))
        )
    except (ValueError, TypeError) as exc:
        raise DataError(f"{where}: values are not of type {kind}: {exc}") from None


def cast_value(value, kind: str):
    """One value in the type of a field (as `prepare_layer` types a column); DataError."""
    return _cast(pd.Series([value], dtype=object), kind, "value")[0]


def prepare_layer(spec: LayerSpec, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep the declared fields, typed; check ids and geometries; promote to multi if declared.

    Raises DataError naming the layer, the field or the feature.
    """
    missing = [f.name for f in spec.fields if f.name not in gdf.columns]
    if missing:
        raise DataError(f"layer '{spec.id}': source lacks declared fields: {', '.join(missing)}")
    out = gpd.GeoDataFrame(
        {
            f.name: _cast(gdf[f.name], f.type, f"layer '{spec.id}', field '{f.name}'")
            for f in spec.fields
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    ids = out[spec.id_field]
    if ids.isna().any():
        raise DataError(
            f"layer '{spec.id}': {int(ids.isna().sum())} features lack '{spec.id_field}'"
        )
    dupes = ids[ids.duplicated()].unique().tolist()
    if dupes:
        raise DataError(f"layer '{spec.id}': '{spec.id_field}' repeats: {dupes[:5]}")

    geoms = out.geometry.values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    invalid = present & ~shapely.is_valid(geoms)
    if invalid.any():
        bad = ids[invalid].tolist()[:5]
        raise DataError(f"layer '{spec.id}': invalid geometries in features {bad}")
    if spec.geometry_type != "Geometry":
        want = spec.geometry_type
        names = pd.Series([g.geom_type if p else None for g, p in zip(geoms, present, strict=True)])
        if want in _MULTI.values():
            single = [k for k, v in _MULTI.items() if v == want][0]
            promote = present & (names == single).to_numpy()
            if promote.any():
                geoms = geoms.copy()
                make = {
                    "Polygon": shapely.multipolygons,
                    "LineString": shapely.multilinestrings,
                    "Point": shapely.multipoints,
                }[single]
                geoms[promote] = [make([g]) for g in geoms[promote]]
                names[promote] = want
        wrong = present & (names != want).to_numpy()
        if wrong.any():
            bad = ids[wrong].tolist()[:5]
            raise DataError(
                f"layer '{spec.id}': geometry_type is {want} but features {bad} are "
                f"{sorted(set(names[wrong]))}"
            )
        out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))
    return out
