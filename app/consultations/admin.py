"""Consultations under /admin/consultations (roles moderator and admin): the list, a new
one, edit, close, and the results' export (CSV or JSON). Every POST carries the session's
CSRF token (the admin guard checks it); every change is in the audit log (the store)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for

from app.admin.auth import current_user, role_required
from app.consultations import export, service
from app.errors import InvalidParameter
from app.i18n import gettext
from app.services import services

bp = Blueprint("consultations_admin", __name__)
FIELDS = (
    "id", "title_it", "title_en", "description_it", "description_en",
    "layer", "version", "map", "opens", "ends",
)  # fmt: skip


def _drafts(svc) -> list[tuple[str, int]]:
    """(layer, version) of every stored draft version, for the form's choice."""
    out = []
    for layer in svc.store.layer_ids():
        out += [(layer, v.version) for v in svc.store.versions(layer) if v.status == "draft"]
    return out


@bp.get("/")
@role_required("moderator")
def index():
    svc = services()
    return render_template(
        "admin/consultations/index.html",
        items=svc.store.consultations(),
        drafts=_drafts(svc),
        is_open=service.is_open,
        values={},
        error=None,
    )


@bp.post("/")
@role_required("moderator")
def create():
    svc = services()
    values = {k: request.form.get(k, "") for k in FIELDS}
    if values["layer"] and ":" in values["layer"]:  # the form's choice: layer:version
        values["layer"], values["version"] = values["layer"].split(":", 1)
    try:
        c = service.create(svc, current_user().username, values)
    except InvalidParameter as exc:
        page = render_template(
            "admin/consultations/index.html",
            items=svc.store.consultations(),
            drafts=_drafts(svc),
            is_open=service.is_open,
            values=values,
            error=exc,
        )
        return page, 400
    flash(gettext("Consultazione aperta."))
    return redirect(url_for("consultations_admin.detail", cid=c.id), 303)


@bp.get("/<cid>")
@role_required("moderator")
def detail(cid: str):
    svc = services()
    c = svc.store.consultation(cid)
    return render_template(
        "admin/consultations/detail.html",
        c=c,
        open=service.is_open(c),
        results=export.results(svc, cid),
        error=None,
    )


@bp.post("/<cid>")
@role_required("moderator")
def edit(cid: str):
    fields = {k: request.form[k] for k in FIELDS[1:5] + ("opens", "ends") if k in request.form}
    service.edit(services(), cid, current_user().username, fields)
    flash(gettext("Fatto."))
    return redirect(url_for("consultations_admin.detail", cid=cid), 303)


@bp.post("/<cid>/close")
@role_required("moderator")
def close(cid: str):
    service.close(services(), cid, current_user().username)
    flash(gettext("Consultazione chiusa."))
    return redirect(url_for("consultations_admin.detail", cid=cid), 303)


@bp.get("/<cid>/export")
@role_required("moderator")
def download(cid: str):
    data = export.results(services(), cid)
    if request.args.get("format", "csv") == "json":
        response = jsonify(data)
        name = f"consultazione-{cid}.json"
    else:
        response = Response(export.as_csv(data), mimetype="text/csv")
        name = f"consultazione-{cid}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
