"""Fixtures of the editor tests: the editing fixture layers (tests/data/editing: interventi
with features to place, the quartieri, a boundary, house numbers), an app with its own user
database, logged-in clients, and the app on a real socket for the browser tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from app.admin.accounts import AccountStore
from app.admin.auth import ACCOUNTS_KEY
from tests.conftest import DATA, close_app, pg_template_database, store_of_backend

EDITING = DATA / "editing"
LAYERS = EDITING / "layers"
EDITOR = ("redattore", "una-password-lunga-1")
ADMIN = ("amministratore", "una-password-lunga-2")


def settings(store: str, tmp_path: Path) -> dict:
    return {
        "STORE": store,
        "LAYERS_DIR": str(LAYERS),
        "DATA_ROOT": str(DATA),
        "BASEMAP": "none",
        "ACCOUNTS": str(tmp_path / "accounts.sqlite"),
    }


@pytest.fixture(scope="session")
def editing_store(tmp_path_factory) -> Path:
    """The editing fixture layers built once (the factory builds a missing store)."""
    root = tmp_path_factory.mktemp("editing")
    close_app(create_app(settings(str(root / "editing.gpkg"), root)))
    return root / "editing.gpkg"


@pytest.fixture(scope="session")
def editing_pg_template():
    from app.registry import load_registry
    from app.stores.build import sync_shipped

    def fill(url):
        sync_shipped(load_registry(LAYERS, DATA), DATA, LAYERS, url)

    with pg_template_database("editing", fill) as template:
        yield template


@pytest.fixture
def editing_location(backend, editing_store, tmp_path, request) -> str:
    return store_of_backend(backend, editing_store, tmp_path, request, "editing_pg_template")


@pytest.fixture
def app(editing_location, tmp_path):
    app = create_app(settings(editing_location, tmp_path))
    yield app
    close_app(app)


@pytest.fixture
def store(app):
    from app.services import KEY

    return app.extensions[KEY].store


@pytest.fixture
def accounts(app):
    return app.extensions[ACCOUNTS_KEY]


def logged_in(app, accounts, name: str, password: str, role: str):
    """A test client logged in through the form; `.csrf_headers` carries its token."""
    from tests.admin.conftest import login, page_csrf

    accounts.create(name, password, role)
    client = app.test_client()
    assert login(client, name, password).status_code == 302
    client.csrf_headers = {"X-CSRF-Token": page_csrf(client, "/admin/")}
    return client


@pytest.fixture
def editor(app, accounts):
    return logged_in(app, accounts, *EDITOR, "editor")


@pytest.fixture
def admin(app, accounts):
    return logged_in(app, accounts, *ADMIN, "admin")


def serve(tmp_path: Path, editing_store: Path, request, extra: str = "") -> dict:
    """The editing app served by a real process, with one editor (EDITOR) who can log in;
    `extra`: more settings (lines of NAME=value)."""
    store = tmp_path / "editing-live.gpkg"
    shutil.copy(editing_store, store)
    accounts = tmp_path / "accounts.sqlite"
    AccountStore(accounts).create(EDITOR[0], EDITOR[1], "editor")
    (tmp_path / "env").write_text(
        f"GEOPORTALE_STORE={store}\nGEOPORTALE_LAYERS_DIR={LAYERS}\nGEOPORTALE_DATA_ROOT={DATA}\n"
        f"GEOPORTALE_ACCOUNTS={accounts}\nGEOPORTALE_INSECURE_COOKIES=true\n"
        f"GEOPORTALE_SECRET_KEY={'s' * 48}\n{extra}"
    )
    return {"url": request.getfixturevalue("live_server"), "store": store}


@pytest.fixture
def editing_server(tmp_path, editing_store, request):
    return serve(tmp_path, editing_store, request)


@pytest.fixture
def editing_server_tiles(tmp_path, editing_store, request):
    """As `editing_server`, every layer counted as big (vector tiles, loaded by bbox)."""
    return serve(tmp_path, editing_store, request, "GEOPORTALE_TILES_THRESHOLD=0\n")
