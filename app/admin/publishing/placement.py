"""Bulk placement from the browser: upload, report, then write the rows to the draft.

    GET  /admin/layers/<id>/place            the upload form
    POST /admin/layers/<id>/place            check the file: its report (nothing written);
                                             the file is kept server-side under a token
    POST /admin/layers/<id>/place/<token>    check the kept file again and write its rows
                                             as pending edits (one transaction), then link
                                             to the layer's draft

The token of a kept file is remembered in the editor's session, so only whoever uploaded it
can write it; it expires with the file (uploads.KEPT_SECONDS). Thin views over
app/publishing/placement.py, which the CLI (`flask layers place`) calls too.
"""

from __future__ import annotations

from flask import render_template, request, session

from app.admin.auth import current_user, role_required
from app.admin.publishing import bp
from app.admin.publishing.service import split_issues
from app.admin.publishing.uploads import (
    CRS_CHOICES,
    drop_upload,
    keep_upload,
    kept_upload,
    parse_crs_field,
)
from app.errors import (
    DataError,
    EditConflict,
    EditingDisabled,
    FeatureNotFound,
    GeoportaleError,
    InvalidFeature,
    PreconditionFailed,
)
from app.i18n import gettext
from app.publishing.placement import PlacementOptions, apply_placement, plan_placement, served_spec
from app.publishing.readers import ImportRefused
from app.services import services

_SESSION = "placements"  # token -> the options the file was checked with
_MAX_KEPT = 5  # tokens remembered per session (each a few dozen bytes of the cookie)


def _form_page(layer_id: str, error: str | None = None, status: int = 200):
    spec = served_spec(services().store, layer_id)  # 404 for a layer not served
    values = {k: request.form.get(k, "") for k in ("crs", "crs_other", "layer")}
    page = render_template(
        "admin/publishing/place.html",
        layer_id=layer_id,
        spec=spec,
        error=error,
        values=values,
        crs_choices=CRS_CHOICES,
    )
    return page, status


def _report_page(layer_id: str, plan, token: str | None, written: int | None = None):
    report = plan.report.as_dict()
    page = render_template(
        "admin/publishing/place_report.html",
        layer_id=layer_id,
        report=report,
        issues=split_issues(report),
        rows=len(plan.rows),
        token=token,
        written=written,
        draft_url=f"{request.script_root}/admin/layers/{layer_id}/draft",
    )
    return page, 200 if plan.ok or written else 422


@bp.get("/layers/<layer_id>/place")
@role_required("editor")
def place_form(layer_id: str):
    """The upload form of a bulk placement."""
    return _form_page(layer_id)


@bp.post("/layers/<layer_id>/place")
@role_required("editor")
def place_upload(layer_id: str):
    """Check the uploaded file and show its report; keep the file for the write."""
    store = services().store
    try:
        opts = PlacementOptions(
            layer_id,
            crs=parse_crs_field(request.form.get("crs_other", "") or request.form.get("crs", "")),
            layer=request.form.get("layer", "").strip() or None,
        )
        token, path = keep_upload(request.files.get("file"))
        try:
            plan = plan_placement(store, path, opts)
        except GeoportaleError:
            drop_upload(token)
            raise
    except (ImportRefused, DataError) as exc:
        return _form_page(layer_id, exc.detail, 422)
    if not plan.ok:
        drop_upload(token)
        return _report_page(layer_id, plan, None)
    kept = dict(session.get(_SESSION, {}))
    for old in list(kept)[: max(0, len(kept) - _MAX_KEPT + 1)]:
        drop_upload(old)
        kept.pop(old)
    kept[token] = {"layer_id": layer_id, "crs": opts.crs, "layer": opts.layer}
    session[_SESSION] = kept
    return _report_page(layer_id, plan, token)


@bp.post("/layers/<layer_id>/place/<token>")
@role_required("editor")
def place_apply(layer_id: str, token: str):
    """Check the kept file again (the draft may have changed) and write its rows."""
    kept = dict(session.get(_SESSION, {}))
    saved = kept.get(token)
    path = kept_upload(token) if saved and saved["layer_id"] == layer_id else None
    if path is None:
        msg = gettext("Il file non è più disponibile: caricalo di nuovo.")
        return _form_page(layer_id, msg, 410)
    store = services().store
    try:
        plan = plan_placement(store, path, PlacementOptions(layer_id, saved["crs"], saved["layer"]))
        if not plan.ok:
            return _report_page(layer_id, plan, token)
        written = apply_placement(store, plan, current_user().username)
    except (ImportRefused, DataError) as exc:
        return _form_page(layer_id, exc.detail, 422)
    except (
        PreconditionFailed,
        FeatureNotFound,
        EditConflict,
        InvalidFeature,
        EditingDisabled,
    ) as exc:
        # a feature changed meanwhile, or the layer's file now says no: nothing written
        return _form_page(layer_id, exc.detail, exc.status)
    drop_upload(token)
    kept.pop(token, None)
    session[_SESSION] = kept
    return _report_page(layer_id, plan, None, written=len(written))
