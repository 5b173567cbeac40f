"""All vector I/O: reading layer sources and writing GeoPackage tables (geopandas + pyogrio)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pyogrio

from app.csvsafe import safe_frame
from app.errors import DataError, ExportFailed, StoreError, scrub_paths
from app.geo.crs import STORAGE_CRS, crs_label

log = logging.getLogger(__name__)


def read_source(path: Path, layer: str | None = None, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file into WGS84 lon/lat.

    `crs` is assumed only when the file declares none; a file without a CRS and no
    `crs` given is refused rather than guessed.
    """
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio raises several DataSourceError types
        raise DataError(f"{Path(path).name}: cannot be read: {exc}") from None
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{Path(path).name}: has no geometry column")
    if gdf.crs is None:
        if crs is None:
            raise DataError(f"{Path(path).name}: declares no CRS; give one with source.crs")
        gdf = gdf.set_crs(crs)
    if crs_label(gdf.crs) != STORAGE_CRS:
        gdf = gdf.to_crs(STORAGE_CRS)
    return gdf


def write_gpkg_table(path: Path, table: str, gdf: gpd.GeoDataFrame, geometry_type: str) -> None:
    """Write `gdf` as a new table (with its R-tree spatial index) in the GeoPackage at `path`.

    Writing goes through GDAL, whose triggers need GDAL's SQL functions.
    """
    try:
        pyogrio.write_dataframe(
            gdf,
            path,
            layer=table,
            driver="GPKG",
            # GDAL calls a layer of mixed geometry types "Unknown".
            geometry_type="Unknown" if geometry_type == "Geometry" else geometry_type,
            layer_options={"SPATIAL_INDEX": "YES", "FID": "fid", "GEOMETRY_NAME": "geom"},
        )
    except Exception as exc:  # GDAL's errors (disk full, read-only, ...) as one typed error
        raise StoreError(f"could not write table {table}: {exc}") from None


def write_gpkg_attributes(path: Path, table: str, columns: dict[str, list]) -> None:
    """Write a table without geometry (creating the GeoPackage if needed)."""
    import pandas as pd

    pyogrio.write_dataframe(pd.DataFrame(columns), path, layer=table, driver="GPKG")


def field_names(path: Path) -> list[str]:
    """The field names of a file as GDAL reads them back (e.g. a .dbf's 10-character ones)."""
    return list(pyogrio.read_info(path)["fields"])


#: Download formats: GDAL driver, file suffix, media type (one charset parameter at most:
#: the view sends it as it is).
EXPORT_FORMATS = {
    "geojson": ("GeoJSON", ".geojson", "application/geo+json"),
    "gpkg": ("GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "shp.zip": ("ESRI Shapefile", ".shp", "application/zip"),
    "csv": ("CSV", ".csv", "text/csv; charset=utf-8; header=present"),
    "kml": ("KML", ".kml", "application/vnd.google-earth.kml+xml; charset=utf-8"),
}
#: The column a KML download's placemark names are written from (GDAL's NameField).
KML_NAME = "kml_name"


def write_export(
    gdf: gpd.GeoDataFrame,
    folder: Path,
    name: str,
    fmt: str,
    description: str,
    *,
    table: str | None = None,
    geometry_type: str | None = None,
) -> list[Path]:
    """Write `gdf` in a download format into `folder`; returns the files written.

    `table` is the layer (GeoPackage table, shapefile) written, `name` by default: a
    GeoPackage `name.gpkg` takes several tables, one call each. `geometry_type` is the
    table's one type (None: GDAL's pick from the data); a frame with no geometry column is
    written as an attribute table (a lone .dbf for shapefiles). Raises ExportFailed (the
    layer and format named; GDAL's message logged).
    """
    driver, suffix, _ = EXPORT_FORMATS[fmt]
    table = table or name
    path = Path(folder) / f"{(table if fmt == 'shp.zip' else name)}{suffix}"
    options: dict = {}
    dataset: dict = {}
    spatial = isinstance(gdf, gpd.GeoDataFrame)
    if fmt == "geojson":
        options = {
            "RFC7946": "YES" if gdf.crs.to_epsg() == 4326 else "NO",
            "DESCRIPTION": description,
            "WRITE_NAME": "YES",
            # a text field stays text even when it looks like JSON (storia_stato): the same
            # value as in the API and in every other download (docs/api.md)
            "AUTODETECT_JSON_STRINGS": "NO",
        }
    elif fmt == "gpkg":
        options = {"DESCRIPTION": description[:1000], "IDENTIFIER": table}
        # 1.2: what QGIS 3.22, ArcGIS and GDAL < 3.7 open without a warning
        dataset = {"VERSION": "1.2"}
    elif fmt == "csv":
        options = {"GEOMETRY": "AS_WKT"}
        gdf = safe_frame(gdf)  # opened in spreadsheets: no text cell may run as a formula
    elif fmt == "shp.zip":
        options = {"ENCODING": "UTF-8"}
    elif fmt == "kml":
        dataset = {"NameField": KML_NAME}
    if not spatial:
        path = path.with_suffix(".dbf") if fmt == "shp.zip" else path
    extra = {}
    if spatial and geometry_type is not None:
        extra = {"geometry_type": geometry_type, "promote_to_multi": geometry_type[:5] == "Multi"}
    try:
        pyogrio.write_dataframe(
            gdf,
            path,
            layer=table,
            driver=driver,
            layer_options=options,
            dataset_options=dataset if not path.exists() else None,
            **extra,
        )
    except Exception as exc:  # GDAL's errors: refused geometry, disk full, ...
        log.error("could not write %s of %s (%s): %s", fmt, name, table, scrub_paths(str(exc)))
        raise ExportFailed(name, fmt) from None
    return sorted(p for p in Path(folder).iterdir() if p.stem == path.stem)
