"""The moderators' queue under /admin/contributions (roles moderator and admin).

Each action is a POST with the session's CSRF token (the admin guard checks it) and is
written in the audit log by the store, in the transaction of the change.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.admin.auth import current_user, role_required
from app.contributions import service
from app.contributions.views import photo_response, small_photo
from app.errors import NotFound
from app.i18n import gettext
from app.services import services
from app.stores.contributions import STATUSES

bp = Blueprint("contributions_admin", __name__)
PAGE = 50
ACTIONS = {
    "approve": lambda svc, cid, user, form: service.approve(svc, cid, user),
    "reject": lambda svc, cid, user, form: service.reject(svc, cid, user, form.get("reason")),
    "hide": lambda svc, cid, user, form: service.hide(svc, cid, user, form.get("reason")),
    "duplicate": lambda svc, cid, user, form: service.duplicate(
        svc, cid, user, form.get("duplicate_of", "")
    ),
    "answer": lambda svc, cid, user, form: service.answer(svc, cid, user, form.get("answer")),
    "assign": lambda svc, cid, user, form: service.assign(svc, cid, user, form.get("office")),
    "state": lambda svc, cid, user, form: service.set_state(
        svc, cid, user, form.get("state"), form.get("office") or None
    ),
    "photo-remove": lambda svc, cid, user, form: service.remove_photo(svc, cid, user),
}


@bp.get("/")
@role_required("moderator")
def queue():
    status = request.args.get("status", "in_moderazione")
    if status not in STATUSES:
        status = "in_moderazione"
    try:
        offset = max(0, int(request.args.get("offset", "0")))
    except ValueError:
        offset = 0
    page = services().store.contributions(
        status=status, limit=PAGE, offset=offset, newest_first=False
    )
    return render_template(
        "admin/contributions/queue.html",
        page=page,
        status=status,
        statuses=STATUSES,
        offset=offset,
        size=PAGE,
    )


@bp.get("/<cid>")
@role_required("moderator")
def detail(cid: str):
    svc = services()
    c = svc.store.contribution(cid)
    spec = service.participation()
    return render_template(
        "admin/contributions/detail.html",
        c=c,
        email=svc.store.contribution_email(cid),
        spec=spec,
        state=spec.state(c.state),
        office=spec.office(c.office),
    )


@bp.get("/<cid>/foto.jpg")
@role_required("moderator")
def photo(cid: str):
    """The photo of any contribution, for moderators (never cached)."""
    found = services().store.contribution_photo(cid, small_photo())
    if found is None:
        raise NotFound("Nessuna foto. / No photo.")
    return photo_response(found, f"segnalazione-{cid}", private=True)


@bp.post("/<cid>/<action>")
@role_required("moderator")
def act(cid: str, action: str):
    run = ACTIONS.get(action)
    if run is None:
        return redirect(url_for("contributions_admin.detail", cid=cid))
    run(services(), cid, current_user().username, request.form)
    flash(gettext("Fatto."))
    return redirect(url_for("contributions_admin.detail", cid=cid), 303)
