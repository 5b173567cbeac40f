"""The Part 4 endpoints the editor calls, where the browser's admin session reaches them.

The admin session cookie is issued for /admin only (app/security.py), so a page cannot
send it to /api: the editor's requests go to /admin/edit/api/..., served by the very same
view functions as /api (app/ogcapi/transactions.py: `api_writer`, If-Match, validation,
the draft), so there is one write path with one set of checks, not a second one. Being
under /admin adds the admin guard (login, CSRF on every write) on top; errors are problem
JSON when the request asks for it (`Accept: application/problem+json`, as the editor does),
a page otherwise.
"""

from __future__ import annotations

from app.editing import bp
from app.ogcapi import transactions, views

PREFIX = "/api/collections/<collection_id>"

bp.add_url_rule(
    PREFIX + "/items",
    "api_create",
    transactions.create_item,
    methods=["POST"],
    provide_automatic_options=False,
)
bp.add_url_rule(
    PREFIX + "/items/<feature_id>", "api_item", views.item, provide_automatic_options=False
)
for method, view in (
    ("PUT", transactions.replace_item),
    ("PATCH", transactions.update_item),
    ("DELETE", transactions.delete_item),
):
    bp.add_url_rule(
        PREFIX + "/items/<feature_id>",
        f"api_{method.lower()}",
        view,
        methods=[method],
        provide_automatic_options=False,
    )
bp.add_url_rule(PREFIX + "/edits", "api_edits", transactions.pending_edits)
