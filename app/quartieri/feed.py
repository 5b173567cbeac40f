"""The Atom feed (RFC 4287) of a quartiere's interventions."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from app.quartieri.areas import Quartiere
from app.quartieri.service import Intervento

ATOM = "http://www.w3.org/2005/Atom"


def rfc3339(value: str | None) -> str:
    """An ISO timestamp from the store as RFC 3339 (UTC), 'now' if unknown."""
    try:
        stamp = dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        stamp = None
    if stamp is None:
        stamp = dt.datetime.now(dt.UTC)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        el.text = text
    return el


def atom_feed(
    q: Quartiere,
    items: list[Intervento],
    *,
    base: str,
    updated: str | None,
    title: str,
    status_label,
    author: str,
    extra: list[dict] = (),
) -> bytes:
    """The feed document. `base` is the site's absolute URL (no trailing slash).

    `updated` is when the interventions layer was last published in the store: the feed
    changes when the data does. Entry ids are the intervention pages' URLs (stable).
    `extra` are entries of other kinds (the approved citizens' contributions, app/hooks.py):
    dicts with id, title, updated, link, category, category_label, summary; the feed's
    `updated` is the latest of the layer's and theirs.
    """
    ET.register_namespace("", ATOM)
    stamp = rfc3339(updated)
    latest = max([stamp, *(rfc3339(e["updated"]) for e in extra)])
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "it"})
    page = f"{base}/quartieri/{q.slug}"
    _sub(feed, "id", f"{page}.atom")
    _sub(feed, "title", title)
    _sub(feed, "updated", latest)
    _sub(_sub(feed, "author"), "name", author)
    _sub(feed, "link", rel="self", href=f"{page}.atom", type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=page, type="text/html")
    for i in items:
        entry = _sub(feed, "entry")
        url = f"{base}/interventi/{i.id}"
        _sub(entry, "id", url)
        _sub(entry, "title", i.title)
        _sub(entry, "updated", stamp)
        _sub(entry, "link", rel="alternate", href=url, type="text/html")
        _sub(entry, "category", term=i.status, label=status_label(i.status))
        parts = [status_label(i.status)]
        if i["anno_stato"]:
            parts.append(str(i["anno_stato"]))
        if i.amount is not None:
            parts.append(f"{i.amount:,.0f} €".replace(",", "."))
        summary = " · ".join(parts)
        if i["descrizione"]:
            summary += ". " + i["descrizione"]
        _sub(entry, "summary", summary, type="text")
    for e in extra:
        entry = _sub(feed, "entry")
        _sub(entry, "id", e["id"])
        _sub(entry, "title", e["title"])
        _sub(entry, "updated", rfc3339(e["updated"]))
        _sub(entry, "link", rel="alternate", href=e["link"], type="text/html")
        _sub(entry, "category", term=e["category"], label=e["category_label"])
        _sub(entry, "summary", e["summary"], type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
