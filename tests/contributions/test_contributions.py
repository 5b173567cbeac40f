"""Citizens' contributions on both stores: submitted by form and API, nothing public before
approval, moderation (approve, reject, answer, hide, duplicate, state), flags, the follow
link, rate limits, honeypot and minimum time, forget, retention, bad input, and a
contribution surviving a publish of the layer it targets (app/contributions)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

COMMENT = {
    "target": {"layer": "interventi", "id": "e1"},
    "kind": "commento",
    "text": "Quando finiscono i lavori del cantiere?",
    "email": "Mario.Rossi@example.org",
    "consent": True,
}
REPORT = {
    "target": {"quartiere": 16},
    "kind": "segnalazione",
    "text": "Buca profonda sul marciapiede davanti alla scuola",
    "location": [10.03, 45.14],
    "consent": True,
}
PROPOSAL = {
    "target": {"quartiere": 16},
    "kind": "proposta",
    "text": "Una fontanella nel parco, scrivete a mario.rossi@example.org",
    "name": "Mario",
    "email": "mario.rossi@example.org",
    "consent": True,
}


def post(client, body, addr="192.0.2.1"):
    return client.post("/api/contributions", json=body, environ_base={"REMOTE_ADDR": addr})


def public(client, **query):
    return client.get("/api/contributions", query_string=query).get_json()


def token_of(follow: str) -> str:
    return follow.rsplit("/", 1)[-1]


def test_submitted_contributions_wait_for_a_moderator(client, moderator, store):
    sent = [post(client, b) for b in (COMMENT, REPORT, PROPOSAL)]
    assert [r.status_code for r in sent] == [202, 202, 202]
    ids = [r.get_json()["id"] for r in sent]
    assert all(r.get_json()["status"] == "in_moderazione" for r in sent)
    follows = [r.get_json()["follow"] for r in sent]
    assert len(token_of(follows[0])) >= 22  # 128 bits, URL-safe
    # Nothing is public yet: not in the API, not on the pages.
    assert public(client)["numberMatched"] == 0
    assert "Quando finiscono" not in client.get("/interventi/e1").get_data(as_text=True)
    # The moderator sees the queue (and the e-mail, only there).
    queue = moderator.get("/admin/contributions/").get_data(as_text=True)
    assert all(i in queue for i in ids)
    page = moderator.get(f"/admin/contributions/{ids[0]}").get_data(as_text=True)
    assert "Mario.Rossi@example.org" in page

    h = moderator.csrf_headers
    assert moderator.post(f"/admin/contributions/{ids[0]}/approve", headers=h).status_code == 303
    assert moderator.post(f"/admin/contributions/{ids[1]}/approve", headers=h).status_code == 303
    moderator.post(
        f"/admin/contributions/{ids[2]}/reject", data={"reason": "Già proposta"}, headers=h
    )
    moderator.post(
        f"/admin/contributions/{ids[0]}/answer",
        data={"answer": "I lavori finiscono a giugno."},
        headers=h,
    )
    # "non di competenza" needs the competent office.
    refused = moderator.post(
        f"/admin/contributions/{ids[1]}/state",
        data={"state": "non_di_competenza"},
        headers=h | {"Accept": "application/json"},
    )
    assert refused.status_code == 400
    moderator.post(
        f"/admin/contributions/{ids[1]}/state",
        data={"state": "non_di_competenza", "office": "provincia"},
        headers=h,
    )

    listed = public(client)
    assert listed["numberMatched"] == 2
    assert {c["id"] for c in listed["contributions"]} == {ids[0], ids[1]}
    text = str(listed)
    assert "example.org" not in text and "email" not in text
    on_e1 = public(client, layer="interventi", id="e1")["contributions"]
    assert on_e1[0]["answer"]["text"] == "I lavori finiscono a giugno."
    assert on_e1[0]["answer"]["by"] == "Comune di Cremona"
    assert public(client, quartiere=16, kind="segnalazione")["contributions"][0]["id"] == ids[1]
    page = client.get("/interventi/e1").get_data(as_text=True)
    assert "Quando finiscono" in page and "I lavori finiscono a giugno." in page

    # The private links: state and answer, or the reason of a rejection.
    first = client.get(f"/partecipa/segui/{token_of(follows[0])}")
    assert first.headers["Cache-Control"] == "no-store"
    assert "I lavori finiscono a giugno." in first.get_data(as_text=True)
    second = client.get(f"/partecipa/segui/{token_of(follows[1])}").get_data(as_text=True)
    assert "non di competenza" in second and "Provincia di Cremona" in second
    third = client.get(f"/partecipa/segui/{token_of(follows[2])}").get_data(as_text=True)
    assert "Già proposta" in third
    assert client.get("/partecipa/segui/" + "x" * 22).status_code == 404

    actions = [e["action"] for e in store.audit_log(limit=20)]
    for a in ("contribution-submit", "contribution-approve", "contribution-reject"):
        assert a in actions
    assert "contribution-answer" in actions and "contribution-state" in actions
    assert "example.org" not in str(store.audit_log(limit=50))


def test_hide_duplicate_and_flags(client, moderator, app):
    h = moderator.csrf_headers
    a = post(client, COMMENT).get_json()["id"]
    b = post(client, COMMENT | {"text": "Anch'io vorrei sapere quando finiscono"}).get_json()["id"]
    for cid in (a, b):
        moderator.post(f"/admin/contributions/{cid}/approve", headers=h)
    moderator.post(f"/admin/contributions/{b}/duplicate", data={"duplicate_of": a}, headers=h)
    assert [c["id"] for c in public(client)["contributions"]] == [a]
    # Flags: one per address counts; at CONTRIBUTION_FLAGS_TO_HIDE (3) it is hidden.
    for addr in ("198.51.100.1", "198.51.100.1", "198.51.100.2"):
        r = client.post(
            f"/api/contributions/{a}/flag", json={"reason": "spam"},
            environ_base={"REMOTE_ADDR": addr},
        )  # fmt: skip
        assert r.status_code == 202
    assert public(client)["numberMatched"] == 1
    client.post(
        f"/api/contributions/{a}/flag", json={"reason": "offensivo"},
        environ_base={"REMOTE_ADDR": "198.51.100.3"},
    )  # fmt: skip
    assert public(client)["numberMatched"] == 0
    assert a in moderator.get("/admin/contributions/?status=in_revisione").get_data(as_text=True)
    bad = client.post(f"/api/contributions/{a}/flag", json={"reason": "noia"})
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "reason"
    # Reviewed and approved again: public, flags cleared; then hidden with a reason.
    moderator.post(f"/admin/contributions/{a}/approve", headers=h)
    assert public(client)["numberMatched"] == 1
    moderator.post(f"/admin/contributions/{a}/hide", data={"reason": "fuori luogo"}, headers=h)
    assert public(client)["numberMatched"] == 0


def _form(client, path="/interventi/e1"):
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return {
        "form_token": token,
        "target_layer": "interventi",
        "target_id": "e1",
        "kind": "commento",
        "text": "Il cantiere è fermo da settimane",
        "consent": "si",
        "website": "",
    }


def test_the_form_submits_and_refuses_bots(client, store, app):
    ok = client.post("/partecipa", data=_form(client))
    assert ok.status_code == 200 and "/partecipa/segui/" in ok.get_data(as_text=True)
    assert "Set-Cookie" not in ok.headers
    honey = client.post("/partecipa", data=_form(client) | {"website": "http://spam.example"})
    assert honey.status_code == 400
    no_consent = _form(client)
    del no_consent["consent"]
    assert client.post("/partecipa", data=no_consent).status_code == 400
    forged = client.post("/partecipa", data=_form(client) | {"form_token": "abc"})
    assert forged.status_code == 400
    cross = client.post(
        "/partecipa", data=_form(client), headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    assert store.contributions(status=None).total == 1


def test_a_form_sent_too_quickly_is_refused(editing_location, tmp_path, client_factory):
    from tests.editing.conftest import settings

    quick = client_factory(settings(editing_location, tmp_path), CONTRIBUTION_MIN_FILL_SECONDS=60)
    refused = quick.post("/partecipa", data=_form(quick))
    assert refused.status_code == 400
    assert "troppo in fretta" in refused.get_data(as_text=True)


def test_a_burst_from_one_address_is_throttled(client, store):
    codes = [
        post(client, PROPOSAL | {"text": f"Proposta numero {n} per il parco"}).status_code
        for n in range(50)
    ]
    assert codes[:5] == [202] * 5 and set(codes[5:]) == {429}
    r = post(client, PROPOSAL)
    problem = r.get_json()
    assert problem["limit"] == "GEOPORTALE_CONTRIBUTION_RATE" and int(r.headers["Retry-After"]) > 0
    assert "Troppi contributi" in problem["detail"] and "Too many" in problem["detail"]
    assert post(client, PROPOSAL, addr="192.0.2.99").status_code == 202  # another address
    assert store.contributions(status=None).total == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent": False}, "consent"),
        ({"kind": "lamentela"}, "kind"),
        ({"text": "corto"}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"target": {"layer": "interventi", "id": "nessuno"}}, "target.id"),
        ({"target": {"layer": "segreto", "id": "e1"}}, "target.layer"),
        ({"target": {"quartiere": 999}, "kind": "proposta"}, "target.quartiere"),
        ({"location": [12.5, 41.9]}, "location"),
        ({"email": "non-una-mail"}, "email"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(client, store, change, field):
    r = post(client, COMMENT | change)
    assert r.status_code == 400 and r.get_json()["parameter"] == field
    assert store.contributions(status=None).total == 0


def test_a_segnalazione_needs_a_point(client):
    r = post(client, {k: v for k, v in REPORT.items() if k != "location"})
    assert r.status_code == 400 and r.get_json()["parameter"] == "location"


def test_forget_removes_the_email_everywhere(client, app, store, runner_of):
    ids = [post(client, b).get_json()["id"] for b in (COMMENT, PROPOSAL, REPORT)]
    result = runner_of(app).invoke(args=["contributions", "forget", "MARIO.ROSSI@example.org"])
    assert result.exit_code == 0 and "forgotten: 2" in result.output
    assert all(store.contribution_email(i) is None for i in ids)
    proposal = store.contribution(ids[1])
    assert "example.org" not in proposal.text and "[rimosso]" in proposal.text
    assert "example.org" not in str(store.audit_log(limit=50))


def test_retention_purges_old_personal_data(client, app, store):
    from app.contributions import service
    from app.services import services

    cid = post(client, COMMENT).get_json()["id"]
    with app.app_context():
        assert service.purge(services()) == 0
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
        assert service.purge(services(), now=later) == 1
    assert store.contribution_email(cid) is None
    assert store.contribution(cid).text == COMMENT["text"]  # the public text stays


def test_a_contribution_survives_a_publish_of_its_layer(client, store):
    from app.stores.base import Query

    cid = post(client, COMMENT).get_json()["id"]
    spec = next(s for s in store.published_specs() if s.id == "interventi")
    data = store.frame(spec, Query())
    store.write_layer(spec, data, origin="upload", user="ufficio")
    store.rollback("interventi", "ufficio")
    assert store.contribution(cid).status == "in_moderazione"


def test_cli_lists_approves_rejects_and_answers(client, app, runner_of, store):
    a = post(client, COMMENT).get_json()["id"]
    b = post(client, PROPOSAL).get_json()["id"]
    run = runner_of(app)
    listed = run.invoke(args=["contributions", "list"])
    assert a in listed.output and b in listed.output
    assert run.invoke(args=["contributions", "approve", a]).exit_code == 0
    assert run.invoke(args=["contributions", "reject", b, "--reason", "doppione"]).exit_code == 0
    done = run.invoke(
        args=["contributions", "answer", a, "Grazie, verificheremo", "--state", "in_carico"]
    )
    assert done.exit_code == 0, done.output
    c = store.contribution(a)
    assert (c.status, c.state, c.answer) == ("approvato", "in_carico", "Grazie, verificheremo")
    assert store.contribution(b).reason == "doppione"


def test_a_moderator_reaches_only_the_queue(app, moderator):
    assert moderator.get("/admin/").status_code == 302
    assert moderator.get("/admin/contributions/").status_code == 200
    assert moderator.get("/admin/audit").status_code in (403, 404)


def test_an_editor_does_not_moderate(app, accounts):
    from tests.editing.conftest import EDITOR, logged_in

    editor = logged_in(app, accounts, *EDITOR, "editor")
    assert editor.get("/admin/contributions/").status_code == 403


def test_a_store_made_before_contributions_gains_the_tables(store, request):
    """Stores built by an earlier release have no contributions' tables: opening adds them."""
    from app.stores.contributions import NewContribution, RateLimits
    from app.stores.gpkg import GpkgStore

    if isinstance(store, GpkgStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            for t in ("contributions", "contribution_private", "contribution_flags"):
                conn.execute(f"DROP TABLE geoportale_{t}")
        reopened = GpkgStore(store.path)
    else:
        import psycopg

        from app.stores.postgis import PostgisStore

        url = request.getfixturevalue("editing_location")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "DROP TABLE geoportale.contributions, geoportale.contribution_private, "
                "geoportale.contribution_flags"
            )
        reopened = PostgisStore(url, max_size=2)
    try:
        new = NewContribution(
            "c1", "proposta", None, None, 16, "Un'idea per il quartiere", None, None, None,
            "ricevuta", "d" * 64, None, "k",
        )  # fmt: skip
        reopened.contribution_add(new, RateLimits(5, 5, 600))
        assert reopened.contribution("c1").status == "in_moderazione"
    finally:
        reopened.close()


def test_an_accounts_file_from_before_moderators_gains_the_role(tmp_path):
    import sqlite3

    from app.admin.accounts import SCHEMA, AccountStore

    path = tmp_path / "old.sqlite"
    old = SCHEMA.replace("'moderator', 'editor', 'admin'", "'editor', 'admin'")
    with sqlite3.connect(path) as conn:
        conn.executescript(old)
    accounts = AccountStore(path)
    accounts.create("capo", "una-password-lunga-9", "admin")
    made = accounts.create("mod", "una-password-lunga-8", "moderator")
    assert made.has_role("moderator") and not made.has_role("editor")
    assert accounts.by_id(1).has_role("moderator") and accounts.by_id(1).has_role("editor")


def test_every_feature_page_takes_contributions(client, moderator, store):
    """Not only interventions and quartieri: the page of any feature of a served layer (here
    a house number) has the form, and an approved comment is shown there."""
    path = "/api/collections/civici/items/1?f=html"
    page = client.get(path).get_data(as_text=True)
    assert "data-contribute" in page
    assert '<input type="hidden" name="target_layer" value="civici">' in page
    assert '<input type="hidden" name="target_id" value="1">' in page
    form = _form(client, path) | {"target_layer": "civici", "target_id": "1"}
    sent = client.post("/partecipa", data=form)
    assert sent.status_code == 200, sent.get_data(as_text=True)[:500]
    (c,) = store.contributions(status=None, target_layer="civici").items
    assert c.target_id == "1" and c.quartiere == 16
    assert "Il cantiere è fermo" not in client.get(path).get_data(as_text=True)
    h = moderator.csrf_headers
    assert moderator.post(f"/admin/contributions/{c.id}/approve", headers=h).status_code == 303
    assert "Il cantiere è fermo" in client.get(path).get_data(as_text=True)


def test_web_addresses_become_links_only_once_approved(client, moderator, store):
    """Text only, escaped; its http(s) addresses are links once a moderator approved it
    (marked as user content), never before and never in the moderators' own view."""
    from app.contributions.links import linked

    text = (
        "Vedi https://example.org/cantiere?a=1&b=2. E non <script>alert(1)</script> "
        "né javascript:alert(1) (https://it.wikipedia.org/wiki/Cremona_(città))"
    )
    html = str(linked(text))
    assert '<a href="https://example.org/cantiere?a=1&amp;b=2" rel="nofollow ugc' in html
    assert "</a>. E non &lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert 'href="https://it.wikipedia.org/wiki/Cremona_(città)"' in html
    sent = post(client, COMMENT | {"text": text})
    cid, follow = sent.get_json()["id"], sent.get_json()["follow"]
    mine = client.get(f"/partecipa/segui/{token_of(follow)}").get_data(as_text=True)
    assert "cantiere?a=1&amp;b=2." in mine and 'href="https://example.org' not in mine
    queue = moderator.get(f"/admin/contributions/{cid}").get_data(as_text=True)
    assert 'href="https://example.org' not in queue
    h = moderator.csrf_headers
    moderator.post(f"/admin/contributions/{cid}/approve", headers=h)
    moderator.post(
        f"/admin/contributions/{cid}/answer",
        data={"answer": "Il cronoprogramma: https://example.org/crono"},
        headers=h,
    )
    page = client.get("/interventi/e1").get_data(as_text=True)
    assert '<a href="https://example.org/cantiere?a=1&amp;b=2" rel="nofollow ugc' in page
    assert '<a href="https://example.org/crono" rel=' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
