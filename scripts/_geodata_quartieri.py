"""The quartiere of a geodata feature: the indicative cells, the sourced quartiere, notes.

The indicative polygons of geodata/quartieri.geojson (`load_quartieri_polygons`,
`quartiere_of`, `in_cell`), the quartiere the gazetteer gives a place
(`gazetteer_quartieri`), the note where a sourced quartiere and the cell holding the
geometry differ (`quartiere_disagreement`), and the conflicts between sources recorded in
geodata/sources/quartieri_note.yaml (`load_quartiere_notes`, `feature_quartiere_notes`).
"""

from __future__ import annotations

import csv
import json
import re

from _geodata_common import GAZETTEER, GEODATA, load_yaml
from _geodata_sources import check_ref, seed_ref
from shapely.geometry import shape


def load_quartieri_polygons() -> list[tuple[str, int, object]]:
    """[(name, number, lon/lat geometry)] for the quartieri drawn in geodata/quartieri.geojson."""
    fc = json.loads((GEODATA / "quartieri.geojson").read_text(encoding="utf-8"))
    return [
        (f["properties"]["nome"], f["properties"]["numero"], shape(f["geometry"]))
        for f in fc["features"]
        if f["geometry"]
    ]


def gazetteer_quartieri() -> dict[str, int]:
    """Gazetteer name -> the quartiere the gazetteer puts it in (its `quartiere_or_area`
    column, `Q<n>`): a sourced quartiere, which wins over the indicative polygons."""
    out = {}
    with GAZETTEER.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            found = re.fullmatch(r"Q(\d+)", (row["quartiere_or_area"] or "").strip())
            if found and row["kind"] != "quartiere":
                out[row["name"]] = int(found.group(1))
    return out


def quartiere_of(geom, quartieri) -> int | None:
    """Number of the (indicative) quartiere containing a point/representative point."""
    if geom is None:
        return None
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    for _name, num, poly in quartieri:
        if poly.covers(pt):
            return num
    return None


#: `precisione` values finer than a whole quartiere (app/registry/precision.py, in order):
#: only for these does the cell holding the geometry say anything about the quartiere.
FINER_THAN_QUARTIERE = ("edificio", "indirizzo", "via", "area", "località")
ORIGINE_PAROLE = {"testo": "dal testo del documento", "gazetteer": "dal gazetteer"}
VORONOI_NOTE = (
    "i poligoni dei quartieri sono indicativi (celle di Voronoi costruite dal progetto da pochi "
    "punti di riferimento, non confini ufficiali), quindi vale il quartiere della fonte."
)


def in_cell(geom, cell) -> bool:
    """True when the (lon/lat) geometry lies, at least in part, inside the quartiere's cell:
    a point on it, a line or an area overlapping it (touching its edge is not enough)."""
    if geom is None or cell is None:
        return False
    if geom.geom_type in ("Point", "MultiPoint"):
        return bool(cell.covers(geom) if geom.geom_type == "Point" else cell.intersects(geom))
    inter = cell.intersection(geom)
    return (inter.area if geom.geom_type.endswith("Polygon") else inter.length) > 0


def quartiere_disagreement(q, origine, fonte_q, geom, precisione, quartieri) -> str | None:
    """The note (Italian) explaining why a sourced quartiere `q` differs from the indicative
    cell holding `geom`, or None when they agree or the geometry says nothing finer than a
    quartiere. app/geodata_report.py counts the same disagreements (`quartiere_discordante`)
    and those without this note."""
    if q is None or geom is None or precisione not in FINER_THAN_QUARTIERE:
        return None
    cells = {n: (name, poly) for name, n, poly in quartieri}
    if q in cells and in_cell(geom, cells[q][1]):
        return None
    holders = [n for n, (_name, poly) in cells.items() if in_cell(geom, poly)]
    if not holders:  # outside every cell: the report counts it as outside the comune
        return None
    holder = quartiere_of(geom, quartieri)  # the cell of its point, else one it overlaps
    holder = holder if holder in holders else holders[0]
    parole = ORIGINE_PAROLE.get(origine, origine)
    drawn = (
        f"la posizione cade nel poligono indicativo del Quartiere {holder} {cells[holder][0]}"
        if q in cells
        else (
            f"il Quartiere {q} non ha un poligono indicativo (nessun punto di riferimento) e la "
            f"posizione cade in quello del Quartiere {holder} {cells[holder][0]}"
        )
    )
    return f"Quartiere {q} {parole} ({fonte_q}); {drawn}: {VORONOI_NOTE}"


def load_quartiere_notes(known_quartieri=None) -> list[dict]:
    """geodata/sources/quartieri_note.yaml: conflicts between sources about the quartiere of
    a place, each with the seed line it cites (checked), the quartieri it concerns and the
    features that carry its note."""
    notes = []
    for row in load_yaml("quartieri_note.yaml"):
        nota = " ".join(row["nota"].split())
        for ref in row["refs"]:
            cited = seed_ref(*check_ref(ref))
            if cited not in nota:
                raise ValueError(f"{row['id']}: the note does not cite {cited}")
        bad = set(row["quartieri"]) - set(known_quartieri or row["quartieri"])
        if bad:
            raise ValueError(f"{row['id']}: unknown quartieri {sorted(bad)}")
        notes.append({**row, "nota": nota})
    return notes


def feature_quartiere_notes() -> dict[str, str]:
    """Feature id -> the note of the conflict it is part of (quartieri_note.yaml)."""
    out: dict[str, str] = {}
    for row in load_quartiere_notes():
        for fid in row["elementi"]:
            out[fid] = f"{out[fid]} {row['nota']}" if fid in out else row["nota"]
    return out


def nota_quartiere(*notes: str | None) -> str | None:
    """The `nota_quartiere` of a feature: its notes (a conflict, a disagreement), or None."""
    return " ".join(n for n in notes if n) or None
