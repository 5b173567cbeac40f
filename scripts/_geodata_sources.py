"""Where the geodata builds' facts and points come from, each checked at build time.

The council documents' lines (`seed_ref`, `check_ref`: a cited line must hold the expected
text), the sourced points of the gazetteer and of the OpenStreetMap/Nominatim POIs
(`Place`, `load_places`, `resolve_loc`), the sources of a description
(`description_sources`), and how a feature's position follows from its point (`placement`,
`quartiere_placement`: `fonte_posizione` and the precisione it supports). The inputs and
their paths are described in _geodata_common.py.
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass

from _geodata_common import GAZETTEER, OSM_ATTRIBUTION, OSM_FONTE, OSM_POI, SEED_FILES, SEEDS
from shapely.geometry import Point, shape

from app.registry.precision import derived_precision  # ROOT on sys.path: _geodata_common


def seed_ref(code: str, line: int | str) -> str:
    """`fonte` text for a seed line, e.g. '002_8df21da1538a311c.txt riga 1234'."""
    return f"{SEED_FILES[code]} riga {int(line)}"


def parse_refs(text: str) -> list[tuple[str, int]]:
    """Parse '002:1234; 001:56' into [('002', 1234), ('001', 56)]."""
    refs = []
    for part in (text or "").split(";"):
        part = part.strip()
        if part:
            code, line = part.split(":")
            refs.append((code.strip(), int(line)))
    return refs


def refs_to_fonti(text: str) -> str:
    """'002:1234; 001:56' -> '002_...txt riga 1234; 001_...txt riga 56'."""
    return "; ".join(seed_ref(c, n) for c, n in parse_refs(text))


def seed_line(code: str, line: int) -> str:
    """The text of one seed line (1-based); needs ../shared."""
    lines = (SEEDS / SEED_FILES[code]).read_text(encoding="utf-8").splitlines()
    return lines[line - 1]


@dataclass(frozen=True)
class Place:
    """A sourced point: where a coordinate came from, and under which licence.

    `kind` is what the point is the point of, where its source says: "edificio", "area",
    "località" (a GeoNames label point of a whole locality), "comune", or None (a named
    building or site). `ospitato` is the source's own statement when the point is another
    place's point in the same building (the gazetteer's co-located rows).
    """

    point: Point
    fonte: str
    attribuzione: str | None
    licenza: str | None
    kind: str | None = None
    ospitato: str | None = None


GAZETTEER_AREAS = {"piazza", "park"}
OSM_AREA_CATEGORIES = {"PARCHI E GIARDINI"}


def _colocated(note: str) -> str | None:
    """The first clause of a gazetteer note "CO-LOCATED: <why>; ...": the source's statement
    that the place is in the building whose point it reuses (None for other rows)."""
    if not note.startswith("CO-LOCATED"):
        return None
    depth = 0
    for i, ch in enumerate(note):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == ";" and depth == 0:
            return note[:i]
    return note


def _gazetteer_kind(row: dict, src: str) -> str | None:
    if src.startswith("GeoNames"):
        return "comune" if row["quartiere_or_area"] == "comune" else "località"
    if row["quartiere_or_area"] == "comune":
        return "comune"
    return "area" if row["kind"] in GAZETTEER_AREAS else None


def load_places() -> dict[str, Place]:
    """Sourced points by key: 'gaz:<gazetteer name>' and 'osm:<POI name>'."""
    places: dict[str, Place] = {}
    with GAZETTEER.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["lat"] and row["lon"]:
                src = row["source"].split(" http")[0].strip()
                lic = "CC-BY 4.0" if src.startswith("GeoNames") else None
                if src.startswith("Wikimapia"):
                    lic = "CC-BY-SA"
                places["gaz:" + row["name"]] = Place(
                    Point(float(row["lon"]), float(row["lat"])),
                    f"gazetteer cremona_places.csv '{row['name']}': {src}",
                    "GeoNames, geonames.org" if src.startswith("GeoNames") else None,
                    lic,
                    _gazetteer_kind(row, src),
                    _colocated(row["note"]),
                )
    fc = json.loads(OSM_POI.read_text(encoding="utf-8"))
    for f in fc["features"]:
        name = f["properties"]["name"]
        area = name.startswith("Piazza ") or f["properties"]["category"] in OSM_AREA_CATEGORIES
        places["osm:" + name] = Place(
            shape(f["geometry"]),
            OSM_FONTE.format(name=name),
            OSM_ATTRIBUTION,
            "ODbL",
            "area" if area else None,
        )
    return places


def check_ref(ref: str) -> tuple[str, int]:
    """Check 'file:line|expected text' against the seed; return (code, line).

    The expected text must occur in the cited line (case-insensitive). This is how every
    curated fact is tied to the line it cites; a wrong line number stops the build.
    """
    where, _, expect = ref.partition("|")
    code, line = where.split(":")
    text = seed_line(code, int(line))
    if expect and expect.lower() not in text.lower():
        raise ValueError(f"{ref}: expected text not in line: {text[:120]!r}")
    return code, int(line)


@functools.cache
def _gazetteer_rows() -> dict[str, dict]:
    with GAZETTEER.open(encoding="utf-8") as fh:
        return {row["name"]: row for row in csv.DictReader(fh)}


@functools.cache
def _osm_points() -> dict[str, dict]:
    fc = json.loads(OSM_POI.read_text(encoding="utf-8"))
    return {f["properties"]["name"]: f["properties"] for f in fc["features"]}


def _dataset_fact(ref: str, rows: dict[str, dict], label: str) -> tuple[str, str, str]:
    """(name, column, expected) of 'gaz:<name>|<column>=<expected>' after checking that the
    row exists and that its column contains the expected text (case-insensitive)."""
    name, _, fact = ref[4:].partition("|")
    column, sep, expect = fact.partition("=")
    if name not in rows:
        raise KeyError(f"{ref}: no {label} row named {name!r}")
    if not sep or column not in rows[name]:
        raise ValueError(f"{ref}: expected '<column>=<text>' after '|'")
    if expect.strip().lower() not in (rows[name][column] or "").lower():
        raise ValueError(f"{ref}: {column} is {rows[name][column]!r}")
    return name, column, expect.strip()


def description_source(ref: str) -> str:
    """`fonte_descrizione` text of one source of a description, checked against ../shared:
    'NNN:line|expected text' (a seed line, as `refs`), 'gaz:<name>|<column>=<text>' (a row
    of the gazetteer) or 'osm:<name>|category=<text>' (an OpenStreetMap/Nominatim point).
    A wrong line, a missing row or point, or text the source does not hold fails."""
    if ref.startswith("gaz:"):
        name, column, expect = _dataset_fact(ref, _gazetteer_rows(), "gazetteer")
        return f"gazetteer cremona_places.csv '{name}', {column}: {expect}"
    if ref.startswith("osm:"):
        name, column, _ = _dataset_fact(ref, _osm_points(), "OpenStreetMap/Nominatim")
        value = _osm_points()[name][column]
        return f"OpenStreetMap (ODbL), punto Nominatim '{name}', {column}: {value}"
    if "|" not in ref:
        raise ValueError(f"{ref}: a description source names the text it relies on")
    return seed_ref(*check_ref(ref))


def description_sources(refs: list[str] | None) -> str | None:
    """'; '-joined `fonte_descrizione` of a row's `fd` list (None when empty)."""
    return "; ".join(dict.fromkeys(description_source(r) for r in refs or [])) or None


def resolve_loc(loc: str | None, places: dict[str, Place]) -> Place | None:
    """The sourced point named by a 'gaz:'/'osm:' key (None for no key); unknown keys fail."""
    if not loc:
        return None
    if loc not in places:
        raise KeyError(f"no sourced point named {loc!r}")
    return places[loc]


#: `prec` of a curated row (how its point relates to it) -> start of `fonte_posizione`.
HOW = {
    "edificio": "punto dell'edificio stesso",
    "ospite": "punto dell'edificio che lo ospita",
    "civico": "punto dell'edificio al suo numero civico",
    "area": "punto dell'area stessa",
    "vicino": "punto di un luogo dell'area",
    "località": "punto di etichetta della località",
}


def placement(fid: str, place: Place, how: str | None, ref: str | None = None):
    """(fonte_posizione, precisione) of a feature placed on a sourced point.

    `how` (the row's `prec`) says what the point is to the feature: the building itself
    ("edificio"), the building housing it ("ospite", with `ref` the document line saying it
    is in there), the building at its house number ("civico", `ref` citing the number), the
    area itself ("area"), another place in or next to its area ("vicino"), a locality's
    label point ("località"). The precisione is the one this derivation supports
    (app.registry.precision.derived_precision), never a finer one; a claim the point's
    source contradicts (a building on a locality's label point) stops the build.
    """
    if how not in HOW:
        raise ValueError(f"{fid}: prec {how!r} is not one of {sorted(HOW)}")
    if place.kind == "località" and how != "località":
        raise ValueError(f"{fid}: a locality's label point supports only prec 'località'")
    if place.kind == "area" and how in ("edificio", "ospite", "civico"):
        raise ValueError(f"{fid}: the point of an area cannot place a building ({how!r})")
    phrase = HOW[how]
    if how in ("ospite", "civico"):
        if not ref:
            raise ValueError(f"{fid}: prec {how!r} needs the line that says so (prec_ref)")
        phrase += f" ({seed_ref(*check_ref(ref))})"
    elif how == "edificio" and place.ospitato:
        # another place's point in the same building, and the gazetteer cites why
        phrase = f"{HOW['ospite']} (gazetteer: {place.ospitato})"
    fonte = f"{phrase}: {place.fonte}"
    return fonte, derived_precision(fonte)


def quartiere_placement(num: int, name: str | None) -> tuple[str, str]:
    """(fonte_posizione, precisione) of a feature placed only in a whole quartiere."""
    label = f" ({name})" if name else ""
    fonte = (
        f"intero quartiere: il quartiere {num}{label}, nessun punto con fonte; "
        "la mappa disegna il contorno indicativo del quartiere"
    )
    return fonte, derived_precision(fonte)
