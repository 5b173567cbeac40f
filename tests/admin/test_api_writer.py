"""`api_writer`: who may write through the API (bearer token, or session + CSRF), on probe
routes outside /admin as the OGC API write endpoints are."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify

from app import create_app
from app.admin.account_rules import AccountError
from app.admin.auth import api_writer
from app.admin.limiter import MAX_FAILURES
from app.security import SESSION_COOKIE
from tests.admin.conftest import EDITOR, login

probe_api = Blueprint("probe_api", __name__, url_prefix="/api/_probe")


@probe_api.post("/write")
def write():
    return jsonify(user=api_writer().username)


@probe_api.delete("/admin-write")
def admin_write():
    return jsonify(user=api_writer("admin").username)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.register_blueprint(probe_api)
    return app


@pytest.fixture
def editor_token(accounts):
    accounts.create(*EDITOR, "editor")
    return accounts.create_token(EDITOR[0]).token


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_no_credentials_is_401_with_a_bearer_challenge(client):
    r = client.post("/api/_probe/write", json={})
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="geoportale"'
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["type"].endswith("#login-required")
    # Another scheme (a proxy's Basic login) is not a token: the same answer.
    r = client.post("/api/_probe/write", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert r.status_code == 401 and "error=" not in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize("token", ["gcp_non-esiste", "non-nostro", ""])
def test_a_bad_token_is_401_invalid_token(client, editor_token, token):
    r = client.post("/api/_probe/write", headers=_bearer(token))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="geoportale", error="invalid_token"'
    assert r.get_json()["type"].endswith("#invalid-token")


def test_a_good_token_writes_without_csrf_or_cookie(client, editor_token):
    r = client.post("/api/_probe/write", headers=_bearer(editor_token), json={})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json() == {"user": EDITOR[0]}
    assert "Set-Cookie" not in r.headers
    assert client.get_cookie(SESSION_COOKIE, path="/admin") is None
    r = client.post("/api/_probe/write", headers={"Authorization": f"bearer  {editor_token} "})
    assert r.status_code == 200  # the scheme is case-insensitive (RFC 9110)


def test_revoked_and_disabled_tokens_are_401(client, accounts, editor_token):
    accounts.set_disabled(EDITOR[0])
    assert client.post("/api/_probe/write", headers=_bearer(editor_token)).status_code == 401
    accounts.set_disabled(EDITOR[0], False)
    assert client.post("/api/_probe/write", headers=_bearer(editor_token)).status_code == 200
    accounts.revoke_tokens(EDITOR[0])
    assert client.post("/api/_probe/write", headers=_bearer(editor_token)).status_code == 401


def test_a_role_too_low_is_403(client, accounts, editor_token):
    r = client.delete("/api/_probe/admin-write", headers=_bearer(editor_token))
    assert r.status_code == 403
    assert r.get_json()["type"].endswith("#forbidden")
    accounts.create("capo", "una-password-lunga-9", "admin")
    admin_token = accounts.create_token("capo").token
    r = client.delete("/api/_probe/admin-write", headers=_bearer(admin_token))
    assert r.status_code == 200 and r.get_json() == {"user": "capo"}


def test_unknown_roles_are_refused(app):
    with app.test_request_context("/api/_probe/write", method="POST"):
        with pytest.raises(AccountError, match="unknown role"):
            api_writer("superuser")


def _session_client(logged_in):
    """`logged_in`'s session cookie sent to every path (it is issued for /admin only)."""
    cookie = logged_in.get_cookie(SESSION_COOKIE, path="/admin")
    logged_in.set_cookie(SESSION_COOKIE, cookie.value, path="/")
    return logged_in


def test_a_session_needs_its_csrf_token(admin_client):
    client = _session_client(admin_client)
    r = client.post("/api/_probe/write", json={})
    assert r.status_code == 400 and r.get_json()["type"].endswith("#csrf-failed")
    r = client.post("/api/_probe/write", headers={"X-CSRF-Token": "sbagliato"})
    assert r.status_code == 400
    r = client.post("/api/_probe/write", headers=client.csrf_headers, json={})
    assert r.status_code == 200 and r.get_json() == {"user": EDITOR[0]}
    r = client.delete("/api/_probe/admin-write", headers=client.csrf_headers)
    assert r.status_code == 403


def test_an_ended_session_is_401(admin_client, accounts):
    client = _session_client(admin_client)
    accounts.end_sessions(client.user.id)
    r = client.post("/api/_probe/write", headers=client.csrf_headers)
    assert r.status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(admin_client):
    client = _session_client(admin_client)
    headers = {**client.csrf_headers, **_bearer("gcp_non-esiste")}
    assert client.post("/api/_probe/write", headers=headers).status_code == 401


def test_bad_tokens_from_one_address_are_refused(app, editor_token):
    client = app.test_client()
    for _ in range(MAX_FAILURES):
        assert client.post("/api/_probe/write", headers=_bearer("gcp_x")).status_code == 401
    refused = client.post("/api/_probe/write", headers=_bearer(editor_token))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.post("/api/_probe/write", headers=_bearer(editor_token)).status_code == 200
    # Only bearer requests are refused: the office still logs in from that address.
    assert login(client, *EDITOR).status_code == 302
