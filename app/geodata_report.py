"""Data report of the shipped layers in geodata/ (described by layers/*.yaml).

`report(root)` returns, per layer: features, with/without geometry, counts per precisione,
per stato, per quartiere, features outside the comune, invalid geometries and features
without fonte; and one count per problem class an audit looks for: precisione outside the
vocabulary (app/registry/precision.py), precisione finer than the placement's derivation
(what `fonte_posizione` says the point is, read by `derived_precision`), features stacked on
the same geometry as another of any layer, stacked features whose precisione disagrees
although they were placed the same way (those placed differently, e.g. a building and a
project around it on the same point, are counted apart as explained), likely duplicates
(same fonte and same amount), features whose quartiere (from the text or the gazetteer) is
not the indicative quartiere polygon holding their geometry, with those of them no
`nota_quartiere` explains; and descriptions without a source (`descrizioni_senza_fonte`): a
feature with a non-empty `descrizione` counts when it has no `fonte_descrizione` and none of
`fonte`, `fonti`, `citato_in` cites a line of a council document ("NNN_<hash>.txt riga L").
A location source alone (a gazetteer or OpenStreetMap point in `fonte`) does not source a
description. Needs only geodata/ and layers/ (no ../shared): that a cited line says what the
description says is checked by the build and tests/test_geodata.py. And the features with
their official street recorded (`via_ufficiale`, the street of the official list their text
names) or naming any (`vie_ufficiali`). `main()` prints it.

    flask --app app geodata report    (or: python scripts/geodata_report.py)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import shape

from app.registry.precision import PRECISION, finer_than_derivation

STATUS_FIELDS = ("stato_rete", "stato")
COUNCIL_LINE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt riga \d+")
DESCRIPTION_CITATIONS = ("fonte", "fonti", "citato_in")
#: The zones layer, its number field, and the fields of a feature naming its zone and
#: explaining a zone that is not the polygon's (written by scripts/build_*.py).
ZONES_LAYER, ZONE_NUMBER = "quartieri", "numero"
ZONE_FIELD, ZONE_NOTE = "quartiere", "nota_quartiere"
#: Precisione values finer than a whole zone: only these geometries say which zone a
#: feature is in (the vocabulary is ordered from the most exact).
FINER_THAN_ZONE = tuple(list(PRECISION)[: list(PRECISION).index("quartiere")])
_to_metric = Transformer.from_crs("EPSG:4326", "EPSG:7791", always_xy=True).transform


def transform(func, geom):
    """Apply a pyproj transform to every coordinate of a shapely geometry."""
    return shapely.transform(geom, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))


def _confine(root: Path):
    fc = json.loads((root / "geodata" / "confine.geojson").read_text(encoding="utf-8"))
    return transform(_to_metric, shape(fc["features"][0]["geometry"])).buffer(1.0)


def description_unsourced(props: dict) -> bool:
    """True when a feature has a description that cites no source (see the module doc)."""
    if not str(props.get("descrizione") or "").strip():
        return False
    if str(props.get("fonte_descrizione") or "").strip():
        return False
    return not any(COUNCIL_LINE.search(str(props.get(k) or "")) for k in DESCRIPTION_CITATIONS)


def layer_report(path: Path, confine) -> dict:
    """Counts for one GeoJSON file."""
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    out = {
        "features": len(feats),
        "con_geometria": 0,
        "senza_geometria": 0,
        "precisione": Counter(),
        "stato": Counter(),
        "quartiere": Counter(),
        "quartiere_origine": Counter(),
        "fuori_comune": 0,
        "geometrie_non_valide": 0,
        "senza_fonte": 0,
        "precisione_fuori_vocabolario": 0,
        "precisione_piu_fine_della_derivazione": 0,
        "duplicati_fonte_importo": 0,
        "descrizioni_senza_fonte": 0,
        "con_via_ufficiale": 0,
        "con_vie_ufficiali": 0,
    }
    seen: Counter = Counter()
    for f in feats:
        p = f["properties"]
        if not p.get("fonte"):
            out["senza_fonte"] += 1
        out["descrizioni_senza_fonte"] += int(description_unsourced(p))
        out["precisione"][str(p.get("precisione"))] += 1
        if p.get("precisione") is not None and p["precisione"] not in PRECISION:
            out["precisione_fuori_vocabolario"] += 1
        # only placements say how they were derived (boundary layers have no fonte_posizione)
        if "fonte_posizione" in p and finer_than_derivation(
            p.get("precisione"), p["fonte_posizione"]
        ):
            out["precisione_piu_fine_della_derivazione"] += 1
        out["con_via_ufficiale"] += int(bool(p.get("via_ufficiale")))
        out["con_vie_ufficiali"] += int(bool(p.get("vie_ufficiali")))
        if p.get("fonte") and p.get("importo_euro") is not None:
            seen[(p["fonte"], p["importo_euro"])] += 1
        status = next((p[k] for k in STATUS_FIELDS if p.get(k)), None)
        if status:
            out["stato"][status] += 1
        if "quartiere" in p:
            out["quartiere"][str(p.get("quartiere"))] += 1
        if "quartiere_origine" in p:
            out["quartiere_origine"][str(p.get("quartiere_origine"))] += 1
        if not f.get("geometry"):
            out["senza_geometria"] += 1
            continue
        out["con_geometria"] += 1
        geom = shape(f["geometry"])
        if not shapely.is_valid(geom):
            out["geometrie_non_valide"] += 1
        if not confine.covers(transform(_to_metric, geom)):
            out["fuori_comune"] += 1
    out["duplicati_fonte_importo"] = sum(n for n in seen.values() if n > 1)
    for key in ("precisione", "stato", "quartiere", "quartiere_origine"):
        out[key] = dict(sorted(out[key].items()))
    return out


def zone_cells(path: Path) -> dict[int, object]:
    """{zone number: lon/lat geometry} of the drawn zones (quartieri) of a GeoJSON file."""
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {
        int(f["properties"][ZONE_NUMBER]): shape(f["geometry"])
        for f in feats
        if f.get("geometry") and f["properties"].get(ZONE_NUMBER) is not None
    }


def in_cell(geom, cell) -> bool:
    """The geometry lies, at least in part, in the cell: a point on it, a line or an area
    overlapping it (touching the edge is not enough). Same rule as scripts/_geodata_quartieri.py."""
    if cell is None:
        return False
    if geom.geom_type == "Point":
        return bool(cell.covers(geom))
    if geom.geom_type == "MultiPoint":
        return bool(cell.intersects(geom))
    inter = cell.intersection(geom)
    return (inter.area if geom.geom_type.endswith("Polygon") else inter.length) > 0


def zone_disagreements(path: Path, cells: dict[int, object]) -> dict[str, int]:
    """Features placed finer than a whole quartiere whose `quartiere` (from the text or the
    gazetteer) is not the indicative polygon holding their geometry (`quartiere_discordante`),
    and those of them without a `nota_quartiere` saying why (`..._non_spiegato`). A geometry
    in no polygon is not counted here: `fuori_comune` counts it."""
    feats = json.loads(path.read_text(encoding="utf-8"))["features"]
    if not any(ZONE_FIELD in f["properties"] for f in feats):
        return {}  # a layer without a quartiere field (the boundary, say)
    out = {"quartiere_discordante": 0, "quartiere_discordante_non_spiegato": 0}
    for f in feats:
        p = f["properties"]
        zone = p.get(ZONE_FIELD)
        if zone is None or not f.get("geometry") or p.get("precisione") not in FINER_THAN_ZONE:
            continue
        geom = shape(f["geometry"])
        if in_cell(geom, cells.get(int(zone))):
            continue
        if not any(in_cell(geom, cell) for cell in cells.values()):
            continue
        out["quartiere_discordante"] += 1
        if not (p.get(ZONE_NOTE) or "").strip():
            out["quartiere_discordante_non_spiegato"] += 1
    return out


def stacking(paths: list[Path]) -> dict[str, dict[str, int]]:
    """Per layer: features whose geometry is exactly another feature's (of any layer); those
    of them whose precisione differs from another's placed the same way (same
    `fonte_posizione`, or neither has one): `precisione_discordante`; and those whose
    precisione differs only from features placed another way (a station and a car park
    beside it on the station's point): `precisione_diversa_per_derivazione`."""
    places: dict[str, list[tuple[str, str | None, str | None]]] = {}
    for path in paths:
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if f.get("geometry"):
                p = f["properties"]
                key = shape(f["geometry"]).wkb_hex
                places.setdefault(key, []).append(
                    (path.stem, p.get("precisione"), p.get("fonte_posizione"))
                )
    keys = ("sovrapposte", "precisione_discordante", "precisione_diversa_per_derivazione")
    out = {path.stem: dict.fromkeys(keys, 0) for path in paths}
    for found in places.values():
        if len(found) < 2:
            continue
        for layer, _prec, how in found:
            out[layer]["sovrapposte"] += 1
            same_way = {p for _, p, h in found if h == how}
            if len(same_way) > 1:
                out[layer]["precisione_discordante"] += 1
            elif len({p for _, p, _ in found}) > 1:
                out[layer]["precisione_diversa_per_derivazione"] += 1
    return out


def report(root: Path) -> dict:
    """{layer id: counts} for every layer file whose source is in geodata/."""
    root = Path(root)
    confine = _confine(root)
    result, sources = {}, {}
    for spec_path in sorted((root / "layers").glob("*.yaml")):
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        src = root / spec["source"]["path"]
        if src.suffix == ".geojson" and src.is_file():
            result[spec["id"]] = layer_report(src, confine)
            sources[spec["id"]] = src
    # Boundaries are drawn on purpose where a quartiere's is: only thematic layers stack.
    thematic = [p for lid, p in sources.items() if lid not in ("confine", "quartieri")]
    for stem, counts in stacking(thematic).items():
        lid = next(lid for lid, p in sources.items() if p.stem == stem)
        result[lid].update(counts)
    cells = zone_cells(sources[ZONES_LAYER]) if ZONES_LAYER in sources else {}
    for lid, path in sources.items():
        if lid != ZONES_LAYER:
            result[lid].update(zone_disagreements(path, cells))
    return result


def main(root: Path | None = None, echo=print) -> None:
    root = Path(root or Path(__file__).resolve().parents[1])
    print = echo  # noqa: A001 (the CLI passes click.echo)
    found = report(root)
    for layer, r in found.items():
        print(
            f"== {layer}: {r['features']} features, {r['con_geometria']} with geometry, "
            f"{r['senza_geometria']} without"
        )
        print(f"   precisione: {r['precisione']}")
        if r["stato"]:
            print(f"   stato: {r['stato']}")
        if r["quartiere"]:
            print(f"   quartiere: {r['quartiere']}")
        if r["quartiere_origine"]:
            print(f"   quartiere from: {r['quartiere_origine']}")
        print(
            f"   outside comune: {r['fuori_comune']}, invalid: {r['geometrie_non_valide']}, "
            f"without fonte: {r['senza_fonte']}"
        )
        print(
            f"   precisione outside the vocabulary: {r['precisione_fuori_vocabolario']}, "
            "finer than its derivation: "
            f"{r['precisione_piu_fine_della_derivazione']}, "
            f"stacked on another feature's geometry: {r.get('sovrapposte', 0)} "
            f"(precisione disagreeing: {r.get('precisione_discordante', 0)}; "
            f"differing because placed differently: "
            f"{r.get('precisione_diversa_per_derivazione', 0)}), "
            f"same fonte and amount: {r['duplicati_fonte_importo']}"
        )
        print(f"   descriptions without a source: {r['descrizioni_senza_fonte']}")
        if "quartiere_discordante" in r:
            print(
                f"   quartiere not the polygon's (text/gazetteer vs indicative polygon): "
                f"{r['quartiere_discordante']}, "
                f"unexplained: {r['quartiere_discordante_non_spiegato']}"
            )
        if r["con_vie_ufficiali"]:
            print(
                f"   official street recorded: {r['con_via_ufficiale']} "
                f"(naming an official street: {r['con_vie_ufficiali']})"
            )
    disagreeing = sum(r.get("quartiere_discordante", 0) for r in found.values())
    unexplained = sum(r.get("quartiere_discordante_non_spiegato", 0) for r in found.values())
    print(
        f"== all layers: {disagreeing} features whose quartiere is not the indicative polygon's, "
        f"{unexplained} of them without a nota_quartiere"
    )


if __name__ == "__main__":
    main()
