"""The public outputs of approved contributions on both stores (issue 20 item 4): the OGC
API collection `contributi` (items, one item, queryables, paging, filters), its listing in
/api/collections and the DCAT catalogue, the map layer, the quartiere Atom feed, the CSV
and GeoJSON downloads, the counts on the quartiere page. Unapproved, rejected and hidden
contributions never appear; no output carries the e-mail (app/contributions/public_data.py).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

EMAIL = "Segreto.Cittadino@example.org"
ATOM = "{http://www.w3.org/2005/Atom}"


def body(kind, text, *, location=None, target=None, name=None):
    out = {
        "target": target or {"quartiere": 16},
        "kind": kind,
        "text": text,
        "email": EMAIL,
        "consent": True,
    }
    if location:
        out["location"] = location
    if name:
        out["name"] = name
    return out


SENT = {
    # approved, answered, state risolta
    "buca": body(
        "segnalazione", "Buca profonda in via Dante davanti al civico 3", location=[10.03, 45.14]
    ),
    # approved, with the name the citizen chose to show
    "panchine": body(
        "proposta", '=HYPERLINK("x") panchine nel parco', location=[10.031, 45.141], name="Lucia"
    ),
    # approved, no point: in the downloads and the feed, not in the collection nor the map
    "idea": body("proposta", "Un tavolo di quartiere ogni mese in biblioteca"),
    # approved comment on an intervention
    "commento": body(
        "commento",
        "Quando finiscono i lavori del cantiere?",
        target={"layer": "interventi", "id": "e1"},
    ),
    # never approved
    "attesa": body(
        "segnalazione", "Lampione spento ATTESA-MAI-PUBBLICA", location=[10.032, 45.142]
    ),
    # rejected
    "rifiutata": body("proposta", "Proposta RIFIUTATA-MAI-PUBBLICA qui", location=[10.033, 45.143]),
    # approved then hidden
    "nascosta": body(
        "segnalazione", "Segnalazione NASCOSTA-MAI-PUBBLICA qui", location=[10.034, 45.144]
    ),
}
SECRET = ("ATTESA-MAI-PUBBLICA", "RIFIUTATA-MAI-PUBBLICA", "NASCOSTA-MAI-PUBBLICA")


@pytest.fixture
def sent(client, moderator):
    ids = {}
    for n, (key, b) in enumerate(SENT.items()):
        r = client.post("/api/contributions", json=b, environ_base={"REMOTE_ADDR": f"192.0.2.{n}"})
        assert r.status_code == 202, r.get_json()
        ids[key] = r.get_json()["id"]
    h = moderator.csrf_headers

    def act(key, action, **data):
        r = moderator.post(f"/admin/contributions/{ids[key]}/{action}", data=data, headers=h)
        assert r.status_code == 303

    for key in ("buca", "panchine", "idea", "commento", "nascosta"):
        act(key, "approve")
    act("rifiutata", "reject", reason="Fuori tema")
    act("nascosta", "hide", reason="Offensiva")
    act("buca", "answer", answer="Riparata dalla squadra strade.")
    act("buca", "state", state="risolta")
    return ids


def quartiere_page(client):
    found = client.get("/api/quartieri/punto", query_string={"lon": 10.03, "lat": 45.14})
    ref = found.get_json()["quartiere"]
    assert ref["numero"] == 16
    return ref["link"]


def assert_private(text: str, *, data: bool = True):
    """No e-mail, no unapproved text; in data outputs (not pages with the form) no private
    column either."""
    assert EMAIL.lower() not in text.lower()
    assert "example.org" not in text
    for marker in SECRET:
        assert marker not in text
    for column in ("follow_digest", "rate_key", "email", "flags") if data else ():
        assert column not in text


def test_the_collection_serves_approved_located_reports_and_proposals(client, sent):
    r = client.get("/api/collections/contributi/items")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    assert_private(r.get_data(as_text=True))
    doc = r.get_json()
    assert doc["numberMatched"] == 2
    by_id = {f["id"]: f for f in doc["features"]}
    assert set(by_id) == {sent["buca"], sent["panchine"]}
    buca = by_id[sent["buca"]]
    assert buca["geometry"] == {"type": "Point", "coordinates": [10.03, 45.14]}
    p = buca["properties"]
    assert p["kind"] == "segnalazione" and p["quartiere"] == 16
    assert p["state"] == "risolta" and p["state_type"] == "fixed" and p["state_label"] == "risolta"
    assert p["answer"] == "Riparata dalla squadra strade." and p["answered_at"]
    assert p["created"].endswith("Z") and p["updated"] >= p["created"]
    assert p["target_layer"] is None and by_id[sent["panchine"]]["properties"]["name"] == "Lucia"

    # paged, filtered
    first = client.get("/api/collections/contributi/items?limit=1").get_json()
    assert first["numberReturned"] == 1 and first["numberMatched"] == 2
    nxt = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(nxt).get_json()
    assert {first["features"][0]["id"], second["features"][0]["id"]} == set(by_id)
    only = client.get("/api/collections/contributi/items?kind=proposta").get_json()
    assert [f["id"] for f in only["features"]] == [sent["panchine"]]
    fixed = client.get("/api/collections/contributi/items?state=risolta&quartiere=16").get_json()
    assert [f["id"] for f in fixed["features"]] == [sent["buca"]]
    box = client.get(
        "/api/collections/contributi/items?bbox=10.0305,45.1405,10.05,45.16"
    ).get_json()
    assert [f["id"] for f in box["features"]] == [sent["panchine"]]
    for bad in (
        "kind=commento",
        "kind=",
        "state=boh",
        "quartiere=x",
        "quartiere=",
        "colore=rosso",
        "f=xml",
    ):
        refused = client.get(f"/api/collections/contributi/items?{bad}")
        assert refused.status_code == 400, bad

    # read-only: a 405, not the layers' Part 4 writes
    assert client.post("/api/collections/contributi/items", json={}).status_code == 405
    assert client.delete(f"/api/collections/contributi/items/{sent['buca']}").status_code == 405
    allowed = client.options("/api/collections/contributi/items").headers["Allow"]
    assert set(allowed.split(", ")) == {"GET", "HEAD", "OPTIONS"}

    one = client.get(f"/api/collections/contributi/items/{sent['buca']}")
    assert one.status_code == 200 and one.get_json()["id"] == sent["buca"]
    for hidden in ("attesa", "rifiutata", "nascosta", "idea", "commento"):
        assert client.get(f"/api/collections/contributi/items/{sent[hidden]}").status_code == 404


def test_the_collection_is_listed_with_queryables_and_in_the_catalogue(client, sent):
    listed = client.get("/api/collections?f=json").get_json()["collections"]
    ours = next(c for c in listed if c["id"] == "contributi")
    assert any(link["rel"] == "items" for link in ours["links"])
    assert client.get("/api/collections?f=html").status_code == 200
    doc = client.get("/api/collections/contributi").get_json()
    assert doc["id"] == "contributi" and doc["itemType"] == "feature"
    q = client.get("/api/collections/contributi/queryables").get_json()
    assert set(q["properties"]) == {"geometry", "kind", "state", "quartiere"}
    assert "risolta" in q["properties"]["state"]["enum"]
    catalogue = client.get("/catalog.jsonld").get_data(as_text=True)
    assert "/api/collections/contributi" in catalogue and "/partecipa/contributi.csv" in catalogue
    assert_private(catalogue)


def test_the_map_has_the_layer_off_by_default_coloured_by_state(client, sent):
    page = client.get("/").get_data(as_text=True)
    assert "/api/collections/contributi/items" in page
    init = page[page.index("Geoportale.init(") :]
    config, _ = json.JSONDecoder().raw_decode(init[init.index("{") :])
    layer = next(lyr for lyr in config["layers"] if lyr["id"] == "contributi")
    assert layer["visible"] is False and layer["style"]["property"] == "state"
    colours = {c["value"]: c["color"] for c in layer["style"]["categories"]}
    assert colours["risolta"] == "#1b9e77" and colours["ricevuta"] == "#d95f02"  # fixed, open
    assert colours["non_di_competenza"] == colours["chiusa"]  # both closed
    assert layer["count"] == 2
    # Its list: the collection's page for a person, which links the open data.
    assert 'href="/api/collections/contributi/items?f=html"' in page
    listing = client.get("/api/collections/contributi/items?f=html").get_data(as_text=True)
    assert "/partecipa/contributi.csv" in listing
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Citizens&#39; reports and proposals" in english or "Citizens' reports" in english
    assert "Participation" in english
    assert_private(page, data=False)


def test_the_quartiere_feed_has_an_entry_per_approved_contribution(client, sent):
    link = quartiere_page(client)
    r = client.get(link + ".atom")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert_private(text)
    feed = ET.fromstring(r.data)
    ids = [e.findtext(f"{ATOM}id") for e in feed.findall(f"{ATOM}entry")]
    ours = [i for i in ids if "/api/collections/contributi/items/" in i]
    # the three approved ones of quartiere 16 (the comment's intervention may lie elsewhere)
    assert {sent["buca"], sent["panchine"], sent["idea"]} <= {i.rsplit("/", 1)[1] for i in ours}
    entry = next(
        e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(sent["buca"])
    )
    assert "Riparata dalla squadra strade." in entry.findtext(f"{ATOM}summary")
    assert feed.findtext(f"{ATOM}updated") >= entry.findtext(f"{ATOM}updated")
    # stable: the same ids again
    again = ET.fromstring(client.get(link + ".atom").data)
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == ids


def test_downloads_parse_and_carry_approved_contributions_only(client, sent):
    r = client.get("/partecipa/contributi.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert_private(text)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row["id"] for row in rows} == {
        sent[k] for k in ("buca", "panchine", "idea", "commento")
    }
    panchine = next(row for row in rows if row["id"] == sent["panchine"])
    assert panchine["text"].startswith("'=HYPERLINK")  # spreadsheet-safe
    assert panchine["name"] == "Lucia" and panchine["lon"] == "10.031"

    geo = client.get("/partecipa/contributi.geojson")
    assert_private(geo.get_data(as_text=True))
    features = json.loads(geo.data)["features"]
    assert len(features) == 4
    idea = next(f for f in features if f["id"] == sent["idea"])
    assert idea["geometry"] is None and idea["properties"]["quartiere"] == 16

    q16 = client.get("/partecipa/contributi.csv?quartiere=16").get_data(as_text=True)
    ids16 = {row["id"] for row in csv.DictReader(io.StringIO(q16.lstrip("\ufeff")))}
    assert {sent["buca"], sent["panchine"], sent["idea"]} <= ids16
    assert (
        json.loads(client.get("/partecipa/contributi.geojson?quartiere=999").data)["features"] == []
    )
    assert client.get("/partecipa/contributi.xlsx").status_code == 404
    assert client.get("/partecipa/contributi.csv?quartiere=x").status_code == 400


def test_the_quartiere_page_counts_and_links_the_downloads(client, sent):
    page = client.get(quartiere_page(client)).get_data(as_text=True)
    assert "/partecipa/contributi.csv?quartiere=16" in page
    assert "/partecipa/contributi.geojson?quartiere=16" in page
    assert_private(page, data=False)
    table = page[page.index('class="contribution-counts"') :]
    table = table[: table.index("</table>")]
    rows = {
        r.split("</th>")[0].rsplit(">", 1)[1]: [c.split("</td>")[0] for c in r.split("<td>")[1:]]
        for r in table.split("<tr>")[2:]
    }
    # states: ricevuta, in carico, risolta, non di competenza, chiusa
    assert rows["segnalazione"] == ["0", "0", "1", "0", "0"]
    assert rows["proposta"] == ["2", "0", "0", "0", "0"]


def test_nothing_is_public_before_approval(client):
    r = client.post(
        "/api/contributions", json=SENT["attesa"], environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert r.status_code == 202
    assert client.get("/api/collections/contributi/items").get_json()["numberMatched"] == 0
    rows = (
        client.get("/partecipa/contributi.csv").get_data(as_text=True).lstrip("\ufeff").splitlines()
    )
    assert len(rows) == 1  # the header
    assert "ATTESA" not in client.get(quartiere_page(client) + ".atom").get_data(as_text=True)
