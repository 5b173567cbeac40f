"""Links of the OGC API documents: self, alternates, paging, all as absolute URLs."""

from __future__ import annotations

import functools
from urllib.parse import quote_plus, urlencode

from flask import current_app, request, url_for

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    if title:
        out["title"] = title
    return out


def url(endpoint: str, **values) -> str:
    """`url_for(endpoint, _external=True, **values)`, same text, built faster: the path
    part is routed once per request and endpoint, the query string appended as werkzeug
    writes it (an items page has five links that differ only in their query)."""
    arguments = _rule_arguments(endpoint)
    path = {k: values.pop(k) for k in list(values) if k in arguments}
    # The path part depends on the endpoint, its values and where the app is served from
    # (scheme, host, script root): remembered across requests, bounded.
    key = (request.root_url, endpoint, tuple(sorted(path.items())))
    bases = current_app.extensions.setdefault("geoportale_url_bases", {})
    base = bases.get(key)
    if base is None:
        if len(bases) > 10_000:
            bases.clear()
        base = bases[key] = url_for(endpoint, _external=True, **path)
    query = [(k, v) for k, v in values.items() if v is not None]
    if not query:
        return base
    return f"{base}?{urlencode(query, safe=_QUERY_SAFE, quote_via=_quote)}"


@functools.lru_cache(maxsize=4096)
def _quote(text, safe="", encoding=None, errors=None) -> str:
    """`quote_plus`, remembered: a page's links repeat the same few keys and values."""
    return quote_plus(text, safe, encoding, errors)


_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug's (the URL standard's percent-encode set)


def _rule_arguments(endpoint: str) -> frozenset[str]:
    cache = current_app.extensions.setdefault("geoportale_rule_arguments", {})
    found = cache.get(endpoint)
    if found is None:
        rules = current_app.url_map._rules_by_endpoint[endpoint]
        found = cache[endpoint] = frozenset().union(*(r.arguments for r in rules))
    return found


def self_and_alternate(endpoint: str, fmt: str, json_type: str = JSON, **values) -> list[dict]:
    """`self` for the format served and `alternate` for the other one."""
    args = {k: v for k, v in request.args.items() if k != "f"}
    args.update(values)
    as_json = link(
        url(endpoint, f="json", **args), "self" if fmt == "json" else "alternate", json_type, "JSON"
    )
    as_html = link(
        url(endpoint, f="html", **args), "self" if fmt == "html" else "alternate", HTML, "HTML"
    )
    return [as_json, as_html]


def paging(
    endpoint: str, fmt: str, offset: int, limit: int, returned: int, matched: int, **values
) -> list[dict]:
    """`next` and `prev` links for an items page, keeping every other query parameter."""
    type_ = GEOJSON if fmt == "json" else HTML
    args = {k: v for k, v in request.args.items() if k not in ("offset", "limit")}
    args.update(values, limit=limit)
    out = []
    if offset + returned < matched:
        out.append(link(url(endpoint, offset=offset + limit, **args), "next", type_, "next page"))
    if offset > 0:
        out.append(
            link(
                url(endpoint, offset=max(0, offset - limit), **args), "prev", type_, "previous page"
            )
        )
    return out
