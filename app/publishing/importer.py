"""Import a file as a new version of a layer: open, validate, stage, optionally publish.

    result = import_file(store, Path("civici.gpkg"), ImportOptions("civici", crs=None), "sit")

Nothing is written when the report has blocking errors; otherwise the data becomes a draft
version (previewable) and, with `publish=True`, the served one in the same call.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj.exceptions import CRSError

from app.errors import DataError, LayerNotFound
from app.geo.crs import STORAGE_CRS, parse_crs
from app.organisation import organisation
from app.publishing import report as checks
from app.publishing.readers import ImportRefused, open_vector, safe_field_name
from app.registry.spec import LAYER_ID, FieldSpec, LayerSpec, MetadataSpec, SourceSpec, Text
from app.stores.base import FeatureStore, Query
from app.stores.prepare import prepare_layer

ORIGIN = "import"
_ID_CANDIDATES = ("id", "fid", "codice", "cod", "objectid", "gid")


@dataclass
class ImportOptions:
    layer_id: str
    layer: str | None = None  # layer or file inside the input
    crs: str | None = None  # CRS to assume (or to override the declared one)
    title: str | None = None
    id_field: str | None = None
    renames: dict[str, str] = field(default_factory=dict)  # source field -> layer field
    licence: str | None = None
    publish: bool = False


@dataclass
class ImportResult:
    report: checks.Report
    spec: LayerSpec | None

    @property
    def ok(self) -> bool:
        return not self.report.blocking


def _existing_spec(store: FeatureStore, layer_id: str) -> LayerSpec | None:
    """The served version's spec, else the newest version's (a draft never published)."""
    try:
        versions = store.versions(layer_id)
    except LayerNotFound:
        return None
    return next((v.spec for v in versions if v.status == "published"), versions[0].spec)


def comune_boundary(store: FeatureStore, layer_id: str | None):
    """The comune boundary from the served boundary layer (the organisation's
    `area.boundary_layer`), if there is one."""
    if layer_id is None:
        return None
    spec = next((s for s in store.published_specs() if s.id == layer_id), None)
    if spec is None:
        return None
    geoms = [
        shapely.geometry.shape(f.geometry)
        for f in store.query(spec, Query()).features
        if f.geometry
    ]
    return shapely.union_all(geoms) if geoms else None


def _match_fields(
    gdf: gpd.GeoDataFrame, spec: LayerSpec | None, renames: dict[str, str], notes: list[str]
) -> gpd.GeoDataFrame:
    """Safe column names; explicit renames; columns matched to the spec's fields by case or by
    the 10-character cut of shapefiles."""
    geometry = gdf.geometry.name
    mapping = {}
    wanted = {f.name.lower(): f.name for f in spec.fields} if spec else {}
    for col in gdf.columns:
        if col == geometry:
            continue
        if col in renames:
            mapping[col] = renames[col]
            continue
        name = safe_field_name(col)
        if spec and name not in spec.field_names:
            hit = wanted.get(name.lower()) or next(
                (
                    f
                    for low, f in wanted.items()
                    if len(name) == 10 and low.startswith(name.lower())
                ),
                None,
            )
            if hit:
                notes.append(f"field {col!r} taken as '{hit}'")
                name = hit
        mapping[col] = name
    unknown = set(renames) - set(gdf.columns)
    if unknown:
        raise ImportRefused(f"--rename names fields not in the file: {', '.join(sorted(unknown))}")
    names = list(mapping.values())
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ImportRefused(f"fields collide after renaming: {', '.join(dupes)}")
    return gdf.rename(columns=mapping)


def _geometry_type(report: checks.Report, spec: LayerSpec | None) -> str:
    if spec is not None:
        return spec.geometry_type
    fams = checks.families(report)
    if len(fams) != 1:
        return "Geometry"
    single = {"point": "Point", "line": "LineString", "polygon": "Polygon"}[fams.pop()]
    multi = any(t.startswith("Multi") for t in report.geometry_types)
    return f"Multi{single}" if multi else single


def _new_spec(opts: ImportOptions, gdf, types, id_field, geometry_type, crs, source) -> LayerSpec:
    today = dt.date.today()
    org_name = organisation().name.it
    title = opts.title or opts.layer_id.replace("_", " ").capitalize()
    fields = [FieldSpec(name=c, type=t, label=Text(it=c)) for c, t in types.items()]
    return LayerSpec(
        id=opts.layer_id,
        title=Text(it=title),
        group=Text(it="Dati del SIT", en="SIT data"),
        geometry_type=geometry_type,
        source=SourceSpec(path=source),
        id_field=id_field,
        title_field=_title_field(types),
        fields=tuple(fields),
        popup=tuple(list(types)[:8]),
        metadata=MetadataSpec(
            abstract=Text(it=title),
            owner=f"{org_name} - SIT",
            licence=opts.licence or "non indicata",
            lineage=Text(
                it=f"Importato da {source} ({crs}) il {today.isoformat()}.",
                en=f"Imported from {source} ({crs}) on {today.isoformat()}.",
            ),
            updated=today,
            source_crs=crs,
        ),
    )


_TITLE_CANDIDATES = ("nome", "name", "titolo", "title", "denominazione", "descrizione", "label")


def _title_field(types: dict[str, str]) -> str | None:
    """A name-like text field to head popups and lists, if the file has one."""
    by_lower = {c.lower(): c for c, t in types.items() if t == "string"}
    return next((by_lower[n] for n in _TITLE_CANDIDATES if n in by_lower), None)


def _updated_spec(
    spec: LayerSpec, types: dict[str, str], crs: str, source: str, opts: ImportOptions
) -> LayerSpec:
    """The layer's spec for the file's fields (known ones keep their labels), new source, date.

    Fields the file lacks are dropped (required ones were refused before); a title field or
    a categorised style on a dropped field falls back to a required text field / one colour.
    """
    data = spec.model_dump(mode="json")
    kept = [f for f in data["fields"] if f["name"] in types or f["name"] == spec.id_field]
    extra = [
        {"name": c, "type": t, "label": {"it": c}}
        for c, t in types.items()
        if c not in spec.field_names
    ]
    names = {f["name"] for f in kept} | {f["name"] for f in extra}
    if data["style"]["property"] not in names:
        data["style"].update(property=None, categories=[])
    if data["title_field"] not in names:
        data["title_field"] = next(
            (f["name"] for f in kept if f["required"] and f["type"] == "string"), None
        )
    data["metadata"].update(
        updated=dt.date.today().isoformat(),
        source_crs=crs,
        **({"licence": opts.licence} if opts.licence else {}),
    )
    data.update(
        fields=kept + extra,
        popup=[p for p in data["popup"] if p in names],
        source={"path": source, "layer": None, "crs": None},
        **({"title": {"it": opts.title}} if opts.title else {}),
    )
    return LayerSpec.model_validate(data)


def import_file(
    store: FeatureStore,
    path: Path,
    opts: ImportOptions,
    user: str,
    progress: Callable[[str], None] = lambda step: None,
) -> ImportResult:
    """Open, validate and (when clean) stage a file; publish too with `opts.publish`."""
    if not LAYER_ID.match(opts.layer_id):
        raise ImportRefused(f"layer id {opts.layer_id!r}: use lowercase letters, digits and _")
    if opts.crs is not None:
        try:
            parse_crs(opts.crs)
        except CRSError:
            raise ImportRefused(f"unknown CRS {opts.crs[:60]!r}: write e.g. EPSG:3003") from None
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="geoportale-import-") as tmp:
        progress(f"reading {Path(path).name}")
        opened = open_vector(Path(path), Path(tmp), opts.layer, opts.crs)
    report = checks.Report(opts.layer_id, opened.source, opened.crs)
    report.features = len(opened.gdf)
    for note in opened.notes:
        report.add("info", "note", note)
    if report.features == 0:
        report.add("error", "empty", "the file has no features")
        return ImportResult(_done(report, started), None)
    progress(f"validating {report.features} features")
    org = organisation()
    checks.check_crs(report, opened.gdf, opened.crs, org.home)
    existing = _existing_spec(store, opts.layer_id)
    notes: list[str] = []
    gdf = _match_fields(opened.gdf, existing, opts.renames, notes)
    for note in notes:
        report.add("info", "field-match", note)
    if not report.blocking:
        gdf = gdf.to_crs(STORAGE_CRS)
    id_field = _choose_id(gdf, existing, opts, report)
    family = None
    if existing is not None and existing.geometry_type != "Geometry":
        family = checks.FAMILY[existing.geometry_type]
    gdf = checks.check_geometries(report, gdf, gdf[id_field].astype(str), family)
    if report.with_geometry == 0:
        report.add(
            "error",
            "no-geometry-at-all",
            "none of the features has a usable geometry (missing, empty, unknown type or "
            "malformed coordinates): check the file and its format",
        )
    types = {c: checks.infer_type(gdf[c]) for c in gdf.columns if c != gdf.geometry.name}
    checks.describe_fields(report, gdf, types)
    if existing is not None:
        missing = [f.name for f in existing.fields if f.name not in gdf.columns]
        required = [n for n in missing if existing.field(n).required]
        if required:
            report.add(
                "error",
                "missing-fields",
                "fields the layer requires are missing from "
                f"the file: {', '.join(required)} (map them: CLI --rename SOURCE=FIELD, admin: 'renames')",
            )
        elif missing:
            report.add(
                "warning",
                "dropped-fields",
                "fields of the current version that the "
                f"file does not have (the new version will not have them either): "
                f"{', '.join(missing)}",
            )
        fams = checks.families(report)
        if family is not None and fams - {family}:
            report.add(
                "error",
                "geometry-type",
                f"the layer holds {existing.geometry_type} but "
                f"the file has {', '.join(sorted(report.geometry_types))}",
            )
    elif len(checks.families(report)) > 1:
        report.add("warning", "mixed-geometry", "points, lines and areas are mixed in one layer")
    checks.check_duplicates(report, gdf, id_field)
    comune = comune_boundary(store, org.area.boundary_layer)
    checks.check_extent(report, gdf, gdf[id_field].astype(str), comune, org.area)
    if report.blocking:
        return ImportResult(_done(report, started), None)
    crs = opened.crs or STORAGE_CRS
    if existing is None:
        spec = _new_spec(
            opts, gdf, types, id_field, _geometry_type(report, None), crs, opened.source
        )
    else:
        spec = _updated_spec(existing, types, crs, opened.source, opts)
    try:
        prepare_layer(spec, gdf)
    except DataError as exc:
        report.add("error", "invalid-data", exc.detail)
        return ImportResult(_done(report, started), spec)
    progress("writing the new version")
    staged = store.stage(
        spec,
        gdf,
        origin=ORIGIN,
        source=opened.source,
        user=user,
        report=_done(report, started).as_dict(),
    )
    report.version = staged.version
    if opts.publish:
        progress(f"publishing version {staged.version}")
        store.publish(opts.layer_id, staged.version, user)
        report.published = True
    return ImportResult(_done(report, started), spec)


def _choose_id(gdf, existing: LayerSpec | None, opts: ImportOptions, report) -> str:
    if existing is not None:
        if existing.id_field in gdf.columns:
            return existing.id_field
        gdf[existing.id_field] = pd.Series(range(1, len(gdf) + 1), index=gdf.index)
        return existing.id_field
    if opts.id_field:
        if opts.id_field not in gdf.columns:
            raise ImportRefused(f"--id-field {opts.id_field!r} is not a field of the file")
        return opts.id_field
    for col in gdf.columns:
        if col.lower() in _ID_CANDIDATES:
            if gdf[col].notna().all() and gdf[col].is_unique:
                return col
            report.add(
                "warning",
                "id-not-unique",
                f"field '{col}' looks like an id but repeats "
                "or is empty; 'gp_id' numbers the features (choose one: CLI --id-field, admin: 'id field')",
            )
    gdf["gp_id"] = pd.Series(range(1, len(gdf) + 1), index=gdf.index)
    report.add("info", "generated-id", "no unique id field: 'gp_id' numbers the features")
    return "gp_id"


def _done(report: checks.Report, started: float) -> checks.Report:
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def parse_renames(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        src, sep, dst = value.partition("=")
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", dst):
            raise ImportRefused(f"--rename {value!r}: write SOURCE=FIELD")
        out[src] = dst
    return out


def report_json(report: checks.Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str)
