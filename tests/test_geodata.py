"""Checks of the shipped Cremona dataset (geodata/ and layers/ only; no app server).

Tests marked with the `shared` fixture compare facts with the seed documents in ../shared
and skip when that folder is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import shape

from app.registry.precision import PRECISION, derived_precision

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
        if layer == "quartieri":  # the cells themselves
            assert (p["precisione"] is None) == (f["geometry"] is None), p["id"]
        elif f["geometry"] is None:
            # placed only in a whole quartiere: no geometry of its own, its quartiere named
            assert p["precisione"] in (None, "quartiere"), p["id"]
            assert p["precisione"] is None or p["quartiere"], p["id"]
        else:  # a quartiere's polygon is never copied into a thematic layer
            assert p["precisione"] not in (None, "quartiere"), p["id"]
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


@pytest.mark.parametrize(
    "layer", ["cultura", "interventi", "ciclabili", "erp", "rigenerazione", *PLACE_LAYERS]
)
def test_precisione_is_the_derived_one(layer):
    """Every placement's precisione is what `fonte_posizione` says it was derived from."""
    for f in load(layer):
        p = f["properties"]
        assert p["precisione"] == derived_precision(p["fonte_posizione"]), p["id"]


def test_issue_17_placements_are_honest():
    """The cases issue 17 names: a locality's label point places nothing finer than the
    locality, host-building points need a line saying so, quartiere placements copy no
    polygon."""
    feats = {f["id"]: f for layer in LAYERS for f in load(layer)}
    for fid in ("int-0075", "scu-0016", "spo-0021", "int-0041"):
        assert feats[fid]["properties"]["precisione"] == "località", fid
        assert "GeoNames" in feats[fid]["properties"]["fonte_posizione"], fid
    station = {fid: feats[fid]["properties"] for fid in ("int-0198", "int-0204", "int-0215")}
    assert {p["precisione"] for p in station.values()} == {"area"}
    assert (
        feats["int-0212"]["properties"]["precisione"] == "edificio"
    )  # "all'interno della stazione"
    assert "riga 1969" in feats["int-0212"]["properties"]["fonte_posizione"]
    for fid in ("int-0159", "ver-0019"):  # Orto didattico del Boschetto: not all of Q2
        f = feats[fid]
        assert f["geometry"] is None and f["properties"]["precisione"] == "quartiere", fid
        assert f["properties"]["quartiere"] == 2, fid
    polygons = [fid for fid, f in feats.items() if f["geometry"] and not fid.startswith("q")]
    assert all(
        feats[fid]["geometry"]["type"] == "Point"
        for fid in polygons
        if feats[fid]["properties"].get("precisione") != "ufficiale"
    )


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


def _sources():
    """scripts/_geodata_sources.py, the build's checks of its sources (imported as the build
    scripts do)."""
    import importlib
    import sys

    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module("_geodata_sources")


def _description_sources():
    """(file, row id or name, source) of every `fd` entry in geodata/sources/*.yaml."""
    for path in sorted((ROOT / "geodata" / "sources").glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for ref in row.get("fd") or []:
                yield path.name, row.get("id") or row.get("nome"), ref


def test_every_cited_description_source_says_what_it_is_cited_for(shared):
    """Issue 17, item 1: each `fd` line exists and holds its expected text (the check the
    build makes for `refs`); each gazetteer row / OpenStreetMap point exists and its column
    holds the cited text."""
    sources = _sources()
    found = list(_description_sources())
    assert len(found) > 100
    for name, row, ref in found:
        try:
            sources.description_source(ref)
        except (ValueError, KeyError, IndexError) as exc:
            pytest.fail(f"{name} {row}: {exc}")


def test_a_wrong_description_source_fails_the_build(shared):
    sources = _sources()
    assert sources.description_source("002:3923|Palazzo Fodri") == (
        "002_8df21da1538a311c.txt riga 3923"
    )
    for wrong in (
        "002:3924|Palazzo Fodri",  # the line does not say it
        "002:3923",  # no expected text
        "gaz:Palazzo Fodri|quartiere_or_area=Q5",
        "gaz:Palazzo Inesistente|kind=palace",
        "osm:Cinema Chaplin|category=MUSEI",
    ):
        with pytest.raises((ValueError, KeyError)):
            sources.description_source(wrong)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_description_ships_its_source(layer):
    for f in load(layer):
        p = f["properties"]
        if p.get("descrizione"):
            assert p.get("fonte_descrizione"), p["id"]


def test_cultura_descriptions_claim_only_what_their_sources_say():
    """Issue 17: the 18 cultura features that cited only their point now cite what their
    description says; claims no source makes are gone; Palazzo Fodri cites 002:3923."""
    feats = {f["id"]: f["properties"] for f in load("cultura")}
    fodri = feats["cul-0020"]
    assert fodri["nome"] == "Palazzo Fodri"
    assert "002_8df21da1538a311c.txt riga 3923" in fodri["citato_in"]
    assert "002_8df21da1538a311c.txt riga 3923" in fodri["fonte_descrizione"]
    for fid in ("cul-0013", "cul-0015", "cul-0016", "cul-0017"):  # the cinemas
        assert "CINEMA / TEATRI" in feats[fid]["fonte_descrizione"], fid
    texts = " ".join(p["descrizione"].lower() for p in feats.values())
    for unsourced in ("cinquecentesc", "romanic", "gotica", "rinascimental", "più antiche",
                      "medievale", "ottagonale", "patrono", "multisala"):  # fmt: skip
        assert unsourced not in texts, unsourced
    scuole = {f["id"]: f["properties"] for f in load("scuole")}
    assert "liuteria" not in scuole["scu-0030"]["descrizione"]


#: Issue 17, item 5: seed entities added to the layers, each with the line that cites it
#: (layer, id, the seed file and line in `fonti`/`citato_in`, text expected in that line).
COVERAGE_ITEMS = [
    ("interventi", "int-0001", "002_8df21da1538a311c.txt riga 3489", "Basilica di S. Francesco"),
    ("interventi", "int-0251", "002_8df21da1538a311c.txt riga 3489", "Corpus Domini"),
    ("interventi", "int-0252", "002_8df21da1538a311c.txt riga 4558", "Villa Mirabella"),
    ("interventi", "int-0253", "002_8df21da1538a311c.txt riga 4685", "Matteotti n. 15"),
    ("interventi", "int-0254", "000_dadb076697da8f05.txt riga 955", "recupero funzionale"),
    ("interventi", "int-0255", "002_8df21da1538a311c.txt riga 7480", "Murale"),
    ("interventi", "int-0256", "001_93d3045a65cd4397.txt riga 4364", "S. Bernardo"),
    ("interventi", "int-0257", "001_93d3045a65cd4397.txt riga 4364", "e Po"),
    ("interventi", "int-0258", "001_93d3045a65cd4397.txt riga 3089", "altalena per tutti"),
    ("interventi", "int-0259", "001_93d3045a65cd4397.txt riga 3089", "Burattini d'estate"),
    ("interventi", "int-0260", "001_93d3045a65cd4397.txt riga 2181", "10 aree"),
    ("interventi", "int-0261", "002_8df21da1538a311c.txt riga 3692", "Polo Museale"),
    ("interventi", "int-0262", "000_dadb076697da8f05.txt riga 1111", "PEBA"),
    ("interventi", "int-0263", "001_93d3045a65cd4397.txt riga 4484", "palestre scolastiche"),
    (
        "cultura",
        "Rete Bibliotecaria Cremonese - sede territoriale",
        "001_93d3045a65cd4397.txt riga 1413",
        "via Sesto 39",
    ),
    ("cultura", "Fondazione Walter Stauffer", "002_8df21da1538a311c.txt riga 3729", "Stauffer"),
    (
        "cultura",
        "Laboratori scientifici del Museo del Violino",
        "001_93d3045a65cd4397.txt riga 2333",
        "laboratori scientifici",
    ),
    ("scuole", "scu-0036", "000_dadb076697da8f05.txt riga 506", "Casa Stradivari"),
    ("scuole", "scu-0037", "000_dadb076697da8f05.txt riga 1367", "ITS Aca"),
    ("scuole", "scu-0038", "001_93d3045a65cd4397.txt riga 2287", "CR-Forma"),
    ("scuole", "scu-0039", "001_93d3045a65cd4397.txt riga 1283", "Scuola Edile"),
    ("scuole", "scu-0040", "001_93d3045a65cd4397.txt riga 1342", "IC Cremona Uno"),
    ("scuole", "scu-0041", "001_93d3045a65cd4397.txt riga 4363", "Comprensivi Cremona 2 e 5"),
    ("scuole", "scu-0042", "001_93d3045a65cd4397.txt riga 4441", "comprensivi 4 e 5"),
    ("scuole", "scu-0043", "001_93d3045a65cd4397.txt riga 4441", "comprensivi 4 e 5"),
]


@pytest.mark.parametrize(("layer", "key", "fonte", "text"), COVERAGE_ITEMS)
def test_issue17_seed_entities_are_in_the_layers(layer, key, fonte, text):
    feats = {f["properties"]["id"]: f["properties"] for f in load(layer)}
    if layer == "cultura":  # cul- ids follow the file order: found by name
        feats = {p["nome"]: p for p in feats.values()}
    assert key in feats, key
    p = feats[key]
    cited = p.get("fonti") or p.get("citato_in") or ""
    assert fonte in cited.split("; "), (key, cited)
    if (SHARED / "seeds").is_dir():
        assert text.lower() in _line(SHARED, fonte).lower()


def test_issue17_additions_are_placed_only_from_a_source():
    """No coordinate from an address: the addressed ones have none; the laboratories take
    the Museo del Violino's point; the quartiere-wide ones the indicative polygon."""
    inter = {f["id"]: f for f in load("interventi")}
    cult = {f["properties"]["nome"]: f for f in load("cultura")}
    rbc = cult["Rete Bibliotecaria Cremonese - sede territoriale"]
    assert rbc["geometry"] is None and rbc["properties"]["indirizzo"] == "via Sesto 39"
    assert rbc["properties"]["fonte_indirizzo"] == "001_93d3045a65cd4397.txt riga 1413"
    assert inter["int-0253"]["geometry"] is None
    assert "corso Matteotti 15" in inter["int-0253"]["properties"]["luogo"]
    labs = cult["Laboratori scientifici del Museo del Violino"]
    assert labs["geometry"] == cult["Museo del Violino"]["geometry"]
    assert "Museo del Violino" in labs["properties"]["fonte"]
    for fid, q in [("int-0255", 5), ("int-0256", 5), ("int-0257", 10)]:
        p = inter[fid]["properties"]
        assert (p["quartiere"], p["quartiere_origine"], p["precisione"]) == (
            q,
            "testo",
            "quartiere",
        )
    exsport = inter["int-0263"]["properties"]
    assert exsport["importo_euro"] == 29000 + 190000 + 108000
    assert inter["int-0001"]["properties"]["fonte"] == "000_dadb076697da8f05.txt riga 243"


def test_the_build_reproduces_the_shipped_geojson_byte_for_byte(shared, tmp_path):
    """The shipped GeoJSON is what the build scripts make of geodata/sources and ../shared:
    a hand edit, or a source changed without rebuilding, fails here. The build runs in a copy
    of scripts/ and geodata/sources/ (with the boundary and the street list, built apart)."""
    import os
    import shutil
    import subprocess
    import sys

    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "scripts", repo / "scripts")
    shutil.copytree(ROOT / "geodata" / "sources", repo / "geodata" / "sources")
    for built_apart in ("confine.geojson", "stradario_anncsu.csv"):  # from ISTAT and ANNCSU
        shutil.copy(ROOT / "geodata" / built_apart, repo / "geodata")
    (tmp_path / "shared").symlink_to(shared)
    subprocess.run([sys.executable, "scripts/build_geodata.py"], cwd=repo, check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    shipped = sorted(p.name for p in (ROOT / "geodata").glob("*.geojson"))
    assert shipped == sorted(p.name for p in (repo / "geodata").glob("*.geojson"))
    for name in shipped:
        assert (repo / "geodata" / name).read_bytes() == (ROOT / "geodata" / name).read_bytes(), (
            name
        )


def test_a_sourced_quartiere_that_is_not_the_cells_is_explained():
    """Issue 17, item 3: where the gazetteer's quartiere wins over the Voronoi cell holding
    the point, `nota_quartiere` says so, with the source and the cell it overrides."""
    notes = {f["id"]: f["properties"]["nota_quartiere"] for f in load("cultura")}
    assert "Quartiere 16 dal gazetteer" in notes["cul-0039"]
    assert "'Chiesa di Sant'Abbondio'" in notes["cul-0039"]
    assert "poligono indicativo del Quartiere 6" in notes["cul-0039"]
    assert "poligono indicativo del Quartiere 1" in notes["cul-0043"]  # San Luca
    assert all("Voronoi" in n for n in (notes["cul-0039"], notes["cul-0043"]))
    # Where the gazetteer and the cell agree there is nothing to explain.
    assert sum(1 for n in notes.values() if n) == 2


def test_the_via_bagnara_conflict_is_shown_where_a_citizen_sees_it(shared):
    """Issue 17, item 3: 001 line 2762 calls the via Bagnara seat 'Quartiere 1', the
    quartieri list puts Bagnara in Q15: neither is chosen, both the seat's records and both
    quartieri carry the note, with its sources."""
    cited = "001_93d3045a65cd4397.txt riga 2762"
    assert "Sede Comitato Quartiere 1" in _line(shared, cited)
    for layer, fid in (("servizi", "ser-0016"), ("interventi", "int-0227")):
        p = next(f["properties"] for f in load(layer) if f["id"] == fid)
        assert p["quartiere"] is None and p["quartiere_origine"] is None
        note = p["nota_quartiere"]
        assert cited in note and "Quartiere 15 Bagnara" in note and "lamilano.it" in note
        assert "comune.cremona.it/node/458834" in note
    quartieri = {f["properties"]["numero"]: f["properties"] for f in load("quartieri")}
    for num in (1, 15):
        assert cited in quartieri[num]["nota"], num
    assert "via Bagnara" not in (quartieri[16]["nota"] or "")


def test_quartieri_names_are_said_to_come_from_the_press():
    """Issue 17, item 3: the names are from press articles, not an official list."""
    spec = yaml.safe_load((ROOT / "layers" / "quartieri.yaml").read_text(encoding="utf-8"))
    abstract = spec["metadata"]["abstract"]
    assert "ufficiali" not in abstract["it"].split("I poligoni")[0]
    assert "articoli di stampa locale" in abstract["it"]
    assert "official number" not in abstract["en"] and "local press" in abstract["en"]
    for f in load("quartieri"):
        p = f["properties"]
        if not p["numero_incerto"]:
            assert "(articolo di stampa: https://" in p["fonte"], p["id"]


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
        if feats[i]["geometry"] is None:  # a street without geometry places nothing: only a
            assert p["precisione"] in (None, "quartiere"), i  # quartiere placement has none
    # the thematic views carry their intervention's street
    for layer in ("ciclabili", "erp", "rigenerazione"):
        for f in load(layer):
            q = f["properties"]
            assert street(q["intervento"]) == (
                q["codice_via"],
                q["via_ufficiale"],
                q["vie_ufficiali"],
            )


# Issue 18, item 6: the data repairs the programme's totals need.

INTERVENTION_LAYERS = ["interventi", "ciclabili", "erp", "rigenerazione"]
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*(milioni|milione|mln|mila)?", re.I)  # fmt: skip
_TIMES = {"milioni": 1_000_000, "milione": 1_000_000, "mln": 1_000_000, "mila": 1_000}


def _amounts(text: str) -> set[int]:
    """Amounts as the documents write them: '29.500 euro', '6,7 milioni', '57 mila'."""
    return {
        round(float(f"{m[1].replace('.', '')}.{m[2] or 0}") * _TIMES.get((m[3] or "").lower(), 1))
        for m in _AMOUNT.finditer(text)
    }


def _build_interventi(module: str = "build_interventi"):
    """A module of the interventi build (the script, or `_interventi_sources`)."""
    _sources()  # scripts/ on sys.path, as the build scripts have it
    import importlib

    return importlib.import_module(module)


def test_one_item_is_one_intervention_and_the_retired_code_is_kept():
    """002 riga 1957 (the Arvedi-Buschini works, over 800,000 €) was int-0062 and int-0230:
    one intervention now, which names the code it replaced."""
    inter = {f["id"]: f["properties"] for f in load("interventi")}
    assert "int-0230" not in inter
    merged = inter["int-0062"]
    assert merged["importo_euro"] == 800000
    assert merged["id_sostituiti"] == "int-0230"
    assert "002_8df21da1538a311c.txt riga 1957" in merged["fonti"]
    # no two interventions give the same amount for a line they both cite as a state
    seen: dict = {}
    for p in inter.values():
        if p["importo_euro"] is None:
            continue
        for entry in json.loads(p["storia_stato"]):
            seen.setdefault((entry["fonte"], p["importo_euro"]), []).append(p["id"])
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}
    # a retired code is never given to a row again, and the build says so
    build = _build_interventi()
    with pytest.raises(ValueError, match="retired"):
        build._check_retired([{"id": "int-0001", "sostituisce": ["int-0002"]}, {"id": "int-0002"}])


def test_erp_homes_are_counted_once():
    """The 59 homes of the L. 80/2014 programme (001 riga 2797) are counted by int-0072 only:
    the 21+23 recovered homes (int-0073) and the 15 of San Felice (int-0074) are parts of it."""
    erp = {f["properties"]["intervento"]: f["properties"] for f in load("erp")}
    assert erp["int-0072"]["alloggi"] == 59
    for part in ("int-0073", "int-0074"):
        assert erp[part]["alloggi"] is None
        assert erp[part]["alloggi_contati_in"] == "int-0072"
    for p in erp.values():
        if p["alloggi_contati_in"]:
            assert erp[p["alloggi_contati_in"]]["alloggi"], p["intervento"]
    assert sum(p["alloggi"] or 0 for p in erp.values()) == 59 + 11 + 10 + 6
    # the 6 homes of via Tofane and via Aporti are int-0080's; int-0045 is the other buildings
    inter = {f["id"]: f["properties"] for f in load("interventi")}
    assert "alloggi" not in inter["int-0045"]["titolo"].lower()
    build = _build_interventi()
    twice = [
        {"properties": {"intervento": "int-0072", "alloggi": 59, "alloggi_contati_in": None}},
        {"properties": {"intervento": "int-0073", "alloggi": 59, "alloggi_contati_in": "int-0072"}},
    ]
    with pytest.raises(ValueError, match="alloggi_in"):
        build._check_erp_counts(twice)


#: Interventions a source says were taken up again after being finished: (id, the line that
#: says so). None so far: a later line that tells of an earlier completion, or plans a new
#: phase of a finished intervention, is among the intervention's `refs`, not a state.
RESTARTED: dict[str, str] = {}


@pytest.mark.parametrize("layer", INTERVENTION_LAYERS)
def test_no_state_history_runs_backwards(layer):
    for f in load(layer):
        p = f["properties"]
        history = json.loads(p["storia_stato"])
        years = [e["anno"] for e in history if e["anno"] is not None]
        assert years == sorted(years), p["id"]
        for before, after in zip(history, history[1:], strict=False):
            if before["stato"] == "concluso" and after["stato"] in ("in_corso", "pianificato"):
                assert RESTARTED.get(p.get("intervento", p["id"])) == after["fonte"], p["id"]


def test_the_backward_histories_are_repaired():
    inter = {f["id"]: f["properties"] for f in load("interventi")}

    def states(fid):
        return [(e["anno"], e["stato"]) for e in json.loads(inter[fid]["storia_stato"])]

    # 000 riga 1794 tells in the past tense of the restoration 001 riga 3427 reports
    assert states("int-0033") == [(2016, "concluso")]
    assert "000_dadb076697da8f05.txt riga 1794" in inter["int-0033"]["fonti"]
    # opened in October 2016; the 2018 indicator and the 2024 relocation are cited, not states
    assert states("int-0231") == [(2016, "concluso")]
    assert inter["int-0231"]["missione"].startswith("9 - ")  # still classified by 002 riga 5827
    assert states("int-0085") == [(2016, "pianificato"), (2019, "in_corso"), (2024, "in_corso")]


def test_every_amount_is_written_at_a_cited_line(shared):
    """A stated amount is written in one of the lines in `fonti`; a computed one says so, and
    its `nota_importo` names lines (all in `fonti`) whose amounts add up to it."""
    term = re.compile(r"([\d.]+) € \((\S+\.txt riga \d+)\)")
    for layer in INTERVENTION_LAYERS:
        for f in load(layer):
            p = f["properties"]
            amount, fonti = p["importo_euro"], p["fonti"].split("; ")
            if amount is None:
                assert p["importo_calcolato"] is None and p["nota_importo"] is None, p["id"]
            elif not p["importo_calcolato"]:
                assert p["nota_importo"] is None, p["id"]
                assert any(amount in _amounts(_line(shared, s)) for s in fonti), p["id"]
            else:
                terms = term.findall(p["nota_importo"])
                assert len(terms) > 1 and all(ref in fonti for _, ref in terms), p["id"]
                assert all(int(v.replace(".", "")) in _amounts(_line(shared, ref))
                           for v, ref in terms), p["id"]  # fmt: skip
                assert sum(int(v.replace(".", "")) for v, _ in terms) == amount, p["id"]
    computed = {f["id"] for f in load("interventi") if f["properties"]["importo_calcolato"]}
    assert computed == {"int-0051", "int-0060", "int-0066", "int-0263"}


def test_an_amount_no_cited_line_states_fails_the_build(shared):
    build = _build_interventi("_interventi_sources")
    row = {"id": "int-9999", "importo": 29500}
    with pytest.raises(ValueError, match="no cited line"):
        build.importo_of(row, [("001", 1378)])
    _, lines = build.importo_of({**row, "importo_da": ["001:1336|29.500 euro"]}, [("001", 1378)])
    assert lines == ["001_93d3045a65cd4397.txt riga 1336"]
    with pytest.raises(ValueError, match="sum"):
        build.importo_of(
            {**row, "importo_da": ["001:2373|30 mila euro. Be", "001:2376|180 mila"]}, []
        )


#: The year the cited line gives for the event, where it is not the document's year.
EVENT_YEARS = {
    "int-0051": 2017, "int-0057": 2017, "int-0067": 2017, "int-0103": 2017, "int-0191": 2017,
    "int-0194": 2017, "int-0195": 2017, "int-0196": 2017, "int-0197": 2017, "int-0202": 2017,
    "int-0100": 2015, "int-0101": 2015,
}  # fmt: skip


def test_states_are_dated_to_the_year_the_line_gives(shared):
    """The Bilancio Sociale 2014-2016 (001) tells of events up to late 2017: a state it gives
    for a 2017 (or 2015) event is dated to that year, which is written in the cited line."""
    seed_years = {"001": 2016, "002": 2019, "000": 2024, "003": None, "004": None}
    dated = {}
    for f in load("interventi"):
        p = f["properties"]
        for entry in json.loads(p["storia_stato"]):
            if entry["anno"] != seed_years[entry["fonte"][:3]]:
                assert str(entry["anno"]) in _line(shared, entry["fonte"]), p["id"]
                dated[p["id"]] = entry["anno"]
    assert dated == EVENT_YEARS
    build = _build_interventi("_interventi_sources")
    with pytest.raises(ValueError, match="not written"):
        build.parse_stato("001:2586|illuminazione|in_corso|2018")


def test_area_responsabile_is_dropped():
    """002's headings name people (Responsabile del Programma, politico, gestionale), not an
    organisational area: the field is gone from the layers and the data (docs/data.md)."""
    for layer in INTERVENTION_LAYERS:
        spec = yaml.safe_load((ROOT / "layers" / f"{layer}.yaml").read_text(encoding="utf-8"))
        assert "area_responsabile" not in {f["name"] for f in spec["fields"]}
        assert all("area_responsabile" not in f["properties"] for f in load(layer))
