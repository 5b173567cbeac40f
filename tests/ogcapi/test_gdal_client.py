"""Real clients read our API unmodified: GDAL's OAPIF driver (through pyogrio)."""

import pyogrio
import pytest
import shapely

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS


def test_gdal_lists_and_reads_collections(live_server):
    url = f"OAPIF:{live_server}/api"
    names = [name for name, _ in pyogrio.list_layers(url)]
    assert names == ["zone", "punti", "contributi"]  # the citizens' approved contributions
    assert len(pyogrio.read_dataframe(url, layer="contributi")) == 0  # none approved here
    gdf = pyogrio.read_dataframe(url, layer="punti")
    assert len(gdf) == 6
    assert {"nome", "tipo", "posti", "punteggio"} <= set(gdf.columns)
    assert gdf.crs.equals("OGC:CRS84")  # storageCrs: longitude, latitude
    p1 = gdf[gdf["nome"] == "Punto uno"].geometry.iloc[0]
    assert (p1.x, p1.y) == pytest.approx((10.02, 45.133))
    assert gdf["geometry"].isna().sum() == 1


@pytest.fixture
def small_pages(tmp_path):
    (tmp_path / "env").write_text("GEOPORTALE_DEFAULT_LIMIT=2\nGEOPORTALE_MAX_LIMIT=2\n")


def test_gdal_follows_next_links(small_pages, live_server):
    gdf = pyogrio.read_dataframe(f"OAPIF:{live_server}/api", layer="punti")
    assert sorted(gdf["nome"]) == sorted(
        [
            "Punto uno",
            "Punto due",
            "Punto tre",
            "Punto quattro",
            "Punto cinque",
            "Punto senza posizione",
        ]
    )


def test_gdal_reads_polygons_with_bbox(live_server):
    gdf = pyogrio.read_dataframe(
        f"OAPIF:{live_server}/api", layer="zone", bbox=(10.005, 45.145, 10.01, 45.15)
    )
    assert list(gdf["nome"]) == ["Zona nord"]
    assert shapely.get_type_id(gdf.geometry.iloc[0]) in (3, 6)
