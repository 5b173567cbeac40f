"""The organisation's official street list (for Cremona the 900 ANNCSU streets) in the
search: official names with their type, abbreviations tolerated, no location (the list has
no geometry), and absent where the organisation configures no list (issue 17, item 6)."""

import pytest

from app import create_app
from tests.test_streets import ALESSANDRIA


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = tmp_path_factory.mktemp("cremona") / "cremona.gpkg"
    return create_app({"STORE": str(store), "BASEMAP": "none"}).test_client()


def results(client, q):
    r = client.get("/api/search", query_string={"q": q})
    assert r.status_code == 200
    return r.get_json()["results"]


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("via acquaferma", "Via Acquaferma"),
        ("v. acquaferma", "Via Acquaferma"),
        ("vicolo chiesa", "Vicolo Chiesa"),
        ("vicolo de forni", "Vicolo de' Forni"),
    ],
)
def test_official_streets_are_found(client, query, label):
    top = results(client, query)[0]
    assert (top["label"], top["kind"], top["layer"]) == (label, "street", "stradario")
    assert top["location"] is None and top["precisione"] == "via"
    assert top["link"].startswith("/cerca?q=")


def test_a_place_on_the_street_may_come_first(client):
    """A located place whose address is on the street ranks before the bare street name."""
    found = [(r["label"], r["layer"]) for r in results(client, "p.zza stradivari")[:3]]
    assert ("Piazza Antonio Stradivari", "stradario") in found


def test_the_results_page_says_the_street_has_no_position(client):
    page = client.get("/cerca", query_string={"q": "via acquaferma"}).get_data(as_text=True)
    assert "Via Acquaferma" in page and "Stradario ufficiale" in page


def test_no_street_list_no_official_streets():
    app = create_app({"ORGANISATION": str(ALESSANDRIA), "AUTO_BUILD": False})
    with app.app_context():
        from app.search.sources import official_street_docs

        assert official_street_docs(set()) == []
