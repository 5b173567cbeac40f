"""Approved contributions as the public outputs show them: GeoJSON features (the OGC API
collection, the map layer, the GeoJSON download), CSV rows (the open data for the tavoli
di quartiere) and Atom entries (the quartiere feeds).

Only what the core publishes on the pages and in `GET /api/contributions`
(`service.public_json`): kind, target, quartiere, text, the name the citizen chose to
show, the point, dates, the follow-up state, the council's answer and the address of the
photo of a segnalazione. Never the e-mail,
the rate key, the moderation status or reason, the flags or the follow digest: the store's
`Contribution` does not even carry the personal data, and these functions copy named
fields only.
"""

from __future__ import annotations

from app.contributions import service
from app.organisation import ParticipationSpec
from app.stores.contributions import Contribution

#: The collection of the OGC API and the map layer's id.
COLLECTION = "contributi"
#: The kinds the map layer and the collection show (a commento is about a page, not a place).
MAP_KINDS = ("segnalazione", "proposta")
#: State colours by the state's fixed type (a configured state takes its type's colour).
TYPE_COLOURS = {"open": "#d95f02", "fixed": "#1b9e77", "closed": "#6a51a3"}
#: The columns of the CSV download, in order (the GeoJSON properties are the same).
COLUMNS = (
    "id",
    "kind",
    "quartiere",
    "target_layer",
    "target_id",
    "text",
    "name",
    "lon",
    "lat",
    "created",
    "updated",
    "state",
    "state_type",
    "state_label",
    "office",
    "answer",
    "answered_at",
    "photo",
)


def _utc(value: str | None) -> str | None:
    return None if not value else value[:19] + "Z"


def properties(c: Contribution, lang: str = "it") -> dict:
    """The public fields of an approved contribution, flat (CSV columns, GeoJSON)."""
    doc = service.public_json(c, lang)
    answer = doc["answer"]
    return {
        "id": c.id,
        "kind": c.kind,
        "quartiere": c.quartiere,
        "target_layer": c.target_layer,
        "target_id": c.target_id,
        "text": c.text,
        "name": c.name,
        "lon": c.lon,
        "lat": c.lat,
        "created": doc["created"],
        "updated": _utc(c.updated_at),
        "state": c.state,
        "state_type": doc["state_type"],
        "state_label": doc["state_label"],
        "office": doc["office"],
        "answer": None if answer is None else answer["text"],
        "answered_at": None if answer is None else answer["at"],
        "photo": doc["photo"],
    }


def feature(c: Contribution, lang: str = "it") -> dict:
    props = properties(c, lang)
    lon, lat = props.pop("lon"), props.pop("lat")
    props.pop("id")
    geometry = None if lon is None else {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "id": c.id, "geometry": geometry, "properties": props}


def legend(spec: ParticipationSpec, lang: str) -> list[dict]:
    """The map's legend: one entry per configured state, coloured by its type."""
    return [
        {"value": s.id, "color": TYPE_COLOURS[s.type], "label": s.label.get(lang)}
        for s in spec.states
    ]


def feed_entry(c: Contribution, lang: str, base: str, quartiere_page: str) -> dict:
    """An Atom entry: a stable id (the item in the OGC API, which never changes), updated
    at the last change (moderation, state, answer)."""
    from app.i18n import gettext

    doc = service.public_json(c, lang)
    kind = gettext(c.kind)
    summary = f"{kind} · {doc['state_label']}. {c.text}"
    if doc["answer"]:
        summary += f"\n{gettext('Risposta di')} {doc['answer']['by']}: {doc['answer']['text']}"
    title = " ".join(c.text.split())
    return {
        "id": f"{base}/api/collections/{COLLECTION}/items/{c.id}",
        "title": f"{kind}: {title[:80]}{'…' if len(title) > 80 else ''}",
        "updated": _utc(c.updated_at),
        "link": f"{quartiere_page}#contributo-{c.id}",
        "category": c.kind,
        "category_label": kind,
        "summary": summary,
    }
