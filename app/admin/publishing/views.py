"""Import, validation report, versions, publish / rollback / unpublish, audit. Thin views."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for

from app.admin.auth import current_user, login_required, role_required
from app.admin.publishing import bp
from app.admin.publishing.service import layer_ids, layer_rows, split_issues, version_info
from app.admin.publishing.uploads import CRS_CHOICES, import_options, saved_upload
from app.errors import DataError, LayerNotFound
from app.i18n import gettext
from app.publishing.importer import import_file
from app.publishing.readers import ImportRefused
from app.services import services

log = logging.getLogger(__name__)

_FORM_FIELDS = ("layer_id", "layer", "crs", "crs_other", "title", "id_field", "renames", "licence")


def _username() -> str:
    return current_user().username


def _import_page(error: str | None = None, status: int = 200):
    values = {k: request.form.get(k, "") for k in _FORM_FIELDS}
    values["publish"] = request.form.get("publish") == "1"
    values["layer_id"] = values["layer_id"] or request.args.get("layer", "")
    page = render_template(
        "admin/publishing/import.html",
        error=error,
        values=values,
        crs_choices=CRS_CHOICES,
        existing=layer_ids(services().store),
    )
    return page, status


@bp.get("/import")
@login_required
def import_form():
    """The upload form (`?layer=ID` preselects a layer to replace)."""
    return _import_page()


@bp.post("/import")
@login_required
def import_upload():
    """Import the upload: clean → its report page; blocked → the report here; unreadable →
    the form again with the reason. Nothing is written unless the report is clean."""
    store = services().store
    try:
        opts = import_options(request.form)
        with saved_upload(request.files.get("file")) as path:
            result = import_file(
                store,
                path,
                opts,
                _username(),
                progress=lambda step: log.info("import %s: %s", opts.layer_id, step),
            )
    except ImportRefused as exc:
        return _import_page(exc.detail, 422)
    report = result.report.as_dict()
    if result.report.blocking:
        page = render_template(
            "admin/publishing/report.html",
            report=report,
            issues=split_issues(report),
            layer_id=opts.layer_id,
            info=None,
        )
        return page, 422
    if report["published"]:
        flash(
            gettext("Versione {version} di {layer} pubblicata.").format(
                version=report["version"], layer=opts.layer_id
            )
        )
    else:
        flash(
            gettext("Versione {version} di {layer} importata come bozza.").format(
                version=report["version"], layer=opts.layer_id
            )
        )
    return redirect(url_for(".report", layer_id=opts.layer_id, version=report["version"]))


@bp.get("/layers/<layer_id>/versions/<int:version>/report")
@login_required
def report(layer_id: str, version: int):
    """The validation report of a stored version, with Publish and Preview buttons."""
    info = version_info(services().store, layer_id, version)
    data = dict(info.report or {})
    return render_template(
        "admin/publishing/report.html",
        report=data,
        issues=split_issues(data),
        layer_id=layer_id,
        info=info,
    )


@bp.get("/layers")
@login_required
def layers():
    """Every layer the store has: served version, newest version, drafts waiting."""
    return render_template("admin/publishing/layers.html", rows=layer_rows(services().store))


@bp.get("/layers/<layer_id>/versions")
@login_required
def versions(layer_id: str):
    """The versions of one layer: who, when, counts, source, status, report; actions."""
    store = services().store
    rows = store.versions(layer_id)
    return render_template(
        "admin/publishing/versions.html",
        layer_id=layer_id,
        rows=rows,
        spec=rows[0].spec,
        served=next((v for v in rows if v.status == "published"), None),
        can_rollback=any(v.status == "retired" for v in rows),
        audit=store.audit_log(layer_id, 20),
        pending_edits=store.pending_counts().get(layer_id, 0),
    )


def _act(layer_id: str, action, done: str):
    """Run a store action; its refusal (DataError, LayerNotFound) becomes a message."""
    try:
        action()
    except (DataError, LayerNotFound) as exc:
        flash(gettext("Operazione non eseguita: {detail}").format(detail=exc.detail))
    else:
        flash(done)
    return redirect(url_for(".versions", layer_id=layer_id))


@bp.post("/layers/<layer_id>/versions/<int:version>/publish")
@login_required
def publish(layer_id: str, version: int):
    """Serve this version from now on."""
    store = services().store
    version_info(store, layer_id, version)
    return _act(
        layer_id,
        lambda: store.publish(layer_id, version, _username()),
        gettext("Versione {version} di {layer} pubblicata.").format(
            version=version, layer=layer_id
        ),
    )


@bp.post("/layers/<layer_id>/rollback")
@login_required
def rollback(layer_id: str):
    """Serve the previously published version again."""
    store = services().store
    return _act(
        layer_id,
        lambda: store.rollback(layer_id, _username()),
        gettext("{layer}: ripristinata la versione precedente.").format(layer=layer_id),
    )


@bp.post("/layers/<layer_id>/unpublish")
@role_required("admin")
def unpublish(layer_id: str):
    """Stop serving the layer (admins only); its versions stay for a later publish."""
    store = services().store
    return _act(
        layer_id,
        lambda: store.unpublish(layer_id, _username()),
        gettext("{layer} non è più pubblicato.").format(layer=layer_id),
    )


@bp.get("/audit")
@login_required
def audit():
    """The audit log of every layer, newest first."""
    rows = services().store.audit_log(None, 500)
    return render_template("admin/publishing/audit.html", rows=rows, layer_id=None)


@bp.get("/layers/<layer_id>/audit")
@login_required
def layer_audit(layer_id: str):
    """The audit log of one layer."""
    rows = services().store.audit_log(layer_id, 500)
    return render_template("admin/publishing/audit.html", rows=rows, layer_id=layer_id)
