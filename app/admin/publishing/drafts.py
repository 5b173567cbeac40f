"""The draft of a layer as the review page shows it: plain functions, testable without HTTP.

`draft_review` turns the pending edits (`store.edits`) into one row per feature (added,
removed, moved, fields changed with their labels, old and new value; who, when, how many
edits; the placement) and the map's geometries as one list (before and after), so the page
renders a page of rows and the browser draws every change from a single JSON blob.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore
from app.stores.edits import EditRecord, FeatureChange, changes

#: Rows per page of the review list (the map always shows every change).
PAGE_SIZE = 100
#: Longest value the list shows in full (a long text is cut, the draft keeps all of it).
SHOWN_CHARS = 160


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class DraftRow:
    """One feature's pending change, as the list shows it."""

    feature_id: str
    title: str
    kind: str  # added, removed, changed
    moved: bool
    fields: tuple[FieldDiff, ...]
    edits: int
    users: tuple[str, ...]
    first_at: str
    at: str
    placement: dict


@dataclass(frozen=True)
class DraftReview:
    layer_id: str
    rows: list[DraftRow]  # this page's rows
    total: int  # features changed
    edits: int  # pending edit records
    counts: dict[str, int]  # added, removed, changed, moved
    page: int
    pages: int
    geometries: list[dict]  # every change: id, kind, before, after (GeoJSON geometries)
    titles: dict[str, str]  # every changed feature's title (its title field, else its id)


def shown(value) -> str:
    """A field value as the list shows it: '—' for none, long text cut."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _title(spec: LayerSpec, change: FeatureChange) -> str:
    doc = change.after or change.before or {}
    if spec.title_field:
        value = (doc.get("properties") or {}).get(spec.title_field)
        if value not in (None, ""):
            return str(value)
    return str(change.feature_id)


def _labels(spec: LayerSpec, lang: str) -> dict[str, str]:
    return {f.name: f.label.get(lang) for f in spec.fields}


def _row(spec, change: FeatureChange, records: list[EditRecord], labels) -> DraftRow:
    old = (change.before or {}).get("properties") or {}
    new = (change.after or {}).get("properties") or {}
    fields = tuple(
        FieldDiff(name, labels.get(name, name), shown(old.get(name)), shown(new.get(name)))
        for name in change.fields
    )
    placement: dict = {}
    for r in records:  # the newest placement of each key wins
        placement.update(r.placement or {})
    users = tuple(dict.fromkeys(r.user for r in records))
    return DraftRow(
        change.feature_id,
        _title(spec, change),
        change.kind,
        change.moved,
        fields,
        change.edits,
        users,
        records[0].at,
        change.at,
        placement,
    )


def draft_review(
    store: FeatureStore, spec: LayerSpec, page: int = 1, lang: str = "it"
) -> DraftReview:
    """The layer's pending edits as a review: `page` of the rows, every geometry."""
    records = store.edits(spec.id)
    per: dict[str, list[EditRecord]] = {}
    for r in records:
        per.setdefault(r.feature_id, []).append(r)
    diff = changes(records)
    pages = max(1, -(-len(diff) // PAGE_SIZE))
    page = min(max(1, page), pages)
    labels = _labels(spec, lang)
    start = (page - 1) * PAGE_SIZE
    rows = [_row(spec, c, per[c.feature_id], labels) for c in diff[start : start + PAGE_SIZE]]
    kinds = [c.kind for c in diff]
    counts = {k: kinds.count(k) for k in ("added", "removed", "changed")}
    counts["moved"] = sum(1 for c in diff if c.moved)
    geometries = [
        {
            "id": c.feature_id,
            "kind": c.kind,
            "title": _title(spec, c),
            "before": (c.before or {}).get("geometry"),
            "after": (c.after or {}).get("geometry"),
        }
        for c in diff
    ]
    titles = {g["id"]: g["title"] for g in geometries}
    return DraftReview(
        spec.id, rows, len(diff), len(records), counts, page, pages, geometries, titles
    )


def pending_counts(store: FeatureStore, layer_ids: list[str]) -> dict[str, int]:
    """Pending edit records per layer (layers without any are left out)."""
    counts = store.pending_counts()
    return {layer_id: counts[layer_id] for layer_id in layer_ids if layer_id in counts}


def conflict_rows(review: DraftReview, feature_ids: list[str]) -> list[tuple[str, str]]:
    """(id, title) of the features an EditConflict names."""
    return [(fid, review.titles.get(fid, fid)) for fid in feature_ids]
