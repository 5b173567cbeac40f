"""Fixtures of the contributions' tests: the editing fixture layers (interventi e1..e6, the
quartieri), an app with its own user database, a moderator logged in."""

from __future__ import annotations

import pytest

from tests.conftest import close_app
from tests.editing.conftest import (  # noqa: F401  (fixtures)
    accounts,
    editing_location,
    editing_pg_template,
    editing_store,
    settings,
    store,
)

MODERATOR = ("moderatrice", "una-password-lunga-3")


@pytest.fixture
def app(editing_location, tmp_path):  # noqa: F811 (the imported fixture)
    from app import create_app

    made = create_app(settings(editing_location, tmp_path) | {"CONTRIBUTION_MIN_FILL_SECONDS": 0})
    yield made
    close_app(made)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def moderator(app, accounts):  # noqa: F811 (the imported fixture)
    """A moderator logged in through the form; `.csrf_headers` carries its token."""
    from tests.admin.conftest import login, page_csrf

    accounts.create(*MODERATOR, "moderator")
    client = app.test_client()
    assert login(client, *MODERATOR).status_code == 302
    client.csrf_headers = {"X-CSRF-Token": page_csrf(client, "/admin/contributions/")}
    return client


@pytest.fixture
def runner_of():
    return lambda made: made.test_cli_runner()
