"""The row checks of a bulk placement (placement.py): each row as the store will check it.

Per row: the layer's fields it sets (typed and validated like any edit, errors naming the
field and the file's row), its placement (precisione, fonte_posizione, codice_via checked
against the street list, its name recorded as `via`), whether it moves a placed feature.
What is found is reported once per kind, listing the ids, not once per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from app.errors import InvalidFeature
from app.publishing import report as checks
from app.registry.precision import PRECISION
from app.stores.edit_checks import validated

#: The precisione values a placement may give (app/registry/precision.py); others are refused
#: by the store, and reported here first.
PRECISIONI = tuple(PRECISION)
#: How the placements of a file are recorded (`metodo` of each edit's placement).
METODO = "file"


@dataclass(frozen=True)
class PlacementRow:
    """One row of the file, checked: the change it makes to one feature."""

    feature_id: str
    geometry: dict | None  # GeoJSON in CRS84; None keeps the feature's geometry
    properties: dict  # the layer's fields the row sets (typed)
    placement: dict  # precisione, fonte_posizione, via, codice_via, metodo


def id_text(value) -> str | None:
    """An id cell as text ('12' for 12.0 from a float column); None when blank."""
    value = _cell(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _cell(value):
    """A cell as plain Python; blanks (None, NaN, '') as None."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value.item() if isinstance(value, np.generic) else value


def _geojson(geometry) -> dict | None:
    """A draft feature's geometry (shapely from the served frame, GeoJSON from an edit)."""
    if geometry is None or isinstance(geometry, dict):
        return geometry
    return None if geometry.is_empty else _lists(shapely.geometry.mapping(geometry))


def _lists(value):
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


@dataclass
class _Findings:
    """What the row checks found, reported once per kind (not once per row)."""

    values: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    streets: list[tuple[int, str, str]] = field(default_factory=list)
    no_list: list[str] = field(default_factory=list)
    street_only: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    odd: list[str] = field(default_factory=list)
    idle: list[str] = field(default_factory=list)


def check_rows(report, spec, data, ids, geoms, current, streets, first) -> list[PlacementRow]:
    """Each row checked as the store will check it (types, required fields, placement);
    `first`: the file's number of the first row (2 in a CSV)."""
    fields = [c for c in data.columns if c in spec.field_names and c != spec.id_field]
    found, rows = _Findings(), []
    for i, fid in enumerate(ids):
        if fid is None or fid not in current:
            continue
        values = {c: _cell(data.at[i, c]) for c in fields}
        values = {k: v for k, v in values.items() if v is not None}
        placement = _placement(data, i, fid, streets, found, first)
        before = current[fid]
        geometry = _lists(shapely.geometry.mapping(geoms[i])) if geoms[i] is not None else None
        if geometry is not None and _geojson(before["geometry"]) is not None:
            found.moved.append(fid)
        if geometry is None and "codice_via" in placement:
            found.street_only.append(fid)
        try:
            merged = {**before["properties"], **values}
            after = validated(spec, fid, geometry or _geojson(before["geometry"]), merged)
        except InvalidFeature as exc:
            if exc.parameter != "geometry":  # geometries are reported by _geometries
                detail = exc.detail.removeprefix(f"field '{exc.parameter}': ")
                found.values.setdefault(exc.parameter or "?", []).append((i + first, fid, detail))
            continue
        if geometry is None and not values and len(placement) == 1:
            found.idle.append(fid)  # an id alone: nothing to place or change
            continue
        typed = {k: after["properties"][k] for k in values}
        rows.append(PlacementRow(fid, geometry, typed, placement))
    _report_findings(report, found)
    return rows


def _placement(data, i: int, fid: str, streets, found: _Findings, first: int) -> dict:
    placement = {"metodo": METODO}
    for key in ("precisione", "fonte_posizione"):
        value = _cell(data.at[i, key]) if key in data.columns else None
        if value is not None:
            placement[key] = str(value).strip()
    if placement.get("precisione", PRECISIONI[0]) not in PRECISIONI:
        found.odd.append(fid)
    code = id_text(_cell(data.at[i, "codice_via"])) if "codice_via" in data.columns else None
    if code is None:
        return placement
    placement["codice_via"] = code
    if streets is None:
        found.no_list.append(fid)
        return placement
    name = streets(code)
    if name is None:
        found.streets.append((i + first, fid, code))
    else:
        placement["via"] = name
    return placement


def _report_findings(report: checks.Report, found: _Findings) -> None:
    for name, problems in found.values.items():
        shown = "; ".join(f"row {i} ({fid}): {detail}" for i, fid, detail in problems[:5])
        more = f"; and {len(problems) - 5} more rows" if len(problems) > 5 else ""
        report.add(
            "error", "invalid-value", f"field '{name}': {shown}{more}", [p[1] for p in problems]
        )
    if found.streets:
        listed = ", ".join(f"row {i}: {code}" for i, _, code in found.streets[:10])
        report.add(
            "error",
            "unknown-street",
            f"{len(found.streets)} street codes are not in the street list ({listed})",
            [fid for _, fid, _ in found.streets],
        )
    if found.no_list:
        report.add(
            "error",
            "no-street-list",
            "the file has street codes (codice_via) but the geoportal has no street list to "
            "check them against (organisation.yaml `streets:`)",
            found.no_list,
        )
    if found.street_only:
        report.add(
            "warning",
            "street-only",
            f"{len(found.street_only)} rows name a street and no geometry: the street is "
            "recorded in their placement and their geometry stays as it is (the ANNCSU street "
            "list has no street geometries, so no location is made up)",
            found.street_only,
        )
    if found.moved:
        report.add(
            "warning",
            "will-move",
            f"{len(found.moved)} features already have a geometry: the file's replaces it",
            found.moved,
        )
    if found.idle:
        report.add(
            "info",
            "nothing-to-do",
            f"{len(found.idle)} rows have an id and nothing else to place or change: skipped",
            found.idle,
        )
    if found.odd:
        report.add(
            "error",
            "precisione",
            f"{len(found.odd)} rows give a precisione other than {', '.join(PRECISIONI)}",
            found.odd,
        )
