"""Maps tests reuse the admin fixtures (app with its own user database, logged-in clients)."""

from __future__ import annotations

import pytest

from tests.admin.conftest import (  # noqa: F401  (fixtures)
    accounts,
    admin_client,
    admin_client_admin,
    app,
)
from tests.conftest import DATA


@pytest.fixture
def app_config(store_location, tmp_path) -> dict:
    """The admin tests' settings, with the maps in the test's own directory."""
    return {
        "STORE": store_location,
        "LAYERS_DIR": str(DATA / "layers"),
        "DATA_ROOT": str(DATA),
        "BASEMAP": "none",
        "ACCOUNTS": str(tmp_path / "accounts.sqlite"),
        "MAPS_DIR": str(tmp_path / "maps"),
    }
