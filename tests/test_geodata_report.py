"""The geodata report's problem classes (issue 17, item 7): each count on a small made-up
dataset, and the shipped data's figures present in the printed report."""

import json

from app.geodata_report import (
    layer_report,
    main,
    report,
    stacking,
    zone_cells,
    zone_disagreements,
)
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
    zero = {"precisione_diversa_per_derivazione": 0}
    assert stacking([a, b]) == {
        "a": {"sovrapposte": 2, "precisione_discordante": 1, **zero},
        "b": {"sovrapposte": 2, "precisione_discordante": 1, **zero},
    }


STATION = "gazetteer cremona_places.csv 'Stazione': it.wikipedia"


def test_stacked_features_placed_differently_are_explained(tmp_path):
    """A station (its own point) and a car park beside it (the station's point, the point
    of a place in its area) may differ; two placed the same way may not."""
    a = _write(tmp_path / "a.geojson", [
        _feature("a1", [10, 45], "edificio", fonte_posizione=f"punto dell'edificio stesso: {STATION}"),
        _feature("a2", [10, 45], "area", fonte_posizione=f"punto di un luogo dell'area: {STATION}"),
        _feature("a3", [10.1, 45], "edificio", fonte_posizione=f"punto dell'area stessa: {STATION}"),
        _feature("a4", [10.1, 45], "area", fonte_posizione=f"punto dell'area stessa: {STATION}"),
    ])  # fmt: skip
    assert stacking([a]) == {
        "a": {"sovrapposte": 4, "precisione_discordante": 2,
              "precisione_diversa_per_derivazione": 2},
    }  # fmt: skip


def test_precision_finer_than_its_derivation(tmp_path):
    """Counted from `fonte_posizione` by the same function the build scripts use."""
    geonames = "gazetteer cremona_places.csv 'San Felice': GeoNames cities1000 (CC-BY 4.0)"
    path = _write(tmp_path / "d.geojson", [
        # a building on a locality's label point: finer than the point supports
        _feature("d1", [10, 45], "edificio",
                 fonte_posizione=f"punto dell'edificio stesso: {geonames}"),
        _feature("d2", [10, 45], "area", fonte_posizione=f"punto dell'area stessa: {geonames}"),
        _feature("d3", [10, 45], "località",
                 fonte_posizione=f"punto di etichetta della località: {geonames}"),
        # the car park beside the station, on the station's point, said to be the building
        _feature("d4", [10.1, 45], "edificio",
                 fonte_posizione=f"punto di un luogo dell'area: {STATION}"),
        _feature("d5", [10.1, 45], "area", fonte_posizione=f"punto di un luogo dell'area: {STATION}"),
        # coarser than the derivation is honest; a precisione with no derivation is not
        _feature("d6", [10.1, 45], "quartiere",
                 fonte_posizione=f"punto dell'edificio stesso: {STATION}"),
        _feature("d7", [10.1, 45], "via", fonte_posizione="chiesto a un passante"),
        _feature("d8", [10.1, 45], "indirizzo", fonte_posizione=None),
        _feature("d9", [10.1, 45], None, fonte_posizione=None),
    ])  # fmt: skip
    found = layer_report(path, confine=_everything())
    assert found["precisione_piu_fine_della_derivazione"] == 5  # d1, d2, d4, d7, d8
    # boundary layers (no fonte_posizione field) are not placements
    plain = _write(tmp_path / "e.geojson", [_feature("e1", [10, 45], "ufficiale")])
    assert layer_report(plain, confine=_everything())["precisione_piu_fine_della_derivazione"] == 0


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
        assert counts["precisione_piu_fine_della_derivazione"] == 0, layer
        if layer not in ("confine", "quartieri"):
            assert {"sovrapposte", "precisione_discordante"} <= set(counts), layer
            assert counts["precisione_discordante"] == 0, layer


def test_the_documentation_table_is_the_report():
    """docs/data.md shows the figures the data has: regenerate it with
    `flask --app app geodata report --write-docs docs/data.md` after a data change."""
    from app import geodata_docs

    found = report(ROOT)
    assert geodata_docs.generated(ROOT / "docs" / "data.md") == geodata_docs.markdown(found)
    assert geodata_docs.generated(ROOT / "README.md", True) == geodata_docs.summary(found)


def test_every_count_of_the_report_is_documented():
    """A new problem class in the report must be named in the documentation's summary."""
    from app import geodata_docs

    for layer, counts in report(ROOT).items():
        for key, value in counts.items():
            if isinstance(value, int):
                assert key in geodata_docs.PROBLEMS or key in geodata_docs.INFO, (layer, key)


def test_write_docs_replaces_only_the_generated_part(tmp_path):
    from app import geodata_docs

    page = tmp_path / "data.md"
    page.write_text(f"before\n{geodata_docs.BEGIN}\nold table\n{geodata_docs.END}\nafter\n")
    small = {"x": {"features": 2, "con_geometria": 1, "senza_geometria": 1,
                   "precisione": {"None": 1, "via": 1}, "stato": {}, "fuori_comune": 0}}  # fmt: skip
    assert geodata_docs.write(page, small) is True
    text = page.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "old table" not in text
    assert "| `x` | 2 | 1 | 1 | not placed 1, via 1 | — |" in text
    assert "2 features. Problem classes: 0 outside the comune; 0 invalid" in text
    assert geodata_docs.write(page, small) is False
    (tmp_path / "bare.md").write_text("no markers\n")
    import pytest

    with pytest.raises(ValueError, match="no generated data table"):
        geodata_docs.write(tmp_path / "bare.md", small)


def _described(fid, **props):
    return {"type": "Feature", "id": fid, "geometry": None, "properties": {"id": fid, **props}}


def test_descriptions_without_a_source(tmp_path):
    """Issue 17, item 1: a description whose feature cites only where its point comes from
    is unsourced; a `fonte_descrizione` or a council-document line in fonte/fonti/citato_in
    sources it; a feature with no description is not counted."""
    council = "002_8df21da1538a311c.txt riga 3923"
    osm = "OpenStreetMap (ODbL), punto Nominatim 'Cinema Chaplin'"
    path = _write(
        tmp_path / "d.geojson",
        [
            _described("d1", descrizione="Sala cinematografica.", fonte=osm, citato_in=None),
            _described("d2", descrizione="Chiesa.", fonte=osm, fonte_descrizione=""),
            _described("d3", descrizione="Sala.", fonte=osm, fonte_descrizione=f"{osm}, x"),
            _described("d4", descrizione="Palazzo.", fonte=osm, citato_in=council),
            _described("d5", descrizione="Parco.", fonte=council, fonti=council),
            _described("d6", descrizione="Scuola.", fonte="x", fonti=f"x; {council}"),
            _described("d7", descrizione="", fonte=osm),
            _described("d8", fonte=osm),
            _described("d9", descrizione="Museo.", fonte="000 riga 1"),  # not a council line
        ],
    )
    found = layer_report(path, confine=_everything())
    assert found["descrizioni_senza_fonte"] == 3  # d1, d2, d9


def test_the_shipped_data_has_no_unsourced_description():
    shipped = report(ROOT)
    assert {layer: c["descrizioni_senza_fonte"] for layer, c in shipped.items()} == {
        layer: 0 for layer in shipped
    }


def test_main_prints_the_unsourced_descriptions():
    from app.geodata_report import main

    lines = []
    main(ROOT, echo=lines.append)
    printed = [line for line in lines if "descriptions without a source" in line]
    assert len(printed) == len(report(ROOT))
    assert all(line.strip() == "descriptions without a source: 0" for line in printed)


def test_printed_report_names_the_derivation_count():
    lines = []
    main(ROOT, echo=lines.append)
    assert any("finer than its derivation: 0" in line for line in lines)


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
        for x in lines[at : at + 12]
    )
