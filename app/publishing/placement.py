"""Bulk placement: a file keyed on a layer's id field places or updates many features at once.

    plan = plan_placement(store, Path("posizioni.csv"), PlacementOptions("interventi"))
    if plan.ok:
        apply_placement(store, plan, user="sit")

The file is read by the import readers (CSV with lon/lat, x/y or WKT, GeoJSON, GeoPackage,
zipped shapefile, KML) and checked before anything is written, in the same `Report` as an
import: unknown, missing and repeated ids, invalid geometries (with the reason), geometries
of another type than the layer's, features outside the comune or the province, unknown
street codes, unknown columns, values not of their field's type, features that will be
moved. Besides the layer's fields a row may carry `precisione`, `fonte_posizione` and
`codice_via` (ANNCSU code, checked against the street list, its name recorded as `via`):
they make the edit's placement. The street list has no street geometries, so a row with a
street code and no geometry records the street and leaves the geometry as it is.

`apply_placement` writes every row as a pending edit in one `edit_many` call (all or none),
each update naming the draft's current ETag read at that moment: the rows wait in the
layer's draft for review and publish like any edit.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import shapely.geometry
from pyproj.exceptions import CRSError

from app.errors import ImportRefused, LayerNotFound
from app.geo.crs import STORAGE_CRS, parse_crs
from app.organisation import organisation
from app.publishing import report as checks
from app.publishing.importer import comune_boundary
from app.publishing.placement_rows import PlacementRow, check_rows, id_text
from app.publishing.readers import open_vector, safe_field_name
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, Query
from app.stores.edits import EditResult, FeatureEdit

#: Columns that make a row's placement rather than a field of the layer.
PLACEMENT_COLUMNS = ("precisione", "fonte_posizione", "codice_via")

StreetLookup = Callable[[str], str | None]


@dataclass
class PlacementOptions:
    layer_id: str
    crs: str | None = None  # CRS of the coordinates where the file declares none
    layer: str | None = None  # layer (GeoPackage, KML) or file (zip) inside the input


@dataclass
class PlacementPlan:
    """The report and, when it has no errors, the rows `apply_placement` writes."""

    report: checks.Report
    spec: LayerSpec | None
    rows: list[PlacementRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.report.blocking and bool(self.rows)


def default_streets() -> StreetLookup | None:
    """The organisation's street list (app/streets.py, `streets:` in organisation.yaml) as a
    code -> full name lookup; None where the geoportal has no street list."""
    from app import streets

    if not streets.available():
        return None

    def lookup(code: str) -> str | None:
        found = streets.by_code(code)
        return None if found is None else found["nome"]

    return lookup


def served_spec(store: FeatureStore, layer_id: str) -> LayerSpec:
    """The spec of the served version of `layer_id`; LayerNotFound if it is not served."""
    spec = next((s for s in store.published_specs() if s.id == layer_id), None)
    if spec is None:
        raise LayerNotFound(f"'{layer_id}' is not published: publish it before placing features")
    return spec


def plan_placement(
    store: FeatureStore,
    path: Path,
    opts: PlacementOptions,
    streets: StreetLookup | None | bool = True,
) -> PlacementPlan:
    """Read and check a placement file; nothing is written. `streets`: a code -> name
    lookup, True for the organisation's street list, None for none."""
    started = time.perf_counter()
    if streets is True:
        streets = default_streets()
    spec = served_spec(store, opts.layer_id)
    if opts.crs is not None:
        try:
            parse_crs(opts.crs)
        except CRSError:
            raise ImportRefused(f"unknown CRS {opts.crs[:60]!r}: write e.g. EPSG:3003") from None
    with tempfile.TemporaryDirectory(prefix="geoportale-place-") as tmp:
        opened = open_vector(Path(path), Path(tmp), opts.layer, opts.crs, geometry_optional=True)
    report = checks.Report(opts.layer_id, opened.source, opened.crs)
    plan = PlacementPlan(report, spec)
    report.features = len(opened.gdf)
    for note in opened.notes:
        report.add("info", "note", note)
    if report.features == 0:
        report.add("error", "empty", "the file has no rows")
        return _done(plan, started)
    gdf = opened.gdf
    checks.check_crs(report, gdf, opened.crs, organisation().home)
    if report.blocking:
        return _done(plan, started)
    gdf = gdf.to_crs(STORAGE_CRS).reset_index(drop=True)
    columns = _columns(report, gdf, spec)
    if spec.id_field not in columns.values():
        report.add(
            "error",
            "missing-id-column",
            f"the file has no column '{spec.id_field}' (the id field of '{spec.id}'), so its "
            f"rows cannot be matched to features (columns: {', '.join(columns) or 'none'})",
        )
        return _done(plan, started)
    data = gdf.rename(columns=columns)[list(columns.values())]
    first = 2 if Path(path).suffix.lower() == ".csv" else 1  # a CSV's header is row 1
    ids = _ids(report, data[spec.id_field], spec, first)
    geoms = _geometries(report, gdf.geometry.values, ids, spec, first)
    report.with_geometry = int(sum(g is not None for g in geoms))
    current = _draft(store, spec)
    _known(report, ids, current, first)
    _extent(report, gdf, geoms, ids, store)
    rows = check_rows(report, spec, data, ids, geoms, current, streets, first)
    if not report.blocking:
        plan.rows = rows
    return _done(plan, started)


def _done(plan: PlacementPlan, started: float) -> PlacementPlan:
    plan.report.seconds = round(time.perf_counter() - started, 3)
    return plan


def _columns(report: checks.Report, gdf, spec: LayerSpec) -> dict[str, str]:
    """File column -> layer field or placement key (case and shapefile cuts forgiven);
    unknown columns are warned of and left out."""
    wanted = {n.lower(): n for n in (*spec.field_names, *PLACEMENT_COLUMNS)}
    out, unknown = {}, []
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        name = safe_field_name(col).lower()
        hit = wanted.get(name) or next(
            (v for k, v in wanted.items() if len(name) == 10 and k.startswith(name)), None
        )
        if hit is None or hit in out.values():
            unknown.append(str(col))
        else:
            out[col] = hit
    if unknown:
        report.add(
            "warning",
            "unknown-columns",
            f"columns that are neither fields of '{spec.id}' nor placement keys "
            f"({', '.join(PLACEMENT_COLUMNS)}), ignored: {', '.join(unknown)}",
        )
    report.fields = [{"name": v, "type": _kind(spec, v), "nulls": 0} for v in out.values()]
    for f in report.fields:
        f["nulls"] = int(gdf[_source_of(out, f["name"])].isna().sum())
    return out


def _source_of(columns: dict[str, str], name: str) -> str:
    return next(k for k, v in columns.items() if v == name)


def _kind(spec: LayerSpec, name: str) -> str:
    return spec.field(name).type if name in spec.field_names else "placement"


def _ids(report: checks.Report, raw: pd.Series, spec: LayerSpec, first: int) -> pd.Series:
    """The ids as text ('12' for 12.0 from a float column); repeats and blanks are errors."""
    ids = raw.map(id_text)
    missing = ids.isna()
    if missing.any():
        report.add(
            "error",
            "missing-id",
            f"{int(missing.sum())} rows have no '{spec.id_field}' ({_rows_text(missing, first)})",
        )
    dup = ids.duplicated(keep=False) & ~missing
    if dup.any():
        report.add(
            "error",
            "duplicate-id",
            f"{ids[dup].nunique()} values of '{spec.id_field}' repeat: one row per feature",
            sorted(set(ids[dup])),
        )
    return ids


def _rows_text(mask: pd.Series, first: int, limit: int = 10) -> str:
    """The rows of the file where `mask` holds (`first`: the number of the first row: 2 in
    a CSV, whose header is row 1 as a spreadsheet shows it; 1 in other files)."""
    rows = [str(i + first) for i in np.flatnonzero(mask.to_numpy())]
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(rows[:limit]) + more


def _geometries(
    report: checks.Report, geoms, ids: pd.Series, spec: LayerSpec, first: int
) -> np.ndarray:
    """The geometries (2D, CRS84) of the rows; None where a row has none. Invalid ones and
    ones of another type than the layer's are errors (never repaired: a placement is put
    where the file says or not at all)."""
    geoms = shapely.force_2d(np.asarray(geoms, dtype=object))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms[~present] = None
    finite = np.array(
        [g is None or bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in geoms]
    )
    if (~finite).any():
        report.add("error", "non-finite", "coordinates that are NaN or infinite", ids[~finite])
    invalid = present & finite & ~shapely.is_valid(geoms)
    for i in np.flatnonzero(invalid):
        report.add(
            "error",
            "invalid-geometry",
            f"row {i + first}: the geometry of '{ids[i]}' is not valid "
            f"({shapely.is_valid_reason(geoms[i])})",
            [ids[i]],
        )
    want = checks.FAMILY.get(spec.geometry_type)
    if want is not None:
        kinds = pd.Series([g.geom_type if g is not None else None for g in geoms])
        wrong = present & (kinds.map(checks.FAMILY).to_numpy() != want)
        if wrong.any():
            found = ", ".join(sorted(set(kinds[wrong])))
            report.add(
                "error",
                "geometry-type",
                f"'{spec.id}' holds {spec.geometry_type} geometries; {int(wrong.sum())} rows "
                f"have {found} ({_rows_text(pd.Series(wrong), first)})",
                ids[wrong],
            )
    return geoms


def _draft(store: FeatureStore, spec: LayerSpec) -> dict[str, dict]:
    """Id -> the feature as the draft holds it (served version plus pending edits)."""
    data = store.frame(spec, Query())
    props = data.drop(columns=[data.geometry.name]).astype(object)
    props = props.where(props.notna(), None).to_dict("records")
    out = {
        str(p[spec.id_field]): {"geometry": g, "properties": p}
        for p, g in zip(props, data.geometry.values, strict=True)
    }
    for record in store.edits(spec.id):
        if record.after is None:
            out.pop(record.feature_id, None)
        else:
            out[record.feature_id] = record.after
    return out


def _known(report: checks.Report, ids: pd.Series, current: dict, first: int) -> None:
    unknown = ids.notna() & ~ids.isin(list(current))
    if unknown.any():
        report.add(
            "error",
            "unknown-id",
            f"{int(unknown.sum())} ids are not features of '{report.layer_id}' "
            f"({_rows_text(unknown, first)}): a placement file places or updates existing features",
            ids[unknown],
        )


def _extent(report: checks.Report, gdf, geoms: np.ndarray, ids: pd.Series, store) -> None:
    org = organisation()
    frame = gdf.set_geometry(list(geoms), crs=STORAGE_CRS)
    comune = comune_boundary(store, org.area.boundary_layer)
    checks.check_extent(report, frame, ids, comune, org.area)


def apply_placement(store: FeatureStore, plan: PlacementPlan, user: str) -> list[EditResult]:
    """Write every row of a clean plan as a pending edit, in one transaction (all or none).

    Each update names the ETag of the feature as the draft holds it now (read here), so
    the edits apply over the draft as it is; make the plan again just before (the admin
    page and the CLI do) so that its report describes that same draft."""
    if not plan.ok or plan.spec is None:
        raise ImportRefused("the placement report has errors: nothing was written")
    changes = []
    for row in plan.rows:
        _, etag = store.draft_get(plan.spec, row.feature_id)
        change = FeatureEdit(
            "update",
            row.feature_id,
            geometry=row.geometry,
            properties=row.properties,
            set_geometry=row.geometry is not None,
            placement=row.placement,
        )
        changes.append((change, etag))
    return store.edit_many(plan.spec, changes, user=user)
