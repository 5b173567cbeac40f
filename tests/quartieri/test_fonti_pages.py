"""The sources pages (/fonti, /fonti/<id>) and the citations on every public page, on the
synthetic citizen data and catalogue (tests/data/fonti)."""

import re

from tests.quartieri.fixtures import CITIZEN, make_app

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True

#: A source document's file name, as the data writes it (the fixtures' and the real ones).
FILE_NAME = re.compile(r"doc-[a-z]\.txt|\d{3}_[0-9a-f]{16}\.txt")


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_index_lists_the_documents(citizen_client):
    r = citizen_client.get("/fonti")
    assert r.status_code == 200
    body = text(r.text)
    assert "Programma di prova «Città che si parla»" in body and "Bilancio di prova" in body
    assert 'href="/fonti/documento-a"' in r.text
    assert "3 elementi la citano" in body  # int-1, int-3 and int-6 cite doc-a.txt


def test_document_page_highlights_the_cited_lines(citizen_client):
    r = citizen_client.get("/fonti/documento-a?riga=30&riga=32")
    assert r.status_code == 200
    cited = re.findall(
        r'<li id="riga-(\d+)" value="\d+" class="citata"><mark>([^<]*)</mark>', r.text
    )
    assert cited == [
        ("30", "Documento di prova A, riga 30: testo sintetico."),
        ("32", "Documento di prova A, riga 32: testo sintetico."),
    ]
    shown = [int(n) for n in re.findall(r'<li id="riga-(\d+)"', r.text)]
    assert shown == list(range(24, 39))  # six lines of context each side
    body = text(r.text)
    assert "Programma di prova «Città che si parla», p. 2" in body
    assert "Comune di Prova" in body and "2024-2029" in body


def test_document_page_lists_every_feature_citing_it(citizen_client):
    r = citizen_client.get("/fonti/documento-a")
    links = re.findall(r'<li><a href="(/api/collections/[^"]+)">([^<]+)</a>', r.text)
    assert (
        "/api/collections/interventi/items/int-1?f=html",
        "Restauro del Teatro di prova",
    ) in links
    assert {href.split("/")[-1] for href, _ in links} == {
        "int-1?f=html",
        "int-3?f=html",
        "int-6?f=html",
    }
    assert 'href="/fonti/documento-a?riga=60#riga-60"' in r.text  # int-6 cites line 60


def test_document_without_text_still_shows_record_and_features(citizen_client):
    r = citizen_client.get("/fonti/documento-b?riga=20")
    assert r.status_code == 200
    body = text(r.text)
    assert "non è disponibile su questo server" in body
    assert "Bilancio di prova 2014-2016, riga 20" in body
    assert "https://example.org/bilancio-di-prova.pdf" in r.text
    assert "Restauro del Teatro di prova" in body and "Centro civico di Cavatigozzi" in body


def test_english_page(citizen_client):
    r = citizen_client.get("/fonti/documento-b?riga=20&lang=en")
    body = text(r.text)
    assert (
        "Features citing this document" in body and "Bilancio di prova 2014-2016, line 20" in body
    )
    assert "not available on this server" in body


def test_unknown_document_is_a_404_problem(citizen_client):
    r = citizen_client.get("/fonti/nessuno", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.mimetype == "application/problem+json"


def test_line_out_of_range_is_a_clear_error(citizen_client):
    r = citizen_client.get("/fonti/documento-a?riga=71", headers={"Accept": "application/json"})
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    problem = r.get_json()
    assert problem["parameter"] == "riga" and "1 a 70" in problem["detail"]


def test_no_public_page_shows_a_source_file_name(citizen_client):
    listing = citizen_client.get("/quartieri").text
    pages = sorted(set(re.findall(r'href="(/quartieri/[a-z0-9-]+)"', listing)))
    assert "/quartieri/16-centro" in pages
    pages += [f"/interventi/int-{n}" for n in range(1, 7)]
    pages += [f"/api/collections/interventi/items/int-{n}?f=html" for n in range(1, 7)]
    pages += ["/api/collections/interventi/items?f=html", "/fonti", "/fonti/documento-a?riga=10"]
    for page in pages:
        r = citizen_client.get(page)
        assert r.status_code == 200, page
        assert not FILE_NAME.search(r.text), (page, FILE_NAME.search(r.text).group(0))
    # ... while the API keeps the machine-readable reference.
    doc = citizen_client.get("/api/collections/interventi/items/int-1?f=json").get_json()
    assert doc["properties"]["fonti"] == "doc-a.txt riga 10; doc-b.txt riga 20"


def test_without_catalogue_the_file_name_is_still_not_shown(citizen_location, tmp_path):
    app = make_app(
        citizen_location, CITIZEN / "layers", CITIZEN, FONTI_CATALOGUE=str(tmp_path / "x")
    )
    r = app.test_client().get("/interventi/int-1")
    assert "documento non in catalogo, riga 10" in text(r.text)
    assert not FILE_NAME.search(r.text)
    app.extensions["geoportale"].store.close()


def test_shapefile_readme_keys_the_references(citizen_client):
    import io
    import zipfile

    r = citizen_client.get("/download/interventi.shp.zip", query_string={"filter": "id='int-1'"})
    assert r.status_code == 200, r.text[:300]
    readme = zipfile.ZipFile(io.BytesIO(r.data)).read("LEGGIMI.txt").decode("utf-8")
    key = readme.split("Fonti citate / Cited sources", 1)[1]
    assert "doc-a.txt: Programma di prova «Città che si parla»; Comune di Prova; 2024-2029" in key
    assert "http://localhost/fonti/documento-a" in key
    assert "doc-b.txt: Bilancio di prova 2014-2016" in key
