"""Build geodata/interventi.geojson and the thematic views ciclabili, erp, rigenerazione.

Inputs:
- `geodata/sources/interventi*.yaml`: the hand-curated list, split by theme (titles and
  descriptions written by the project; a description says what its status lines say, and
  those lines are its `fonte_descrizione` unless `fd` lists other sources, as in
  build_luoghi.py). Every row has an explicit, stable `id` (int-NNNN):
  ids never change when rows are added, moved or the files are split. Every status carries the seed line it comes from ("file:line|expected text|
  status"); the expected text is checked against ../shared/seeds at each build. Optional
  `refs` ("file:line|expected text") are further lines citing the intervention with no
  status; they are checked the same way and listed in `fonti` after the status lines.
- ../shared/seeds/002_*.txt: Missione / Programma / Obiettivo codes and titles, read from the
  headings above each cited line of the 2019 report.
- Points: ../shared/gazetteer/cremona_places.csv and the OpenStreetMap (ODbL) points of
  ../shared/reference-geodata/molifabio-RuoloCremonaApp/cremona_poi_nominatim.geojson.
- `geodata/quartieri.geojson`: the quartiere of point features. "q:<n>" places an
  intervention only in a whole quartiere: no geometry is written (the cell's polygon is not
  the intervention's), `quartiere` is <n> and precisione "quartiere"; the map draws the
  quartiere's faint outline for it.
- `prec` says how the point relates to the intervention (see _geodata_sources.placement);
  the precisione written is the one that derivation supports, with `fonte_posizione`
  saying how the point was obtained.
  A quartiere the text (`qt`) or the gazetteer (`qg`) gives wins over the cell of a point,
  and `nota_quartiere` says so where the two differ.
- `geodata/sources/quartieri_note.yaml`: conflicts between sources about a place's quartiere
  (their note goes in `nota_quartiere`).
- `geodata/stradario_anncsu.csv` (built by build_stradario.py): the official streets an
  intervention's text names, found by `StreetList.named_in` of app/streets.py:
  `vie_ufficiali` lists every one luogo, titolo and descrizione name (in that order); where
  luogo and titolo (the place the project wrote) name exactly one, `codice_via` (its ANNCSU
  id) and `via_ufficiale` record it as the intervention's street. A street the descrizione
  only mentions ("aree attorno a ... piazza Roma") is not the intervention's street. A
  named street gives no geometry and no precisione (the list has no coordinates).

No line geometry is drawn for cycle paths: no licensed line source exists (the EuroVelo 8 /
VenTo tracks in reference-geodata have no licence).

What the sources say of each row (its states, headings, amount, streets) is read and
checked in _interventi_sources.py; this script assembles the features and the views.

    python scripts/build_interventi.py
"""

from __future__ import annotations

import json
import re

from _geodata_common import SOURCES, feature, load_yaml, write_collection
from _geodata_quartieri import (
    feature_quartiere_notes,
    gazetteer_quartieri,
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
from _interventi_sources import cited_lines, dup_headings, importo_of, parse_stati, streets_named

ID_RX = re.compile(r"^int-\d{4}$")


def _place(row, places, quartieri):
    """(geometry, fonte_posizione, precisione, attribuzione, quartiere of a "q:<n>" loc)."""
    loc = row.get("loc")
    if loc and loc.startswith("q:"):
        num = int(loc[2:])
        name = next((name for name, n, _poly in quartieri if n == num), None)
        return (None, *quartiere_placement(num, name), None, num)
    place = resolve_loc(loc, places)
    if place is None:
        return None, None, None, None, None
    fonte, prec = placement(row["id"], place, row.get("prec"), row.get("prec_ref"))
    return place.point, fonte, prec, place.attribuzione, None


def load_rows() -> list[dict]:
    """Every row of geodata/sources/interventi*.yaml, sorted by id; ids must be unique."""
    rows = [
        row for path in sorted(SOURCES.glob("interventi*.yaml")) for row in load_yaml(path.name)
    ]
    ids = [row["id"] for row in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"intervention ids repeated: {dupes}")
    bad = [i for i in ids if not ID_RX.match(i)]
    if bad:
        raise ValueError(f"malformed intervention ids: {bad}")
    _check_retired(rows)
    return sorted(rows, key=lambda r: r["id"])


def _check_retired(rows: list[dict]) -> None:
    """A row merged into another (the same item counted twice) leaves its id in the
    survivor's `sostituisce`: that id is never given to a row again, and names one row."""
    ids = {row["id"] for row in rows}
    retired = [old for row in rows for old in row.get("sostituisce") or []]
    reused = sorted(set(retired) & ids)
    if reused or len(retired) != len(set(retired)):
        raise ValueError(f"retired intervention ids reused or retired twice: {reused or retired}")
    bad = [old for old in retired if not ID_RX.match(old)]
    if bad:
        raise ValueError(f"malformed retired intervention ids: {bad}")


def build() -> list[dict]:
    places, quartieri = load_places(), load_quartieri_polygons()
    gazetteer_q = gazetteer_quartieri()
    notes = feature_quartiere_notes()
    features = []
    for row in load_rows():
        stati = parse_stati(row["stati"])
        geom, loc_fonte, precisione, attrib, q_loc = _place(row, places, quartieri)
        prog = dup_headings(row, stati)
        q_text = row.get("qt")
        # `qg`: the gazetteer entry naming the place, whose quartiere is sourced there.
        q_gaz = gazetteer_q[row["qg"]] if row.get("qg") else None
        # placed only in a whole quartiere: the row's own quartiere, named by its text
        q_geom = quartiere_of(geom, quartieri)
        q_text = q_text or q_loc
        anni = row.get("anni") or [None, None]
        refs = [seed_ref(s["code"], s["line"]) for s in stati]
        if row.get("qt_ref"):  # the line that names the quartiere (or a zone of it)
            refs.append(seed_ref(*check_ref(row["qt_ref"])))
        # `refs`: further lines that cite the intervention without giving a status
        # (the same place under another name, an amount, a partner), after the others.
        refs.extend(seed_ref(*check_ref(r)) for r in row.get("refs") or [])
        importo, importo_refs = importo_of(row, cited_lines(row, stati))
        refs.extend(importo_refs)  # the lines that state the amount, when not cited above
        fonti = "; ".join(dict.fromkeys(refs))
        if q_text:  # the quartiere's source, for the note when it is not the cell's
            q_fonte = seed_ref(*check_ref(row["qt_ref"])) if row.get("qt_ref") else refs[0]
        else:
            q_fonte = f"gazetteer cremona_places.csv, '{row.get('qg')}': Q{q_gaz}"
        disagreement = quartiere_disagreement(
            q_text or q_gaz,
            "testo" if q_text else "gazetteer",
            q_fonte,
            geom,
            precisione,
            quartieri,
        )
        storia = [
            {
                "anno": s["anno"],
                "stato": s["stato"],
                "fonte": seed_ref(s["code"], s["line"]),
            }
            for s in stati
        ]
        props = {
            "id": row["id"],
            "titolo": row["t"],
            "descrizione": row["d"],
            "fonte_descrizione": description_sources(row.get("fd")) or fonti,
            "stato": stati[-1]["stato"],
            "anno_stato": stati[-1]["anno"],
            "anno_inizio": anni[0],
            "anno_fine": anni[1],
            **importo,
            "finanziamento": row.get("fin"),
            "missione": prog.get("missione"),
            "programma": prog.get("programma"),
            "obiettivo_strategico": prog.get("obiettivo_strategico"),
            "obiettivo_operativo": prog.get("obiettivo_operativo"),
            "tema": row["tema"],
            "luogo": row.get("luogo"),
            **streets_named(row),
            "quartiere": q_text or q_gaz or q_geom,
            "quartiere_origine": "testo"
            if q_text
            else ("gazetteer" if q_gaz else ("geometria" if q_geom else None)),
            "nota_quartiere": nota_quartiere(notes.get(row["id"]), disagreement),
            "fonte": fonti.split("; ")[0],
            "fonti": fonti,
            "fonte_posizione": loc_fonte,
            "storia_stato": json.dumps(storia, ensure_ascii=False),
            "precisione": precisione,
            "attribuzione": attrib,
            "id_sostituiti": ", ".join(row.get("sostituisce") or []) or None,
            "_layer": row.get("layer"),
            "_cic": row.get("cic") or {},
            "_erp": row.get("erp") or {},
        }
        features.append(feature(props, geom))
    return features


def _strip(features: list[dict], layer: str | None = None) -> list[dict]:
    """Copies without the private keys, optionally only those tagged for `layer`."""
    out = []
    for f in features:
        p = f["properties"]
        if layer and p["_layer"] != layer:
            continue
        props = {k: v for k, v in p.items() if not k.startswith("_")}
        out.append({**f, "properties": props, "_cic": p["_cic"], "_erp": p["_erp"]})
    return out


def views(features: list[dict]) -> dict[str, list[dict]]:
    """The thematic layers: same facts, own ids and a few layer-specific fields.

    View ids (cic-/erp-/rig-NNNN) number the tagged interventions in id order, so new
    interventions (higher ids) never renumber the existing ones.
    """
    result = {}
    for layer, prefix in [("ciclabili", "cic"), ("erp", "erp"), ("rigenerazione", "rig")]:
        rows = []
        for n, f in enumerate(_strip(features, layer), start=1):
            props = dict(f["properties"])
            props["intervento"] = props["id"]
            props["id"] = f"{prefix}-{n:04d}"
            if layer == "ciclabili":
                props["stato_rete"] = f["_cic"].get("stato")
                props["lunghezza_m"] = None  # no licensed line geometry (see lineage)
            if layer == "erp":
                props["alloggi"] = f["_erp"].get("alloggi")
                props["edifici"] = f["_erp"].get("edifici")
                props["alloggi_contati_in"] = f["_erp"].get("alloggi_in")
            rows.append(
                {
                    "type": "Feature",
                    "id": props["id"],
                    "properties": props,
                    "geometry": f["geometry"],
                }
            )
        result[layer] = rows
    _check_erp_counts(result["erp"])
    return result


def _check_erp_counts(rows: list[dict]) -> None:
    """The homes of a programme are counted once: a part of another ERP intervention
    (`erp: {alloggi_in: int-NNNN}`) carries no count of its own and names an ERP
    intervention that carries one."""
    counted = {r["properties"]["intervento"] for r in rows if r["properties"]["alloggi"]}
    for r in rows:
        p = r["properties"]
        if p["alloggi_contati_in"] and (p["alloggi"] or p["alloggi_contati_in"] not in counted):
            raise ValueError(
                f"{p['intervento']}: alloggi_in {p['alloggi_contati_in']!r} "
                "must name a counted ERP intervention, and replace its own count"
            )


def main() -> None:
    features = build()
    clean = [{k: v for k, v in f.items() if not k.startswith("_")} for f in _strip(features)]
    write_collection("interventi", clean)
    for layer, rows in views(features).items():
        write_collection(layer, rows)


if __name__ == "__main__":
    main()
