"""Consultations on both stores (app/consultations): opened on a staged, unpublished
quartieri layer with two alternative areas; citizens comment by API and form; moderation;
the window closed refuses; the export counts by area and by feature, without personal
data; the draft never becomes public by being consulted."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, box

BOTH_STORES = True

WEST = MultiPolygon([box(10.015, 45.13, 10.0225, 45.14)])
EAST = MultiPolygon([box(10.0225, 45.13, 10.03, 45.14)])
IN_WEST, IN_EAST, OUTSIDE = [10.018, 45.135], [10.027, 45.135], [10.05, 45.15]
EMAIL = "Lucia.Bianchi@example.org"


def stage_draft(store) -> int:
    """Alternative quartieri boundaries, staged as a draft (never published)."""
    spec = store.versions("quartieri")[0].spec
    gdf = gpd.GeoDataFrame(
        {
            "id": ["alt-ovest", "alt-est"],
            "numero": [101, 102],
            "nome": ["Ovest", "Est"],
            "etichetta": ["Quartiere Ovest (proposta)", "Quartiere Est (proposta)"],
            "precisione": ["proposta", "proposta"],
        },
        geometry=[WEST, EAST],
        crs="EPSG:4326",
    )
    info = store.stage(spec, gdf, origin="import", source="alternative.geojson", user="test")
    assert info.status == "draft"
    return info.version


def open_consultation(app, store, cid="confini", **extra):
    from app.consultations import service
    from app.services import services

    version = stage_draft(store)
    today = dt.datetime.now(dt.UTC).date()
    fields = {
        "id": cid,
        "title_it": "Nuovi confini dei quartieri",
        "title_en": "New neighbourhood boundaries",
        "description_it": "Due quartieri al posto del Centro: che ne pensate?",
        "description_en": "Two neighbourhoods instead of the Centre: what do you think?",
        "layer": "quartieri",
        "version": version,
        "ends": (today + dt.timedelta(days=30)).isoformat(),
    } | extra
    with app.app_context():
        return service.create(services(), "test", fields), version


def comment(client, cid, addr="192.0.2.10", **body):
    payload = {"text": "Il confine taglia in due la piazza", "consent": True} | body
    return client.post(
        f"/api/consultazioni/{cid}/commenti", json=payload, environ_base={"REMOTE_ADDR": addr}
    )


def test_a_consultation_collects_comments_and_exports_them(app, client, moderator, store):
    c, version = open_consultation(app, store)
    page = client.get("/consultazioni/confini").get_data(as_text=True)
    assert "Nuovi confini dei quartieri" in page and "Quartiere Ovest (proposta)" in page
    assert 'name="form_token"' in page and 'name="consent"' in page
    english = client.get("/consultazioni/confini?lang=en").get_data(as_text=True)
    assert "New neighbourhood boundaries" in english
    assert "confini" in client.get("/consultazioni").get_data(as_text=True)

    sent = [
        comment(client, "confini", location=IN_WEST, email=EMAIL, name="Lucia"),
        comment(client, "confini", location=IN_WEST, addr="192.0.2.11"),
        comment(client, "confini", location=IN_EAST, feature="alt-est", addr="192.0.2.12"),
        comment(client, "confini", location=OUTSIDE, addr="192.0.2.13"),
        comment(client, "confini", feature="alt-ovest", addr="192.0.2.14"),
    ]
    assert [r.status_code for r in sent] == [202] * 5
    ids = [r.get_json()["id"] for r in sent]
    assert all(r.get_json()["status"] == "in_moderazione" for r in sent)
    # By the form too (the contributions' protections).
    form = client.get("/consultazioni/confini").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', form).group(1)
    fields = {
        "form_token": token, "text": "Meglio lasciare il Centro com'è", "consent": "si",
        "website": "", "feature": "alt-est", "lon": "10.028", "lat": "45.138",
    }  # fmt: skip
    ok = client.post("/consultazioni/confini/commenta", data=fields)
    assert ok.status_code == 200 and "/partecipa/segui/" in ok.get_data(as_text=True)
    assert (
        client.post("/consultazioni/confini/commenta", data=fields | {"website": "x"}).status_code
        == 400
    )  # noqa: E501
    no_consent = {k: v for k, v in fields.items() if k != "consent"}
    assert client.post("/consultazioni/confini/commenta", data=no_consent).status_code == 400
    # A feature not in the draft, missing consent: 400 naming the field.
    bad = comment(client, "confini", feature="q16", addr="192.0.2.20")
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "feature"
    assert (
        comment(client, "confini", consent=False, addr="192.0.2.21").get_json()["parameter"]
        == "consent"
    )

    # Nothing public before moderation; the comments are in the moderators' queue.
    assert "taglia in due" not in client.get("/consultazioni/confini").get_data(as_text=True)
    queue = moderator.get("/admin/contributions/").get_data(as_text=True)
    assert all(i in queue for i in ids)
    h = moderator.csrf_headers
    for i in ids[:4]:
        assert moderator.post(f"/admin/contributions/{i}/approve", headers=h).status_code == 303
    moderator.post(f"/admin/contributions/{ids[4]}/reject", data={"reason": "Doppio"}, headers=h)
    assert "taglia in due" in client.get("/consultazioni/confini").get_data(as_text=True)

    got = moderator.get("/admin/consultations/confini/export?format=json")
    assert got.status_code == 200, got.get_data(as_text=True)[:2000]
    data = got.get_json()
    counts = data["counts"]
    assert counts["total"] == 6 and counts["approved"] == 4
    assert counts["by_status"] == {"approvato": 4, "in_moderazione": 1, "rifiutato": 1}
    by_area = {a["area"]: a["count"] for a in counts["by_area"]}
    assert by_area == {"alt-ovest": 2, "alt-est": 1, "fuori": 1}
    assert {f["feature"]: f["count"] for f in counts["by_feature"]} == {"alt-est": 1}
    assert data["consultation"]["version"] == version
    text = json.dumps(data)
    assert EMAIL.lower() not in text.lower() and "Lucia" not in text and "192.0.2" not in text

    exported = moderator.get("/admin/consultations/confini/export")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    body = exported.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:4] == ["id", "created", "feature", "area"]
    assert ["area", "alt-ovest", "Quartiere Ovest (proposta)", "2"] in rows
    assert EMAIL.lower() not in body.lower() and "Lucia" not in body
    # The public never reaches the export.
    assert client.get("/admin/consultations/confini/export").status_code in (302, 401, 403)


def test_the_export_csv_is_spreadsheet_safe(app, client, moderator, store):
    open_consultation(app, store)
    sent = comment(client, "confini", text='=HYPERLINK("http://x") sul confine')
    moderator.post(f"/admin/contributions/{sent.get_json()['id']}/approve",
                   headers=moderator.csrf_headers)  # fmt: skip
    body = moderator.get("/admin/consultations/confini/export").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_comments_outside_the_window_are_refused(app, client, moderator, store):
    today = dt.datetime.now(dt.UTC).date()
    open_consultation(app, store, cid="futura", opens=(today + dt.timedelta(days=2)).isoformat())
    early = comment(client, "futura")
    assert early.status_code == 409 and early.get_json()["type"].endswith("consultation-closed")
    open_consultation(app, store, cid="adesso")
    assert comment(client, "adesso").status_code == 202
    h = moderator.csrf_headers
    assert moderator.post("/admin/consultations/adesso/close", headers=h).status_code == 303
    late = comment(client, "adesso", addr="192.0.2.30")
    assert late.status_code == 409
    page = client.get("/consultazioni/adesso").get_data(as_text=True)
    assert "non è aperta" in page and 'name="form_token"' not in page
    assert store.contributions(status=None, target_layer="consultazione").total == 1
    # The store refuses it too, whatever the caller checked.
    from app.errors import ConsultationClosed
    from app.stores.contributions import NewContribution, RateLimits

    new = NewContribution(
        "cx", "commento", "consultazione", "adesso", None, "Un commento tardivo", None,
        None, None, "ricevuta", "e" * 64, None, "k",
    )  # fmt: skip
    with pytest.raises(ConsultationClosed):
        store.consultation_comment_add("adesso", None, new, RateLimits(5, 5, 600))
    with pytest.raises(Exception):  # noqa: B017 (not found, a 404)
        store.contribution("cx")


def test_the_draft_never_becomes_public_by_being_consulted(app, client, store):
    served = store.describe("quartieri").version
    c, version = open_consultation(app, store)
    assert version != served
    comment(client, "confini")
    assert store.describe("quartieri").version == served
    assert [v.status for v in store.versions("quartieri") if v.version == version] == ["draft"]
    items = client.get("/api/collections/quartieri/items?f=json&limit=100").get_json()
    assert "alt-ovest" not in json.dumps(items)
    draft = client.get("/consultazioni/confini/bozza.geojson")
    assert draft.status_code == 200 and draft.mimetype == "application/geo+json"
    assert {f["id"] for f in draft.get_json()["features"]} == {"alt-ovest", "alt-est"}
    assert client.get("/consultazioni/altra/bozza.geojson").status_code == 404


def test_only_a_draft_version_can_be_consulted(app, store):
    from app.errors import InvalidParameter

    served = store.describe("quartieri").version
    with pytest.raises(InvalidParameter) as refused:
        open_consultation(app, store, version=served)
    assert refused.value.parameter == "version"


def test_the_admin_opens_edits_and_closes_with_csrf(app, moderator, store):
    version = stage_draft(store)
    form = {
        "id": "prova", "title_it": "Prova di confini", "description_it": "Una bozza",
        "layer": f"quartieri:{version}", "ends": "2099-01-31",
    }  # fmt: skip
    assert moderator.post("/admin/consultations/", data=form).status_code in (400, 403)
    made = moderator.post("/admin/consultations/", data=form, headers=moderator.csrf_headers)
    assert made.status_code == 303
    c = store.consultation("prova")
    assert (c.layer_id, c.version, c.ends_at[:10]) == ("quartieri", version, "2099-02-01")
    assert "prova" in moderator.get("/admin/consultations/").get_data(as_text=True)
    moderator.post(
        "/admin/consultations/prova", data={"title_en": "Boundaries trial"},
        headers=moderator.csrf_headers,
    )  # fmt: skip
    assert store.consultation("prova").title_en == "Boundaries trial"
    moderator.post("/admin/consultations/prova/close", headers=moderator.csrf_headers)
    assert store.consultation("prova").closed_at is not None
    actions = [e["action"] for e in store.audit_log(limit=20)]
    assert {"consultation-create", "consultation-edit", "consultation-close"} <= set(actions)


def test_cli_creates_lists_closes_and_exports(app, client, store, tmp_path):
    version = stage_draft(store)
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["consultations", "create", "cli", "--title", "Confini", "--description",
              "La bozza", "--layer", "quartieri", "--version", str(version),
              "--ends", "2099-12-31"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    listed = runner.invoke(args=["consultations", "list"])
    assert "cli\taperta\tquartieri v" in listed.output
    comment(client, "cli", location=IN_EAST)
    out = tmp_path / "r.json"
    runner.invoke(args=["consultations", "export", "cli", "--format", "json", "-o", str(out)])
    assert json.loads(out.read_text())["counts"]["by_status"] == {"in_moderazione": 1}
    assert runner.invoke(args=["consultations", "close", "cli"]).exit_code == 0
    assert "cli\tchiusa" in runner.invoke(args=["consultations", "list"]).output
    bad = runner.invoke(args=["consultations", "export", "nessuna"])
    assert bad.exit_code != 0


def test_the_routed_store_implements_every_store_method():
    from app.stores.replicas import RoutedStore

    assert not RoutedStore.__abstractmethods__


def test_a_store_made_before_consultations_gains_the_tables(store, request):
    from app.stores.gpkg import GpkgStore

    if isinstance(store, GpkgStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TABLE geoportale_consultations")
            conn.execute("DROP TABLE geoportale_consultation_comments")
        reopened = GpkgStore(store.path)
    else:
        import psycopg

        from app.stores.postgis import PostgisStore

        url = request.getfixturevalue("editing_location")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE geoportale.consultations, geoportale.consultation_comments")
        reopened = PostgisStore(url, max_size=2)
    try:
        assert reopened.consultations() == []
    finally:
        reopened.close()
