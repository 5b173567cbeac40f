"""The read API and downloads with odd and hostile parameters: no 500, nothing leaked."""

from __future__ import annotations

import pytest

from app import create_app
from scripts.reliability.common import make_workspace
from scripts.reliability.fuzz import run_fuzz


@pytest.fixture(params=["gpkg", "postgis"])
def any_ws(request, tmp_path):
    """A workspace on either store (PostGIS skips where no server is reachable)."""
    pg = None
    if request.param == "postgis":
        from tests.conftest import PG_ADMIN, _pg_admin

        _pg_admin().close()
        pg = PG_ADMIN
    workspace = make_workspace(tmp_path / "ws", pg)
    yield workspace
    workspace.close()


def test_no_server_error_and_no_leak(any_ws):
    """Including the LIKE/cost family (scripts/reliability/cost.py), on both stores."""
    client = create_app(any_ws.settings()).test_client()
    result = run_fuzz(any_ws, client)
    report = "\n".join(result.lines())
    assert result.requests > 800
    assert not result.leaks, report
    assert not result.server_errors, report


def test_every_response_carries_the_security_headers(ws):
    client = create_app(ws.settings()).test_client()
    for path in ("/", "/api/collections/carico/items?bbox=x", "/download/../x", "/nope"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'"), path


def test_huge_number_literal_in_a_filter_is_a_400(ws):
    client = create_app(ws.settings()).test_client()
    r = client.get("/api/collections/carico/items?filter=valore%20%3E%201e309")
    assert r.status_code == 400
    assert r.get_json()["parameter"] == "filter"
