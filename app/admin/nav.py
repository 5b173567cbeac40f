"""The admin navigation: a per-app list of entries that other admin pages add themselves to.

    from app.admin.nav import register_nav

    def init_app(app):
        app.register_blueprint(bp)
        register_nav(app, "publishing.import_form", "Importa", order=20)
        register_nav(app, "publishing.audit", "Registro modifiche", role="admin", order=50)

The admin base template lists the entries the current user's role may see, in `order`, and
marks the current page with aria-current. Templates can also add entries of their own in
the block `admin_nav_extra` of admin/base.html.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for

from app.admin.account_rules import check_role
from app.i18n import gettext

NAV_KEY = "geoportale.admin_nav"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    role: str = "editor"
    order: int = 100


def register_nav(app: Flask, endpoint: str, label: str, role: str = "editor", order: int = 100):
    """Add a page to the admin nav (shown to users with `role` or above).

    `label` is Italian interface text: the nav shows it translated (app/i18n.py)."""
    check_role(role)
    items = app.extensions.setdefault(NAV_KEY, [])
    if any(i.endpoint == endpoint for i in items):
        raise ValueError(f"admin nav already has {endpoint!r}")
    items.append(NavItem(endpoint, label, role, order))
    items.sort(key=lambda i: (i.order, i.label))


def nav_for(user) -> list[dict]:
    """The entries `user` may see: label, url, and whether it is the current page."""
    if user is None:
        return []
    return [
        {
            "label": gettext(item.label),
            "url": url_for(item.endpoint),
            "current": request.endpoint == item.endpoint,
        }
        for item in current_app.extensions.get(NAV_KEY, [])
        if user.has_role(item.role)
    ]
