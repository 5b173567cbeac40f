"""Consultations: the office opens one on a draft version of a layer (e.g. alternative
quartieri boundaries) or on a map, with a title, a description and a window; citizens
comment on it (comments are contributions, moderated first); the results are exported for
the council (docs/participation.md).

- `service`: the rules (create, edit, close, the draft, comments);
- `export`: the results (counts by status, state, area and feature; approved comments);
- `feed`: the quartiere feeds announce each consultation (not its comments);
- `views`: /consultazioni, the draft's GeoJSON, the comment form and JSON API;
- `admin`: /admin/consultations; `cli`: `flask consultations`.
"""

from __future__ import annotations

from flask import Flask

from app import hooks
from app.admin.nav import register_nav
from app.consultations import feed
from app.consultations.admin import bp as admin_bp
from app.consultations.cli import consultations_cli
from app.consultations.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp, url_prefix="/admin/consultations")
    register_nav(app, "consultations_admin.index", "Consultazioni", role="moderator", order=41)
    app.cli.add_command(consultations_cli)
    hooks.register(app, "quartieri.feed_entries", feed.feed_entries)
