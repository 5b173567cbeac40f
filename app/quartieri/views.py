"""Thin views of the citizen pages: quartieri, one quartiere, its feed, an intervention."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from app import hooks
from app.errors import NotFound
from app.i18n import current_language
from app.i18n import gettext as _
from app.organisation import organisation
from app.quartieri import params
from app.quartieri.areas import Quartiere
from app.quartieri.data import load_areas
from app.quartieri.feed import atom_feed
from app.quartieri.service import (
    Interventi,
    Near,
    apply,
    counts_by_quartiere,
    distance,
    load_interventi,
    nearby,
    sort_items,
    totals,
)
from app.services import services

bp = Blueprint("quartieri", __name__)


def _quartiere(data: Interventi, slug: str) -> Quartiere:
    q = data.areas.by_slug(slug)
    if q is None:
        raise NotFound(_("Nessun quartiere corrisponde a") + f" '{slug[:60]}'.")
    return q


def _status_label(data: Interventi):
    labels = data.status_labels(current_language())
    return lambda code: labels.get(code) or _(code)


def _zone_words():
    """(origin, note): functions giving an item's zone origin in words ('dal testo del
    documento') and its note on the zone, from the fields the organisation's `zones` names."""
    zones, lang = organisation().zones, current_language()

    def origin(item):
        if zones is None or not zones.origin_field:
            return None
        return zones.origin_words(item[zones.origin_field], lang)

    def note(item):
        if zones is None or not zones.feature_note_field:
            return None
        return item[zones.feature_note_field] or None

    return origin, note


def _zone_fields() -> set[str]:
    """The zone fields an item's page shows beside its quartiere, not in the field list."""
    zones = organisation().zones
    if zones is None:
        return set()
    return {zones.feature_field, zones.origin_field, zones.feature_note_field} - {None}


def _geojson(items, q: Quartiere | None, point=None) -> dict:
    """What the page map draws: the quartiere's area, the located items, the chosen point."""
    features = []
    if q is not None and q.has_area:
        import shapely

        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(q.geometry),
                "properties": {"role": "area", "label": q.label},
            }
        )
    for n, i in enumerate(items, 1):
        if i.geometry is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": i.geometry,
                    "properties": {
                        "role": "item",
                        "n": n,
                        "label": i.title,
                        "status": i.status,
                        "link": url_for("quartieri.intervento", item_id=i.id),
                    },
                }
            )
    if point is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
                "properties": {"role": "point", "label": _("Il punto scelto")},
            }
        )
    return {"type": "FeatureCollection", "features": features}


@bp.get("/quartieri")
def index():
    if organisation().zones is None:
        raise NotFound(_("Questo geoportale non organizza i dati per quartiere."))
    svc = services()
    data = load_interventi(svc)
    return render_template(
        "quartieri/index.html",
        rows=counts_by_quartiere(data),
        statuses=data.options(data.items)["stato"],
        status_label=_status_label(data),
        unattributed=len(data.unattributed()),
        total=len(data.items),
        areas={"type": "FeatureCollection", "features": _area_features(data)},
    )


def _area_features(data: Interventi) -> list[dict]:
    import shapely

    return [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(q.geometry),
            "properties": {
                "role": "quartiere",
                "label": q.label,
                "link": url_for("quartieri.detail", slug=q.slug),
            },
        }
        for q in data.areas.items
        if q.has_area
    ]


@bp.get("/quartieri/punto")
def at_point():
    """The quartiere at a point (map tap, geolocation): its page, with the point kept."""
    lon, lat = params.parse_point(request.args, required=True)
    q = load_areas(services()).at(lon, lat)
    if q is None:
        name = organisation().name.get(current_language())
        raise NotFound(f"{_('Il punto è fuori dai quartieri')}: {name}.")
    query = {"lon": f"{lon:.6f}", "lat": f"{lat:.6f}"}
    if request.args.get("lang"):
        query["lang"] = request.args["lang"]
    return redirect(url_for("quartieri.detail", slug=q.slug) + "?" + urlencode(query), 303)


@bp.get("/api/quartieri/punto")
def api_at_point():
    """JSON: the quartiere at a point and the interventions within 500 m."""
    lon, lat = params.parse_point(request.args, required=True)
    metres = params.parse_metres(request.args) or params.DEFAULT_METRES
    data = load_interventi(services())
    q = data.areas.at(lon, lat)
    if q is None:
        raise NotFound(
            f"the point is outside the quartieri of the {organisation().name.get('en')}", "lon"
        )
    root = request.script_root
    near = [
        {
            "id": i.id,
            "titolo": i.title,
            "stato": i.status,
            "distanza_m": round(d),
            "link": root + url_for("quartieri.intervento", item_id=i.id),
        }
        for i, d in nearby(data, Near(lon, lat, metres))
    ]
    ref = q.ref() | {"link": root + q.ref()["link"]}
    return jsonify({"quartiere": ref, "entro_m": metres, "vicini": near})


@bp.get("/quartieri/<slug>.atom")
def feed(slug: str):
    svc = services()
    data = load_interventi(svc)
    q = _quartiere(data, slug)
    updated = svc.store.describe(data.spec.id).published_at if data.spec else None
    body = atom_feed(
        q,
        sort_items(data.in_quartiere(q)),
        base=request.url_root.rstrip("/"),
        updated=updated,
        title=f"{q.label} · {svc.settings['TITLE']}",
        status_label=_status_label(data),
        author=organisation().name.it,
        # the quartiere's approved contributions (app/contributions, through app/hooks.py)
        extra=[]
        if q.numero is None
        else [e for got in hooks.collect("quartieri.feed_entries", q.numero, "it") for e in got],
    )
    return Response(body, mimetype="application/atom+xml")


@bp.get("/quartieri/<slug>")
def detail(slug: str):
    svc = services()
    data = load_interventi(svc)
    q = _quartiere(data, slug)
    if slug != q.slug:
        query = request.query_string.decode()
        return redirect(
            url_for("quartieri.detail", slug=q.slug) + (f"?{query}" if query else ""), 301
        )
    filters = params.parse_filters(request.args)
    everything = data.in_quartiere(q)
    items = apply(everything, filters)
    near = filters.near
    distances = {i.id: distance(i, near) for i in items} if near else {}
    if request.args.get("f") == "json":
        return jsonify(_detail_json(q, items, totals(items)))
    zones = organisation().zones
    zone_origin, _note = _zone_words()
    return render_template(
        "quartieri/detail.html",
        q=q,
        items=items,
        everything=everything,
        totals=totals(items),
        filters=filters,
        options=data.options(everything),
        status_label=_status_label(data),
        distances=distances,
        point_in=(near is not None and data.areas.at(near.lon, near.lat) == q),
        geojson=_geojson(items, q, near),
        zone_origin=zone_origin,
        q_note=q.properties.get(zones.note_field) if zones and zones.note_field else None,
    )


def _detail_json(q: Quartiere, items, sums: dict) -> dict:
    root = request.script_root
    return {
        "quartiere": q.ref() | {"link": root + q.ref()["link"]},
        "totali": sums,
        "interventi": [
            {
                "id": i.id,
                "titolo": i.title,
                "stato": i.status,
                "anni": sorted(i.years),
                "importo_euro": i.amount,
                "link": root + url_for("quartieri.intervento", item_id=i.id),
            }
            for i in items
        ],
    }


@bp.get("/interventi/<item_id>")
def intervento(item_id: str):
    svc = services()
    data = load_interventi(svc)
    item = data.get(item_id)
    if item is None:
        successor = data.successor(item_id)
        if successor is not None:  # a code merged into another (`id_sostituiti`)
            return redirect(url_for("quartieri.intervento", item_id=successor.id), 301)
        raise NotFound(_("Nessun intervento con codice") + f" '{item_id[:60]}'.")
    zone_origin, zone_note = _zone_words()
    return render_template(
        "quartieri/intervento.html",
        item=item,
        spec=data.spec,
        zone_origin=zone_origin(item),
        zone_note=zone_note(item),
        zone_fields=_zone_fields(),
        status_label=_status_label(data),
        geojson=_geojson([item], item.quartiere if item.geometry is None else None),
    )
