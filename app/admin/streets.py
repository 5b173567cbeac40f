"""`GET /admin/streets.json?q=&limit=`: the street list as an autocomplete, for editors.

Answers `{"streets": [...], "attribution": "..."}`, each street `{"codice", "nome", "dug",
"denominazione", "codice_comunale"}` (app/streets.py ranks them). A blank `q` answers an empty
list (an autocomplete asks as the user types); `q` over 100 characters or a `limit` outside
1-50 is a 400 problem; no street list in the organisation file is a 404 problem. Send
`Accept: application/json`: errors then come as problem+json (a 401 when the session has
ended), not as HTML pages or the login redirect.
"""

from __future__ import annotations

from flask import jsonify, request

from app import streets
from app.admin.auth import login_required
from app.admin.views import bp
from app.errors import InvalidParameter

MAX_QUERY = 100
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def parse_query(args) -> str:
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        raise InvalidParameter(f"q is too long: at most {MAX_QUERY} characters", "q")
    return q


def parse_limit(args) -> int:
    raw = args.get("limit") or ""
    if not raw:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidParameter(f"limit must be an integer from 1 to {MAX_LIMIT}", "limit")
    return int(raw)


@bp.get("/streets.json")
@login_required
def streets_json():
    """Streets matching `q`, best first, with the list's attribution."""
    q, limit = parse_query(request.args), parse_limit(request.args)
    found = streets.suggest(q, limit) if q else []
    return jsonify({"streets": found, "attribution": streets.attribution()})
