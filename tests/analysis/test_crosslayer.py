"""Cross-layer queries as plain functions, on fixtures with known answers and on Cremona."""

import json
from pathlib import Path

import pytest

from app.analysis.crosslayer import CrossQuery, run_cross_query
from app.errors import InvalidParameter, LayerNotFound
from tests.analysis.conftest import lookup

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def ids(result):
    return sorted(result.frame["id"])


def run(store, **kw):
    return run_cross_query(store, lookup(store), CrossQuery(**kw))


def test_dwithin_in_metres(planner_store):
    # a is ~680 m from the line's west end, b and c lie on the line, f is ~11 km away
    near = run(
        planner_store, layer="punti_p", reference="linee_p", predicate="dwithin", distance=100
    )
    assert ids(near) == ["b", "c"]
    wide = run(
        planner_store, layer="punti_p", reference="linee_p", predicate="dwithin", distance=1000
    )
    assert ids(wide) == ["a", "b", "c"]
    a = wide.frame.set_index("id").loc["a", "distanza_m"]
    assert 650 < a < 720
    assert wide.summary["unlocated"] == 2  # d and e have no geometry: left out, counted


def test_beyond_is_the_complement_among_located(planner_store):
    far = run(
        planner_store, layer="punti_p", reference="linee_p", predicate="beyond", distance=1000
    )
    assert ids(far) == ["f"]
    assert far.summary["unlocated"] == 2


def test_within_with_filters_on_both_sides_and_groups(planner_store):
    inside = run(
        planner_store,
        layer="punti_p",
        reference="zone_p",
        predicate="within",
        reference_filter="numero = 1",
        group_by="stato",
    )
    assert ids(inside) == ["a", "b"]
    assert {g["value"]: g["count"] for g in inside.summary["groups"]} == {
        "concluso": 1,
        "in_corso": 1,
    }
    only = run(
        planner_store,
        layer="punti_p",
        reference="zone_p",
        predicate="within",
        filter="stato = 'in_corso'",
    )
    assert ids(only) == ["b", "c"]


def test_intersects_disjoint_contains(planner_store):
    touched = run(planner_store, layer="zone_p", reference="aree_p", predicate="intersects")
    assert ids(touched) == ["z1", "z2"]
    assert ids(run(planner_store, layer="punti_p", reference="zone_p", predicate="disjoint")) == [
        "f"
    ]
    holding = run(planner_store, layer="zone_p", reference="punti_p", predicate="contains")
    assert ids(holding) == ["z1", "z2"]


def test_empty_reference_gives_empty_or_everything(planner_store):
    none = run(
        planner_store,
        layer="punti_p",
        reference="linee_p",
        predicate="dwithin",
        distance=500,
        reference_filter="nome = 'nessuna'",
    )
    assert ids(none) == []
    assert any("nothing can match" in n for n in none.summary["notes"])
    every = run(
        planner_store,
        layer="punti_p",
        reference="linee_p",
        predicate="beyond",
        distance=500,
        reference_filter="nome = 'nessuna'",
    )
    assert ids(every) == ["a", "b", "c", "f"]


def test_geojson_and_csv(planner_store):
    from app.analysis.export import frame_csv

    result = run(
        planner_store, layer="punti_p", reference="linee_p", predicate="dwithin", distance=100
    )
    fc = result.feature_collection("id")
    assert fc["type"] == "FeatureCollection" and fc["numberMatched"] == 2
    assert fc["features"][0]["geometry"]["type"] == "Point"
    text = frame_csv(result.frame)
    assert text.startswith("\ufeffid,nome,stato,importo_euro,quartiere,distanza_m,lon,lat")
    assert len(text.strip().splitlines()) == 3


@pytest.mark.parametrize(
    "kw, parameter",
    [
        ({"predicate": "near"}, "predicate"),
        ({"predicate": "dwithin"}, "distance"),
        ({"predicate": "dwithin", "distance": -5}, "distance"),
        ({"predicate": "dwithin", "distance": float("nan")}, "distance"),
        ({"filter": "nonexistent = 1"}, "filter"),
        ({"reference_filter": "numero = = 1"}, "reference_filter"),
        ({"group_by": "colour"}, "group_by"),
    ],
)
def test_bad_input_is_invalid_parameter(planner_store, kw, parameter):
    base = {"layer": "punti_p", "reference": "zone_p"}
    with pytest.raises(InvalidParameter) as err:
        run(planner_store, **{**base, **kw})
    assert err.value.parameter == parameter


def test_unknown_layer(planner_store):
    with pytest.raises(LayerNotFound):
        run(planner_store, layer="nope", reference="zone_p")


# -- the example questions on the shipped Cremona data ------------------------------------


def test_cremona_erp_near_cycle_paths(cremona_store):
    r = run(cremona_store, layer="erp", reference="ciclabili", predicate="dwithin", distance=500)
    # few cycle paths have a geometry: the answer is small, and every hit is within 500 m
    assert r.summary["unlocated"] >= 10
    assert all(d <= 500 for d in r.frame["distanza_m"])


def test_cremona_interventions_in_centro_by_status(cremona_store):
    r = run(
        cremona_store,
        layer="interventi",
        reference="quartieri",
        predicate="within",
        reference_filter="numero = 16",
        group_by="stato",
    )
    assert r.summary["matched"] > 0
    assert sum(g["count"] for g in r.summary["groups"]) == r.summary["matched"]
    assert set(r.frame["quartiere"].dropna()) == {16}


def test_cremona_culture_far_from_cycle_paths(cremona_store):
    far = run(
        cremona_store, layer="cultura", reference="ciclabili", predicate="beyond", distance=300
    )
    near = run(
        cremona_store, layer="cultura", reference="ciclabili", predicate="dwithin", distance=300
    )
    located = far.summary["matched"] + near.summary["matched"]
    shipped = Path(__file__).resolve().parents[2] / "geodata" / "cultura.geojson"
    total = len(json.loads(shipped.read_text(encoding="utf-8"))["features"])
    assert located + far.summary["unlocated"] == total
    assert set(far.frame["id"]).isdisjoint(near.frame["id"])


def test_cremona_interventions_in_historic_centre(cremona_store):
    r = run(
        cremona_store,
        layer="interventi",
        reference="quartieri",
        predicate="intersects",
        reference_filter="nome = 'Centro'",
    )
    assert {"int-0004", "int-0005", "int-0010", "int-0248"} <= set(r.frame["id"])
    # placed only in the whole quartiere (int-0026..28, "centro storico"): they have no
    # geometry of their own, so a spatial query leaves them out and counts them
    assert not {"int-0026", "int-0027", "int-0028"} & set(r.frame["id"])
    shipped = Path(__file__).resolve().parents[2] / "geodata" / "interventi.geojson"
    features = json.loads(shipped.read_text(encoding="utf-8"))["features"]
    assert r.summary["unlocated"] == sum(f["geometry"] is None for f in features) > 150


def test_cremona_quartiere_placements_cover_nothing(cremona_store):
    """Issue 17: the Orto didattico del Boschetto (int-0159) is not all of Q2's 9.3 km²."""
    r = run(
        cremona_store,
        layer="interventi",
        reference="quartieri",
        predicate="intersects",
        reference_filter="numero = 2",
    )
    assert "int-0159" not in set(r.frame["id"])
