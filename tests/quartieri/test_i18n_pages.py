"""Pages in Italian or English: ?lang=, cookie, Accept-Language; data in its language."""

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS
READ_ONLY_STORE = True  # one PostGIS clone for the module (tests/conftest.py checks nothing writes)


def test_lang_parameter_cookie_and_header(citizen_client):
    r = citizen_client.get("/quartieri?lang=en")
    assert '<html lang="en">' in r.text and "The neighbourhoods of Cremona" in r.text
    assert "lang=en" in r.headers["Set-Cookie"]
    # Remembered by the cookie.
    again = citizen_client.get("/quartieri")
    assert '<html lang="en">' in again.text
    citizen_client.get("/quartieri?lang=it")
    assert '<html lang="it">' in citizen_client.get("/quartieri").text


def test_accept_language(citizen_app):
    client = citizen_app.test_client()
    r = client.get("/quartieri/16-centro", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in r.text and "Apply filters" in r.text
    # Data stays in its language; status labels come from the layer file's categories.
    assert "Restauro del Teatro di prova" in r.text and "In progress" in r.text
    assert "€1,200,000" in r.text
    assert "Accept-Language" in r.headers["Vary"]


def test_switcher_keeps_the_state(citizen_client):
    html = citizen_client.get("/quartieri/16-centro?stato=in_corso").text
    assert 'href="/quartieri/16-centro?stato=in_corso&amp;lang=en"' in html
