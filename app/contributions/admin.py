"""The moderators' queue under /admin/contributions (roles moderator and admin).

Each action is a POST with the session's CSRF token (the admin guard checks it) and is
written in the audit log by the store, in the transaction of the change.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.admin.auth import current_user, role_required
from app.contributions import bulk as bulk_moderation
from app.contributions import service
from app.contributions.model import MAX_REASON
from app.contributions.queue_filters import QueueFilter, parse_filter, parse_offset
from app.contributions.views import photo_response, small_photo
from app.errors import NotFound
from app.i18n import gettext
from app.services import services
from app.stores.contributions import KINDS, STATUSES

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
#: The actions after which a contribution leaves the queue it was in.
LEAVE_QUEUE = frozenset(("approve", "reject", "hide", "duplicate"))
BULK_DONE = {
    "approve": "Approvati: {n}.",
    "reject": "Rifiutati: {n}.",
    "hide": "Nascosti: {n}.",
}


@bp.get("/")
@role_required("moderator")
def queue():
    spec = service.participation()
    f = parse_filter(request.args, spec)
    offset = parse_offset(request.args)
    store = services().store
    page = store.contributions(
        status=f.status,
        limit=PAGE,
        offset=offset,
        newest_first=f.order == "newest",
        **f.store_filters(),
    )
    return render_template(
        "admin/contributions/queue.html",
        page=page,
        f=f,
        counts=store.contribution_status_counts(**f.store_filters()),
        statuses=STATUSES,
        kinds=KINDS,
        spec=spec,
        offset=offset,
        size=PAGE,
        max_reason=MAX_REASON,
    )


@bp.post("/bulk")
@role_required("moderator")
def bulk():
    """Approve, reject or hide the contributions chosen on a page of the queue."""
    f = parse_filter(request.args, service.participation())
    done = bulk_moderation.moderate_many(
        services(),
        request.form.get("action", ""),
        request.form.getlist("ids"),
        current_user().username,
        request.form.get("reason"),
        expect_status=f.status,
    )
    flash(gettext(BULK_DONE[done.action]).format(n=len(done.done)))
    if done.missing:
        flash(gettext("Non trovati, nulla è cambiato: {ids}.").format(ids=", ".join(done.missing)))
    if done.changed:
        now = ", ".join(f"{cid} ({gettext(status)})" for cid, status in done.changed)
        flash(gettext("Già cambiati da altri, lasciati come sono: {ids}.").format(ids=now))
    return redirect(url_for("contributions_admin.queue", **f.query()), 303)


@bp.get("/<cid>")
@role_required("moderator")
def detail(cid: str):
    svc = services()
    c = svc.store.contribution(cid)
    spec = service.participation()
    f = parse_filter(request.args, spec)
    if "status" not in request.args:
        f = replace(f, status=c.status)  # reached directly: its own status's queue
    return render_template(
        "admin/contributions/detail.html",
        c=c,
        f=f,
        following=_next_waiting(f, cid),
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
    f = parse_filter(request.args, service.participation())
    run = ACTIONS.get(action)
    if run is None:
        return redirect(url_for("contributions_admin.detail", cid=cid, **f.query()))
    run(services(), cid, current_user().username, request.form)
    flash(gettext("Fatto."))
    # The page stays (the moderator sees what was done) and links the next one waiting in
    # the same filtered queue; once it has left the queue, say whether any is left.
    if action in LEAVE_QUEUE and _next_waiting(f, cid) is None:
        flash(gettext("Nessun altro contributo in coda con questi filtri."))
    return redirect(url_for("contributions_admin.detail", cid=cid, **f.query()), 303)


def _next_waiting(f: QueueFilter, cid: str) -> str | None:
    """The id of the first contribution of the filtered queue other than `cid`, if any."""
    page = services().store.contributions(
        status=f.status, limit=2, newest_first=f.order == "newest", **f.store_filters()
    )
    return next((c.id for c in page.items if c.id != cid), None)
