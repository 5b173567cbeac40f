"""Published maps: composed in the admin, exported as one HTML file, embedded at /embed/<slug>.

Roles: editors see the maps, their embed snippets and download the standalone files;
admins create, change and delete them.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from pydantic import ValidationError

from app.admin.auth import current_user, login_required, role_required
from app.i18n import gettext
from app.maps.definitions import MapDefinition, MapStore, slugify
from app.maps.render import embed_csp, embed_page, embed_snippet, standalone_html
from app.security import content_security_policy
from app.services import services

#: The public side: /embed/<slug> (framable by any site, see app/security.py).
bp = Blueprint("maps", __name__, static_folder="static", static_url_path="/maps-assets")
#: The admin side, under /admin (login and CSRF from the admin guard).
admin_bp = Blueprint("maps_admin", __name__, url_prefix="/admin/maps")

_LABELS = {
    "slug": "Indirizzo (slug)",
    "title": "Titolo",
    "description": "Descrizione",
    "layers": "Layer",
    "basemap": "Mappa di base",
}


def map_store() -> MapStore:
    return MapStore(Path(current_app.config["GEOPORTALE"]["MAPS_DIR"]))


# -- public ------------------------------------------------------------------------------


@bp.get("/embed/<slug>")
def embed(slug: str):
    """The live map for an iframe on the council's website (public, framable)."""
    definition = map_store().get(slug)
    html = embed_page(definition)
    response = Response(html, mimetype="text/html")
    policy = content_security_policy(current_app.config["GEOPORTALE"], nonce=None, embed=True)
    # Scripts allowed by hash (no nonce), so this may be cached by any cache: see embed_csp.
    response.headers["Content-Security-Policy"] = embed_csp(policy, definition, html)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- admin -------------------------------------------------------------------------------


def _form_definition(form, slug: str | None) -> tuple[MapDefinition | None, dict]:
    """A MapDefinition from the form (slug fixed once made), or the errors by field."""
    values = {
        "slug": slug or form.get("slug", "").strip() or slugify(form.get("title", "")),
        "title": form.get("title", "").strip(),
        "description": form.get("description", "").strip() or None,
        "layers": tuple(form.getlist("layers")),
        "basemap": form.get("basemap", "osm"),
        "updated_by": current_user().username,
    }
    published = {s.id for s in services().registry.published}
    errors: dict[str, list[str]] = {}
    unknown = [name for name in values["layers"] if name not in published]
    if unknown:
        errors["layers"] = [f"non pubblicati / not published: {', '.join(unknown)}"]
    try:
        definition = MapDefinition.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            errors.setdefault(name, []).append(err["msg"].removeprefix("Value error, "))
        return None, errors
    return (None if errors else definition), errors


def _form_page(definition: dict, errors: dict, editing: bool, status: int = 200):
    page = render_template(
        "maps/admin_form.html",
        values=definition,
        errors=errors,
        labels=_LABELS,
        editing=editing,
        layers=services().registry.published,
    )
    return page, status


@admin_bp.get("/")
@login_required
def index():
    """Every published map with its embed snippet and export link."""
    maps = map_store().list()
    embeds = {m.slug: url_for("maps.embed", slug=m.slug, _external=True) for m in maps}
    snippets = {m.slug: embed_snippet(embeds[m.slug], m.title) for m in maps}
    return render_template("maps/admin_list.html", maps=maps, embeds=embeds, snippets=snippets)


@admin_bp.route("/new", methods=["GET", "POST"])
@role_required("admin")
def create():
    """Compose a new map from published layers."""
    if request.method == "GET":
        return _form_page({"basemap": "osm", "layers": ()}, {}, editing=False)
    definition, errors = _form_definition(request.form, None)
    if definition is not None and map_store().exists(definition.slug):
        errors = {"slug": ["esiste già una mappa con questo indirizzo / slug taken"]}
        definition = None
    if definition is None:
        return _form_page(
            request.form.to_dict() | {"layers": request.form.getlist("layers")},
            errors,
            editing=False,
            status=422,
        )
    map_store().save(definition)
    flash(gettext("Mappa «{title}» pubblicata.").format(title=definition.title))
    return redirect(url_for(".index"))


@admin_bp.route("/<slug>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit(slug: str):
    """Change a map's title, layers or basemap; its address stays."""
    store = map_store()
    current = store.get(slug)
    if request.method == "GET":
        return _form_page(current.model_dump(), {}, editing=True)
    definition, errors = _form_definition(request.form, current.slug)
    if definition is None:
        values = request.form.to_dict() | {"slug": slug, "layers": request.form.getlist("layers")}
        return _form_page(values, errors, editing=True, status=422)
    store.save(definition)
    flash(gettext("Mappa «{title}» aggiornata.").format(title=definition.title))
    return redirect(url_for(".index"))


@admin_bp.post("/<slug>/delete")
@role_required("admin")
def delete(slug: str):
    """Remove a map: its /embed/ address answers 404 from now on."""
    map_store().delete(slug)
    flash(gettext("Mappa {slug} eliminata.").format(slug=slug))
    return redirect(url_for(".index"))


@admin_bp.get("/<slug>/export.html")
@login_required
def export(slug: str):
    """The standalone HTML file (download): works from disk, offline, on any web server."""
    definition = map_store().get(slug)
    response = Response(standalone_html(definition), mimetype="text/html")
    # Always a download: under /admin the strict CSP would block the file's inline scripts.
    response.headers["Content-Disposition"] = f'attachment; filename="{slug}.html"'
    return response
