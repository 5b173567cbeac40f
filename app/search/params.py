"""Query parameters of the search, each parsed by one small function (400 on bad input)."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.errors import InvalidParameter

MAX_QUERY = 200
MIN_QUERY = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def parse_query(args: MultiDict, required: bool = True) -> str:
    """`q`: the text to find, 2 to 200 characters (blank counts as missing)."""
    raw = (args.get("q") or "").strip()
    if len(raw) > MAX_QUERY:
        raise InvalidParameter(f"q is too long: {len(raw)} characters, at most {MAX_QUERY}", "q")
    if len(raw) < MIN_QUERY and required:
        raise InvalidParameter(f"q must have at least {MIN_QUERY} characters", "q")
    return raw


def parse_limit(args: MultiDict) -> int:
    raw = args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidParameter(f"limit must be an integer from 1 to {MAX_LIMIT}", "limit")
    return int(raw)
