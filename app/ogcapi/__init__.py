"""OGC API - Features rooted at /api."""

from app.ogcapi.views import bp

__all__ = ["bp"]
