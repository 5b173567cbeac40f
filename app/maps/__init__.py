"""Published maps for the council's website: compose from published layers, export, embed.

- `definitions`: MapDefinition (slug, title, layers, basemap) and MapStore, one JSON file
  per map in MAPS_DIR;
- `render`: the live embed page and the standalone HTML file (everything inline);
- `views`: /embed/<slug> (public) and /admin/maps/... (list, compose, export).
"""

from __future__ import annotations

from flask import Flask

from app.admin.nav import register_nav


def init_app(app: Flask) -> None:
    """Register the public and admin blueprints and the admin nav entry."""
    from app.maps.views import admin_bp, bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    register_nav(app, "maps_admin.index", "Mappe", order=30)
