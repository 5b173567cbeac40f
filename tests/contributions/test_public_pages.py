"""The `contributi` collection's HTML pages on both stores (app/contributions/public_data.py):
the items page (paging and filters as the JSON's links, a map, a table linking each item)
and one item's page (kind, state label, quartiere, date, the text escaped, the council's
answer, a map of its point, links to the JSON and to what it is about), chosen by `f=html`
or a browser's Accept like the layers' items; `alternate` links both ways; in the OpenAPI."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape

from tests.contributions.test_public_outputs import (  # noqa: F401 (the `sent` fixture)
    SENT,
    assert_private,
    body,
    sent,
)

BOTH_STORES = True
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _links(doc, rel):
    return [link for link in doc["links"] if link["rel"] == rel]


def test_the_items_page_for_a_person_pages_and_filters_like_the_json(client, sent):  # noqa: F811 (the imported fixture)
    r = client.get("/api/collections/contributi/items?f=html&limit=1")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert_private(page, data=False)
    assert 'id="api-map"' in page and "leaflet.js" in page
    assert (
        'data-geojson="http://localhost/api/collections/contributi/items?f=json&amp;limit=1"'
        in (page)
    )
    as_json = client.get("/api/collections/contributi/items?limit=1").get_json()
    nxt = _links(as_json, "next")[0]["href"]
    assert nxt == "http://localhost/api/collections/contributi/items?offset=1&limit=1"
    # the page's next link is the JSON's, asking for HTML
    html_next = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(html_next).query) == {"f": ["html"], "offset": ["1"], "limit": ["1"]}
    second = client.get("/api/collections/contributi/items?f=html&limit=1&offset=1")
    assert 'rel="prev"' in second.get_data(as_text=True)
    both = client.get("/api/collections/contributi/items?f=html").get_data(as_text=True)
    for key in ("buca", "panchine"):
        assert f"/api/collections/contributi/items/{sent[key]}?f=html" in both
    assert "via Dante davanti al civico 3" in both
    assert str(escape('=HYPERLINK("x") panchine')) in both  # escaped, not a formula
    # the same filters
    only = client.get("/api/collections/contributi/items?f=html&kind=proposta").get_data(
        as_text=True
    )
    assert sent["panchine"] in only and sent["buca"] not in only
    assert "kind=proposta" in next(
        link["href"]
        for link in client.get("/api/collections/contributi/items?kind=proposta").get_json()[
            "links"
        ]
        if link["rel"] == "alternate"
    )
    for bad in ("f=html&kind=commento", "f=html&state=boh", "f=xml", "f=html&colore=rosso"):
        refused = client.get(f"/api/collections/contributi/items?{bad}")
        assert refused.status_code == 400, bad
    none = client.get("/api/collections/contributi/items?f=html&quartiere=999")
    assert "Nessun contributo pubblicato finora." in none.get_data(as_text=True)


def test_one_item_page_says_everything_public_and_links_back(client, sent):  # noqa: F811 (the imported fixture)
    r = client.get(f"/api/collections/contributi/items/{sent['buca']}?f=html")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert_private(page, data=False)
    assert "<h1>Segnalazione" in page
    assert "Buca profonda in via Dante davanti al civico 3" in page
    assert '<dd class="state">risolta</dd>' in page
    assert "<dd>16</dd>" in page
    assert "Riparata dalla squadra strade." in page
    assert 'id="api-map"' in page
    json_href = f"http://localhost/api/collections/contributi/items/{sent['buca']}?f=json"
    assert f'data-geojson="{json_href}"' in page and f'href="{json_href}"' in page
    assert 'href="http://localhost/quartieri/16-' in page  # what it is about: its quartiere
    panchine = client.get(f"/api/collections/contributi/items/{sent['panchine']}?f=html")
    text = panchine.get_data(as_text=True)
    assert "Lucia" in text and str(escape('=HYPERLINK("x")')) in text
    assert "<script>" not in SENT["panchine"]["text"]
    for hidden in ("attesa", "rifiutata", "nascosta", "idea", "commento"):
        gone = client.get(f"/api/collections/contributi/items/{sent[hidden]}?f=html")
        assert gone.status_code == 404, hidden
    english = client.get(
        f"/api/collections/contributi/items/{sent['buca']}?f=html",
        headers={"Accept-Language": "en"},
    )
    assert "<h1>Report" in english.get_data(as_text=True)


def test_a_browser_gets_html_and_the_json_links_to_it(client, sent):  # noqa: F811 (the imported fixture)
    item = f"/api/collections/contributi/items/{sent['buca']}"
    for path in ("/api/collections/contributi/items", item, "/api/collections/contributi"):
        page = client.get(path, headers={"Accept": BROWSER})
        assert page.mimetype == "text/html", path
        assert "Accept" in page.headers.get("Vary", ""), path
        data = client.get(path, headers={"Accept": "application/geo+json"})
        assert data.mimetype in ("application/geo+json", "application/json"), path
        doc = data.get_json()
        alternate = _links(doc, "alternate")
        assert any(a["type"] == "text/html" and "f=html" in a["href"] for a in alternate), path
    page = client.get(item + "?f=html").get_data(as_text=True)
    assert 'rel="alternate" type="application/geo+json">JSON' in page
    doc = client.get(item).get_json()
    assert _links(doc, "self")[0]["type"] == "application/geo+json"
    assert _links(doc, "related")[0]["href"].startswith("http://localhost/quartieri/16-")


def test_the_openapi_offers_html_for_the_items(client, sent):  # noqa: F811 (the imported fixture)
    paths = client.get("/api/openapi?f=json").get_json()["paths"]
    for path in ("/collections/contributi/items", "/collections/contributi/items/{featureId}"):
        op = paths[path]["get"]
        assert "text/html" in op["responses"]["200"]["content"], path
        f = next(p for p in op["parameters"] if p.get("$ref", "").endswith("/f"))
        assert f


def test_a_contribution_about_a_feature_links_its_page(client, moderator):
    r = client.post(
        "/api/contributions",
        json=body(
            "segnalazione",
            "Il cantiere blocca il passaggio pedonale",
            location=[10.03, 45.14],
            target={"layer": "interventi", "id": "e1"},
        ),
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    cid = r.get_json()["id"]
    ok = moderator.post(f"/admin/contributions/{cid}/approve", headers=moderator.csrf_headers)
    assert ok.status_code == 303
    related = _links(client.get(f"/api/collections/contributi/items/{cid}").get_json(), "related")
    assert related and related[0]["type"] == "text/html"
    assert client.get(related[0]["href"]).status_code == 200


def test_an_item_page_shows_the_approved_photo(client, moderator):
    from tests.contributions.test_photos import b64, camera_jpeg, send

    r = send(client, b64(camera_jpeg(800, 600)), addr="192.0.2.78")
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["id"]
    ok = moderator.post(f"/admin/contributions/{cid}/approve", headers=moderator.csrf_headers)
    assert ok.status_code == 303
    photo = client.get(f"/api/collections/contributi/items/{cid}").get_json()["properties"]["photo"]
    assert photo
    page = client.get(f"/api/collections/contributi/items/{cid}?f=html").get_data(as_text=True)
    assert f'<img src="{photo}" alt="Foto della segnalazione">' in page
    assert client.get(photo).status_code == 200
