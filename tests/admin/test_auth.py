"""Login, logout, the guard on every /admin route, roles, CSRF, rate limit, sessions."""

from __future__ import annotations

import re
import sqlite3

import pytest
from flask import json

from app import create_app
from app.admin.account_rules import AccountError
from app.admin.auth import MAX_FAILURES
from app.admin.nav import register_nav
from tests.admin.conftest import ADMIN, EDITOR, login, page_csrf
from tests.admin.probes import probe_bp

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


JSON = {"Accept": "application/json"}


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.register_blueprint(probe_bp)
    register_nav(app, "probe.admin_page", "Solo amministratori", role="admin", order=90)
    register_nav(app, "probe.editor_page", "Prova redattori", order=10)
    return app


def _admin_urls(app):
    """Every rule under /admin except the public ones, with dummy arguments."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in {
            "admin.login",
            "admin.logout",
            "admin.static",
        }:
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_anonymous_is_refused_everywhere(app, client):
    urls = list(_admin_urls(app))
    assert ("GET", "/admin/") in urls and ("GET", "/admin/_probe/undecorated") in urls
    for method, url in urls:
        page = client.open(url, method=method)
        assert page.status_code == 302, (method, url)
        assert page.headers["Location"].startswith("/admin/login"), (method, url)
        api = client.open(url, method=method, headers=JSON)
        assert api.status_code == 401, (method, url)
        assert api.mimetype == "application/problem+json"
        assert api.get_json()["status"] == 401


def test_anonymous_get_comes_back_after_login(client, accounts):
    accounts.create(*EDITOR, "editor")
    first = client.get("/admin/_probe/editor?x=1")
    assert first.headers["Location"] == "/admin/login?next=/admin/_probe/editor?x%3D1"
    response = login(client, *EDITOR, next="/admin/_probe/editor?x=1")
    assert response.headers["Location"] == "/admin/_probe/editor?x=1"
    assert client.get("/admin/_probe/editor").get_data(as_text=True) == "editor ok: redattore"


def test_unknown_admin_paths_do_not_reveal_anything(client):
    assert client.get("/admin/nope").status_code == 302
    assert client.get("/admin").status_code in {302, 308}


def test_login_with_right_password(client, accounts):
    accounts.create(*EDITOR, "editor")
    response = login(client, *EDITOR)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "redattore" in page.get_data(as_text=True)


def test_login_is_case_insensitive_on_the_username(client, accounts):
    accounts.create(*EDITOR, "editor")
    assert login(client, EDITOR[0].upper(), EDITOR[1]).status_code == 302


@pytest.mark.parametrize(
    "username,password",
    [(EDITOR[0], "sbagliata-sbagliata"), ("nessuno", EDITOR[1]), (EDITOR[0], ""), ("", "x")],
)
def test_login_fails_with_wrong_credentials(client, accounts, username, password):
    accounts.create(*EDITOR, "editor")
    response = login(client, username, password)
    assert response.status_code == 401
    assert "Nome utente o password non validi" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_disabled_user_cannot_log_in(client, accounts):
    accounts.create(*EDITOR, "editor")
    accounts.set_disabled(EDITOR[0])
    assert login(client, *EDITOR).status_code == 401


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "x"],
)
def test_next_goes_only_to_local_paths(client, accounts, target):
    accounts.create(*EDITOR, "editor")
    response = login(client, *EDITOR, next=target)
    assert response.headers["Location"] == "/admin/"


def test_rate_limit_per_username_and_address(client, accounts):
    accounts.create(*EDITOR, "editor")
    accounts.create(*ADMIN, "admin")
    for _ in range(MAX_FAILURES):
        assert login(client, EDITOR[0], "sbagliata-sbagliata").status_code == 401
    locked = login(client, *EDITOR)  # even the right password waits
    assert locked.status_code == 429
    assert "Troppi tentativi" in locked.get_data(as_text=True)
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60
    # Another user from the same address, and the same user from elsewhere, are not locked.
    assert login(client, *ADMIN).status_code == 302
    other = client.application.test_client()
    token = page_csrf(other)
    elsewhere = other.post(
        "/admin/login",
        data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert elsewhere.status_code == 302


def test_success_clears_earlier_failures(client, accounts):
    accounts.create(*EDITOR, "editor")
    for _ in range(MAX_FAILURES - 1):
        login(client, EDITOR[0], "sbagliata-sbagliata")
    assert login(client, *EDITOR).status_code == 302
    client.post("/admin/logout", data={"csrf_token": page_csrf(client, "/admin/")})
    for _ in range(MAX_FAILURES - 1):
        assert login(client, EDITOR[0], "sbagliata-sbagliata").status_code == 401


def test_login_needs_csrf_token(client, accounts):
    accounts.create(*EDITOR, "editor")
    client.get("/admin/login")
    response = client.post("/admin/login", data={"username": EDITOR[0], "password": EDITOR[1]})
    assert response.status_code == 400
    assert "ricarica la pagina" in response.get_data(as_text=True)


def test_csrf_enforced_on_posts(admin_client):
    assert admin_client.post("/admin/_probe/echo").status_code == 400
    assert admin_client.post("/admin/_probe/echo", data={"csrf_token": "bad"}).status_code == 400
    bad_header = admin_client.post("/admin/_probe/echo", headers={"X-CSRF-Token": "bad"})
    assert bad_header.status_code == 400
    good_form = admin_client.post("/admin/_probe/echo", data={"csrf_token": admin_client.csrf})
    assert good_form.status_code == 200 and good_form.get_json() == {"ok": True}
    good_header = admin_client.post(
        "/admin/_probe/echo", json={}, headers=admin_client.csrf_headers
    )
    assert good_header.status_code == 200


def test_csrf_token_of_another_session_is_refused(app, admin_client, admin_client_admin):
    stolen = admin_client_admin.csrf
    assert stolen != admin_client.csrf
    assert admin_client.post("/admin/_probe/echo", data={"csrf_token": stolen}).status_code == 400


def test_login_starts_a_new_csrf_token(client, accounts):
    accounts.create(*EDITOR, "editor")
    before = page_csrf(client)
    login(client, *EDITOR)
    assert page_csrf(client, "/admin/") != before


def test_roles(admin_client, admin_client_admin):
    assert admin_client.get("/admin/_probe/editor").status_code == 200
    refused = admin_client.get("/admin/_probe/admin")
    assert refused.status_code == 403
    assert "admin" in refused.get_data(as_text=True)
    assert admin_client.get("/admin/_probe/admin", headers=JSON).status_code == 403
    assert admin_client_admin.get("/admin/_probe/admin").status_code == 200
    assert admin_client_admin.get("/admin/_probe/editor").status_code == 200


def test_role_required_rejects_unknown_roles():
    from app.admin.auth import role_required

    with pytest.raises(AccountError, match="unknown role"):
        role_required("superuser")


def test_logout(admin_client):
    confirm = admin_client.get("/admin/logout")
    assert confirm.status_code == 200  # a GET (a link, an <img>) logs nobody out
    assert admin_client.get("/admin/").status_code == 200
    assert admin_client.post("/admin/logout").status_code == 400  # CSRF-protected
    done = admin_client.post("/admin/logout", data={"csrf_token": admin_client.csrf})
    assert done.status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_disabling_a_user_ends_their_session(admin_client, accounts):
    accounts.set_disabled(EDITOR[0])
    assert admin_client.get("/admin/").status_code == 302


def test_changing_the_password_ends_old_sessions(admin_client, accounts):
    accounts.set_password(EDITOR[0], "un-altra-password-lunga")
    assert admin_client.get("/admin/").status_code == 302


def test_cookie_flags(client, accounts):
    accounts.create(*EDITOR, "editor")
    token = page_csrf(client)
    response = client.post(
        "/admin/login", data={"username": EDITOR[0], "password": EDITOR[1], "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("geoportale_admin=")
    for flag in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/admin"):
        assert flag in cookie


def test_insecure_cookies_for_plain_http_development(app_config):
    app_config["INSECURE_COOKIES"] = True
    client = create_app(app_config).test_client()
    cookie = client.get("/admin/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


def test_public_pages_set_no_cookie(client):
    assert "Set-Cookie" not in client.get("/api/collections").headers


def test_passwords_are_stored_hashed(app_config, accounts):
    accounts.create(*EDITOR, "editor")
    with sqlite3.connect(app_config["ACCOUNTS"]) as con:
        (stored,) = con.execute("SELECT password_hash FROM users").fetchone()
    assert EDITOR[1] not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_dashboard_lists_published_layers(app, admin_client):
    from app.services import services

    page = admin_client.get("/admin/").get_data(as_text=True)
    with app.app_context():
        svc = services()
        layers = svc.registry.published
        assert layers
        for spec in layers:
            info = svc.store.describe(spec.id)
            assert f'data-layer="{spec.id}"' in page
            assert f">{info.feature_count}</td>" in page
            assert spec.title.get("it") in page
    assert 'aria-current="page"' in page
    assert 'name="csrf_token"' in page  # the logout form


def test_json_problem_bodies_are_json(client):
    body = client.get("/admin/", headers=JSON).get_data(as_text=True)
    assert json.loads(body)["type"].endswith("#login-required")


def test_nav_shows_what_the_role_allows(app, admin_client, admin_client_admin):
    editor = admin_client.get("/admin/_probe/editor").get_data(as_text=True)
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert "Prova redattori" in page and "Solo amministratori" not in page
    assert page.index("Layer pubblicati") < page.index("Prova redattori")  # by order
    assert "editor ok" in editor
    page = admin_client_admin.get("/admin/").get_data(as_text=True)
    assert "Solo amministratori" in page
    assert page.count('aria-current="page"') == 1
    with pytest.raises(ValueError, match="already has"):
        register_nav(app, "probe.editor_page", "Di nuovo")
