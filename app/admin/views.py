"""The admin shell: login, logout and the dashboard. Thin views; the rules are in auth.py."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.admin.auth import (
    accounts,
    current_user,
    login_failed,
    login_required,
    login_succeeded,
    login_user,
    logout_user,
    reserve_login,
    safe_next,
)
from app.admin.publishing.drafts import pending_counts
from app.errors import LayerNotFound
from app.i18n import gettext
from app.services import services

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static")

BAD_LOGIN = "Nome utente o password non validi."


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success, back to `next` (a local path) or the dashboard."""
    next_url = request.values.get("next") or ""
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(next_url))
        return render_template("admin/login.html", next=next_url, username="", error=None)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    attempt = reserve_login(username)  # counted before the password is tested: no races
    user = accounts().authenticate(username, password) if username and password else None
    if user is None:
        login_failed(attempt)
        page = render_template(
            "admin/login.html", next=next_url, username=username, error=gettext(BAD_LOGIN)
        )
        return page, 401
    login_succeeded(attempt)
    login_user(user)
    log.info("login: %s (%s) from %s", user.username, user.role, request.remote_addr)
    return redirect(safe_next(next_url))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """GET asks to confirm (a link cannot log anyone out); POST ends the session."""
    user = current_user()
    if request.method == "GET":
        if user is None:
            return redirect(url_for("admin.login"))
        return render_template("admin/logout.html")
    if user is not None:
        log.info("logout: %s", user.username)
    logout_user()
    flash(gettext("Sei uscito dall'area riservata."))
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def dashboard():
    """The published layers, with the version and feature count the store serves."""
    svc = services()
    layers = []
    for spec in svc.registry.published:
        try:
            info = svc.store.describe(spec.id)
        except LayerNotFound:
            info = None
        layers.append({"spec": spec, "info": info})
    pending = pending_counts(svc.store, [row["spec"].id for row in layers if row["info"]])
    return render_template("admin/dashboard.html", layers=layers, pending=pending)
