"""The geodata report's problem classes (issue 17, item 7): each count on a small made-up
dataset, and the shipped data's figures present in the printed report."""

import json

from app.geodata_report import layer_report, main, report, stacking
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


def test_features_with_an_official_street(tmp_path):
    path = _write(
        tmp_path / "d.geojson",
        [
            _feature(
                "d1", [10, 45], "via", via_ufficiale="Via Mantova", vie_ufficiali="Via Mantova"
            ),
            _feature("d2", [10.1, 45], "via", via_ufficiale=None, vie_ufficiali="Via A; Via B"),
            _feature("d3", [10.2, 45], "via", via_ufficiale=None, vie_ufficiali=None),
            _feature("d4", [10.3, 45], "via"),  # a layer without the fields
        ],
    )
    found = layer_report(path, confine=_everything())
    assert (found["con_via_ufficiale"], found["con_vie_ufficiali"]) == (1, 2)


def test_the_shipped_official_streets_are_counted_and_printed():
    shipped = report(ROOT)
    interventi = json.loads((ROOT / "geodata" / "interventi.geojson").read_text())["features"]
    expected = sum(1 for f in interventi if f["properties"]["via_ufficiale"])
    assert shipped["interventi"]["con_via_ufficiale"] == expected > 0
    assert 0 < shipped["ciclabili"]["con_via_ufficiale"] < shipped["ciclabili"]["features"]
    assert shipped["cultura"]["con_via_ufficiale"] == 0
    lines = []
    main(ROOT, echo=lines.append)
    at = lines.index(next(x for x in lines if x.startswith("== interventi:")))
    assert any(
        x.startswith(f"   official street recorded: {expected} (naming an official street: ")
        for x in lines[at : at + 8]
    )
