"""Data report of the shipped layers in geodata/ (described by layers/*.yaml).

`report(root)` returns, per layer: features, with/without geometry, counts per precisione,
per stato, per quartiere, features outside the comune, invalid geometries and features
without fonte; and one count per problem class an audit looks for: precisione outside the
vocabulary (app/registry/precision.py), features stacked on the same geometry as another
of any layer, stacked features whose precisione disagrees, and likely duplicates (same
fonte and same amount); and the features with their official street recorded
(`via_ufficiale`, the street of the official list their text names) or naming any
(`vie_ufficiali`). Needs only geodata/ and layers/ (no ../shared). `main()` prints it.

    flask --app app geodata report    (or: python scripts/geodata_report.py)
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import shape

from app.registry.precision import PRECISION

STATUS_FIELDS = ("stato_rete", "stato")
_to_metric = Transformer.from_crs("EPSG:4326", "EPSG:7791", always_xy=True).transform


def transform(func, geom):
    """Apply a pyproj transform to every coordinate of a shapely geometry."""
    return shapely.transform(geom, lambda xy: np.column_stack(func(xy[:, 0], xy[:, 1])))


def _confine(root: Path):
    fc = json.loads((root / "geodata" / "confine.geojson").read_text(encoding="utf-8"))
    return transform(_to_metric, shape(fc["features"][0]["geometry"])).buffer(1.0)


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
        "duplicati_fonte_importo": 0,
        "con_via_ufficiale": 0,
        "con_vie_ufficiali": 0,
    }
    seen: Counter = Counter()
    for f in feats:
        p = f["properties"]
        if not p.get("fonte"):
            out["senza_fonte"] += 1
        out["precisione"][str(p.get("precisione"))] += 1
        if p.get("precisione") is not None and p["precisione"] not in PRECISION:
            out["precisione_fuori_vocabolario"] += 1
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


def stacking(paths: list[Path]) -> dict[str, dict[str, int]]:
    """Per layer: features whose geometry is exactly another feature's (of any layer), and
    those of them whose precisione differs from another's on the same geometry."""
    places: dict[str, list[tuple[str, str | None]]] = {}
    for path in paths:
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if f.get("geometry"):
                key = shape(f["geometry"]).wkb_hex
                places.setdefault(key, []).append((path.stem, f["properties"].get("precisione")))
    out = {path.stem: {"sovrapposte": 0, "precisione_discordante": 0} for path in paths}
    for found in places.values():
        if len(found) < 2:
            continue
        mixed = len({prec for _, prec in found}) > 1
        for layer, _ in found:
            out[layer]["sovrapposte"] += 1
            out[layer]["precisione_discordante"] += int(mixed)
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
    return result


def main(root: Path | None = None, echo=print) -> None:
    root = Path(root or Path(__file__).resolve().parents[1])
    print = echo  # noqa: A001 (the CLI passes click.echo)
    for layer, r in report(root).items():
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
            f"stacked on another feature's geometry: {r.get('sovrapposte', 0)} "
            f"(precisione disagreeing: {r.get('precisione_discordante', 0)}), "
            f"same fonte and amount: {r['duplicati_fonte_importo']}"
        )
        if r["con_vie_ufficiali"]:
            print(
                f"   official street recorded: {r['con_via_ufficiale']} "
                f"(naming an official street: {r['con_vie_ufficiali']})"
            )


if __name__ == "__main__":
    main()
