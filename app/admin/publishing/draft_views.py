"""Review and publish a layer's draft (its pending feature edits). Thin views.

- `/admin/drafts`: the layers with pending edits, how many;
- `/admin/layers/<id>/draft`: the diff per feature and a map of before/after, with
  publish (a new version, origin `edit`), discard all, discard one feature's edits.

A publish refused by EditConflict (the layer was republished under edited features) shows
the page again with status 409, naming those features and offering to discard their edits.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from app.admin.auth import current_user, login_required
from app.admin.publishing import bp
from app.admin.publishing.drafts import conflict_rows, draft_review, pending_counts
from app.admin.publishing.preview import leaflet_assets
from app.admin.publishing.service import layer_ids, served_spec
from app.errors import DataError, EditConflict, LayerNotFound
from app.i18n import current_language, gettext
from app.services import services


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() else 1


def _draft_page(layer_id: str, conflict: EditConflict | None = None, status: int = 200):
    store = services().store
    spec = served_spec(store, layer_id)
    review = draft_review(store, spec, _page_arg(), current_language())
    published = request.args.get("published", "")
    page = render_template(
        "admin/publishing/draft.html",
        spec=spec,
        review=review,
        published=int(published) if published.isdigit() else None,
        conflict=conflict,
        conflicts=conflict_rows(review, conflict.features) if conflict else [],
        **leaflet_assets(),
    )
    return page, status


@bp.get("/drafts")
@login_required
def drafts():
    """Every layer with pending edits, how many, and a link to review each."""
    store = services().store
    counts = pending_counts(store, layer_ids(store))
    return render_template("admin/publishing/drafts.html", counts=counts)


@bp.get("/layers/<layer_id>/draft")
@login_required
def draft(layer_id: str):
    """The pending edits of the layer as a diff, a map of before/after, and the actions."""
    return _draft_page(layer_id)


@bp.post("/layers/<layer_id>/draft/publish")
@login_required
def publish_draft(layer_id: str):
    """Publish the draft as a new version (the page then links to it); a conflict shows
    the page again (409)."""
    store = services().store
    spec = served_spec(store, layer_id)
    try:
        info = store.publish_edits(spec, current_user().username)
    except EditConflict as exc:
        return _draft_page(layer_id, exc, 409)
    except (DataError, LayerNotFound) as exc:
        flash(gettext("Operazione non eseguita: {detail}").format(detail=exc.detail))
        return redirect(url_for(".draft", layer_id=layer_id))
    return redirect(url_for(".draft", layer_id=layer_id, published=info.version))


@bp.post("/layers/<layer_id>/draft/discard")
@login_required
def discard_draft(layer_id: str):
    """Discard the pending edits of the features named (`feature`, repeated), or of every
    feature with `all=1`; nothing without either."""
    store = services().store
    feature_ids = request.form.getlist("feature")
    if not feature_ids and request.form.get("all") != "1":
        flash(gettext("Nessun elemento scelto: nessuna modifica scartata."))
        return redirect(url_for(".draft", layer_id=layer_id))
    count = store.discard_edits(
        layer_id, current_user().username, feature_ids if feature_ids else None
    )
    flash(gettext("{n} modifiche scartate.").format(n=count))
    return redirect(url_for(".draft", layer_id=layer_id))
