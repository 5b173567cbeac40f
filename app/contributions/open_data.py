"""The approved contributions as open data, for the tavoli di quartiere and anyone else:
`/partecipa/contributi.csv` and `/partecipa/contributi.geojson`, all approved
contributions or one quartiere's (`?quartiere=16`), CSV made spreadsheet-safe
(app/csvsafe.py), and their DCAT dataset in the catalogue. Routes of the
`contributions_data` blueprint (app/contributions/public_data.py).
"""

from __future__ import annotations

import csv
import io

from flask import Response, request, url_for

from app.catalog import licence_document
from app.contributions import outputs
from app.contributions.model import bad
from app.contributions.public_data import (
    TITLE,
    bp,
    json_response,
    licence,
    parse_filters,
    participating,
    spec_or_404,
)
from app.csvsafe import safe_cell
from app.downloads import licence_link
from app.errors import ContributionNotFound
from app.i18n import current_language
from app.ogcapi.links import GEOJSON
from app.organisation import organisation
from app.query import LANGUAGE
from app.services import services
from app.stores.consultations import TARGET_LAYER

DOWNLOAD_PAGE = 1000
#: The downloads' columns: the public fields, then the title of the consultation a comment
#: is on (empty for the other contributions): comments on consultations are open data too,
#: named, though neither on the map nor in the collection nor the feeds.
COLUMNS = (*outputs.COLUMNS, "consultation")
FILE_TYPES = "http://publications.europa.eu/resource/authority/file-type/"


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


def _consultation_of(lang: str):
    """A function naming the consultation a contribution comments on (None if not one)."""
    titles = {c.id: c.title(lang) for c in services().store.consultations()}
    return lambda c: titles.get(c.target_id) if c.target_layer == TARGET_LAYER else None


def csv_text(contributions, lang: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    consultation = _consultation_of(lang)
    for c in contributions:
        props = outputs.properties(c, lang) | {"consultation": consultation(c)}
        writer.writerow(["" if props[k] is None else safe_cell(props[k]) for k in COLUMNS])
    return out.getvalue()


def geojson_feature(c, lang: str, consultation) -> dict:
    feature = outputs.feature(c, lang)
    feature["properties"]["consultation"] = consultation(c)
    return feature


@bp.get("/partecipa/contributi.<fmt>")
def download(fmt: str):
    """The approved contributions as open data (all, or `?quartiere=N`)."""
    spec_or_404()
    unknown = sorted(set(request.args) - {"quartiere", LANGUAGE})
    if unknown:
        raise bad(unknown[0], "parametro sconosciuto", "unknown parameter")
    if fmt not in ("csv", "geojson"):
        raise ContributionNotFound("formati: csv, geojson / formats: csv, geojson")
    quartiere = parse_filters(request.args)["quartiere"]
    lang = current_language()
    name = "contributi" if quartiere is None else f"contributi-quartiere-{quartiere}"
    if fmt == "csv":
        body = "\ufeff" + csv_text(_all(quartiere), lang)  # the BOM: Excel reads UTF-8
        response = Response(body, mimetype="text/csv")
        response.charset = "utf-8"
    else:
        consultation = _consultation_of(lang)
        doc = {
            "type": "FeatureCollection",
            "name": name,
            "license": licence(),  # None: the council has not stated one
            "features": [geojson_feature(c, lang, consultation) for c in _all(quartiere)],
        }
        response = json_response(doc, GEOJSON)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    link = licence_link(licence()) if licence() else None
    if link:  # as the layers' downloads: the licence travels with the file
        response.headers["Link"] = link
    return response


def download_links(quartiere: int | None = None) -> list[tuple[str, str]]:
    """(format, URL) of the downloads, for the pages."""
    args = {} if quartiere is None else {"quartiere": quartiere}
    return [
        (fmt.upper(), url_for("contributions_data.download", fmt=fmt, **args))
        for fmt in ("csv", "geojson")
    ]


def dcat_dataset() -> dict | None:
    if not participating():
        return None
    org = organisation()
    stated = licence()  # not stated: no dct:license rather than a guess
    licensed = {"dct:license": licence_document(stated)} if stated else {}
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
                **licensed,
            }
            for endpoint, args, media, ftype, title in (
                ("contributions_data.download", {"fmt": "csv"}, "text/csv", "CSV", "CSV"),
                ("contributions_data.download", {"fmt": "geojson"}, GEOJSON, "GEOJSON", "GeoJSON"),
                ("contributions_data.items", {}, GEOJSON, "GEOJSON", "OGC API - Features"),
            )
        ],
    }
