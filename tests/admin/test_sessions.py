"""Server-side revocation of admin sessions: a copied cookie dies with the session.

Each user has a session generation in the user database; a session carries the generation
it was opened with and is refused once the user's generation moves on (logout, disable,
enable, password change).
"""

from __future__ import annotations

import sqlite3

from app import create_app
from tests.admin.conftest import ADMIN, EDITOR, login, page_csrf

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

COOKIE = "geoportale_admin"


def _copy_session(app, client):
    """A fresh client carrying a copy of `client`'s session cookie (a stolen cookie)."""
    cookie = client.get_cookie(COOKIE, path="/admin")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value, path="/admin")
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    return thief


def test_copied_cookie_fails_after_logout(app, admin_client):
    thief = _copy_session(app, admin_client)
    done = admin_client.post("/admin/logout", data={"csrf_token": admin_client.csrf})
    assert done.status_code == 302
    assert thief.get("/admin/").status_code == 302
    assert thief.get("/admin/", headers={"Accept": "application/json"}).status_code == 401


def test_copied_cookie_fails_after_disable_and_enable(app, admin_client, runner):
    thief = _copy_session(app, admin_client)
    assert runner.invoke(args=["users", "disable", EDITOR[0]]).exit_code == 0
    assert runner.invoke(args=["users", "enable", EDITOR[0]]).exit_code == 0
    assert thief.get("/admin/").status_code == 302
    assert admin_client.get("/admin/").status_code == 302
    # The user can log in again and gets a working session.
    fresh = app.test_client()
    assert login(fresh, *EDITOR).status_code == 302
    assert fresh.get("/admin/").status_code == 200


def test_copied_cookie_fails_after_password_change(app, admin_client, runner):
    thief = _copy_session(app, admin_client)
    result = runner.invoke(
        args=["users", "passwd", EDITOR[0], "--password-stdin"], input="un-altra-password-1\n"
    )
    assert result.exit_code == 0, result.output
    assert thief.get("/admin/").status_code == 302


def test_other_users_sessions_are_unaffected(app, admin_client, admin_client_admin, accounts):
    other = _copy_session(app, admin_client_admin)
    admin_client.post("/admin/logout", data={"csrf_token": admin_client.csrf})
    assert admin_client_admin.get("/admin/").status_code == 200
    accounts.set_disabled(EDITOR[0])
    accounts.set_disabled(EDITOR[0], False)
    assert admin_client_admin.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 200


def test_a_new_login_does_not_end_other_sessions(app, admin_client, accounts):
    """Logging in on a second device leaves the first one logged in (only logout ends them)."""
    second = app.test_client()
    assert login(second, *EDITOR).status_code == 302
    assert admin_client.get("/admin/").status_code == 200
    assert second.get("/admin/").status_code == 200


def test_a_database_made_before_session_generations_is_migrated(app_config):
    """An accounts file from before the session_gen column works and gains the column."""
    path = app_config["ACCOUNTS"]
    with sqlite3.connect(path) as con:
        con.executescript(
            """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
                created_at TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
            """
        )
    from werkzeug.security import generate_password_hash

    with sqlite3.connect(path) as con:
        con.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            (ADMIN[0], generate_password_hash(ADMIN[1]), "admin", "2024-01-01T00:00:00+00:00"),
        )
    app = create_app(app_config)
    client = app.test_client()
    assert login(client, *ADMIN).status_code == 302
    assert client.get("/admin/").status_code == 200
    with sqlite3.connect(path) as con:
        columns = {row[1] for row in con.execute("PRAGMA table_info(users)")}
    assert "session_gen" in columns
    client.post("/admin/logout", data={"csrf_token": page_csrf(client, "/admin/")})
    with sqlite3.connect(path) as con:
        (gen,) = con.execute("SELECT session_gen FROM users").fetchone()
    assert gen == 1
