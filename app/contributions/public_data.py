"""The public outputs of approved contributions (issue 20 item 4), beside the pages:

- the OGC API collection `contributi` (`/api/collections/contributi`, its items, one item,
  queryables): the segnalazioni and proposte with a point, paged, filterable by kind,
  state, quartiere and bbox; served by this small adapter over the store's contributions
  tables (they are not a published layer and have no layer version), listed in
  `/api/collections`, the DCAT catalogue and the map through `app.hooks`;
- the open data for the tavoli di quartiere: `/partecipa/contributi.csv` and
  `/partecipa/contributi.geojson`, all approved contributions or one quartiere's
  (`?quartiere=16`), CSV made spreadsheet-safe (app/csvsafe.py);
- the entries of the quartiere Atom feeds.

Approved contributions only (the store's default status), never personal data
(outputs.py copies the public fields by name).
"""

from __future__ import annotations

import csv
import io

import orjson
from flask import Blueprint, Flask, Response, render_template, request, url_for
from werkzeug.exceptions import MethodNotAllowed

from app import hooks
from app.contributions import outputs
from app.contributions.model import bad
from app.csvsafe import safe_cell
from app.errors import ContributionNotFound, InvalidParameter
from app.i18n import current_language
from app.i18n import gettext as _
from app.ogcapi import params
from app.ogcapi.links import GEOJSON, JSON, SCHEMA, link, paging, url
from app.organisation import organisation
from app.services import services

bp = Blueprint("contributions_data", __name__)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
ITEM_PARAMS = {"f", "kind", "state", "quartiere", "bbox", "limit", "offset"}
DOWNLOAD_PAGE = 1000
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"
TITLE = {"it": "Segnalazioni e proposte dei cittadini", "en": "Citizens' reports and proposals"}


def _participating() -> bool:
    return organisation().participation is not None


def _spec():
    spec = organisation().participation
    if spec is None:
        raise ContributionNotFound(
            "Questo geoportale non raccoglie contributi. / No contributions."
        )
    return spec


def _json(doc, mimetype: str = JSON) -> Response:
    return Response(orjson.dumps(doc), mimetype=mimetype)


def _only(allowed: set[str], html: bool = False) -> None:
    unknown = sorted(set(request.args) - allowed)
    if unknown:
        raise InvalidParameter(
            f"unknown parameter {unknown[0]!r}; this resource accepts: {', '.join(sorted(allowed))}",
            unknown[0],
        )
    formats = ("json", "html") if html else ("json",)
    if request.args.get("f", "json") not in formats:
        raise InvalidParameter(f"this resource is served as f={' or f='.join(formats)}", "f")


# -- the OGC API collection -------------------------------------------------------------


def collection_document(fmt: str = "json", lang: str | None = None) -> dict | None:
    if not _participating():
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
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84}},
        "links": [
            link(url("contributions_data.collection"), "self", JSON, TITLE["it"]),
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
        ],
        "geoportale": {"kind": "contributions", "kinds": list(outputs.MAP_KINDS)},
    }


@bp.get("/api/collections/contributi")
def collection():
    _only({"f"}, html=True)
    _spec()
    doc = collection_document()
    if request.args.get("f") == "html":  # a person's view: the newest located ones
        page = services().store.contributions(
            kinds=outputs.MAP_KINDS, located=True, limit=50, offset=0
        )
        lang = current_language()
        features = [outputs.feature(c, lang) for c in page.items]
        return render_template(
            "contributions/collection.html", doc=doc, page=page, features=features
        )
    return _json(doc)


def _filters(args) -> dict:
    spec = _spec()
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
    _only(ITEM_PARAMS)
    settings = services().settings
    filters = _filters(request.args)
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
            link(request.url, "self", GEOJSON, "this page"),
            *paging("contributions_data.items", "json", offset, limit, returned, page.total),
            link(url("contributions_data.collection"), "collection", JSON, TITLE["it"]),
        ],
    }
    return _json(doc, GEOJSON)


@bp.get("/api/collections/contributi/items/<cid>", provide_automatic_options=False)
def item(cid: str):
    _only({"f"})
    _spec()
    c = services().store.contribution(cid)
    if not c.public or c.kind not in outputs.MAP_KINDS or c.lon is None:
        raise ContributionNotFound(f"no public contribution '{cid[:40]}' in this collection")
    doc = outputs.feature(c, current_language())
    doc["links"] = [
        link(url("contributions_data.item", cid=c.id), "self", GEOJSON),
        link(url("contributions_data.collection"), "collection", JSON, TITLE["it"]),
    ]
    return _json(doc, GEOJSON)


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
    spec = _spec()
    return _json(
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


# -- open data ---------------------------------------------------------------------------


def _all(quartiere: int | None):
    """Every approved contribution (of a quartiere), oldest first, read a page at a time."""
    store, offset = services().store, 0
    while True:
        page = store.contributions(
            quartiere=quartiere, limit=DOWNLOAD_PAGE, offset=offset, newest_first=False
        )
        yield from page.items
        offset += DOWNLOAD_PAGE
        if offset >= page.total or not page.items:
            return


def csv_text(contributions, lang: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(outputs.COLUMNS)
    for c in contributions:
        props = outputs.properties(c, lang)
        writer.writerow(["" if props[k] is None else safe_cell(props[k]) for k in outputs.COLUMNS])
    return out.getvalue()


@bp.get("/partecipa/contributi.<fmt>")
def download(fmt: str):
    """The approved contributions as open data (all, or `?quartiere=N`)."""
    _spec()
    unknown = sorted(set(request.args) - {"quartiere", "lang"})
    if unknown:
        raise bad(unknown[0], "parametro sconosciuto", "unknown parameter")
    if fmt not in ("csv", "geojson"):
        raise ContributionNotFound("formati: csv, geojson / formats: csv, geojson")
    quartiere = _filters(request.args)["quartiere"]
    lang = current_language()
    name = "contributi" if quartiere is None else f"contributi-quartiere-{quartiere}"
    if fmt == "csv":
        body = "\ufeff" + csv_text(_all(quartiere), lang)  # the BOM: Excel reads UTF-8
        response = Response(body, mimetype="text/csv")
        response.charset = "utf-8"
    else:
        doc = {
            "type": "FeatureCollection",
            "name": name,
            "features": [outputs.feature(c, lang) for c in _all(quartiere)],
        }
        response = _json(doc, GEOJSON)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def download_links(quartiere: int | None = None) -> list[tuple[str, str]]:
    """(format, URL) of the downloads, for the pages."""
    args = {} if quartiere is None else {"quartiere": quartiere}
    return [
        (fmt.upper(), url_for("contributions_data.download", fmt=fmt, **args))
        for fmt in ("csv", "geojson")
    ]


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
        # the list: the open data (the collection has no HTML pages; the quartiere pages do)
        "listUrl": url_for("contributions_data.download", fmt="csv"),
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


def dcat_dataset() -> dict | None:
    if not _participating():
        return None
    org = organisation()
    return {
        "@id": url_for("contributions_data.collection", _external=True),
        "@type": ["dcat:Dataset", "dcatapit:Dataset"],
        "dct:identifier": f"{org.ipa_code}:{outputs.COLLECTION}",
        "dct:title": [
            {"@value": TITLE["it"], "@language": "it"},
            {"@value": TITLE["en"], "@language": "en"},
        ],
        "dct:description": [
            {
                "@value": "Segnalazioni, proposte e commenti dei cittadini approvati dai "
                "moderatori, con lo stato e la risposta del Comune; senza dati personali.",
                "@language": "it",
            },
            {
                "@value": "Citizens' reports, proposals and comments approved by the "
                "moderators, with their state and the council's answer; no personal data.",
                "@language": "en",
            },
        ],
        "dct:publisher": {"@id": "#publisher"},
        "dcat:keyword": ["partecipazione", "segnalazioni", "proposte"],
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:accessURL": {"@id": url_for(endpoint, _external=True, **args)},
                "dcat:mediaType": media,
                "dct:format": {"@id": f"{FILE_TYPES}{ftype}"},
                "dct:title": title,
            }
            for endpoint, args, media, ftype, title in (
                ("contributions_data.download", {"fmt": "csv"}, "text/csv", "CSV", "CSV"),
                ("contributions_data.download", {"fmt": "geojson"}, GEOJSON, "GEOJSON", "GeoJSON"),
                ("contributions_data.items", {}, GEOJSON, "GEOJSON", "OGC API - Features"),
            )
        ],
    }


def feed_entries(quartiere: int, lang: str) -> list[dict] | None:
    """The quartiere feed's entries of its approved contributions (the newest 50)."""
    if not _participating():
        return None
    page = services().store.contributions(quartiere=quartiere, limit=50)
    base = request.url_root.rstrip("/")
    q = request.path.removesuffix(".atom")
    return [outputs.feed_entry(c, lang, base, base + q) for c in page.items]


def openapi_paths() -> dict | None:
    """The collection's paths in /api/openapi (shared parameters and problem responses)."""
    spec = organisation().participation
    if spec is None:
        return None
    ref = lambda name: {"$ref": f"#/components/parameters/{name}"}  # noqa: E731
    problem = {"$ref": "#/components/responses/Problem"}

    def get(op_id: str, summary: str, params: list, schema: str, media: str) -> dict:
        content = {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        return {
            "get": {
                "operationId": op_id,
                "summary": summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "OK", "content": content},
                    "400": problem,
                    "404": problem,
                },
            }
        }

    def query(name: str, description: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "description": description, "schema": schema}

    base = f"/collections/{outputs.COLLECTION}"
    title = TITLE["en"]
    cid = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    described = get("describe_contributi", f"{title}: metadata", [ref("f")], "document", JSON)
    described["get"]["responses"]["200"]["content"]["text/html"] = {"schema": {"type": "string"}}
    return {
        base: described,
        f"{base}/items": get(
            "getItems_contributi",
            f"{title}: approved, located reports and proposals",
            [
                ref("f"),
                ref("bbox"),
                ref("limit"),
                ref("offset"),
                query("kind", "This kind.", {"type": "string", "enum": list(outputs.MAP_KINDS)}),
                query(
                    "state",
                    "This follow-up state.",
                    {"type": "string", "enum": [s.id for s in spec.states]},
                ),
                query("quartiere", "This quartiere's number.", {"type": "integer"}),
            ],
            "featureCollection",
            GEOJSON,
        ),
        f"{base}/items/{{featureId}}": get(
            "getItem_contributi", f"{title}: one", [ref("f"), cid], "feature", GEOJSON
        ),
        f"{base}/queryables": get(
            "getQueryables_contributi", f"{title}: queryables", [ref("f")], "document", SCHEMA
        ),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    hooks.register(app, "ogcapi.collections", collection_document)
    hooks.register(app, "ogcapi.openapi_paths", openapi_paths)
    hooks.register(app, "catalog.datasets", dcat_dataset)
    hooks.register(app, "viewer.layers", viewer_layer)
    hooks.register(app, "quartieri.feed_entries", feed_entries)
