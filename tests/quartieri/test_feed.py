"""The Atom feed of a quartiere: valid RFC 4287 structure, entries with links."""

import re
import xml.etree.ElementTree as ET

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_feed(citizen_client):
    r = citizen_client.get("/quartieri/16-centro.atom")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    feed = ET.fromstring(r.data)
    assert feed.tag == f"{A}feed"
    for tag in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{tag}") is not None, tag
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"].endswith("/quartieri/16-centro.atom")
    assert links["alternate"].endswith("/quartieri/16-centro")
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 3
    for e in entries:
        assert e.findtext(f"{A}id").startswith("http")
        assert e.findtext(f"{A}title")
        assert RFC3339.match(e.findtext(f"{A}updated"))
        assert e.find(f"{A}link").get("href").startswith("http://localhost/interventi/")
    titles = [e.findtext(f"{A}title") for e in entries]
    assert titles[0] == "Restauro del Teatro di prova"
    # Ids are stable (the intervention's URL), so readers do not see duplicates.
    assert entries[0].findtext(f"{A}id") == "http://localhost/interventi/int-1"


def test_feed_updated_follows_data(citizen_app):
    """Publishing a new version of the interventi layer moves the feed's `updated`."""
    import geopandas as gpd

    from app.services import services
    from tests.quartieri.fixtures import CITIZEN

    client = citizen_app.test_client()
    before = ET.fromstring(client.get("/quartieri/16-centro.atom").data).findtext(f"{A}updated")
    with citizen_app.app_context():
        svc = services()
        svc.store.write_layer(
            svc.registry.get("interventi"),
            gpd.read_file(CITIZEN / "geodata" / "interventi.geojson"),
        )
        after_stamp = svc.store.describe("interventi").published_at
    after = ET.fromstring(client.get("/quartieri/16-centro.atom").data).findtext(f"{A}updated")
    assert after >= before and after_stamp[:16] == after.replace("Z", "")[:16]


def test_feed_links_use_the_base_url_whatever_the_host(citizen_location):
    """GEOPORTALE_BASE_URL set: a request naming a hostile Host gets a feed (ids and links,
    which readers keep) on the configured base only."""
    from app import create_app
    from tests.quartieri.fixtures import CITIZEN

    base = "https://sit.comune.example/geoportale"
    app = create_app(
        {
            "STORE": citizen_location,
            "LAYERS_DIR": str(CITIZEN / "layers"),
            "DATA_ROOT": str(CITIZEN),
            "BASEMAP": "none",
            "BASE_URL": base,
        }
    )
    r = app.test_client().get(
        "/quartieri/16-centro.atom",
        base_url="http://evil.example",
        headers={"Host": "evil.example"},
    )
    assert r.status_code == 200 and b"evil" not in r.data
    feed = ET.fromstring(r.data)
    urls = [link.get("href") for link in feed.iter(f"{A}link")]
    urls += [e.text for e in feed.iter(f"{A}id")]
    assert len(urls) > 3 and all(u.startswith(base + "/") for u in urls), urls
    store = getattr(app.extensions.get("geoportale"), "store", None)
    if hasattr(store, "close"):
        store.close()
