"""What the publishing pages ask of the store, as plain functions testable without HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from app.errors import LayerNotFound, NotFound
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, LayerInfo, Query, VersionInfo


@dataclass(frozen=True)
class LayerRow:
    """One layer as the layers page lists it: served or not, with its newest version."""

    id: str
    title: str
    served: LayerInfo | None
    newest: VersionInfo
    drafts: int
    pending_edits: int = 0


def layer_ids(store: FeatureStore) -> list[str]:
    """Every layer the store has versions of: served ones and those only staged or retired."""
    return store.layer_ids()


def layer_rows(store: FeatureStore) -> list[LayerRow]:
    """The layers page: every known layer with its served and newest version."""
    rows = []
    counts = store.pending_counts()
    for layer_id in layer_ids(store):
        try:
            versions = store.versions(layer_id)
        except LayerNotFound:
            continue
        served = next((v for v in versions if v.status == "published"), None)
        info = store.describe(layer_id) if served else None
        spec = (served or versions[0]).spec
        drafts = sum(1 for v in versions if v.status == "draft")
        pending = counts.get(layer_id, 0)
        rows.append(LayerRow(layer_id, spec.title.get("it"), info, versions[0], drafts, pending))
    return rows


def version_info(store: FeatureStore, layer_id: str, version: int) -> VersionInfo:
    """One version of a layer; NotFound (404) when the layer or the version is unknown."""
    for v in store.versions(layer_id):
        if v.version == version:
            return v
    raise NotFound(f"il layer '{layer_id}' non ha la versione {version} / no such version")


def served_spec(store: FeatureStore, layer_id: str) -> LayerSpec:
    """The spec of the served version (what metadata edits change); LayerNotFound if none."""
    served = next((v for v in store.versions(layer_id) if v.status == "published"), None)
    if served is None:
        raise LayerNotFound(
            f"'{layer_id}' non è pubblicato: pubblica una versione prima di modificarne i "
            "metadati. / Not published: publish a version before editing its metadata."
        )
    return served.spec


def version_features(
    store: FeatureStore, info: VersionInfo, limit: int, offset: int, next_url
) -> dict:
    """A GeoJSON FeatureCollection of one version (drafts too), with a `next` link."""
    if info.status == "dropped":
        raise NotFound(f"i dati della versione {info.version} sono stati eliminati / data pruned")
    page = store.query(info.spec, Query(limit=limit, offset=offset), version=info.version)
    links = []
    if offset + len(page.features) < page.number_matched:
        links.append(
            {"rel": "next", "type": "application/geo+json", "href": next_url(offset + limit)}
        )
    return {
        "type": "FeatureCollection",
        "features": [f.as_geojson() for f in page.features],
        "numberMatched": page.number_matched,
        "numberReturned": len(page.features),
        "links": links,
    }


def split_issues(report: dict | None) -> dict[str, list[dict]]:
    """The report's issues by level: error, warning, info (each possibly empty)."""
    out: dict[str, list[dict]] = {"error": [], "warning": [], "info": []}
    for issue in (report or {}).get("issues", []):
        out.setdefault(issue["level"], []).append(issue)
    return out
