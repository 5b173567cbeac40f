"""Publishing from the browser: the SIT office's import, report, preview, versions and edits.

The same service calls as `flask layers ...` (app/cli.py), behind the admin login:

- `uploads`: the import form (file saved under a sanitised name in a temporary directory);
- `views`: import, validation report, versions, publish / rollback / unpublish, audit log;
- `preview`: a draft (or any kept) version on a folium map, with its style and popups;
- `metadata`: the metadata and style form, validated by LayerSpec, saved by update_spec;
- `draft_views` (`drafts`): review, publish or discard a layer's pending feature edits.

Roles: an editor imports, previews, publishes, rolls back and edits; unpublishing (taking a
layer off the public site) is for admins. Published maps live in `app.maps`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app.admin.nav import register_nav

bp = Blueprint(
    "publishing",
    __name__,
    url_prefix="/admin",
    static_folder="static",
    static_url_path="/publishing-assets",
)

from app.admin.publishing import (  # noqa: E402,F401  (routes)
    draft_views,
    metadata,
    placement,
    preview,
    views,
)


def init_app(app: Flask) -> None:
    """Register the blueprint and its admin nav entries."""
    app.register_blueprint(bp)
    register_nav(app, "publishing.import_form", "Importa", order=10)
    register_nav(app, "publishing.layers", "Layer e versioni", order=20)
    register_nav(app, "publishing.drafts", "Modifiche in attesa", order=25)
    register_nav(app, "publishing.audit", "Registro", order=40)
