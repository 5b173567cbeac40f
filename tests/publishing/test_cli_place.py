"""`flask layers place`: the report as JSON, --dry-run, all or nothing written."""

import json

from app.services import services

BOTH_STORES = True

GOOD = "id,lon,lat,precisione,posti\np1,10.021,45.134,edificio,12\np6,10.029,45.139,via,\n"


def pending(app):
    with app.app_context():
        return services().store.edits("punti")


def test_place_dry_run_then_write(app, runner, tmp_path):
    path = tmp_path / "posizioni.csv"
    path.write_text(GOOD)
    r = runner.invoke(args=["layers", "place", "punti", str(path), "--dry-run"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["ok"] and doc["features"] == 2 and pending(app) == []
    r = runner.invoke(args=["layers", "place", "punti", str(path), "--user", "sit"])
    assert r.exit_code == 0 and "2 pending edits" in r.output
    edits = pending(app)
    assert [e.feature_id for e in edits] == ["p1", "p6"] and edits[0].user == "sit"
    assert edits[0].after["properties"]["posti"] == 12


def test_place_with_errors_exits_2_and_writes_nothing(app, runner, tmp_path):
    path = tmp_path / "posizioni.csv"
    path.write_text(GOOD + "p99,10.02,45.13,via,\n")
    r = runner.invoke(args=["layers", "place", "punti", str(path)])
    assert r.exit_code == 2 and "unknown-id" in r.stdout and pending(app) == []
    path.write_text("id;x;y\np1;1580000;5000000\n")
    r = runner.invoke(args=["layers", "place", "punti", str(path)])
    assert r.exit_code == 1 and "EPSG:3003" in r.output
    r = runner.invoke(args=["layers", "place", "punti", str(path), "--crs", "EPSG:3003"])
    assert r.exit_code == 0, r.output
