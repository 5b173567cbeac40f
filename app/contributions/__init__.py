"""Citizens' contributions: comments, reports and proposals on the council's pages,
moderated before anything is public, answered by the council (docs/participation.md).

- `model`: what is sent, checked (one place for the form and the JSON API);
- `service`: the rules (submit, follow, moderate, flag, forget, purge);
- `views`: the public form, `/api/contributions`, the private follow page;
- `admin`: the moderators' queue under /admin/contributions; `cli`: `flask contributions`;
- `links`: an approved text's web addresses as links (never before approval);
- `outputs` and `public_data`: what approved contributions become in public (the OGC API
  collection, the map layer, the quartiere feeds, the open-data downloads).

The data lives in the store (app/stores/catalog_contributions.py), beside the layers.
"""

from __future__ import annotations

from flask import Flask

from app.admin.nav import register_nav
from app.contributions import public_data
from app.contributions.admin import bp as admin_bp
from app.contributions.cli import contributions_cli
from app.contributions.links import linked
from app.contributions.views import bp, panel


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(admin_bp, url_prefix="/admin/contributions")
    register_nav(app, "contributions_admin.queue", "Contributi", role="moderator", order=40)
    app.jinja_env.globals["contributions_panel"] = panel
    app.add_template_filter(linked, "linked")  # approved texts only (links.py)
    app.cli.add_command(contributions_cli)
    public_data.init_app(app)
