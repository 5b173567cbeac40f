"""The limits on public requests, stated where clients read them.

Every public request has a bounded cost (DESIGN principle 9). The limits are settings
(app/settings.py); this module words them once, for the process descriptions, the OpenAPI
document and the download/print documentation, so the API says what the problems enforce.
"""

from __future__ import annotations

#: Setting name -> what it bounds, and what answers beyond it ({} is the value).
LIMIT_TEXT = {
    "MAX_PUBLIC_BODY_KB": "request body at most {} KB (413 beyond)",
    "MAX_PAIRS": "at most {} related (feature, reference feature) pairs for intersects, "
    "within, contains and disjoint (400 beyond; dwithin and beyond relate no pairs)",
    "MAX_RESULT_FEATURES": "a result of at most {} features (400 beyond; the summary output "
    "alone has no such limit)",
    "MAX_DOWNLOAD_FEATURES": "at most {} features per download (400 beyond)",
    "MAX_PRINT_FEATURES": "at most {} features drawn per print (400 beyond)",
    "HEAVY_SLOTS": "at most {} heavy requests (prints, process executions, large downloads) "
    "at once on the server (503 with Retry-After beyond)",
}


def limits_doc(settings: dict, names: tuple[str, ...]) -> dict:
    """{"GEOPORTALE_<NAME>": value} of the named limits (0 slots: no limit, left out)."""
    return {f"GEOPORTALE_{n}": settings[n] for n in names if settings[n]}


def limits_text(settings: dict, names: tuple[str, ...]) -> str:
    """One sentence stating the named limits, e.g. for a description."""
    parts = [LIMIT_TEXT[n].format(settings[n]) for n in names if settings[n]]
    return ("Limits: " + "; ".join(parts) + ".") if parts else ""
