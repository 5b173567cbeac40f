"""The georeferencing queue: a layer's features without geometry, most important first.

The queue reads the draft, not only the served version: a feature placed in the draft
leaves the queue at once, one created (or whose geometry was removed) without geometry
joins it. The served part is read once per store generation (a layer of 26,000 points
is not scanned on every placement); the pending edits are read on every call.

Order (docs/editing.md, "In the browser"): features with an amount (`importo_euro`)
first, the largest first; then by state (in corso, pianificato, sospeso, concluso, any
other); then by title. A layer without those fields is simply in title order.
"""

from __future__ import annotations

import math

from app.organisation import organisation
from app.registry.spec import LayerSpec
from app.services import Services
from app.stores.edits import changes

AMOUNT_FIELD = "importo_euro"
STATE_FIELD = "stato"
#: Where a feature's source passage is written, shown as text in the queue.
SOURCE_FIELDS = ("fonte", "fonti")
PLACE_FIELD = "luogo"
#: The official street the feature's text names (data report: `con_via_ufficiale`), shown
#: in the queue; the editor pre-fills the placement's street with it and `codice_via`.
STREET_FIELD = "via_ufficiale"
STATE_ORDER = ("in_corso", "pianificato", "sospeso", "concluso")


def _served_unplaced(svc: Services, spec: LayerSpec) -> list[dict]:
    def build() -> list[dict]:
        return [f.as_geojson() for f in svc.read_all(spec) if f.geometry is None]

    return svc.cached(f"editing-unplaced:{spec.id}", build)


def unplaced(svc: Services, spec: LayerSpec) -> list[dict]:
    """The features the layer's draft holds without geometry (GeoJSON, unordered)."""
    pending = {c.feature_id: c for c in changes(svc.store.edits(spec.id))}
    out = [f for f in _served_unplaced(svc, spec) if str(f["id"]) not in pending]
    for change in pending.values():
        if change.after is not None and change.after.get("geometry") is None:
            out.append(change.after)
    return out


def _amount(props: dict) -> float | None:
    value = props.get(AMOUNT_FIELD)
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def _in_whole_zone(spec: LayerSpec, props: dict) -> bool:
    """Placed only in a whole quartiere (no geometry of its own, by design): still in the
    queue, to be placed more exactly when a source allows, after those not placed at all."""
    field = spec.editing.precision_field if spec.editing else None
    return bool(field) and props.get(field) in spec.style.approximate


def importance(spec: LayerSpec, feature: dict) -> tuple:
    """The sort key of the queue (smaller first): features not placed at all before those
    placed in a whole quartiere; then by amount, state, title."""
    props = feature.get("properties") or {}
    amount = _amount(props)
    state = props.get(STATE_FIELD)
    rank = STATE_ORDER.index(state) if state in STATE_ORDER else len(STATE_ORDER)
    title = str(props.get(spec.title_field) or "") if spec.title_field else ""
    return (
        _in_whole_zone(spec, props),
        amount is None,
        -(amount or 0.0),
        rank,
        title.casefold(),
        str(feature["id"]),
    )


def _source(props: dict) -> str:
    """The source passage as text: `fonti` where it repeats `fonte`, else both."""
    parts = []
    for name in SOURCE_FIELDS:
        text = props.get(name)
        if text in (None, ""):
            continue
        text = str(text)
        if parts and parts[-1] in text:
            parts[-1] = text
        elif not any(text in p for p in parts):
            parts.append(text)
    return "; ".join(parts)


def _state_label(spec: LayerSpec, value, lang: str):
    if spec.style.property == STATE_FIELD:
        for c in spec.style.categories:
            if c.value == value:
                return getattr(c.label, lang, None) or c.label.it
    return value


def queue(svc: Services, spec: LayerSpec, lang: str = "it") -> list[dict]:
    """The queue's entries, most important first: what a staff member needs to place one."""
    zones = organisation().zones
    quartiere_field = (zones.feature_field if zones else None) or "quartiere"
    entries = []
    for f in sorted(unplaced(svc, spec), key=lambda f: importance(spec, f)):
        props = f.get("properties") or {}
        title = props.get(spec.title_field) if spec.title_field else None
        entries.append(
            {
                "id": str(f["id"]),
                "title": str(title) if title not in (None, "") else str(f["id"]),
                "source": _source(props),
                "place": props.get(PLACE_FIELD),
                "street": props.get(STREET_FIELD),
                "quartiere": props.get(quartiere_field),
                "stato": props.get(STATE_FIELD),
                "stato_label": _state_label(spec, props.get(STATE_FIELD), lang),
                "importo": _amount(props),
            }
        )
    return entries
