"""All vector I/O: reading layer sources and writing GeoPackage tables (geopandas + pyogrio)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from app.csvsafe import safe_frame
from app.errors import DataError, StoreError
from app.geo.crs import STORAGE_CRS, crs_label


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


#: Download formats: GDAL driver, file suffix, media type.
EXPORT_FORMATS = {
    "geojson": ("GeoJSON", ".geojson", "application/geo+json"),
    "gpkg": ("GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "shp.zip": ("ESRI Shapefile", ".shp", "application/zip"),
    "csv": ("CSV", ".csv", "text/csv; charset=utf-8"),
    "kml": ("KML", ".kml", "application/vnd.google-earth.kml+xml"),
}


def write_export(
    gdf: gpd.GeoDataFrame, folder: Path, name: str, fmt: str, description: str
) -> list[Path]:
    """Write `gdf` in a download format into `folder`; returns the files written."""
    driver, suffix, _ = EXPORT_FORMATS[fmt]
    path = Path(folder) / f"{name}{suffix}"
    options: dict = {}
    if fmt == "geojson":
        options = {
            "RFC7946": "YES" if gdf.crs.to_epsg() == 4326 else "NO",
            "DESCRIPTION": description,
            "WRITE_NAME": "YES",
        }
    elif fmt == "gpkg":
        options = {"DESCRIPTION": description[:1000], "IDENTIFIER": name}
    elif fmt == "csv":
        options = {"GEOMETRY": "AS_WKT", "CREATE_CSVT": "YES"}
        gdf = safe_frame(gdf)  # opened in spreadsheets: no text cell may run as a formula
    elif fmt == "shp.zip":
        options = {"ENCODING": "UTF-8"}
    try:
        pyogrio.write_dataframe(gdf, path, layer=name, driver=driver, layer_options=options)
    except Exception as exc:
        raise StoreError(f"could not write {fmt}: {exc}") from None
    return sorted(p for p in Path(folder).iterdir() if p.stem == name or p.name == path.name)
