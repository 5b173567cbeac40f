"""Checks of the shipped Cremona dataset (geodata/ and layers/ only; no app server).

Tests marked with the `shared` fixture compare facts with the seed documents in ../shared
and skip when that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import shape

from app.registry.precision import PRECISION

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
_T = Transformer.from_crs("EPSG:4326", "EPSG:7791", always_xy=True).transform


def metric(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_T(xy[:, 0], xy[:, 1])))


def load(layer: str) -> list[dict]:
    return json.loads((ROOT / "geodata" / f"{layer}.geojson").read_text(encoding="utf-8"))[
        "features"
    ]


PLACE_LAYERS = ["scuole", "verde", "sport", "servizi", "mobilita"]
LAYERS = ["quartieri", "cultura", "interventi", "ciclabili", "erp", "rigenerazione", *PLACE_LAYERS]
WITH_QUARTIERE = ["interventi", "ciclabili", "erp", "rigenerazione", *PLACE_LAYERS]


@pytest.fixture(scope="module")
def confine():
    return metric(shape(load("confine")[0]["geometry"]))


@pytest.fixture
def shared():
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"seed documents not available at {SHARED} (../shared)")
    return SHARED


@pytest.mark.parametrize("layer", LAYERS)
def test_fonte_ids_and_fields(layer):
    spec = yaml.safe_load((ROOT / "layers" / f"{layer}.yaml").read_text(encoding="utf-8"))
    declared = {f["name"] for f in spec["fields"]}
    feats = load(layer)
    assert feats
    ids = [f["properties"]["id"] for f in feats]
    assert len(ids) == len(set(ids))
    for f in feats:
        p = f["properties"]
        assert p.get("fonte"), p["id"]
        assert set(p) == declared, p["id"]
        assert p["precisione"] is None or p["precisione"] in PRECISION, p["id"]
        assert (p["precisione"] is None) == (f["geometry"] is None), p["id"]
        for v in p.values():
            assert v is None or isinstance(v, (str, int, float, bool)), p["id"]


@pytest.mark.parametrize("layer", LAYERS)
def test_geometries_valid_and_inside(layer, confine):
    inside = confine.buffer(1.0)
    for f in load(layer):
        if f["geometry"]:
            g = shape(f["geometry"])
            assert shapely.is_valid(g), f["id"]
            assert inside.covers(metric(g)), f["id"]


@pytest.mark.parametrize("layer", ["cultura", "interventi", *PLACE_LAYERS])
def test_osm_points_are_attributed(layer):
    for f in load(layer):
        src = f["properties"].get("fonte_posizione") or f["properties"]["fonte"]
        if "OpenStreetMap" in src:
            assert f["properties"]["attribuzione"] == "© OpenStreetMap contributors"


def test_quartieri_partition_the_comune(confine):
    polys = [metric(shape(f["geometry"])) for f in load("quartieri") if f["geometry"]]
    union = shapely.union_all(polys)
    assert union.symmetric_difference(confine).area < 1.0
    assert sum(p.area for p in polys) - union.area < 1.0  # no overlaps
    props = [f["properties"] for f in load("quartieri")]
    assert sorted(p["numero"] for p in props) == list(range(1, 17))
    assert all(p["geometria"] == "indicativa" for p in props if p["precisione"])
    assert {p["numero"] for p in props if p["numero_incerto"]} == {8, 12}
    drawn = {p["numero"] for p in props if p["precisione"]}
    assert 3 in drawn and not drawn & {8, 11, 12, 13}


def test_q3_anchor_has_written_evidence():
    q3 = next(f["properties"] for f in load("quartieri") if f["properties"]["numero"] == 3)
    assert "Acciaieria Arvedi" in q3["ancore"] and "Cavatigozzi" in q3["nota"]
    assert "OpenStreetMap" in q3["attribuzione"]


def test_first_cut_ids_are_stable():
    """The citizen pages link to these ids: the first cut's features keep them."""
    titles = {f["id"]: f["properties"]["titolo"] for f in load("interventi")}
    assert titles["int-0001"].startswith("Recupero dell'ex ospedale San Francesco")
    assert titles["int-0060"] == "Scuole sicure: soffitti e solai"
    assert titles["int-0099"] == "Percorsi ciclabili nel Parco del Po e del Morbasco"
    rig = {f["id"]: f["properties"]["intervento"] for f in load("rigenerazione")}
    assert rig["rig-0001"] == "int-0001"
    assert len(titles) >= 200


@pytest.mark.parametrize("layer", PLACE_LAYERS)
def test_place_links_point_to_interventions(layer):
    known = {f["id"] for f in load("interventi")}
    for f in load(layer):
        links = f["properties"]["interventi"]
        for ref in (links or "").split(", "):
            assert not ref or ref in known, (f["id"], ref)


@pytest.mark.parametrize("layer", WITH_QUARTIERE)
def test_quartiere_matches_geometry_or_text(layer):
    quartieri = [
        (f["properties"]["numero"], shape(f["geometry"]))
        for f in load("quartieri")
        if f["geometry"]
    ]
    for f in load(layer):
        p = f["properties"]
        if p["quartiere_origine"] in ("testo", "gazetteer"):  # sourced: wins over the polygon
            assert p["quartiere"] is not None
            continue
        if p["quartiere_origine"] == "geometria":
            g = shape(f["geometry"])
            pt = g if g.geom_type == "Point" else g.representative_point()
            assert any(n == p["quartiere"] and poly.covers(pt) for n, poly in quartieri), p["id"]
        else:
            assert p["quartiere"] is None


def test_status_values_and_history():
    for f in load("interventi"):
        p = f["properties"]
        assert p["stato"] in {"pianificato", "in_corso", "concluso", "sospeso", "sconosciuto"}
        history = json.loads(p["storia_stato"])
        assert history and history[-1]["stato"] == p["stato"]
    for f in load("ciclabili"):
        assert f["properties"]["stato_rete"] in {
            "esistente",
            "in_costruzione",
            "finanziata",
            "pianificata",
        }


def _line(shared: Path, fonte: str) -> str:
    name, _, line = fonte.partition(" riga ")
    return (shared / "seeds" / name).read_text(encoding="utf-8").splitlines()[int(line) - 1]


def _by_title(layer: str, start: str) -> dict:
    return next(f["properties"] for f in load(layer) if f["properties"]["titolo"].startswith(start))


def test_fact_erp_107_units(shared):
    p = _by_title("interventi", "Recupero e razionalizzazione degli alloggi ERP")
    assert "107 alloggi" in _line(shared, p["fonte"])


def test_fact_por_fesr_amount(shared):
    p = _by_title("interventi", "Quattro nuove piste ciclabili")
    assert p["importo_euro"] == 2300000
    assert "2,3 milioni" in _line(shared, p["fonte"])


def test_fact_viale_trento_trieste_completed_2019(shared):
    p = _by_title("interventi", "Pista ciclabile di viale Trento e Trieste")
    assert p["stato"] == "concluso" and p["anno_stato"] == 2019
    last = json.loads(p["storia_stato"])[-1]["fonte"]
    assert "conclusi i lavori relativi alla pista ciclabile di viale Trento" in _line(shared, last)


def test_fact_frazzi_deadline_2026(shared):
    p = _by_title("interventi", "Area Frazzi")
    assert p["anno_fine"] == 2026 and p["finanziamento"] == "PINQuA"
    seed = (shared / "seeds" / p["fonte"].split(" riga ")[0]).read_text(encoding="utf-8")
    assert "PINQUA" in seed and "entro marzo 2026" in seed


def test_fact_sus_funding_split(shared):
    p = _by_title("interventi", "Strategia di Sviluppo Urbano Sostenibile")
    text = (shared / "seeds" / "004_46e4a96a3b25998b.txt").read_text(encoding="utf-8")
    for share in ("84% FESR", "6% FSE+", "10%"):
        assert share in text
    assert "FESR 84%" in p["finanziamento"]


def test_fact_santa_monica_amount(shared):
    p = _by_title("interventi", "Ex Monastero di Santa Monica")
    assert "Santa Monica" in _line(shared, p["fonte"])
    assert p["programma"].startswith("1.05")


def test_fact_66_km_in_ciclabili_metadata(shared):
    spec = yaml.safe_load((ROOT / "layers" / "ciclabili.yaml").read_text(encoding="utf-8"))
    assert "66 km" in spec["metadata"]["abstract"]["it"]
    assert "66 km" in _line(shared, "001_93d3045a65cd4397.txt riga 173")


def _by_name(layer: str, name: str) -> dict:
    return next(f["properties"] for f in load(layer) if f["properties"]["nome"] == name)


def test_fact_stadio_zini_concession(shared):
    p = _by_title("interventi", "Stadio Zini: diritto di superficie")
    assert p["importo_euro"] == 2738675 and p["stato"] == "in_corso"
    line = _line(shared, p["fonte"])
    assert "Stadio Zini" in line and "2.738.675" in line and "90 anni" in line


def test_fact_palestra_cavatigozzi_roof(shared):
    p = _by_title("interventi", "Palestra di Cavatigozzi")
    assert p["importo_euro"] == 150000 and p["quartiere"] == 3
    assert p["quartiere_origine"] == "testo"
    fonti = p["fonti"].split("; ")
    assert any("150 mila" in _line(shared, f) for f in fonti)
    assert any("via G. Grassi" in _line(shared, f) for f in fonti)


def test_fact_canile_sanitario_2019(shared):
    p = _by_name("servizi", "Canile sanitario")
    line = _line(shared, p["fonte"])
    assert "29 marzo 2019" in line and "Via Casello" in line


def test_fact_mab_unesco_po_grande(shared):
    p = _by_title("interventi", "Riserva MAB UNESCO Po Grande")
    history = json.loads(p["storia_stato"])
    assert [h["stato"] for h in history] == ["in_corso", "concluso"]
    assert "Po Grande" in _line(shared, history[-1]["fonte"])


def test_fact_thirty_charging_points(shared):
    p = _by_name("mobilita", "Colonnine di ricarica per veicoli elettrici")
    assert p["precisione"] is None  # listed, not drawn: the sources give no positions
    assert any("30 colonnine" in _line(shared, f) for f in p["fonti"].split("; "))


def test_fact_41_play_areas_2016(shared):
    p = _by_title("interventi", "Parchi giochi messi in sicurezza (41)")
    assert "41 parchi giochi" in _line(shared, p["fonte"])


def test_fact_picenengo_spelled_picengo_in_source(shared):
    """Source error kept visible: 001 writes 'Picengo' for the frazione Picenengo."""
    p = _by_title("ciclabili", "Pista ciclabile Picenengo")
    assert "Picengo-Sesto Cremonese" in _line(shared, p["fonte"])
    assert p["stato_rete"] == "pianificata" and p["quartiere"] == 3


#: English a reader met in Italian texts (issue 17): each was there before the fix.
ENGLISH_IN_ITALIAN = ("split by theme", "stable explicit ids", "STRENGTH")


def test_italian_texts_are_italian_and_accented():
    for path in sorted((ROOT / "layers").glob("*.yaml")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))["metadata"]
        for key in ("abstract", "lineage"):
            text = meta[key]["it"] if isinstance(meta[key], dict) else meta[key]
            found = [w for w in ENGLISH_IN_ITALIAN if w in text]
            assert not found, f"{path.name}: {key}.it has {found}"
    for f in load("quartieri"):
        p = f["properties"]
        for key in ("nota", "ancore"):
            text = p.get(key) or ""
            assert not [w for w in ENGLISH_IN_ITALIAN if w in text], (p["id"], key)
            assert "Civilta " not in text, (p["id"], key)


def test_every_precisione_is_in_the_vocabulary():
    """One vocabulary (app/registry/precision.py) for the data, the editor and the store."""
    for layer in [*LAYERS, "confine"]:
        values = {f["properties"].get("precisione") for f in load(layer)} - {None}
        assert values <= set(PRECISION), (layer, values - set(PRECISION))


def test_a_sourced_quartiere_wins_over_the_indicative_polygon():
    """Issue 17: the gazetteer's quartiere (its quartiere_or_area column) is used where the
    Voronoi cells said otherwise or nothing, and the data says which was used."""
    found = {
        f["id"]: (f["properties"]["quartiere"], f["properties"]["quartiere_origine"])
        for layer in ("cultura", "interventi")
        for f in load(layer)
    }
    assert found["cul-0039"] == (16, "gazetteer")  # Sant'Abbondio: the cells said 6
    assert found["cul-0043"] == (16, "gazetteer")  # San Luca: the cells said 1
    assert found["int-0003"] == (16, "gazetteer")  # Palazzo Grasselli
    assert found["int-0029"] == (6, "gazetteer") and found["int-0031"] == (6, "gazetteer")


def test_interventions_record_the_official_street_their_text_names():
    """codice_via / via_ufficiale: the one ANNCSU street luogo and titolo name; vie_ufficiali:
    every street the texts name. A named street places nothing (issue 17, item 6)."""
    streets = {}
    with (ROOT / "geodata" / "stradario_anncsu.csv").open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split(","), strict=False))
            streets[row["codice"]] = row["nome"]
    feats = {f["id"]: f for f in load("interventi")}
    props = {i: f["properties"] for i, f in feats.items()}

    def street(i):
        p = props[i]
        return p["codice_via"], p["via_ufficiale"], p["vie_ufficiali"]

    assert street("int-0088") == ("254777", "Via Mantova", "Via Mantova")
    assert street("int-0070")[1] == "Via Undici Febbraio"  # "via XI Febbraio"
    assert street("int-0105")[1] == "Via Guido Grassi"  # "via G. Grassi"
    assert street("int-0187")[1] == "Corso Giuseppe Mazzini"  # "corso Mazzini"
    # several streets: no single one is the intervention's
    assert street("int-0089") == (None, None, "Via Brescia; Via Bergamo")
    # a square mentioned in the descrizione of a city-wide work is not its street
    assert street("int-0057") == (None, None, "Piazza Roma")
    assert street("int-0018")[:2] == ("254747", "Piazza Lodi")
    # a person is not a street: the schools and gym named after Stradivari and Monteverdi
    # (Piazza Antonio Stradivari and Via Claudio Monteverdi exist), parco Tognazzi
    for i in ("int-0192", "int-0132", "int-0103"):
        assert street(i) == (None, None, None), i
    assert street("int-0002")[2] == "Piazza Luigi Cadorna"  # "piazza Cadorna; parco Tognazzi"
    assert street("int-0005") == (None, None, "Via Palestro")  # only the descrizione names it
    for i, p in props.items():
        if p["codice_via"]:
            assert streets[p["codice_via"]] == p["via_ufficiale"] in p["vie_ufficiali"], i
        else:
            assert p["via_ufficiale"] is None, i
        if feats[i]["geometry"] is None:
            assert p["precisione"] is None, i  # a street without geometry places nothing
    # the thematic views carry their intervention's street
    for layer in ("ciclabili", "erp", "rigenerazione"):
        for f in load(layer):
            q = f["properties"]
            assert street(q["intervento"]) == (
                q["codice_via"],
                q["via_ufficiale"],
                q["vie_ufficiali"],
            )
