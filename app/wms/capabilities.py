"""GetCapabilities (WMS 1.3.0): the service, its contact, every published layer.

Titles, abstracts and keywords come from the layer files' metadata, the contact from the
organisation file, AccessConstraints from the layers' licences. Each layer lists its
geographic box and a BoundingBox per CRS (in that CRS's axis order, as 1.3.0 wants), its
style with the legend's URL, and its catalogue record as MetadataURL. An INSPIRE view
service's extended capabilities name the catalogue and the languages.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import numpy as np

from app.catalog import licence_uri
from app.geo.crs import transformer
from app.i18n import translate
from app.organisation import organisation
from app.registry.spec import LayerSpec
from app.stores.base import LayerInfo
from app.styles import DEFAULT_STYLE
from app.wms import featureinfo, legend
from app.wms.params import CRS_CODES, IMAGE_FORMATS, MAX_SIZE, VERSION, parse_crs

MEDIA_TYPE = "text/xml"
_LANG3 = {"it": "ita", "en": "eng"}


def _bounds_in(code: str, box) -> tuple[float, float, float, float] | None:
    """An easting-first CRS84 box as the easting-first bounds of it in `code`."""
    crs = parse_crs(code)
    if crs.pyproj in ("OGC:CRS84", "EPSG:4326"):
        return tuple(box)
    t = np.linspace(0.0, 1.0, 9)
    x0, y0, x1, y1 = box
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(9, x1), x0 + (x1 - x0) * t, np.full(9, x0)])
    ys = np.concatenate([np.full(9, y0), y0 + (y1 - y0) * t, np.full(9, y1), y0 + (y1 - y0) * t])
    with np.errstate(all="ignore"):
        xs, ys = transformer("OGC:CRS84", crs.pyproj).transform(xs, ys)
    xs, ys = np.asarray(xs), np.asarray(ys)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return None
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def _num(value: float) -> str:
    return f"{value:.10g}"


def _boxes(box) -> str:
    lon0, lat0, lon1, lat1 = box
    out = [
        "<EX_GeographicBoundingBox>"
        f"<westBoundLongitude>{_num(lon0)}</westBoundLongitude>"
        f"<eastBoundLongitude>{_num(lon1)}</eastBoundLongitude>"
        f"<southBoundLatitude>{_num(lat0)}</southBoundLatitude>"
        f"<northBoundLatitude>{_num(lat1)}</northBoundLatitude>"
        "</EX_GeographicBoundingBox>"
    ]
    for code in CRS_CODES:
        xy = _bounds_in(code, box)
        if xy is None:
            continue
        a = parse_crs(code).from_xy(xy)
        out.append(
            f'<BoundingBox CRS="{code}" minx="{_num(a[0])}" miny="{_num(a[1])}" '
            f'maxx="{_num(a[2])}" maxy="{_num(a[3])}"/>'
        )
    return "".join(out)


def _text(tag: str, value: str | None) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value else ""


def _keywords(words) -> str:
    words = [w for w in dict.fromkeys(words) if w]
    if not words:
        return ""
    return (
        "<KeywordList>"
        + "".join(f"<Keyword>{escape(w)}</Keyword>" for w in words)
        + "</KeywordList>"
    )


def _resource(href: str) -> str:
    return (
        '<OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:type="simple" '
        f"xlink:href={quoteattr(href)}/>"
    )


def _layer(spec: LayerSpec, info: LayerInfo, box, urls, lang: str) -> str:
    legend_w, legend_h = legend.legend_size(spec, lang)
    m = spec.metadata
    keywords = [*m.keywords, *m.themes, spec.group.get(lang)]
    attribution = (
        f"<Attribution>{_text('Title', m.attribution)}</Attribution>" if m.attribution else ""
    )
    return (
        '<Layer queryable="1" opaque="0">'
        f"{_text('Name', spec.id)}{_text('Title', spec.title.get(lang))}"
        f"{_text('Abstract', m.abstract.get(lang))}{_keywords(keywords)}"
        f"{_boxes(box)}{attribution}"
        f'<MetadataURL type="DCAT-AP_IT"><Format>application/json</Format>'
        f"{_resource(urls['metadata'](spec.id))}</MetadataURL>"
        f"<Style><Name>{DEFAULT_STYLE}</Name><Title>{escape(spec.title.get(lang))}</Title>"
        f'<LegendURL width="{legend_w}" height="{legend_h}"><Format>image/png</Format>'
        f"{_resource(urls['legend'](spec.id))}</LegendURL></Style>"
        "</Layer>"
    )


def _union(boxes):
    boxes = [b for b in boxes if b]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def document(
    layers: list[tuple[LayerSpec, LayerInfo]],
    service_url: str,
    urls: dict,
    title: str,
    update_sequence: int,
    lang: str = "it",
) -> str:
    """The capabilities XML. `urls` holds callables layer id -> URL of its legend
    ("legend") and metadata record ("metadata"), and the catalogue's URL ("catalogue")."""
    org = organisation()
    home = tuple(org.area.extent)
    boxes = {spec.id: info.bbox or home for spec, info in layers}
    licences = sorted({spec.metadata.licence for spec, _ in layers})
    constraints = "; ".join(
        f"{name} ({licence_uri(name)})" if licence_uri(name) else name for name in licences
    )
    keywords = ["WMS", "infoMapAccessService", org.name.get(lang)]
    for spec, _ in layers:
        keywords += list(spec.metadata.keywords)
    get = f"<Get>{_resource(service_url + '?')}</Get>"
    http = f"<DCPType><HTTP>{get}</HTTP></DCPType>"
    formats = "".join(f"<Format>{f}</Format>" for f in IMAGE_FORMATS)
    info_formats = "".join(f"<Format>{f}</Format>" for f in featureinfo.ADVERTISED)
    contact = (
        "<ContactInformation><ContactPersonPrimary>"
        f"<ContactPerson>{escape(org.name.get(lang))}</ContactPerson>"
        f"<ContactOrganization>{escape(org.name.get(lang))}</ContactOrganization>"
        "</ContactPersonPrimary>"
        f"{_text('ContactElectronicMailAddress', org.email)}</ContactInformation>"
    )
    crs = "".join(f"<CRS>{c}</CRS>" for c in CRS_CODES)
    children = "".join(_layer(s, i, boxes[s.id], urls, lang) for s, i in layers)
    root_box = _boxes(_union(boxes.values()) if boxes else home)
    lang3 = _LANG3[lang]
    inspire = (
        "<inspire_vs:ExtendedCapabilities "
        'xmlns:inspire_vs="http://inspire.ec.europa.eu/schemas/inspire_vs/1.0" '
        'xmlns:inspire_common="http://inspire.ec.europa.eu/schemas/common/1.0">'
        "<inspire_common:MetadataUrl>"
        f"<inspire_common:URL>{escape(urls['catalogue'])}</inspire_common:URL>"
        "<inspire_common:MediaType>application/ld+json</inspire_common:MediaType>"
        "</inspire_common:MetadataUrl>"
        "<inspire_common:SupportedLanguages><inspire_common:DefaultLanguage>"
        "<inspire_common:Language>ita</inspire_common:Language>"
        "</inspire_common:DefaultLanguage><inspire_common:SupportedLanguage>"
        "<inspire_common:Language>eng</inspire_common:Language>"
        "</inspire_common:SupportedLanguage></inspire_common:SupportedLanguages>"
        "<inspire_common:ResponseLanguage>"
        f"<inspire_common:Language>{lang3}</inspire_common:Language>"
        "</inspire_common:ResponseLanguage></inspire_vs:ExtendedCapabilities>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<WMS_Capabilities version="{VERSION}" updateSequence="{update_sequence}" '
        'xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:sld="http://www.opengis.net/sld" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.opengis.net/wms '
        'http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd">\n'
        "<Service><Name>WMS</Name>"
        f"{_text('Title', title)}"
        f"{_text('Abstract', _abstract(org, lang))}{_keywords(keywords)}"
        f"{_resource(org.website)}{contact}"
        "<Fees>none</Fees>"
        f"{_text('AccessConstraints', constraints or 'none')}"
        f"<LayerLimit>{len(layers) or 1}</LayerLimit>"
        f"<MaxWidth>{MAX_SIZE}</MaxWidth><MaxHeight>{MAX_SIZE}</MaxHeight>"
        "</Service>\n<Capability><Request>"
        f"<GetCapabilities><Format>{MEDIA_TYPE}</Format>{http}</GetCapabilities>"
        f"<GetMap>{formats}{http}</GetMap>"
        f"<GetFeatureInfo>{info_formats}{http}</GetFeatureInfo>"
        f"<sld:GetLegendGraphic><Format>image/png</Format>{http}</sld:GetLegendGraphic>"
        "</Request><Exception><Format>XML</Format></Exception>"
        f"{inspire}\n"
        f"<Layer>{_text('Title', title)}{crs}{root_box}\n{children}</Layer>"
        "</Capability></WMS_Capabilities>\n"
    )


def _abstract(org, lang: str) -> str:
    text = translate("Livelli cartografici pubblicati da {org}, disegnati con i loro stili.", lang)
    return text.format(org=org.name.get(lang))
