"""Open the files the SIT office has: zipped shapefile, GeoPackage, GeoJSON, CSV, KML/KMZ.

Every reader returns the data in the file's own CRS plus what it noticed (`notes`), or
raises ImportRefused with a message a person can act on. Archives are checked before anything
is extracted (archives.py), and every file is checked by guard.py before GDAL opens it: GDAL
chooses drivers by content and some follow a file to other files and URLs.
"""

from __future__ import annotations

import csv
import io as stdio
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from app.errors import ImportRefused
from app.publishing import guard
from app.publishing.archives import safe_extract

MAX_FIELDS = 1000  # more is a broken or hostile file (and slow to check, field by field)
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".csv")
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")


@dataclass
class Opened:
    gdf: gpd.GeoDataFrame
    crs: str | None  # as declared by the file, or as given
    source: str  # file name (and layer) for the report
    notes: list[str] = field(default_factory=list)


def _pick(files: list[Path], layer: str | None, archive: str) -> Path:
    shps = [f for f in files if f.suffix.lower() == ".shp"]
    candidates = shps or [f for f in files if f.suffix.lower() in VECTOR_SUFFIXES]
    if layer:
        chosen = [f for f in candidates if f.stem == layer or f.name == layer]
        if not chosen:
            names = ", ".join(sorted(f.name for f in candidates)) or "none"
            raise ImportRefused(f"{archive}: no layer {layer!r} in the archive (found: {names})")
        return chosen[0]
    if not candidates:
        raise ImportRefused(f"{archive}: no shapefile or other vector file inside")
    if len(candidates) > 1:
        names = ", ".join(sorted(f.stem for f in candidates))
        raise ImportRefused(
            f"{archive}: several layers ({names}); choose one (CLI --layer, admin: 'layer in the file')"
        )
    return candidates[0]


def _check_shapefile(shp: Path) -> list[str]:
    siblings = {p.suffix.lower(): p for p in shp.parent.glob(shp.stem + ".*")}
    missing = [s for s in (".shx", ".dbf") if s not in siblings]
    if missing:
        raise ImportRefused(
            f"{shp.name}: the shapefile lacks its {' and '.join(missing)} "
            "file; include all the parts in the zip"
        )
    notes = []
    if ".prj" not in siblings:
        notes.append(f"{shp.name}: no .prj file, the CRS must be given")
    if ".cpg" not in siblings:
        notes.append(f"{shp.name}: no .cpg file, the DBF encoding was detected")
    return notes


def _read_vector(path: Path, layer: str | None, **kw) -> gpd.GeoDataFrame:
    guard.check_driver(path, path.name, layer)  # no row is read through an unexpected driver
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer, **kw)
    except Exception as exc:
        raise ImportRefused(f"{path.name}: cannot be read as vector data: {exc}") from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise ImportRefused(f"{path.name}: has no geometry")
    return gdf


def _mojibake(gdf: gpd.GeoDataFrame) -> bool:
    for col in gdf.columns:
        if col != gdf.geometry.name and _is_text(gdf[col]):
            if gdf[col].dropna().astype(str).str.contains(_MOJIBAKE).any():
                return True
    return False


def _open_shapefile(shp: Path, notes: list[str]) -> gpd.GeoDataFrame:
    notes.extend(_check_shapefile(shp))
    gdf = _read_vector(shp, None)
    if not (shp.with_suffix(".cpg").exists() or shp.with_suffix(".CPG").exists()):
        if _mojibake(gdf):  # UTF-8 bytes read as Latin-1: read again as UTF-8
            gdf = _read_vector(shp, None, encoding="UTF-8")
            notes.append(f"{shp.name}: text read as UTF-8 (it was not Latin-1)")
    return gdf


def _open_gpkg(path: Path, layer: str | None, notes: list[str]) -> tuple[gpd.GeoDataFrame, str]:
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise ImportRefused(f"{path.name}: not a readable GeoPackage: {exc}") from None
    if layer is None:
        if len(layers) != 1:
            raise ImportRefused(
                f"{path.name}: {len(layers)} layers ({', '.join(layers)}); choose one (CLI --layer, admin: 'layer in the file')"
            )
        layer = layers[0]
    elif layer not in layers:
        raise ImportRefused(f"{path.name}: no layer {layer!r} (found: {', '.join(layers)})")
    return _read_vector(path, layer), f"{path.name}:{layer}"


def _open_kml(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    try:
        layers = [name for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise ImportRefused(f"{path.name}: not a readable KML file: {exc}") from None
    if layer:
        return _read_vector(path, layer)
    frames = [_read_vector(path, name).assign(cartella=name) for name in layers]
    frames = [f for f in frames if len(f)]
    if not frames:
        raise ImportRefused(f"{path.name}: no placemarks")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    # KML drivers add a column for every KML element (timestamp, icon, ...): keep used ones.
    empty = [c for c in gdf.columns if c != gdf.geometry.name and gdf[c].isna().all()]
    return gdf.drop(columns=empty)


_LON = ("lon", "lng", "long", "longitude", "longitudine")
_LAT = ("lat", "latitude", "latitudine")
_X = ("x", "est", "east", "easting", "coord_x")
_Y = ("y", "nord", "north", "northing", "coord_y")
_WKT = ("wkt", "geometry", "geometria", "geom", "the_geom")


def _decode(raw: bytes, name: str, notes: list[str]) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append(f"{name}: not UTF-8, read as Windows-1252")
        return raw.decode("cp1252", errors="replace")


def _open_csv(
    path: Path, crs: str | None, notes: list[str], geometry_optional: bool = False
) -> tuple[gpd.GeoDataFrame, str]:
    text = _decode(path.read_bytes(), path.name, notes)
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        header = next(csv.reader([text.partition("\n")[0]], delimiter=sep), [])
    except csv.Error as exc:
        raise ImportRefused(f"{path.name}: not a readable CSV: {exc}") from None
    if len(header) > MAX_FIELDS:  # pandas takes minutes on a header of 100 000s of columns
        raise ImportRefused(f"{path.name}: {len(header)} columns (at most {MAX_FIELDS})")
    try:
        df = pd.read_csv(stdio.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except Exception as exc:
        raise ImportRefused(f"{path.name}: not a readable CSV: {exc}") from None
    cols = {c.strip().lower(): c for c in df.columns}

    def find(names):
        return next((cols[n] for n in names if n in cols), None)

    wkt, lon, lat, x, y = find(_WKT), find(_LON), find(_LAT), find(_X), find(_Y)
    if wkt:
        try:
            texts = [v.strip() or None if isinstance(v, str) else None for v in df[wkt]]
            geoms = shapely.from_wkt(np.array(texts, dtype=object))
        except shapely.errors.GEOSException as exc:
            raise ImportRefused(f"{path.name}: column {wkt!r} has invalid WKT: {exc}") from None
        rest = df.drop(columns=[wkt])
    elif (lon and lat) or (x and y):
        a, b = (lon, lat) if lon and lat else (x, y)
        if not (lon and lat) and crs is None:
            raise ImportRefused(
                f"{path.name}: columns {a!r}/{b!r} are projected coordinates; "
                "give their CRS (CLI --crs, admin: 'CRS'), e.g. EPSG:3003"
            )
        if lon and lat and crs is None:
            crs = "EPSG:4326"
            notes.append(f"{path.name}: {a}/{b} read as WGS84 longitude/latitude")
        xs, ys = (_numbers(df[c], path.name, c) for c in (a, b))
        geoms = shapely.points(xs, ys)
        geoms[pd.isna(xs) | pd.isna(ys)] = None
        rest = df.drop(columns=[a, b])
    elif geometry_optional:  # a table of attributes (bulk placement by street, updates)
        geoms = np.full(len(df), None, dtype=object)
        rest = df
        crs = crs or "EPSG:4326"
        notes.append(f"{path.name}: no coordinate columns, no geometry is read")
    else:
        raise ImportRefused(
            f"{path.name}: no coordinates: expected lon/lat, x/y or a WKT "
            f"column (found: {', '.join(df.columns)})"
        )
    rest = rest.replace("", None)
    return gpd.GeoDataFrame(rest, geometry=list(geoms), crs=crs), crs


def _numbers(col: pd.Series, name: str, column: str) -> pd.Series:
    cleaned = col.str.strip().str.replace(",", ".", regex=False).replace("", None)
    values = pd.to_numeric(cleaned, errors="coerce")
    bad = values.isna() & cleaned.notna()
    if bad.any():
        raise ImportRefused(
            f"{name}: column {column!r} has non-numeric values, e.g. "
            f"{col[bad].iloc[0]!r} (row {int(bad.idxmax()) + 2})"
        )
    return values


def open_vector(
    path: Path,
    workdir: Path,
    layer: str | None = None,
    crs: str | None = None,
    geometry_optional: bool = False,
) -> Opened:
    """Open any supported input; `crs` overrides a missing CRS (and is checked later).
    With `geometry_optional`, a CSV without coordinate columns is read as a plain table."""
    path = Path(path)
    if not path.is_file():
        raise ImportRefused(f"{path.name}: file not found")
    guard.harden_gdal()
    notes: list[str] = []
    suffix = path.suffix.lower()
    source = path.name
    declared = None
    if suffix in (".zip", ".kmz"):
        guard.check_virtual(path, path.name)
        files = safe_extract(path, workdir)
        guard.check_members(files, path.name)  # opened or not: GDAL may follow any of them
        if suffix == ".kmz":
            kml = [f for f in files if f.suffix.lower() == ".kml"]
            if not kml:
                raise ImportRefused(f"{path.name}: no .kml document inside")
            _guard(kml[0], f"{path.name}:{kml[0].name}")
            return _finish(_open_kml(kml[0], layer), crs, source, notes)
        inner = _pick(files, layer, path.name)
        source = f"{path.name}:{inner.name}"
        if inner.suffix.lower() == ".zip":
            raise ImportRefused(f"{path.name}: nested archives are not supported")
        opened = open_vector(inner, workdir / "inner", None, crs, geometry_optional)
        opened.source = source
        opened.notes[:0] = notes
        return opened
    if suffix in guard.ALLOWED_DRIVERS or suffix == ".csv":
        _guard(path, path.name)
    if suffix == ".shp":
        gdf = _open_shapefile(path, notes)
    elif suffix == ".gpkg":
        gdf, source = _open_gpkg(path, layer, notes)
    elif suffix == ".csv":
        gdf, declared = _open_csv(path, crs, notes, geometry_optional)
    elif suffix == ".kml":
        gdf = _open_kml(path, layer)
    elif suffix in (".geojson", ".json"):
        gdf = _read_vector(path, None)  # checked by _guard
    else:
        raise ImportRefused(
            f"{path.name}: unsupported file type {suffix!r}; use a zipped "
            "shapefile, GeoPackage, GeoJSON, CSV, KML or KMZ"
        )
    return _finish(gdf, crs or declared, source, notes)


def _guard(path: Path, shown: str) -> None:
    """Before GDAL opens the file: its content matches its suffix (see `_read_vector`)."""
    guard.check_content(path, shown)
    if path.suffix.lower() in (".geojson", ".json"):  # before GDAL opens it (a `crs` link)
        guard.check_geojson(_check_json(path), shown)


def _check_json(path: Path) -> dict:
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path.name}: not valid JSON: {exc}") from None
    except RecursionError:
        raise ImportRefused(f"{path.name}: not usable JSON: nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise ImportRefused(f"{path.name}: JSON but not GeoJSON (no FeatureCollection)")
    return doc


def _finish(gdf: gpd.GeoDataFrame, crs: str | None, source: str, notes: list[str]) -> Opened:
    from app.geo.crs import crs_label

    if len(gdf.columns) > MAX_FIELDS:
        raise ImportRefused(f"{source}: {len(gdf.columns) - 1} fields (at most {MAX_FIELDS})")
    declared = crs_label(gdf.crs)
    if declared is None and crs is None:
        raise ImportRefused(
            f"{source}: the file declares no CRS; give it (CLI --crs, admin: 'CRS') "
            "(e.g. EPSG:3003 for Gauss-Boaga, EPSG:7791 for RDN2008 UTM 32N)"
        )
    if crs is not None and declared is not None and crs != declared:
        notes.append(f"{source}: declares {declared}; {crs} was given and is used")
    if crs is not None:
        gdf = gdf.set_crs(crs, allow_override=True)
    return Opened(flatten_nested(gdf, notes), crs or declared, source, notes)


def flatten_nested(gdf: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Expand columns holding JSON objects (e.g. OSM `tags`) into one column per key."""
    for col in [c for c in gdf.columns if c != gdf.geometry.name]:
        values = gdf[col].dropna()
        if values.empty or not _is_text(gdf[col]):
            continue
        parsed = values.map(_as_object)
        if not parsed.map(lambda v: isinstance(v, dict)).all():
            continue
        expanded = pd.DataFrame(list(parsed), index=parsed.index).reindex(gdf.index)
        expanded.columns = [k if k not in gdf.columns else f"{col}_{k}" for k in expanded.columns]
        gdf = gdf.drop(columns=[col]).join(expanded.astype(object).where(expanded.notna(), None))
        if len(expanded.columns):
            notes.append(f"nested field {col!r} flattened into {len(expanded.columns)} fields")
        else:
            notes.append(f"field {col!r} held only empty objects and was left out")
    return gdf


def _as_object(value):
    if isinstance(value, dict):
        return {
            str(k): (json.dumps(v) if isinstance(v, (dict, list)) else v) for k, v in value.items()
        }
    if isinstance(value, str) and value.startswith("{"):
        try:
            return _as_object(json.loads(value))
        except ValueError:
            return value
    return value


def safe_field_name(name: str) -> str:
    """A column name the store accepts: ASCII letters, digits and _, not starting with a digit."""
    ascii_ = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    clean = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_).strip("_") or "campo"
    if clean[0].isdigit():
        clean = "f_" + clean
    return clean[:63]


def _is_text(col: pd.Series) -> bool:
    """Object or string columns (pandas 3 reads text as its own string dtype)."""
    return col.dtype == object or pd.api.types.is_string_dtype(col)
