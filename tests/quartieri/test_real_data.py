"""Smoke test on the shipped Cremona layers (which keep growing): every page answers."""

import pytest

from app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = tmp_path_factory.mktemp("cremona") / "cremona.gpkg"
    return create_app({"STORE": str(store), "BASEMAP": "none"}).test_client()


def test_every_quartiere_page_and_feed(client):
    r = client.get("/quartieri")
    assert r.status_code == 200
    import re

    slugs = sorted(set(re.findall(r'href="/quartieri/([a-z0-9-]+)"', r.text)))
    assert len(slugs) >= 10
    for slug in slugs:
        assert client.get(f"/quartieri/{slug}").status_code == 200, slug
        assert client.get(f"/quartieri/{slug}.atom").status_code == 200, slug


def test_search_real_places(client):
    def first(q):
        return client.get("/api/search", query_string={"q": q}).get_json()["results"][0]

    assert first("Museo del Violino")["label"] == "Museo del Violino"
    assert first("museo del violno")["label"] == "Museo del Violino"
    assert first("Cavatigozzi")["kind"] in ("quartiere", "feature", "intervento")
    centro = first("quartiere 16 centro")
    assert centro["kind"] == "quartiere" and centro["link"].startswith("/quartieri/16")


def test_every_intervention_page(client):
    doc = client.get("/api/collections/interventi/items?f=json&limit=10000").get_json()
    for f in doc["features"][:400]:
        assert client.get(f"/interventi/{f['id']}").status_code == 200, f["id"]


def _text(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_quartiere_origin_and_notes_where_a_citizen_sees_them(client):
    """Issue 17, item 3: the origin of a quartiere in words on the citizen pages, the
    record pages and the popups; the via Bagnara conflict on the seat and on Q1 and Q15."""
    grasselli = _text(client.get("/interventi/int-0003").text)
    assert "Attribuito al quartiere dal gazetteer" in grasselli
    bagnara = _text(client.get("/interventi/int-0227").text)
    assert "Nessun quartiere" in bagnara and "Nota sul quartiere" in bagnara
    assert "Bilancio Sociale 2014-2016" in bagnara and "riga 2762" in bagnara  # a citation
    assert "Quartiere 15" in bagnara
    assert "001_93d3045a65cd4397.txt" not in bagnara
    for slug in ("1", "15"):
        page = _text(client.get(f"/quartieri/{slug}", follow_redirects=True).text)
        assert (
            "Nota sul quartiere: Quartiere incerto per la sede di quartiere di via Bagnara" in page
        )
    centro = _text(client.get("/quartieri/16", follow_redirects=True).text)
    assert "via Bagnara" not in centro and "Attribuito al quartiere dal gazetteer" in centro
    # The record page of any layer (the popups' "Full record"): words, and the note.
    record = _text(client.get("/api/collections/cultura/items/cul-0039?f=html").text)
    assert "dal gazetteer" in record and "poligono indicativo del Quartiere 6" in record
    record_en = _text(
        client.get(
            "/api/collections/cultura/items/cul-0039?f=html", headers={"Accept-Language": "en"}
        ).text
    )
    assert "from the gazetteer" in record_en
    # The map's popups get the words for the codes in the layer configuration.
    viewer = client.get("/?lang=en").text
    assert '"gazetteer": "from the gazetteer", "geometria": "from its position' in viewer
    client.get("/?lang=it")  # the language is remembered in a cookie


def test_no_page_shows_a_source_file_name(client):
    """Issue 18: citations ('Bilancio Sociale 2014-2016, pp. 6-12, riga 173'), never
    '001_93d3045a65cd4397.txt riga 173', on every kind of public page of the shipped data."""
    import re

    file_name = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")
    listing = client.get("/quartieri").text
    pages = [
        "/quartieri",
        "/programma",
        "/fonti",
        *re.findall(r'href="(/quartieri/[a-z0-9-]+)"', listing),
    ]
    pages += re.findall(r'href="(/fonti/[a-z0-9-]+)"', client.get("/fonti").text)
    for c in client.get("/api/collections?f=json").get_json()["collections"]:
        base = f"/api/collections/{c['id']}"
        if c["geoportale"].get("kind") == "contributions":  # not a layer: one page of its own
            pages.append(f"{base}?f=html")
            continue
        pages += [f"{base}?f=html", f"{base}/metadata?f=html", f"{base}/items?f=html&limit=1000"]
        items = client.get(f"{base}/items?f=json&limit=5").get_json()["features"]
        pages += [f"{base}/items/{f['id']}?f=html" for f in items]
    assert len(pages) > 60
    for lang in ("it", "en"):
        for page in pages:
            r = client.get(page, headers={"Accept-Language": lang})
            assert r.status_code == 200, page
            found = file_name.search(r.text)
            assert found is None, (page, lang, found and found.group(0))
