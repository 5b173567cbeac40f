"""Statistics per zone, choropleth classes and the chart, without HTTP."""

import pytest

from app.analysis.classify import bar_chart, classify
from app.analysis.stats import LayerStat, ZoneStatsQuery, zone_statistics
from app.errors import InvalidParameter
from tests.analysis.conftest import lookup

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def stats(store, *layers, **kw):
    q = ZoneStatsQuery(zones="zone_p", layers=layers, **kw)
    return zone_statistics(store, lookup(store), q)


def by_zone(result):
    return {r["zona"]: r for r in result.rows}


def test_counts_categories_sums_and_text_assignment(planner_store):
    r = stats(planner_store, LayerStat("punti_p", category="stato", sum="importo_euro"))
    rows = by_zone(r)
    assert rows[1]["punti_p"] == 2 and rows[1]["punti_p_testo"] == 0
    # zone 2: c by geometry, d by its quartiere field (no geometry)
    assert rows[2]["punti_p"] == 2 and rows[2]["punti_p_testo"] == 1
    # zone 3 has no polygon: e is counted there by its quartiere field only
    assert rows[3]["punti_p"] == 1 and rows[3]["punti_p_testo"] == 1 and rows[3]["area_km2"] is None
    assert rows[1]["punti_p_importo_euro"] == 150 and rows[2]["punti_p_importo_euro"] == 35
    assert rows[1]["punti_p_importo_euro_concluso"] == 100
    assert rows[2]["punti_p_in_corso"] == 1 and rows[2]["punti_p_concluso"] == 1
    total = r.rows[-1]
    assert total["nome"] == "Totale" and total["punti_p"] == 5  # f lies in no zone
    assert any("by its 'quartiere' field" in n and "1 in no zone" in n for n in r.notes)


def test_lengths_and_areas_inside_each_zone(planner_store):
    r = stats(
        planner_store, LayerStat("linee_p", measure="length"), LayerStat("aree_p", measure="area")
    )
    rows = by_zone(r)
    assert rows[1]["linee_p_km"] == pytest.approx(rows[2]["linee_p_km"], rel=0.01)
    assert 1.5 < r.rows[-1]["linee_p_km"] < 1.65  # 0.02° of longitude at 45.11°N
    assert rows[1]["aree_p_ha"] == pytest.approx(rows[2]["aree_p_ha"], rel=0.01)
    assert 80 < rows[1]["aree_p_ha"] < 95
    assert rows[3]["linee_p_km"] == 0


def test_population_ratios_when_the_zones_have_population(planner_store):
    r = stats(planner_store, LayerStat("punti_p"), population_field="popolazione")
    rows = by_zone(r)
    assert rows[1]["punti_p_per_1000"] == 2.0 and rows[2]["punti_p_per_1000"] == 1.0


@pytest.mark.parametrize(
    "kw, layers",
    [
        ({"zone_key": "codice"}, (LayerStat("punti_p"),)),
        ({}, ()),
        ({}, (LayerStat("punti_p", category="colore"),)),
        ({}, (LayerStat("punti_p", sum="nome"),)),
        ({}, (LayerStat("punti_p", measure="volume"),)),
        ({"zones": "punti_p", "zone_key": "id"}, (LayerStat("punti_p"),)),
    ],
)
def test_bad_statistics_input(planner_store, kw, layers):
    q = ZoneStatsQuery(**{"zones": "zone_p", "layers": layers, **kw})
    with pytest.raises(InvalidParameter):
        zone_statistics(planner_store, lookup(planner_store), q)


def test_classify_quantiles_and_jenks():
    values = [0, 1, 2, 3, 5, 8, 13, 21, None]
    q = classify(values, "quantiles", 4)
    assert q["k"] == 4 and q["classes"][-1] is None and q["colors"][-1] == "#d9d9d9"
    assert sum(c["count"] for c in q["legend"]) == len(values)
    j = classify(values, "jenks", 3)
    assert j["k"] == 3 and j["classes"][0] == 0 and j["classes"][7] == 2
    tied = classify([0, 0, 0, 1], "quantiles", 5)  # fewer distinct values than classes
    assert tied["k"] <= 2 and None not in tied["classes"]
    with pytest.raises(InvalidParameter):
        classify(values, "natural", 5)
    with pytest.raises(InvalidParameter):
        classify(values, "jenks", 12)


def test_chart_is_svg():
    svg = bar_chart(["1 Uno", "2 Due"], [3, None], ["#fd8d3c", "#d9d9d9"], "punti per zona")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_cremona_statistics_per_quartiere(cremona_store):
    q = ZoneStatsQuery(
        layers=(
            LayerStat("interventi", category="stato", sum="importo_euro"),
            LayerStat("ciclabili", measure="length"),
            LayerStat("verde", measure="area"),
        )
    )
    r = zone_statistics(cremona_store, lookup(cremona_store), q)
    assert len(r.rows) == 17  # 16 quartieri and the total
    total = r.rows[-1]
    assert total["interventi"] == sum(row["interventi"] for row in r.rows[:-1])
    assert total["interventi_testo"] > 0  # interventions without geometry, by their quartiere
    assert by_zone(r)[16]["interventi"] >= 26
