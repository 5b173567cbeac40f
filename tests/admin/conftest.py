"""Admin fixtures: an app with its own user database, and logged-in clients.

    def test_something(admin_client):
        r = admin_client.post("/admin/...", data={"csrf_token": admin_client.csrf, ...})
        r = admin_client.post("/admin/...", json={...}, headers=admin_client.csrf_headers)

`admin_client` is logged in as an editor ("redattore"), `admin_client_admin` as an admin
("amministratore"); both on the same `app`, so they see the same store and users.
"""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.admin.auth import ACCOUNTS_KEY
from tests.conftest import DATA
from tests.publishing.hostile import hostile, listener  # noqa: F401 (fixtures)

EDITOR = ("redattore", "una-password-lunga-1")
ADMIN = ("amministratore", "una-password-lunga-2")


@pytest.fixture
def app_config(store_location, tmp_path) -> dict:
    """The settings of the admin tests' app (tests may change them before asking for `app`)."""
    return {
        "STORE": store_location,
        "LAYERS_DIR": str(DATA / "layers"),
        "DATA_ROOT": str(DATA),
        "BASEMAP": "none",
        "ACCOUNTS": str(tmp_path / "accounts.sqlite"),
    }


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def accounts(app):
    """The app's AccountStore."""
    return app.extensions[ACCOUNTS_KEY]


def page_csrf(client, path: str = "/admin/login") -> str:
    """The CSRF token of the client's session, as a page shows it."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def login(client, username: str, password: str, **extra):
    """Log in through the form (CSRF token included); returns the POST response."""
    token = page_csrf(client)
    data = {"username": username, "password": password, "csrf_token": token, **extra}
    return client.post("/admin/login", data=data)


def _logged_in(app, accounts, name: str, password: str, role: str):
    accounts.create(name, password, role)
    client = app.test_client()
    response = login(client, name, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.csrf = page_csrf(client, "/admin/")
    client.csrf_headers = {"X-CSRF-Token": client.csrf}
    client.user = accounts.get(name)
    return client


@pytest.fixture
def admin_client(app, accounts):
    """A test client logged in as an editor; `.csrf` is its token."""
    return _logged_in(app, accounts, *EDITOR, "editor")


@pytest.fixture
def admin_client_admin(app, accounts):
    """A test client logged in as an admin; `.csrf` is its token."""
    return _logged_in(app, accounts, *ADMIN, "admin")
