"""`flask layers edits / publish-edits / discard-edits` on both stores."""

from app.stores.base import Query
from app.stores.edits import FeatureEdit

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

POINT = {"type": "Point", "coordinates": [10.03, 45.14]}


def invoke(runner, *args):
    return runner.invoke(args=list(args))


def _store_spec(app):
    store = app.extensions["geoportale"].store
    spec = next(v.spec for v in store.versions("punti") if v.status == "published")
    return store, spec


def test_list_publish_and_discard_edits(app, runner, client):
    store, spec = _store_spec(app)
    store.edit(spec, FeatureEdit("update", "p6", geometry=POINT), user="sit", if_match="*")
    store.edit(spec, FeatureEdit("delete", "p1"), user="sit", if_match="*")
    store.edit(spec, FeatureEdit("delete", "p2"), user="sit", if_match="*")
    r = invoke(runner, "layers", "edits", "punti")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert len(lines) == 4 and "update" in lines[0] and "p6" in lines[0] and "sit" in lines[0]
    assert "pending: 3 (0 added, 1 changed, 2 removed)" in lines[-1]
    r = invoke(runner, "layers", "discard-edits", "punti", "--feature", "p2", "--user", "sit")
    assert r.exit_code == 0 and "1 pending edits discarded" in r.output
    r = invoke(runner, "layers", "publish-edits", "punti", "--user", "sit")
    assert r.exit_code == 0 and "version 2 served (5 features)" in r.output, r.output
    item = client.get("/api/collections/punti/items/p6?f=json").get_json()
    assert item["geometry"]["coordinates"] == [10.03, 45.14]
    assert invoke(runner, "layers", "edits", "punti").output.startswith("0 edits")
    every = invoke(runner, "layers", "edits", "punti", "--all").output
    assert every.count("published  -> v2") == 2 and every.count("discarded") == 1
    r = invoke(runner, "layers", "publish-edits", "punti")
    assert r.exit_code == 1 and "no pending edits" in r.output
    store.edit(spec, FeatureEdit("delete", "p3"), user="sit", if_match="*")
    r = invoke(runner, "layers", "discard-edits", "punti")
    assert r.exit_code == 0 and "1 pending edits discarded" in r.output
    assert store.edits("punti") == []


def test_publish_edits_names_the_conflicting_features(app, runner):
    store, spec = _store_spec(app)
    store.edit(spec, FeatureEdit("update", "p3", properties={"posti": 8}, set_geometry=False),
               user="sit", if_match="*")  # fmt: skip
    frame = store.frame(spec, Query())
    frame.loc[frame["id"] == "p3", "nome"] = "Cambiato"
    store.write_layer(spec, frame, origin="import", source="import.gpkg", user="b")
    r = invoke(runner, "layers", "publish-edits", "punti")
    assert r.exit_code == 1 and "conflicting features: p3" in r.output
    r = invoke(runner, "layers", "publish-edits", "nessuno")
    assert r.exit_code == 1
