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

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PRECISIONI = {"edificio", "indirizzo", "via", "area", "quartiere", "comune", None}
_T = Transformer.from_crs("EPSG:4326", "EPSG:7791", always_xy=True).transform


def metric(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(_T(xy[:, 0], xy[:, 1])))


def load(layer: str) -> list[dict]:
    return json.loads((ROOT / "geodata" / f"{layer}.geojson").read_text(encoding="utf-8"))[
        "features"
    ]


LAYERS = ["quartieri", "cultura", "interventi", "ciclabili", "erp", "rigenerazione"]


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
        assert p["precisione"] in PRECISIONI, p["id"]
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


@pytest.mark.parametrize("layer", ["cultura", "interventi"])
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


def test_intervention_quartiere_matches_geometry():
    quartieri = [
        (f["properties"]["numero"], shape(f["geometry"]))
        for f in load("quartieri")
        if f["geometry"]
    ]
    for f in load("interventi"):
        p = f["properties"]
        if p["quartiere_origine"] == "testo":
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
