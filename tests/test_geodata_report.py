"""The geodata report's problem classes (issue 17, item 7): each count on a small made-up
dataset, and the shipped data's figures present in the printed report."""

import json

from app.geodata_report import layer_report, main, report, stacking, zone_cells, zone_disagreements
from tests.test_geodata import ROOT


def _write(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(fid, coords, precisione, **props):
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": coords},
        "properties": {"id": fid, "precisione": precisione, "fonte": "000 riga 1", **props},
    }


def test_stacked_features_and_their_disagreeing_precision(tmp_path):
    a = _write(tmp_path / "a.geojson", [_feature("a1", [10, 45], "edificio"),
                                        _feature("a2", [10.1, 45], "via")])  # fmt: skip
    b = _write(tmp_path / "b.geojson", [_feature("b1", [10, 45], "area"),
                                        _feature("b2", [10.1, 45], "via"),
                                        _feature("b3", [10.2, 45], "via")])  # fmt: skip
    assert stacking([a, b]) == {
        "a": {"sovrapposte": 2, "precisione_discordante": 1},
        "b": {"sovrapposte": 2, "precisione_discordante": 1},
    }


def test_vocabulary_and_duplicates(tmp_path):
    path = _write(
        tmp_path / "c.geojson",
        [
            _feature("c1", [10, 45], "ovunque", importo_euro=100.0),
            _feature("c2", [10.1, 45], "via", importo_euro=100.0),
            _feature("c3", [10.2, 45], "via", importo_euro=200.0),
        ],
    )
    found = layer_report(path, confine=_everything())
    assert found["precisione_fuori_vocabolario"] == 1
    assert found["duplicati_fonte_importo"] == 2


def _everything():
    import shapely

    return shapely.box(-1e9, -1e9, 1e9, 1e9)


def test_the_shipped_report_has_every_class():
    shipped = report(ROOT)
    for layer, counts in shipped.items():
        assert counts["precisione_fuori_vocabolario"] == 0, layer
        if layer not in ("confine", "quartieri"):
            assert {"sovrapposte", "precisione_discordante"} <= set(counts), layer


def _square(x0, y0, x1, y1):
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _zone(num, coords):
    return {
        "type": "Feature",
        "id": f"q{num}",
        "geometry": {"type": "Polygon", "coordinates": coords},
        "properties": {"id": f"q{num}", "numero": num},
    }


def test_quartiere_disagreeing_with_the_polygon_and_unexplained(tmp_path):
    """Issue 17, item 7: a feature placed finer than a quartiere whose quartiere (text or
    gazetteer) is not the indicative polygon holding it, and those without a note."""
    cells = zone_cells(
        _write(
            tmp_path / "quartieri.geojson",
            [_zone(1, _square(10, 45, 10.1, 45.1)), _zone(2, _square(10.1, 45, 10.2, 45.1)),
             {**_zone(3, None), "geometry": None}],
        )
    )  # fmt: skip
    assert sorted(cells) == [1, 2]
    area = dict(_feature("x", [0, 0], "area", quartiere=2), geometry={
        "type": "Polygon", "coordinates": _square(10.05, 45.02, 10.15, 45.04)})  # fmt: skip
    layer = _write(
        tmp_path / "l.geojson",
        [
            _feature("agrees", [10.05, 45.05], "edificio", quartiere=1),
            _feature("noted", [10.05, 45.05], "edificio", quartiere=2, nota_quartiere="fonte"),
            _feature("unexplained", [10.05, 45.05], "via", quartiere=2),
            _feature("blank-note", [10.15, 45.05], "indirizzo", quartiere=1, nota_quartiere=" "),
            _feature("undrawn", [10.15, 45.05], "edificio", quartiere=3),  # Q3 has no polygon
            _feature("coarse", [10.05, 45.05], "quartiere", quartiere=2),  # only the cell
            _feature("outside", [11, 46], "edificio", quartiere=1),  # fuori_comune counts it
            _feature("no-quartiere", [10.05, 45.05], "edificio", quartiere=None),
            {**area, "id": "overlaps-its-cell"},  # an area across 1 and 2, said to be in 2
        ],
    )
    assert zone_disagreements(layer, cells) == {
        "quartiere_discordante": 4,
        "quartiere_discordante_non_spiegato": 3,
    }
    # A layer without a quartiere field has no such line.
    other = _write(tmp_path / "o.geojson", [_feature("o1", [10.05, 45.05], "edificio")])
    assert zone_disagreements(other, cells) == {}


def test_the_shipped_quartiere_disagreements_are_all_explained():
    """Done when the report shows 0 quartiere disagreements left unexplained (issue 17)."""
    shipped = report(ROOT)
    assert shipped["cultura"]["quartiere_discordante"] == 2  # Sant'Abbondio, San Luca
    for layer, counts in shipped.items():
        assert counts.get("quartiere_discordante_non_spiegato", 0) == 0, layer
    assert "quartiere_discordante" not in shipped["confine"]
    printed = []
    main(ROOT, echo=printed.append)
    assert any("quartiere not the polygon's" in line and "unexplained: 0" in line
               for line in printed)  # fmt: skip
    assert printed[-1].startswith("== all layers: 2 features whose quartiere")
    assert printed[-1].endswith("0 of them without a nota_quartiere")
