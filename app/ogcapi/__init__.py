"""OGC API - Features rooted at /api."""

from app.ogcapi import transactions  # noqa: F401 (registers the write routes on bp)
from app.ogcapi.views import bp

__all__ = ["bp"]
