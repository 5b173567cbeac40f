"""The validation report of an import: what the data is, what was repaired, what blocks it.

Errors block publishing; warnings do not (a consortium may publish data wider than the
comune; mixed Polygon/MultiPolygon is normal and simply promoted).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app.geo.crs import guess_crs, plausible_in_italy
from app.publishing.readers import _is_text

MAX_LISTED = 50
FAMILY = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "LinearRing": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


@dataclass
class Issue:
    level: str  # error | warning | info
    code: str
    message: str
    features: list = field(default_factory=list)  # ids of the features concerned (first 50)
    count: int = 0


@dataclass
class Report:
    layer_id: str
    source: str
    source_crs: str | None
    features: int = 0
    with_geometry: int = 0
    geometry_types: dict = field(default_factory=dict)
    fields: list = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    seconds: float = 0.0
    version: int | None = None
    published: bool = False

    def add(self, level: str, code: str, message: str, ids=()) -> None:
        ids = list(ids)
        self.issues.append(
            Issue(level, code, message, [_plain(i) for i in ids[:MAX_LISTED]], len(ids))
        )

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]

    @property
    def blocking(self) -> bool:
        return bool(self.errors)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["ok"] = not self.blocking
        out["errors"] = len(self.errors)
        out["warnings"] = len(self.warnings)
        return out


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def check_crs(
    report: Report, gdf: gpd.GeoDataFrame, crs: str | None, home: tuple[float, float]
) -> None:
    """Coordinates outside the CRS's plausible range for Italy: an error naming a likelier CRS
    (the one that puts them nearest `home`, lon/lat)."""
    geoms = gdf.geometry[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if geoms.empty or crs is None:
        return
    bounds = tuple(geoms.total_bounds)
    if not all(np.isfinite(bounds)):
        return
    if not plausible_in_italy(crs, bounds):
        guess = guess_crs(bounds, home)
        hint = f"; they look like {guess}" if guess else ""
        report.add(
            "error",
            "crs-implausible",
            f"coordinates {', '.join(f'{b:.6g}' for b in bounds)} are outside the range "
            f"of {crs} for Italy{hint}. Give the right CRS (CLI --crs, admin: 'CRS').",
        )


def check_geometries(
    report: Report, gdf: gpd.GeoDataFrame, ids: pd.Series, family: str | None
) -> gpd.GeoDataFrame:
    """Count types, repair invalid geometries (listed), flag empty and non-finite ones."""
    geoms = shapely.force_2d(gdf.geometry.values)  # heights are not kept (KML's Z=0...)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        report.add(
            "warning",
            "no-geometry",
            f"{int(missing.sum())} features without geometry: they are kept and listed, not drawn",
            ids[missing],
        )
    coords_ok = np.array(
        [g is None or bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in geoms]
    )
    if (~coords_ok).any():
        report.add("error", "non-finite", "coordinates that are NaN or infinite", ids[~coords_ok])
        geoms[~coords_ok] = None
        missing = missing | ~coords_ok
    invalid = ~missing & ~shapely.is_valid(geoms)
    if invalid.any():
        repaired = shapely.make_valid(geoms[invalid])
        if family is not None:
            repaired = np.array([_keep_family(g, family) for g in repaired], dtype=object)
        geoms[invalid] = repaired
        report.add(
            "warning",
            "repaired",
            f"{int(invalid.sum())} invalid geometries repaired (make_valid)",
            ids[invalid],
        )
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    types = pd.Series([g.geom_type for g in geoms[present]]).value_counts()
    report.geometry_types = {k: int(v) for k, v in types.items()}
    report.with_geometry = int(present.sum())
    return gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))


def _keep_family(geom, family: str):
    """After make_valid, keep the parts of the layer's geometry family."""
    if geom is None or FAMILY.get(geom.geom_type) == family:
        return geom
    parts = [p for p in shapely.get_parts(geom) if FAMILY.get(p.geom_type) == family]
    if not parts:
        return None
    return shapely.union_all(parts)


def families(report: Report) -> set[str]:
    return {FAMILY.get(t, "other") for t in report.geometry_types}


def check_duplicates(report: Report, gdf: gpd.GeoDataFrame, id_field: str) -> None:
    ids = gdf[id_field]
    dup_ids = ids[ids.duplicated(keep=False) & ids.notna()]
    if not dup_ids.empty:
        report.add(
            "error",
            "duplicate-id",
            f"{dup_ids.nunique()} values of '{id_field}' repeat",
            sorted(set(dup_ids.astype(str))),
        )
    nulls = ids.isna()
    if nulls.any():
        report.add("error", "missing-id", f"{int(nulls.sum())} features have no '{id_field}'")
    attrs = gdf.drop(columns=[gdf.geometry.name, id_field]).astype(str)
    wkb = pd.Series([None if g is None else g.wkb_hex for g in gdf.geometry], index=gdf.index)
    same = attrs.assign(_g=wkb).duplicated(keep="first")
    if same.any():
        report.add(
            "warning",
            "duplicate-feature",
            f"{int(same.sum())} features repeat another one exactly (geometry and attributes)",
            ids[same],
        )


def check_extent(report: Report, gdf: gpd.GeoDataFrame, ids: pd.Series, comune, area) -> None:
    """Features outside the comune or the organisation's `area` (its extent, e.g. the
    province): warnings (wider data is allowed)."""
    geoms = gdf.geometry.values
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if comune is not None:
        outside = present & ~shapely.intersects(geoms, comune)
        if outside.any():
            report.add(
                "warning",
                "outside-comune",
                f"{int(outside.sum())} features outside the comune",
                ids[outside],
            )
    box = shapely.box(*area.extent)
    far = present & ~shapely.intersects(geoms, box)
    if far.any():
        report.add(
            "warning",
            "outside-province",
            f"{int(far.sum())} features outside the {area.extent_name.get('en')}",
            ids[far],
        )


def infer_type(col: pd.Series) -> str:
    """The LayerSpec field type of a column."""
    values = col.dropna()
    if pd.api.types.is_bool_dtype(col):
        return "boolean"
    if pd.api.types.is_integer_dtype(col):
        return "integer"
    if pd.api.types.is_float_dtype(col):
        return (
            "integer"
            if len(values) and (values == values.round()).all() and values.abs().max() < 2**53
            else "number"
        )
    if pd.api.types.is_datetime64_any_dtype(col):
        return "date"
    if values.empty:
        return "string"
    text = values.astype(str)
    if text.str.fullmatch(r"-?\d{1,15}").all():
        return "string" if text.str.match(r"0\d").any() else "integer"
    if text.str.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?").all():
        return "number"
    if text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        return "date"
    return "string"


def describe_fields(report: Report, gdf: gpd.GeoDataFrame, types: dict[str, str]) -> None:
    report.fields = [
        {"name": c, "type": types[c], "nulls": int(gdf[c].isna().sum())} for c in types
    ]
    bad = [
        c
        for c in types
        if _is_text(gdf[c])
        and gdf[c].dropna().astype(str).str.contains("\ufffd|[\u00c2\u00c3][\u0080-\u00bf]").any()
    ]
    if bad:
        report.add(
            "warning",
            "encoding",
            "text that looks wrongly decoded in fields: "
            + ", ".join(bad)
            + " (check the file's encoding, e.g. add a .cpg)",
        )
