"""Security checks not already in tests/admin: CSRF on every state-changing admin route found
in the URL map, a login rate limit shared by workers (parallel logins, the per-account cap,
revoked sessions on live workers), no secrets in the repository."""

from __future__ import annotations

import re
import subprocess

import pytest

from app import create_app
from app.admin.auth import ACCOUNTS_KEY, MAX_FAILURES
from scripts.reliability.common import REPO
from scripts.reliability.login import run_login
from tests.admin.conftest import login, page_csrf

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture
def app(ws):
    return create_app({**ws.settings(), "INSECURE_COOKIES": True})


def _admin(app):
    app.extensions[ACCOUNTS_KEY].create("capo", "una-password-lunga-3", "admin")
    client = app.test_client()
    assert login(client, "capo", "una-password-lunga-3").status_code == 302
    return client


def _state(app):
    store = app.extensions["geoportale"].store
    return store.generation(), len(store.audit_log(None, 10000))


def test_every_state_changing_admin_route_needs_the_csrf_token(app):
    client = _admin(app)
    routes = [
        (method, re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int" in m[0] else "carico", r.rule))
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/admin")
        for method in sorted(r.methods & UNSAFE)
    ]
    assert len(routes) >= 6
    before = _state(app)
    for method, url in routes:
        for token in (None, "wrong", page_csrf(app.test_client())):  # none, bad, another's
            data = {} if token is None else {"csrf_token": token}
            r = client.open(url, method=method, data=data)
            assert r.status_code == 400, (method, url, token, r.status_code)
    assert _state(app) == before


def test_login_rate_limit_is_shared_by_workers(ws):
    """Two apps on the same user database (two gunicorn workers) count failures together."""
    first, second = (create_app({**ws.settings(), "INSECURE_COOKIES": True}) for _ in range(2))
    first.extensions[ACCOUNTS_KEY].create("mario", "una-password-lunga-4", "editor")
    for _ in range(MAX_FAILURES):
        assert login(first.test_client(), "mario", "sbagliata").status_code == 401
    r = login(second.test_client(), "mario", "una-password-lunga-4")
    assert r.status_code == 429 and "Retry-After" in r.headers


def test_login_race_account_cap_and_revocation_on_live_workers(ws):
    """100 logins at once on 2 live workers test 5 passwords; 100 from as many addresses test
    the account's allowance and no more; a cookie copied before logout is dead after it."""
    result = run_login(ws, parallel=100, workers=2)
    report = "\n".join(result.lines())
    assert result.race_tested == MAX_FAILURES, report
    assert result.account_limit <= result.account_tested <= result.account_allowed, report
    assert result.office_status == 302, report
    assert result.replay_status == 302, report
    assert result.ok, report


def test_no_secret_or_user_database_is_tracked_by_git():
    try:
        files = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    bad = [
        f
        for f in files
        if f.startswith("instance/") or re.search(r"(secret_key|\.sqlite|\.pem|\.key|\.env)$", f)
    ]
    assert bad == []
    assert "instance" in (REPO / ".gitignore").read_text()
