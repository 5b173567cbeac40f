"""Thin views of the search: `/api/search` (JSON) and `/cerca` (HTML, works without JS)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from app.i18n import current_language
from app.search import params
from app.search.service import search
from app.services import services

bp = Blueprint("search", __name__)


def _absolute_links(results: list[dict]) -> list[dict]:
    """Links are kept as paths of the app; prefix them where the app is mounted."""
    root = request.script_root
    for r in results:
        r["link"] = root + r["link"]
        q = r.get("quartiere")
        if q and q.get("link"):
            r["quartiere"] = {**q, "link": root + q["link"]}
    return results


@bp.get("/api/search")
def api_search():
    q = params.parse_query(request.args)
    limit = params.parse_limit(request.args)
    results = _absolute_links(search(services(), q, limit, current_language()))
    return jsonify({"query": q, "count": len(results), "results": results})


@bp.get("/cerca")
def page():
    q = params.parse_query(request.args, required=False)
    limit = params.parse_limit(request.args)
    too_short = len(q) < params.MIN_QUERY
    results = [] if too_short else search(services(), q, limit, current_language())
    return render_template(
        "search/results.html",
        q=q,
        search_q=q,
        results=_absolute_links(results),
        too_short=too_short,
    )
