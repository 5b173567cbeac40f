"""Shared helpers for the `scripts/build_*.py` scripts that write `geodata/*.geojson`.

Inputs read at build time (never copied into the repository):

- `geodata/confine.geojson`: the comune boundary (ISTAT 019036), built by build_confine.py.
- `../shared/gazetteer/cremona_places.csv`: Cremona places; only rows with a coordinate are
  used, each with the source the gazetteer cites for it.
- `../shared/reference-geodata/molifabio-RuoloCremonaApp/cremona_poi_nominatim.geojson`:
  160 named points whose coordinates are OpenStreetMap data (ODbL); every feature that uses
  one records "© OpenStreetMap contributors" and the licence.
- `../shared/seeds/*.txt`: the council documents, only to check that a cited line exists.

A description (`d`) cites what it claims in `fd`, a list of sources checked at build time by
`description_sources()`: a seed line "NNN:line|expected text" (as `refs`), a gazetteer row
"gaz:<name>|<column>=<expected text>" or an OpenStreetMap/Nominatim point
"osm:<name>|category=<expected text>"; the feature ships them as `fonte_descrizione`.

`../shared` is looked up next to the repository (ROOT.parent / "shared").
"""

from __future__ import annotations

import csv
import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point, mapping, shape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the precision vocabulary lives in the app
    sys.path.insert(0, str(ROOT))

from app.registry.precision import derived_precision  # noqa: E402

SHARED = ROOT.parent / "shared"
GEODATA = ROOT / "geodata"
SOURCES = GEODATA / "sources"
GAZETTEER = SHARED / "gazetteer" / "cremona_places.csv"
ANCHORS = SHARED / "gazetteer" / "quartieri_anchors.csv"
QUARTIERI_LIST = (
    SHARED / "reference-geodata" / "cremona-quartieri-list" / "cremona_quartieri_elenco.csv"
)
OSM_POI = (
    SHARED / "reference-geodata" / "molifabio-RuoloCremonaApp" / "cremona_poi_nominatim.geojson"
)
SEEDS = SHARED / "seeds"
METRIC_CRS = "EPSG:7791"  # RDN2008 / UTM zone 32N
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
OSM_FONTE = (
    "OpenStreetMap (ODbL), punto Nominatim '{name}' in reference-geodata/"
    "molifabio-RuoloCremonaApp/cremona_poi_nominatim.geojson"
)

SEED_FILES = {
    "000": "000_dadb076697da8f05.txt",
    "001": "001_93d3045a65cd4397.txt",
    "002": "002_8df21da1538a311c.txt",
    "003": "003_774b284fca8b4d41.txt",
    "004": "004_46e4a96a3b25998b.txt",
}
SEED_DATES = {"000": "2024", "001": "2016", "002": "2019-06-30", "003": "s.d.", "004": "s.d."}

_to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True).transform
_to_wgs84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True).transform


def _project(geom, func):
    return shapely.transform(geom, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))


def to_metric(geom):
    """Project a lon/lat shapely geometry to EPSG:7791 (metres)."""
    return _project(geom, _to_metric)


def to_wgs84(geom):
    """Project an EPSG:7791 shapely geometry back to lon/lat."""
    return _project(geom, _to_wgs84)


def load_confine():
    """The comune boundary (lon/lat shapely geometry) from geodata/confine.geojson."""
    fc = json.loads((GEODATA / "confine.geojson").read_text(encoding="utf-8"))
    return shape(fc["features"][0]["geometry"])


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


def round_coords(obj, ndigits: int = 6):
    """Round every coordinate in a GeoJSON geometry mapping (nested lists)."""
    if isinstance(obj, (list, tuple)):
        return [round_coords(o, ndigits) for o in obj]
    if isinstance(obj, float):
        return round(obj, ndigits)
    return obj


def geometry_json(geom, ndigits: int | None = 6):
    """RFC 7946 geometry dict (or None), coordinates rounded to `ndigits` decimals."""
    if geom is None:
        return None
    g = mapping(geom)
    coords = g["coordinates"] if ndigits is None else round_coords(g["coordinates"], ndigits)
    return {"type": g["type"], "coordinates": coords}


def feature(props: dict, geom, ndigits: int | None = 6) -> dict:
    """A GeoJSON Feature with a top-level id equal to props['id']."""
    return {
        "type": "Feature",
        "id": props["id"],
        "properties": props,
        "geometry": geometry_json(geom, ndigits),
    }


def write_collection(layer_id: str, features: list[dict]) -> Path:
    """Write geodata/<layer_id>.geojson with one feature per line (diff-friendly)."""
    out = GEODATA / f"{layer_id}.geojson"
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    body = ",\n".join(lines)
    head = json.dumps({"type": "FeatureCollection", "name": layer_id})[:-1]
    text = head + ', "features": [\n' + body + "\n]}\n"
    out.write_text(text, encoding="utf-8")
    print(
        f"wrote {out.relative_to(ROOT)}: {len(features)} features, "
        f"{sum(1 for f in features if f['geometry'])} with geometry"
    )
    return out


def read_csv(name: str) -> list[dict]:
    """Rows of a hand-curated table in geodata/sources/ (empty strings become None)."""
    with (SOURCES / name).open(encoding="utf-8") as fh:
        return [
            {k: (v.strip() if v and v.strip() else None) for k, v in r.items()}
            for r in csv.DictReader(fh)
        ]


def check_inside(geom, confine) -> bool:
    """True when the geometry lies inside the comune (a 1 m tolerance in EPSG:7791)."""
    if geom is None:
        return True
    return to_metric(confine).buffer(1.0).covers(to_metric(geom))


def validate_shapely(geom) -> None:
    """Raise if a geometry is invalid."""
    if geom is not None and not shapely.is_valid(geom):
        raise ValueError(f"invalid geometry: {shapely.is_valid_reason(geom)}")


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


def load_yaml(name: str) -> list[dict]:
    """A hand-curated list in geodata/sources/<name>."""
    import yaml

    return yaml.safe_load((SOURCES / name).read_text(encoding="utf-8"))


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
