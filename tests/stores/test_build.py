import shutil
import sqlite3

import pytest

from app.errors import DataError
from app.registry import load_registry
from app.stores.base import Query
from app.stores.build import ensure_store, sync_shipped
from app.stores.gpkg import GpkgStore
from tests.conftest import DATA


@pytest.fixture
def project(tmp_path):
    shutil.copytree(DATA / "layers", tmp_path / "layers")
    shutil.copytree(DATA / "geodata", tmp_path / "geodata")
    return tmp_path


def ensure(project):
    registry = load_registry(project / "layers", project)
    return ensure_store(registry, project, project / "layers", project / "store.gpkg")


def test_builds_once_then_reuses_then_rebuilds_on_change(project):
    assert ensure(project) is True
    assert ensure(project) is False
    (project / "layers" / "zone.yaml").write_text(
        (project / "layers" / "zone.yaml").read_text().replace("Zone di prova", "Zone")
    )
    assert ensure(project) is True
    src = project / "geodata" / "punti.geojson"
    src.write_text(src.read_text().replace("Punto uno", "Punto 1"))
    assert ensure(project) is True
    assert ensure(project) is False
    store = GpkgStore(project / "store.gpkg")
    spec = load_registry(project / "layers", project).get("punti")
    assert store.get(spec, "p1").properties["nome"] == "Punto 1"


def test_failed_build_keeps_the_served_version(project):
    ensure(project)
    store = GpkgStore(project / "store.gpkg")
    spec = load_registry(project / "layers", project).get("punti")
    src = project / "geodata" / "punti.geojson"
    src.write_text(src.read_text().replace('"posti": 80', '"posti": "ottanta"'))
    with pytest.raises(DataError, match="field 'posti'"):
        ensure(project)
    assert store.describe("punti").version == 1
    assert store.query(spec, Query()).number_matched == 6
    assert store.orphan_tables() == []
    assert [v.version for v in store.versions("punti")] == [1]
    check = sqlite3.connect(project / "store.gpkg").execute("PRAGMA integrity_check")
    assert check.fetchone() == ("ok",)


def test_office_version_stays_served_over_shipped_changes(project):
    import geopandas as gpd
    import shapely

    ensure(project)
    store = GpkgStore(project / "store.gpkg")
    spec = load_registry(project / "layers", project).get("punti")
    props = [f.properties for f in store.query(spec, Query()).features][:2]
    gdf = gpd.GeoDataFrame(props, geometry=[shapely.Point(10.0, 45.1)] * 2, crs="EPSG:4326")
    office = store.stage(spec, gdf, origin="import", source="ufficiale.gpkg", user="sit")
    store.publish("punti", office.version, "sit")
    src = project / "geodata" / "punti.geojson"
    src.write_text(src.read_text().replace("Punto uno", "Punto 1"))
    result = sync_shipped(
        load_registry(project / "layers", project),
        project,
        project / "layers",
        project / "store.gpkg",
    )
    assert result.staged_only == ["punti"] and result.published == {}
    assert store.describe("punti").version == office.version
    assert store.describe("punti").feature_count == 2
    assert [v.status for v in store.versions("punti")] == ["draft", "published", "retired"]


def test_unreadable_source_is_a_clear_error(project):
    (project / "geodata" / "punti.geojson").write_text("{not json")
    with pytest.raises(DataError, match="punti.geojson: cannot be read"):
        ensure(project)
