"""Probe views under /admin, added to a test app to exercise the decorators and the guard."""

from flask import Blueprint, jsonify

from app.admin.auth import current_user, login_required, role_required

probe_bp = Blueprint("probe", __name__, url_prefix="/admin/_probe")


@probe_bp.get("/editor")
@login_required
def editor_page():
    return f"editor ok: {current_user().username}"


@probe_bp.get("/admin")
@role_required("admin")
def admin_page():
    return "admin ok"


@probe_bp.post("/echo")
@login_required
def echo():
    return jsonify(ok=True)


@probe_bp.get("/undecorated")
def undecorated():
    """No decorator: the guard alone must keep anonymous users out."""
    return "should need a login"


@probe_bp.get("/boom")
@login_required
def boom():
    raise RuntimeError("internal detail /work/main/app/secret.py")
