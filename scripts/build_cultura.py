"""Build geodata/cultura.geojson: museums, theatres, cinemas, libraries, archives, palaces.

Inputs:
- `geodata/sources/cultura.yaml`: the hand-curated list (written by the project), each venue
  with the council document lines that name it (`refs`, checked against ../shared/seeds at
  build time), the sources of its description (`fd`, see `description_sources()`: seed
  lines, gazetteer rows, OpenStreetMap points; required), the key of a sourced point (`loc`)
  and, where the point is not the venue's own building, how it relates to the venue (`prec`,
  default "edificio"; "ospite" with `prec_ref`, the line saying the venue is in that
  building; see _geodata_sources.placement).
- Points: ../shared/gazetteer/cremona_places.csv (coordinates with the source it cites) or
  ../shared/reference-geodata/molifabio-RuoloCremonaApp/cremona_poi_nominatim.geojson
  (OpenStreetMap data, ODbL: "© OpenStreetMap contributors" on each feature).
- `geodata/quartieri.geojson` for the (indicative) quartiere of each point; a quartiere the
  gazetteer gives wins over it, and `nota_quartiere` says so where the two differ.

    python scripts/build_cultura.py
"""

from __future__ import annotations

from _geodata_common import feature, load_yaml, write_collection
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
    resolve_loc,
    seed_ref,
)


def _fonte_indirizzo(value: str | None) -> str | None:
    if value and value[:3].isdigit() and ":" in value:
        code, line = check_ref(value)
        return seed_ref(code, line)
    return value


def build() -> list[dict]:
    places = load_places()
    quartieri = load_quartieri_polygons()
    gazetteer_q = gazetteer_quartieri()
    notes = feature_quartiere_notes()
    features = []
    for i, row in enumerate(load_yaml("cultura.yaml"), start=1):
        place = resolve_loc(row.get("loc"), places)
        docs = [seed_ref(*check_ref(r)) for r in row.get("refs") or []]
        fonte_descrizione = description_sources(row.get("fd"))
        if not fonte_descrizione:
            raise ValueError(f"{row['nome']}: the description cites no source ('fd')")
        geom = place.point if place else None
        fonte_pos, precisione = (
            placement(row["nome"], place, row.get("prec", "edificio"), row.get("prec_ref"))
            if place
            else (None, None)
        )
        q_gaz = gazetteer_q.get(row["nome"])  # sourced: wins over the indicative polygon
        q = q_gaz or quartiere_of(geom, quartieri)
        origine = "gazetteer" if q_gaz else ("geometria" if q else None)
        fid = f"cul-{i:04d}"
        gaz_fonte = f"gazetteer cremona_places.csv, '{row['nome']}': Q{q_gaz}"
        disagreement = quartiere_disagreement(
            q_gaz, origine, gaz_fonte, geom, precisione, quartieri
        )
        props = {
            "id": fid,
            "nome": row["nome"],
            "tipo": row["tipo"],
            "descrizione": row["d"],
            "fonte_descrizione": fonte_descrizione,
            "indirizzo": row.get("indirizzo"),
            "fonte_indirizzo": _fonte_indirizzo(row.get("fonte_indirizzo"))
            if row.get("indirizzo")
            else None,
            "gestore": row.get("gestore"),
            "quartiere": q,
            "quartiere_origine": origine,
            "nota_quartiere": nota_quartiere(notes.get(fid), disagreement),
            "citato_in": "; ".join(docs) or None,
            "fonte": place.fonte if place else "; ".join(docs),
            "fonte_posizione": fonte_pos,
            "precisione": precisione,
            "attribuzione": place.attribuzione if place else None,
            "licenza_coordinate": place.licenza if place else None,
        }
        features.append(feature(props, geom))
    return features


def main() -> None:
    write_collection("cultura", build())


if __name__ == "__main__":
    main()
