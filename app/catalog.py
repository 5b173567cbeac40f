"""Open-data metadata: a record per layer (OGC API Records-like) and the catalogue as
DCAT-AP_IT JSON-LD at /catalog.jsonld, for dati.lombardia.it and dati.gov.it harvesters.

docs/api.md maps these fields to RNDT (the Italian national metadata profile).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, json, url_for

from app import hooks
from app.organisation import organisation, owner_of
from app.registry.spec import LayerSpec
from app.services import services
from app.stores.base import LayerInfo

bp = Blueprint("catalog", __name__)

EU = "http://publications.europa.eu/resource/authority/"
LICENCES = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "ODBL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/",
    "IODL-2.0": "https://www.dati.gov.it/iodl/2.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}
DOWNLOADS = {  # format -> (EU file type, media type)
    "geojson": ("GEOJSON", "application/geo+json"),
    "gpkg": ("GPKG", "application/geopackage+sqlite3"),
    "shp.zip": ("SHP", "application/zip"),
    "csv": ("CSV", "text/csv"),
    "kml": ("KML", "application/vnd.google-earth.kml+xml"),
}
DEFAULT_THEME = "REGI"  # regions and cities


def licence_uri(licence: str) -> str | None:
    """The URI of a licence named by its SPDX-like id (None when unknown)."""
    if licence.startswith(("http://", "https://")):
        return licence
    return LICENCES.get(licence.strip())


def record(spec: LayerSpec, info: LayerInfo) -> dict:
    """The layer's metadata as an OGC API Records-like GeoJSON record."""
    m = spec.metadata
    geometry = None
    if info.bbox:
        x0, y0, x1, y1 = info.bbox
        geometry = {
            "type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
        }
    return {
        "id": spec.id,
        "type": "Feature",
        "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"],
        "geometry": geometry,
        "properties": {
            "type": "dataset",
            "title": spec.title.it,
            "title_en": spec.title.get("en"),
            "description": m.abstract.it,
            "description_en": m.abstract.get("en"),
            "keywords": list(m.keywords),
            "themes": [
                {
                    "concepts": [{"id": t} for t in (m.themes or (DEFAULT_THEME,))],
                    "scheme": EU + "data-theme",
                }
            ],
            "language": {"code": "it"},
            "updated": m.updated.isoformat(),
            "published": info.published_at,
            "version": info.version,
            "featureCount": info.feature_count,
            "publisher": organisation().name.it,
            "owner": owner_of(m),
            "license": m.licence,
            "licenseUri": licence_uri(m.licence),
            "rights": m.attribution,
            "lineage": m.lineage.it,
            "sourceCrs": m.source_crs,
            "frequency": m.frequency,
        },
        "links": [
            {
                "href": url_for("ogcapi.collection", collection_id=spec.id, _external=True),
                "rel": "collection",
                "type": "application/json",
            },
            *[
                {
                    "href": url_for("downloads.download", name=f"{spec.id}.{fmt}", _external=True),
                    "rel": "enclosure",
                    "type": media,
                    "title": fmt,
                }
                for fmt, (_, media) in DOWNLOADS.items()
            ],
        ],
    }


def _text(it: str, en: str | None) -> list[dict]:
    out = [{"@value": it, "@language": "it"}]
    if en and en != it:
        out.append({"@value": en, "@language": "en"})
    return out


def licence_document(licence: str) -> dict:
    """The DCAT-AP_IT licence document of a licence (its URI, else the portal's)."""
    return {
        "@id": licence_uri(licence) or url_for("viewer.index", _external=True),
        "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
        "foaf:name": licence,
    }


def dataset(spec: LayerSpec, info: LayerInfo) -> dict:
    m = spec.metadata
    org = organisation()
    licence = licence_document(m.licence)
    distributions = [
        {
            "@id": url_for("downloads.download", name=f"{spec.id}.{fmt}", _external=True),
            "@type": ["dcat:Distribution", "dcatapit:Distribution"],
            "dct:title": f"{spec.title.it} ({fmt})",
            "dcat:accessURL": {
                "@id": url_for("downloads.download", name=f"{spec.id}.{fmt}", _external=True)
            },
            "dcat:downloadURL": {
                "@id": url_for("downloads.download", name=f"{spec.id}.{fmt}", _external=True)
            },
            "dct:format": {"@id": f"{EU}file-type/{ftype}"},
            "dcat:mediaType": media,
            "dct:license": licence,
        }
        for fmt, (ftype, media) in DOWNLOADS.items()
    ]
    distributions.append(
        {
            "@id": url_for("ogcapi.items", collection_id=spec.id, _external=True),
            "@type": ["dcat:Distribution", "dcatapit:Distribution"],
            "dct:title": f"{spec.title.it} (OGC API - Features)",
            "dcat:accessURL": {
                "@id": url_for("ogcapi.collection", collection_id=spec.id, _external=True)
            },
            "dct:format": {"@id": f"{EU}file-type/GEOJSON"},
            "dct:conformsTo": {"@id": "http://www.opengis.net/doc/IS/ogcapi-features-1/1.0"},
            "dct:license": licence,
        }
    )
    out = {
        "@id": url_for("ogcapi.collection", collection_id=spec.id, _external=True),
        "@type": ["dcat:Dataset", "dcatapit:Dataset"],
        "dct:identifier": f"{org.ipa_code}:{spec.id}",
        "dct:title": _text(spec.title.it, spec.title.en),
        "dct:description": _text(m.abstract.it, m.abstract.en),
        "dct:modified": {"@value": m.updated.isoformat(), "@type": "xsd:date"},
        "dct:issued": {"@value": info.published_at[:10], "@type": "xsd:date"},
        "dct:publisher": {"@id": "#publisher"},
        "dct:rightsHolder": {"@type": ["foaf:Agent", "dcatapit:Agent"], "foaf:name": owner_of(m)},
        "dcat:theme": [{"@id": f"{EU}data-theme/{t}"} for t in (m.themes or (DEFAULT_THEME,))],
        "dcat:keyword": list(m.keywords),
        "dct:accrualPeriodicity": {"@id": f"{EU}frequency/{m.frequency}"},
        "dct:language": {"@id": f"{EU}language/ITA"},
        "dct:provenance": {"@type": "dct:ProvenanceStatement", "rdfs:label": m.lineage.it},
        "dcat:distribution": distributions,
    }
    if info.bbox:
        x0, y0, x1, y1 = info.bbox
        out["dct:spatial"] = {
            "@type": "dct:Location",
            "dcat:bbox": {
                "@value": f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))",
                "@type": "gsp:wktLiteral",
            },
            "locn:geographicName": org.short_name,
            "dcatapit:geographicalIdentifier": org.istat_code,
        }
    return out


def programme_dataset(spec: LayerSpec, info: LayerInfo) -> dict:
    """The programme's figures (app/programma) as a dataset derived from the interventions
    layer: its JSON and CSV tables, under the layer's licence."""
    base = dataset(spec, info)
    org = organisation()
    tables = [
        ("programma.api", {}, "JSON", "application/json", "albero (JSON)"),
        ("programma.api_csv", {}, "CSV", "text/csv", "albero (CSV)"),
        ("programma.api_timeline", {"f": "csv"}, "CSV", "text/csv", "andamento per anno (CSV)"),
        ("programma.api_funding", {"f": "csv"}, "CSV", "text/csv", "finanziamento (CSV)"),
    ]
    licence = base["dcat:distribution"][0]["dct:license"]
    return base | {
        "@id": url_for("programma.page", _external=True),
        "dct:identifier": f"{org.ipa_code}:programma",
        "dct:title": _text(
            "Il programma del Comune: stato, importi e finanziamento",
            "The council's programme: status, amounts and funding",
        ),  # fmt: skip
        "dct:description": _text(
            "Gli interventi per missione, programma e obiettivo del DUP e per capitolo del "
            "programma di mandato: numero per stato, importi noti e quanti senza importo, "
            "fonti di finanziamento, quartieri, interventi in ritardo; l'andamento per anno.",
            "The interventions by DUP mission, programme and objective and by chapter of the "
            "mandate programme: count by status, known amounts and how many have none, funding "
            "sources, quartieri, late ones; the progress by year.",
        ),
        "dct:source": {"@id": base["@id"]},
        "dcat:landingPage": {"@id": url_for("programma.page", _external=True)},
        "dcat:distribution": [
            {
                "@id": url_for(endpoint, _external=True, **args),
                "@type": ["dcat:Distribution", "dcatapit:Distribution"],
                "dct:title": f"Programma: {title}",
                "dcat:accessURL": {"@id": url_for(endpoint, _external=True, **args)},
                "dcat:downloadURL": {"@id": url_for(endpoint, _external=True, **args)},
                "dct:format": {"@id": f"{EU}file-type/{ftype}"},
                "dcat:mediaType": media,
                "dct:license": licence,
            }
            for endpoint, args, ftype, media, title in tables
        ],
    }


def dcat_catalog(entries: list[tuple[LayerSpec, LayerInfo]], title: str) -> dict:
    org = organisation()
    publisher = {
        "@id": "#publisher",
        "@type": ["foaf:Agent", "dcatapit:Agent"],
        "foaf:name": org.name.it,
        "dct:identifier": org.ipa_code,
        "foaf:homepage": {"@id": org.website},
    }
    if org.email:
        publisher["foaf:mbox"] = {"@id": f"mailto:{org.email}"}
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "dcatapit": "http://dati.gov.it/onto/dcatapit#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "locn": "http://www.w3.org/ns/locn#",
            "gsp": "http://www.opengis.net/ont/geosparql#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        },
        "@id": url_for("catalog.catalog_jsonld", _external=True),
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:title": _text(title, org.title.en),
        "dct:description": _text(
            f"Dati territoriali pubblicati dal SIT: {org.name.it}.",
            f"Geographic data published by the GIS office: {org.name.get('en')}.",
        ),
        "dct:publisher": publisher,
        "dct:modified": {
            "@value": max(
                (s.metadata.updated for s, _ in entries), default=dt.date.today()
            ).isoformat(),
            "@type": "xsd:date",
        },
        "dct:language": {"@id": f"{EU}language/ITA"},
        "foaf:homepage": {"@id": url_for("viewer.index", _external=True)},
        "dcat:themeTaxonomy": {"@id": f"{EU}data-theme"},
        "dcat:dataset": [dataset(spec, info) for spec, info in entries]
        + [
            programme_dataset(spec, info)
            for spec, info in entries
            if org.programme and spec.id == org.interventions_layer
        ],
    }


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    svc = services()
    entries = [(spec, svc.store.describe(spec.id)) for spec in svc.registry.published]
    doc = dcat_catalog(entries, svc.settings["TITLE"])
    doc["dcat:dataset"].extend(hooks.collect("catalog.datasets"))  # not layers: app/hooks.py
    return Response(json.dumps(doc), mimetype="application/ld+json")
