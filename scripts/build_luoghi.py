"""Build the place layers scuole, verde, sport, servizi and mobilita in geodata/.

Inputs:
- `geodata/sources/luoghi_<layer>.yaml`: hand-curated lists (descriptions written by the
  project). Each row has a stable `id`, the council document lines that name the place
  (`refs`, "file:line|expected text", checked against ../shared/seeds at each build), an
  optional status with its line (`stato`, "file:line|expected text|stato"), the key of a
  sourced point (`loc`: "gaz:"/"osm:", or "q:<n>" for a place known only to be in quartiere
  <n>: no geometry, precisione "quartiere", drawn by the map as the quartiere's faint
  outline), how that point relates to the place (`prec`, see _geodata_sources.placement; the
  precisione written is the one this derivation supports) and the quartiere the text names
  (`qt`, with `qt_ref`, the line that names it or a zone of it). The description (`d`) says
  only what its sources say: `fd` lists them where they are not exactly the row's cited
  lines (seed lines, gazetteer rows, OpenStreetMap points; see `description_sources()`);
  without `fd` they are the row's cited lines. Either way they are shipped as
  `fonte_descrizione`.
- Points: ../shared/gazetteer/cremona_places.csv and the OpenStreetMap (ODbL) points of
  ../shared/reference-geodata/molifabio-RuoloCremonaApp/cremona_poi_nominatim.geojson.
- `geodata/quartieri.geojson` for the quartiere of located places.
- `geodata/sources/quartieri_note.yaml`: conflicts between sources about a place's quartiere.

`nota_quartiere` explains a quartiere that is not the one of the indicative cell holding the
place (a sourced quartiere wins over the cell), and records those conflicts.

A place with no sourced point has no geometry (listed, not drawn).

    python scripts/build_luoghi.py
"""

from __future__ import annotations

import json

from _geodata_common import GEODATA, feature, load_yaml, write_collection
from _geodata_quartieri import (
    feature_quartiere_notes,
    load_quartieri_polygons,
    nota_quartiere,
    quartiere_disagreement,
    quartiere_of,
)
from _geodata_sources import (
    check_ref,
    description_sources,
    load_places,
    placement,
    quartiere_placement,
    resolve_loc,
    seed_ref,
)

LAYERS = {"scuole": "scu", "verde": "ver", "sport": "spo", "servizi": "ser", "mobilita": "mob"}
STATI = {"attivo", "pianificato", "in_corso", "concluso", "sospeso", "sconosciuto"}
DOC_YEAR = {"001": 2016, "002": 2019, "000": 2024, "003": None, "004": None}


def _place(row, places, quartieri):
    """(geometry, fonte_posizione, precisione, attribuzione, licenza, quartiere of a "q:<n>")
    of a row's `loc`."""
    loc = row.get("loc")
    if loc and loc.startswith("q:"):
        num = int(loc[2:])
        name = next((name for name, n, _poly in quartieri if n == num), None)
        return (None, *quartiere_placement(num, name), None, None, num)
    place = resolve_loc(loc, places)
    if place is None:
        return None, None, None, None, None, None
    fonte, prec = placement(row["id"], place, row.get("prec"), row.get("prec_ref"))
    return place.point, fonte, prec, place.attribuzione, place.licenza, None


def _intervention_ids() -> set[str]:
    fc = json.loads((GEODATA / "interventi.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["id"] for f in fc["features"]}


def build(layer: str, places=None, quartieri=None, known=None, notes=None) -> list[dict]:
    prefix = LAYERS[layer]
    places = places or load_places()
    quartieri = quartieri or load_quartieri_polygons()
    known = known if known is not None else _intervention_ids()
    notes = feature_quartiere_notes() if notes is None else notes
    features, seen = [], set()
    for row in load_yaml(f"luoghi_{layer}.yaml"):
        fid = row["id"]
        if not fid.startswith(prefix + "-") or fid in seen:
            raise ValueError(f"{layer}: bad or repeated id {fid!r}")
        seen.add(fid)
        docs = [seed_ref(*check_ref(r)) for r in row.get("refs") or []]
        stato, anno_stato = "sconosciuto", None
        if row.get("stato"):
            ref, _, stato = row["stato"].rpartition("|")
            if stato not in STATI:
                raise ValueError(f"{fid}: unknown stato {stato!r}")
            code, line = check_ref(ref)
            docs.append(seed_ref(code, line))
            anno_stato = DOC_YEAR[code]
        if row.get("qt_ref"):
            docs.append(seed_ref(*check_ref(row["qt_ref"])))
        docs = list(dict.fromkeys(docs))
        unknown = set(row.get("interventi") or []) - known
        if unknown:
            raise ValueError(f"{fid}: unknown interventions {sorted(unknown)}")
        if not docs:
            raise ValueError(f"{fid}: no council document cites this place")
        geom, loc_fonte, precisione, attrib, licenza, q_loc = _place(row, places, quartieri)
        q_text, q_geom = row.get("qt") or q_loc, quartiere_of(geom, quartieri)
        q_fonte = seed_ref(*check_ref(row["qt_ref"])) if row.get("qt_ref") else docs[0]
        disagreement = quartiere_disagreement(q_text, "testo", q_fonte, geom, precisione, quartieri)
        props = {
            "id": fid,
            "nome": row["nome"],
            "tipo": row["tipo"],
            "descrizione": row["d"],
            "fonte_descrizione": description_sources(row.get("fd")) or "; ".join(docs),
            "luogo": row.get("luogo"),
            "stato": stato,
            "anno_stato": anno_stato,
            "interventi": ", ".join(row.get("interventi") or []) or None,
            "quartiere": q_text or q_geom,
            "quartiere_origine": "testo" if q_text else ("geometria" if q_geom else None),
            "nota_quartiere": nota_quartiere(notes.get(fid), disagreement),
            "fonte": docs[0],
            "fonti": "; ".join(docs),
            "fonte_posizione": loc_fonte,
            "precisione": precisione,
            "attribuzione": attrib,
            "licenza_coordinate": licenza,
        }
        features.append(feature(props, geom))
    return features


def main() -> None:
    places, quartieri, known = load_places(), load_quartieri_polygons(), _intervention_ids()
    notes = feature_quartiere_notes()
    for layer in LAYERS:
        write_collection(layer, build(layer, places, quartieri, known, notes))


if __name__ == "__main__":
    main()
