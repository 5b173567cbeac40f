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
`description_sources()` (_geodata_sources.py): a seed line "NNN:line|expected text" (as
`refs`), a gazetteer row "gaz:<name>|<column>=<expected text>" or an OpenStreetMap/Nominatim
point "osm:<name>|category=<expected text>"; the feature ships them as `fonte_descrizione`.

`../shared` is looked up next to the repository (ROOT.parent / "shared").

This module holds those paths, the projection to metres and back, the comune boundary, and
the output (`feature`, `write_collection`); the sources of facts and points are checked in
_geodata_sources.py, the quartiere of a feature is found in _geodata_quartieri.py.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the precision vocabulary (_geodata_sources) lives in the app
    sys.path.insert(0, str(ROOT))

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


def load_yaml(name: str) -> list[dict]:
    """A hand-curated list in geodata/sources/<name>."""
    import yaml

    return yaml.safe_load((SOURCES / name).read_text(encoding="utf-8"))
