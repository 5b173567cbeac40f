"""Feature edits: what an editor changes in a layer, kept apart from the served version.

An edit (create, replace, update, delete of one feature) is a row in the catalog's `edits`
table, `pending` until the layer's edits are published: the public keeps reading the served
version, the editors read the draft (the served version with the pending edits applied, the
newest edit of a feature winning). Publishing writes a complete new version (origin `edit`)
through the same stage and publish as an import, so a rollback undoes it like any version.

Every edit records the feature before and after (GeoJSON), who, when, and the placement
(how exactly and from what source a geometry was placed); the records stay after publish,
as the feature's history. Conflicts are caught by ETags computed from the stored feature:
a write names the ETag it read (If-Match) and is refused if the feature changed since.

This module holds the records and their ETags, and `changes`, the diff of pending edits per
feature; the catalog's reads and writes of them are in `catalog_edits.py`, the checks of an
edited feature in `edit_checks.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

from app.stores.base import Feature

Op = Literal["create", "replace", "update", "delete"]
OPS = ("create", "replace", "update", "delete")
#: Placement keys an edit may record (precisione and fonte_posizione also go into the
#: layer's fields named by its `editing` section).
PLACEMENT_KEYS = ("precisione", "fonte_posizione", "via", "codice_via", "metodo")


@dataclass(frozen=True)
class FeatureEdit:
    """One change asked for. `geometry` is GeoJSON in CRS84; for `update` (a JSON merge
    patch) only the properties given change, and the geometry only if `set_geometry`."""

    op: Op
    feature_id: str | None = None  # None for a create: the store makes one
    geometry: dict | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    set_geometry: bool = True
    placement: dict[str, Any] | None = None


@dataclass(frozen=True)
class EditRecord:
    """One stored edit."""

    seq: int
    layer_id: str
    feature_id: str
    op: str
    base_version: int
    status: str  # pending, published, discarded
    version: int | None  # the version it was published in
    before: dict | None  # GeoJSON feature, None for a create
    after: dict | None  # GeoJSON feature, None for a delete
    placement: dict | None
    user: str
    at: str


@dataclass(frozen=True)
class EditResult:
    """A write's outcome: the feature as the draft now holds it (None after a delete)."""

    feature: Feature | None
    etag: str | None
    record: EditRecord
    draft_of: int  # the served version the draft is based on
    published: int | None = None  # the new served version, where edits publish at once


@dataclass(frozen=True)
class FeatureChange:
    """What the pending edits do to one feature (the draft's diff)."""

    feature_id: str
    kind: str  # added, removed, changed
    moved: bool
    fields: tuple[str, ...]  # properties whose value changed
    before: dict | None
    after: dict | None
    edits: int
    user: str
    at: str


def _round(coords):
    if isinstance(coords, int | float):
        return round(float(coords), 9)
    return [_round(c) for c in coords]


def _canonical_geometry(geometry: dict | None):
    if geometry is None:
        return None
    if geometry.get("type") == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [_canonical_geometry(g) for g in geometry["geometries"]],
        }
    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def etag_of(feature: Feature | dict | None) -> str | None:
    """The strong ETag of a feature as stored: geometry (to 1e-9 degrees, so the text form
    of the store does not matter) and properties."""
    if feature is None:
        return None
    doc = feature if isinstance(feature, dict) else feature.as_geojson()
    body = {
        "g": _canonical_geometry(doc.get("geometry")),
        "p": {k: _plain(v) for k, v in sorted((doc.get("properties") or {}).items())},
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def now() -> str:
    """The time of a change, as the catalog records it (UTC, ISO 8601, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def feature_of(doc: dict | None) -> Feature | None:
    if doc is None:
        return None
    return Feature(doc["id"], doc["geometry"], dict(doc["properties"]))


def changes(records: list[EditRecord]) -> list[FeatureChange]:
    """The diff of pending edits: per feature, from its state before the first edit to its
    state after the last (a feature created and deleted again is no change)."""
    per: OrderedDict[str, list[EditRecord]] = OrderedDict()
    for r in records:
        per.setdefault(r.feature_id, []).append(r)
    out = []
    for fid, rs in per.items():
        before, after = rs[0].before, rs[-1].after
        if before is None and after is None:
            continue
        kind = "added" if before is None else "removed" if after is None else "changed"
        moved, fields = False, ()
        if kind == "changed":
            moved = etag_of({"geometry": before["geometry"]}) != etag_of(
                {"geometry": after["geometry"]}
            )
            old, new = before["properties"], after["properties"]
            fields = tuple(k for k in new if old.get(k) != new.get(k))
            if not moved and not fields:
                continue
        out.append(
            FeatureChange(fid, kind, moved, fields, before, after, len(rs), rs[-1].user, rs[-1].at)
        )
    return out
