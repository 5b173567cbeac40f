"""Where an approved comment on a consultation appears, on both stores (the rule in
docs/participation.md, "Where consultation comments appear"): on the consultation's own
page and in its export; in the open-data downloads and the JSON API, with the
consultation named; never on the map layer, in the `contributi` collection, on the
quartiere pages or in their feeds, which announce the consultation's opening instead."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

from tests.contributions.test_consultations import IN_EAST, comment, open_consultation
from tests.contributions.test_public_outputs import ATOM, quartiere_page

BOTH_STORES = True
TEXT = "Il confine nuovo taglia in due il quartiere, MARCATORE-CONSULTAZIONE"


def test_a_consultation_comment_goes_where_the_rule_says(app, client, moderator, store):
    open_consultation(app, store)
    sent = comment(client, "confini", location=IN_EAST, text=TEXT, addr="192.0.2.40")
    assert sent.status_code == 202
    cid = sent.get_json()["id"]
    r = moderator.post(f"/admin/contributions/{cid}/approve", headers=moderator.csrf_headers)
    assert r.status_code == 303

    # Its own page and its export.
    assert TEXT in client.get("/consultazioni/confini").get_data(as_text=True)
    export = moderator.get("/admin/consultations/confini/export?format=json").get_json()
    assert [c["id"] for c in export["comments"]] == [cid]

    # The open data, with the consultation named.
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/partecipa/contributi.csv").get_data(as_text=True).lstrip("\ufeff")
            )
        )
    )
    row = next(r for r in rows if r["id"] == cid)
    assert row["target_layer"] == "consultazione" and row["target_id"] == "confini"
    assert row["consultation"] == "Nuovi confini dei quartieri" and row["text"] == TEXT
    features = json.loads(client.get("/partecipa/contributi.geojson").data)["features"]
    feature = next(f for f in features if f["id"] == cid)
    assert feature["properties"]["consultation"] == "Nuovi confini dei quartieri"
    assert feature["geometry"]["coordinates"] == IN_EAST
    english = client.get("/partecipa/contributi.geojson", headers={"Accept-Language": "en"})
    named = next(f for f in json.loads(english.data)["features"] if f["id"] == cid)
    assert named["properties"]["consultation"] == "New neighbourhood boundaries"
    api = client.get("/api/contributions?layer=consultazione&id=confini").get_json()
    assert [c["id"] for c in api["contributions"]] == [cid]

    # Not the city's segnalazioni and proposte: not in the collection nor on the map.
    items = client.get("/api/collections/contributi/items").get_json()
    assert items["numberMatched"] == 0
    assert client.get(f"/api/collections/contributi/items/{cid}").status_code == 404
    page = client.get("/").get_data(as_text=True)
    init = page[page.index("Geoportale.init(") :]
    config, _ = json.JSONDecoder().raw_decode(init[init.index("{") :])
    assert next(x for x in config["layers"] if x["id"] == "contributi")["count"] == 0

    # Not on the quartiere page; its feed announces the consultation, not the comment.
    link = quartiere_page(client)
    assert "MARCATORE-CONSULTAZIONE" not in client.get(link).get_data(as_text=True)
    feed_text = client.get(link + ".atom").get_data(as_text=True)
    assert "MARCATORE-CONSULTAZIONE" not in feed_text and cid not in feed_text
    feed = ET.fromstring(feed_text.encode())
    entries = [
        e
        for e in feed.findall(f"{ATOM}entry")
        if e.find(f"{ATOM}category").get("term") == "consultazione"
    ]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}id") == "http://localhost/consultazioni/confini"
    assert entry.findtext(f"{ATOM}title") == "Consultazione: Nuovi confini dei quartieri"
    summary = entry.findtext(f"{ATOM}summary")
    assert "(aperta)" in summary and "Due quartieri al posto del Centro" in summary
    assert feed.findtext(f"{ATOM}updated") >= entry.findtext(f"{ATOM}updated")


def test_a_consultation_not_yet_open_is_not_announced(app, client, store):
    import datetime as dt

    later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=10)
    open_consultation(
        app, store, opens=later.isoformat(), ends=(later + dt.timedelta(days=5)).isoformat()
    )
    feed = client.get(quartiere_page(client) + ".atom").get_data(as_text=True)
    assert "/consultazioni/confini" not in feed
