"""A feature's public history: the published edits that made it what is served now.

Each entry says which version published the edit, when, what was done (create, replace,
update, delete), whether the geometry moved, which fields changed, and the placement
(precisione, fonte_posizione, metodo). Pending and discarded edits are not history; an edit
undone by a rollback is left out too (its version is no longer in the served lineage).

No user names: the staff who edit are not public figures (their privacy, and no target for
pressure on one officer). Admins see who did what on the draft page and in the audit log.
"""

from __future__ import annotations

from flask import url_for

from app.errors import FeatureNotFound
from app.ogcapi.links import GEOJSON, JSON
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, VersionInfo
from app.stores.edits import EditRecord, etag_of

#: The placement keys the public sees (via and codice_via are in the feature's fields
#: where the layer has them).
PUBLIC_PLACEMENT = ("precisione", "fonte_posizione", "metodo")


def _lineage(versions: list[VersionInfo]) -> tuple[set[int], int]:
    """The versions the served one is made of: it and the bases of edit versions below it,
    down to the newest import (returned as the floor: older versions count as history)."""
    by_number = {v.version: v for v in versions}
    served = next((v for v in versions if v.status == "published"), None)
    chain: set[int] = set()
    current = served
    while current is not None:
        chain.add(current.version)
        if current.origin != "edit":
            break
        base = (current.report or {}).get("base")
        current = by_number.get(base) if base is not None else None
    return chain, min(chain) if chain else 0


def _entry(record: EditRecord, published: dict[int, str]) -> dict:
    before = (record.before or {}).get("properties") or {}
    after = (record.after or {}).get("properties") or {}
    if record.op == "delete":
        fields: list[str] = []
    else:
        fields = [k for k in after if before.get(k) != after.get(k)]
    moved = etag_of({"geometry": (record.before or {}).get("geometry")}) != etag_of(
        {"geometry": (record.after or {}).get("geometry")}
    )
    placement = {k: v for k, v in (record.placement or {}).items() if k in PUBLIC_PLACEMENT and v}
    return {
        "version": record.version,
        "date": record.at,
        "published": published.get(record.version),
        "op": record.op,
        "moved": moved,
        "fields": fields,
        "placement": placement,
    }


def feature_history(store: FeatureStore, spec: LayerSpec, feature_id: str) -> list[dict]:
    """The public history of one feature, oldest first; FeatureNotFound (404) when the
    feature is neither served nor has any published edit."""
    records = store.edits(spec.id, status="published", feature_id=feature_id)
    if not records:
        store.get(spec, feature_id)  # raises FeatureNotFound for an unknown feature
        return []
    versions = store.versions(spec.id)
    chain, floor = _lineage(versions)
    published = {v.version: v.created_at for v in versions}
    kept = [r for r in records if r.version in chain or (r.version or 0) < floor]
    if not kept:
        try:
            store.get(spec, feature_id)
        except FeatureNotFound:
            raise FeatureNotFound(
                f"no feature '{feature_id}' in '{spec.id}' (its edits were rolled back)"
            ) from None
    return [_entry(r, published) for r in kept]


def history_document(spec: LayerSpec, feature_id: str, entries: list[dict]) -> dict:
    """The JSON of `/collections/{id}/items/{featureId}/history`."""

    def link(endpoint: str, rel: str, media: str) -> dict:
        href = url_for(endpoint, collection_id=spec.id, feature_id=feature_id, _external=True)
        return {"rel": rel, "type": media, "href": href}

    return {
        "collection": spec.id,
        "id": feature_id,
        "history": entries,
        "links": [
            link("ogcapi.item_history", "self", JSON),
            link("ogcapi.item", "about", GEOJSON),
        ],
    }
