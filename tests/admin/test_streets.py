"""`GET /admin/streets.json`: the street autocomplete, for logged-in editors only."""

from __future__ import annotations

from tests.conftest import DATA

URL = "/admin/streets.json"
JSON = {"Accept": "application/json"}


def test_anonymous_is_refused(client):
    r = client.get(URL, query_string={"q": "dante"})
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
    r = client.get(URL, query_string={"q": "dante"}, headers=JSON)
    assert r.status_code == 401 and r.mimetype == "application/problem+json"


def test_editor_gets_streets_and_attribution(admin_client):
    r = admin_client.get(URL, query_string={"q": "stradivari", "limit": 3}, headers=JSON)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body["streets"][0]["codice"] == "254270"
    assert body["streets"][0]["nome"] == "Piazza Antonio Stradivari"
    assert 1 <= len(body["streets"]) <= 3
    assert "onData" in body["attribution"]


def test_accents_do_not_matter(admin_client):
    body = admin_client.get(URL, query_string={"q": "liberta"}, headers=JSON).get_json()
    assert "Piazza della Libertà" in [s["nome"] for s in body["streets"]]


def test_blank_query_is_an_empty_list(admin_client):
    for q in ("", "   "):
        r = admin_client.get(URL, query_string={"q": q}, headers=JSON)
        assert r.status_code == 200 and r.get_json()["streets"] == []


def test_bad_input_is_a_problem(admin_client):
    for query in ({"q": "via", "limit": "0"}, {"q": "via", "limit": "x"}, {"q": "v" * 101}):
        r = admin_client.get(URL, query_string=query, headers=JSON)
        assert r.status_code == 400 and r.mimetype == "application/problem+json", query
        assert r.get_json()["parameter"] in {"q", "limit"}


def test_absent_when_the_organisation_has_no_street_list(app_config, request):
    app_config["ORGANISATION"] = str(DATA / "alessandria" / "organisation.yaml")
    client = request.getfixturevalue("admin_client")
    r = client.get(URL, query_string={"q": "via"}, headers=JSON)
    assert r.status_code == 404
    assert r.get_json()["type"].endswith("street-list-not-configured")
