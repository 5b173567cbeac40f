"""The OGC API collection `contributi` of approved contributions (issue 20 item 4):
`/api/collections/contributi`, its items, one item and its queryables, as JSON and as HTML
pages for a person (`f=html` or a browser's Accept, like the layers' collections): the
segnalazioni and proposte with a point, paged, filterable by kind, state, quartiere and
bbox; served by this small adapter over the store's contributions tables (they are not a
published layer and have no layer version), listed in `/api/collections`, the DCAT
catalogue and the map through `app.hooks`; and the entries of the quartiere Atom feeds.

Beside it: open_data.py (the CSV/GeoJSON downloads, the DCAT dataset) and
public_openapi.py (the collection's OpenAPI paths). Approved contributions only (the
store's default status), never personal data (outputs.py copies the public fields by name).
"""

from __future__ import annotations

import orjson
from flask import Blueprint, Flask, Response, render_template, request, url_for
from werkzeug.exceptions import MethodNotAllowed

from app import hooks
from app.catalog import licence_uri
from app.contributions import outputs
from app.contributions.model import bad
from app.errors import ContributionNotFound, InvalidParameter
from app.i18n import current_language
from app.i18n import gettext as _
from app.ogcapi import params
from app.ogcapi.links import GEOJSON, HTML, JSON, SCHEMA, link, paging, self_and_alternate, url
from app.ogcapi.views import negotiated_format
from app.organisation import organisation
from app.services import services

bp = Blueprint("contributions_data", __name__)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ITEM_PARAMS = {"f", "kind", "state", "quartiere", "bbox", "limit", "offset"}
TITLE = {"it": "Segnalazioni e proposte dei cittadini", "en": "Citizens' reports and proposals"}


def participating() -> bool:
    return organisation().participation is not None


def spec_or_404():
    spec = organisation().participation
    if spec is None:
        raise ContributionNotFound(
            "Questo geoportale non raccoglie contributi. / No contributions."
        )
    return spec


def licence() -> str | None:
    """The licence of the contributions' open data (`participation.licence`), or None: the
    council has not stated one, and the outputs say nothing rather than guess."""
    spec = organisation().participation
    return None if spec is None else spec.licence


def licence_links() -> list[dict]:
    """A `rel=license` link to the licence's URI, as the layers' collections have one."""
    name = licence()
    uri = licence_uri(name) if name else None
    return [link(uri, "license", HTML, name)] if uri else []


def json_response(doc, mimetype: str = JSON) -> Response:
    return Response(orjson.dumps(doc), mimetype=mimetype)


def _only(allowed: set[str], html: bool = False) -> None:
    params.check_known(request.args, allowed)
    formats = ("json", "html") if html else ("json",)
    if request.args.get("f", "json") not in formats:
        raise InvalidParameter(f"this resource is served as f={' or f='.join(formats)}", "f")


# -- the OGC API collection -------------------------------------------------------------


def collection_document(fmt: str = "json", lang: str | None = None) -> dict | None:
    if not participating():
        return None
    lang = lang or current_language()
    extent = list(organisation().area.extent)
    cid = outputs.COLLECTION
    return {
        "id": cid,
        "title": TITLE.get(lang, TITLE["it"]),
        "description": _(
            "Segnalazioni e proposte dei cittadini con una posizione, approvate dai moderatori "
            "del Comune, con lo stato e la risposta del Comune; senza dati personali."
        ),
        "keywords": ["partecipazione", "segnalazioni", "proposte"],
        "itemType": "feature",
        **({"license": licence()} if licence() else {}),
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            link(url("contributions_data.collection"), "self", JSON, TITLE["it"]),
            link(url("contributions_data.collection", f="html"), "alternate", HTML, "HTML"),
            link(url("contributions_data.items", f="json"), "items", GEOJSON, "Features (GeoJSON)"),
            link(
                url("contributions_data.queryables"),
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA,
                "Queryables",
            ),
            link(url("contributions_data.download", fmt="csv"), "enclosure", "text/csv", "CSV"),
            link(
                url("contributions_data.download", fmt="geojson"), "enclosure", GEOJSON, "GeoJSON"
            ),
            *licence_links(),
        ],
        "geoportale": {"kind": "contributions", "kinds": list(outputs.MAP_KINDS)},
    }


@bp.get("/api/collections/contributi")
def collection():
    _only({"f"}, html=True)
    spec_or_404()
    doc = collection_document()
    if negotiated_format() == "html":  # a person's view: the newest located ones
        page = services().store.contributions(
            kinds=outputs.MAP_KINDS, located=True, limit=50, offset=0
        )
        lang = current_language()
        features = [outputs.feature(c, lang) for c in page.items]
        return render_template(
            "contributions/collection.html", doc=doc, page=page, features=features
        )
    return json_response(doc)


def parse_filters(args) -> dict:
    spec = spec_or_404()
    kind = args.get("kind")  # present but empty is a 400 too
    if kind is not None and kind not in outputs.MAP_KINDS:
        raise bad(
            "kind",
            f"uno di {', '.join(outputs.MAP_KINDS)}",
            f"one of {', '.join(outputs.MAP_KINDS)}",
        )
    state = args.get("state")
    if state is not None and spec.state(state) is None:
        ids = ", ".join(s.id for s in spec.states)
        raise bad("state", f"uno di {ids}", f"one of {ids}")
    quartiere = None
    if "quartiere" in args:
        try:
            quartiere = int(args["quartiere"])
        except ValueError:
            raise bad("quartiere", "numero intero non valido", "not an integer") from None
    return {"kind": kind, "state": state, "quartiere": quartiere}


@bp.get("/api/collections/contributi/items", provide_automatic_options=False)
def items():
    _only(ITEM_PARAMS, html=True)
    fmt = negotiated_format()
    settings = services().settings
    filters = parse_filters(request.args)
    bbox, area = params.parse_bbox(request.args)
    if area is not None:
        raise InvalidParameter("bbox is accepted in CRS84 only here", "bbox-crs")
    limit = params.parse_limit(request.args, settings["DEFAULT_LIMIT"], settings["MAX_LIMIT"])
    offset = params.parse_offset(request.args)
    kinds = (filters.pop("kind"),) if filters["kind"] else outputs.MAP_KINDS
    page = services().store.contributions(
        kinds=kinds, located=True, bbox=bbox, limit=limit, offset=offset, **filters
    )
    lang = current_language()
    returned = len(page.items)
    doc = {
        "type": "FeatureCollection",
        "features": [outputs.feature(c, lang) for c in page.items],
        "numberMatched": page.total,
        "numberReturned": returned,
        "links": [
            *self_and_alternate("contributions_data.items", fmt, GEOJSON),
            *paging("contributions_data.items", fmt, offset, limit, returned, page.total),
            link(url("contributions_data.collection"), "collection", JSON, TITLE["it"]),
        ],
    }
    if fmt == "html":
        from app.contributions.open_data import download_links  # it builds on this module

        return render_template(
            "contributions/items.html",
            doc=doc,
            title=TITLE.get(lang, TITLE["it"]),
            offset=offset,
            downloads=download_links(),
        )
    return json_response(doc, GEOJSON)


def target_link(c) -> dict | None:
    """The page of what a contribution is about: its quartiere's or its feature's page."""
    from app.quartieri.data import load_areas
    from app.quartieri.service import load_interventi

    svc = services()
    if c.target_layer is None:
        q = None if c.quartiere is None else load_areas(svc).by_numero(c.quartiere)
        if q is None:
            return None
        return link(url("quartieri.detail", slug=q.slug), "related", HTML, q.label)
    interventions = load_interventi(svc).spec
    if interventions is not None and c.target_layer == interventions.id:
        href = url("quartieri.intervento", item_id=c.target_id)
    else:
        href = url("ogcapi.item", collection_id=c.target_layer, feature_id=c.target_id, f="html")
    return link(href, "related", HTML, f"{c.target_layer} {c.target_id}")


@bp.get("/api/collections/contributi/items/<cid>", provide_automatic_options=False)
def item(cid: str):
    _only({"f"}, html=True)
    fmt = negotiated_format()
    spec_or_404()
    c = services().store.contribution(cid)
    if not c.public or c.kind not in outputs.MAP_KINDS or c.lon is None:
        raise ContributionNotFound(f"no public contribution '{cid[:40]}' in this collection")
    doc = outputs.feature(c, current_language())
    target = target_link(c)
    doc["links"] = [
        *self_and_alternate("contributions_data.item", fmt, GEOJSON, cid=c.id),
        link(url("contributions_data.collection"), "collection", JSON, TITLE["it"]),
        *([target] if target else []),
    ]
    if fmt == "html":
        title = TITLE.get(current_language(), TITLE["it"])
        return render_template("contributions/item.html", doc=doc, title=title, target=target)
    return json_response(doc, GEOJSON)


WRITES = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
READS = ["GET", "HEAD", "OPTIONS"]


@bp.route(
    "/api/collections/contributi/items",
    methods=WRITES,
    endpoint="read_only_items",
    provide_automatic_options=False,
)
@bp.route(
    "/api/collections/contributi/items/<cid>", methods=WRITES, provide_automatic_options=False
)
def read_only(cid: str | None = None):
    """The collection is read-only (contributions arrive by POST /api/contributions, with
    consent and moderation): OPTIONS says so, a write is a 405 (not the layers' Part 4)."""
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ", ".join(READS)})
    raise MethodNotAllowed(valid_methods=READS)


@bp.get("/api/collections/contributi/queryables")
def queryables():
    _only({"f"})
    spec = spec_or_404()
    return json_response(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": url("contributions_data.queryables"),
            "type": "object",
            "title": TITLE.get(current_language(), TITLE["it"]),
            "properties": {
                "geometry": {"format": "geometry-point", "title": "Posizione"},
                "kind": {"title": _("Tipo"), "type": "string", "enum": list(outputs.MAP_KINDS)},
                "state": {
                    "title": _("Stato"),
                    "type": "string",
                    "enum": [s.id for s in spec.states],
                },
                "quartiere": {"title": _("Quartiere"), "type": "integer"},
            },
            "additionalProperties": False,
        },
        SCHEMA,
    )


# -- what other units show (app.hooks) ---------------------------------------------------


def viewer_layer(lang: str) -> dict | None:
    """The map layer: segnalazioni and proposte coloured by state (by its type), off by
    default; loaded from the collection like the layers."""
    spec = organisation().participation
    if spec is None:
        return None
    page = services().store.contributions(kinds=outputs.MAP_KINDS, located=True, limit=1)
    return {
        "id": outputs.COLLECTION,
        "title": TITLE.get(lang, TITLE["it"]),
        "group": _("Partecipazione"),
        "geometryType": "Point",
        "mode": "geojson",
        "itemsUrl": url_for("contributions_data.items"),
        "itemUrl": url_for("contributions_data.item", cid="__ID__"),
        # the list a person reads: the collection's HTML page (the open data is linked there)
        "listUrl": url_for("contributions_data.items", f="html"),
        "tilesUrl": "",
        "count": page.total,
        "visible": False,
        "idField": "id",
        "titleField": "text",
        "attribution": organisation().name.get(lang),
        "notice": _("Contributi approvati dai moderatori; il testo è dei cittadini."),
        "time": None,
        "popup": [
            {"name": "kind", "label": _("Tipo")},
            {"name": "text", "label": _("Testo")},
            {"name": "state_label", "label": _("Stato")},
            {"name": "answer", "label": _("Risposta del Comune")},
            {"name": "created", "label": _("Data")},
        ],
        "style": {
            "color": "#444444",
            "fillColor": "#d95f02",
            "weight": 1,
            "opacity": 1,
            "fillOpacity": 0.85,
            "radius": 7,
            "dashArray": None,
            "property": "state",
            "approximate": [],
            "categories": outputs.legend(spec, lang),
        },
    }


def feed_entries(quartiere: int, lang: str) -> list[dict] | None:
    """The quartiere feed's entries of its approved contributions (the newest 50)."""
    if not participating():
        return None
    page = services().store.contributions(quartiere=quartiere, limit=50)
    base = request.url_root.rstrip("/")
    q = request.path.removesuffix(".atom")
    return [outputs.feed_entry(c, lang, base, base + q) for c in page.items]


def init_app(app: Flask) -> None:
    from app.contributions import open_data, public_openapi  # open_data: routes on `bp`

    app.register_blueprint(bp)
    app.add_template_filter(licence_uri, "licence_uri")  # the form's licence note
    hooks.register(app, "ogcapi.collections", collection_document)
    hooks.register(app, "ogcapi.openapi_paths", public_openapi.openapi_paths)
    hooks.register(app, "catalog.datasets", open_data.dcat_dataset)
    hooks.register(app, "viewer.layers", viewer_layer)
    hooks.register(app, "quartieri.feed_entries", feed_entries)
