"""Input files of every kind, made here (small, synthetic, CC0) or taken from ../shared."""

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from app.stores.gpkg import GpkgStore
from tests.publishing.hostile import hostile, listener  # noqa: F401 (fixtures)


def zone_gdf(crs="EPSG:4326") -> gpd.GeoDataFrame:
    """Three squares in Cremona (synthetic), with accented text."""
    squares = [
        shapely.box(10.00, 45.14, 10.02, 45.16),
        shapely.box(10.00, 45.10, 10.02, 45.12),
        shapely.box(10.06, 45.12, 10.08, 45.14),
    ]
    gdf = gpd.GeoDataFrame(
        {
            "codice": [1, 2, 3],
            "nome": ["Zona nord", "Zona sud", "Città est"],
            "fonte": ["test"] * 3,
        },
        geometry=squares,
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


def zip_dir(folder: Path, out: Path, skip=()) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if f.suffix.lower() not in skip:
                zf.write(f, f.name)
    return out


@pytest.fixture
def make_shapefile(tmp_path):
    """A zipped shapefile of `gdf`; `skip` leaves parts out (e.g. ('.prj', '.cpg'))."""

    def make(gdf, name="dati", encoding="UTF-8", skip=()):
        folder = tmp_path / f"shp-{name}-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        pyogrio.write_dataframe(gdf, folder / f"{name}.shp", encoding=encoding)
        return zip_dir(folder, tmp_path / f"{folder.name}.zip", skip)

    return make


@pytest.fixture
def write_geojson(tmp_path):
    def write(doc, name="dati.geojson"):
        path = tmp_path / name
        path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
        return path

    return write


@pytest.fixture
def gstore(store_path):
    return GpkgStore(store_path)
