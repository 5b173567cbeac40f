"""The geoportal map pages."""

from app.viewer.views import bp

__all__ = ["bp"]
