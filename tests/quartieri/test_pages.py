"""The citizen pages over HTTP: list, quartiere (filters as URLs), intervention, point."""

import re

import pytest

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_index_lists_quartieri_with_counts(citizen_client):
    r = citizen_client.get("/quartieri")
    assert r.status_code == 200
    body = text(r.text)
    assert "Quartiere 16 Centro" in body and "Quartiere 8" in body
    assert "indicativi" in body  # the boundaries are said to be indicative
    assert "Senza confine disegnato" in body
    assert 'href="/quartieri/16-centro"' in r.text
    assert "Interventi non attribuiti a un quartiere: 1 / 6" in body


def test_quartiere_page(citizen_client):
    r = citizen_client.get("/quartieri/16-centro")
    assert r.status_code == 200
    body = text(r.text)
    for title in ["Restauro del Teatro di prova", "Nuova pista ciclabile di via Dante"]:
        assert title in body
    assert "3 interventi trovati" in body
    assert "1.200.000 €" in body and "PNRR" in body
    assert "Programma di prova «Città che si parla», p. 1" in body  # doc-a.txt riga 10
    assert 'type="application/atom+xml"' in r.text and "/quartieri/16-centro.atom" in r.text
    assert "Confini indicativi" in body


def test_filters_are_urls(citizen_client):
    r = citizen_client.get("/quartieri/16-centro?stato=concluso&anno=2016")
    body = text(r.text)
    assert "1 intervento trovato" in body and "Palestra della scuola Manzoni" in body
    assert "Restauro del Teatro" not in body
    assert '<option value="concluso" selected>' in r.text


def test_near_filter(citizen_client):
    r = citizen_client.get("/quartieri/16-centro?lon=10.02&lat=45.135&entro=500")
    body = text(r.text)
    assert "2 interventi trovati" in body and "198 m" in body
    assert "è in questo quartiere" in body


def test_quartiere_without_area_lists_text_attributed(citizen_client):
    r = citizen_client.get("/quartieri/3-cavatigozzi-picenengo-san-predengo")
    assert r.status_code == 200
    body = text(r.text)
    assert "Centro civico di Cavatigozzi" in body and "non ha un confine disegnato" in body


def test_short_slug_redirects(citizen_client):
    r = citizen_client.get("/quartieri/16?stato=in_corso")
    assert r.status_code == 301 and r.location.endswith("/quartieri/16-centro?stato=in_corso")


def test_json_form(citizen_client):
    doc = citizen_client.get("/quartieri/16-centro?f=json&stato=in_corso").get_json()
    assert doc["quartiere"]["slug"] == "16-centro"
    assert [i["id"] for i in doc["interventi"]] == ["int-1"]


def test_intervention_page(citizen_client):
    r = citizen_client.get("/interventi/int-1")
    assert r.status_code == 200
    body = text(r.text)
    assert "Storia dello stato" in body and "2016 ● Pianificato" not in body
    assert "Programma di prova «Città che si parla», p. 1" in body  # doc-a.txt riga 10
    assert "Bilancio di prova 2014-2016, riga 20" in body  # doc-b.txt riga 20
    assert 'href="/quartieri/16-centro"' in r.text
    # Data text is escaped, never markup.
    assert "&lt;b&gt;importanti&lt;/b&gt;" in r.text
    nogeo = citizen_client.get("/interventi/int-4")
    assert "non ha una posizione" in text(nogeo.text)


def test_intervention_page_says_where_its_quartiere_comes_from(citizen_client):
    """Issue 17, item 3: the origin of the quartiere in words, not the data's code."""
    body = text(citizen_client.get("/interventi/int-4").text)  # quartiere from the text
    assert "Attribuito al quartiere dal testo del documento" in body
    assert "Quartiere ricavato da" not in body and ": testo" not in body
    page = text(citizen_client.get("/quartieri/16-centro").text)
    assert "Attribuito al quartiere dalla posizione sul poligono indicativo" in page
    body = text(citizen_client.get("/interventi/int-1?lang=en").text)  # from its point
    assert "Assigned to the neighbourhood from its position on the indicative polygon" in body
    citizen_client.get("/?lang=it")  # the language is remembered in a cookie


def test_point_redirects_to_quartiere(citizen_client):
    r = citizen_client.get("/quartieri/punto?lon=10.02&lat=45.135")
    assert r.status_code == 303
    assert r.location.endswith("/quartieri/16-centro?lon=10.020000&lat=45.135000")
    api = citizen_client.get("/api/quartieri/punto?lon=10.02&lat=45.135").get_json()
    assert api["quartiere"]["numero"] == 16
    assert [v["id"] for v in api["vicini"]] == ["int-1", "int-2"]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/quartieri/nessuno", 404),
        ("/quartieri/nessuno.atom", 404),
        ("/interventi/non-esiste", 404),
        ("/quartieri/punto?lon=9.0&lat=45.0", 404),  # outside the comune
        ("/quartieri/punto?lon=abc&lat=45", 400),
        ("/quartieri/punto?lon=10&lat=95", 400),
        ("/quartieri/punto", 400),
        ("/quartieri/16-centro?anno=abc", 400),
        ("/quartieri/16-centro?entro=500", 400),  # entro without a point
        ("/quartieri/16-centro?lon=10.02&lat=45.13&entro=99999", 400),
        ("/quartieri/16-centro?stato=" + "x" * 10_000, 400),
    ],
)
def test_bad_input_gets_a_page(citizen_client, url, status):
    r = citizen_client.get(url)
    assert r.status_code == status
    assert r.mimetype == "text/html"
    assert "Internal error" not in r.text


def test_api_point_outside_is_a_problem(citizen_client):
    r = citizen_client.get("/api/quartieri/punto?lon=9&lat=45")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    assert "outside" in r.get_json()["detail"]


def test_no_third_party_assets(citizen_client):
    for url in ["/quartieri", "/quartieri/16-centro", "/interventi/int-1", "/cerca?q=dante"]:
        html = citizen_client.get(url).text
        # Nothing the browser loads comes from another host (scripts, images, frames,
        # styles and other <link>s); a plain link a person may follow (a licence's text)
        # is not an asset.
        assert re.findall(r'\ssrc="(https?://[^"]+)"', html) == [], url
        assert re.findall(r'<link\b[^>]*\shref="(https?://[^"]+)"', html) == [], url
