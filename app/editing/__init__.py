"""The web editor and the georeferencing queue of the SIT office, under /admin/edit.

- `fields`: the attribute form of a layer, as JSON for the page (from its layer file);
- `queue`: the features still without geometry, in the order the office places them;
- `views`: the list of editable layers, the editor page, the queue as JSON.

The editor writes only through the OGC API Features Part 4 views (app/ogcapi/
transactions.py), mounted at /admin/api where the admin session cookie goes, with the
session's CSRF token: one write path, one set of checks. Its scripts live in `static/`
(editor-map.js, editor-form.js, editor.js; Leaflet-Geoman from the vendor route).
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.admin.nav import register_nav

bp = Blueprint(
    "editing",
    __name__,
    url_prefix="/admin/edit",
    static_folder="static",
    static_url_path="/assets",
)

from app.editing import views  # noqa: E402,F401  (routes)


def init_app(app: Flask) -> None:
    """Register the blueprint and its admin nav entry."""
    app.register_blueprint(bp)
    register_nav(app, "editing.index", "Modifica e georeferenzia", order=15)
