import shutil
import sqlite3

import pytest

from app.errors import DataError
from app.registry import load_registry
from app.stores.build import ensure_store
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


def test_failed_build_keeps_the_old_store_and_leaves_no_debris(project):
    ensure(project)
    before = (project / "store.gpkg").read_bytes()
    src = project / "geodata" / "punti.geojson"
    src.write_text(src.read_text().replace('"posti": 80', '"posti": "ottanta"'))
    with pytest.raises(DataError, match="field 'posti'"):
        ensure(project)
    assert (project / "store.gpkg").read_bytes() == before
    assert sorted(p.name for p in project.iterdir()) == [
        "geodata",
        "layers",
        "store.gpkg",
        "store.gpkg.lock",
    ] or sorted(p.name for p in project.iterdir()) == ["geodata", "layers", "store.gpkg"]
    assert sqlite3.connect(project / "store.gpkg").execute("PRAGMA integrity_check").fetchone() == (
        "ok",
    )


def test_unreadable_source_is_a_clear_error(project):
    (project / "geodata" / "punti.geojson").write_text("{not json")
    with pytest.raises(DataError, match="punti.geojson: cannot be read"):
        ensure(project)
