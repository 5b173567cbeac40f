"""The moderators' queue at a council's scale on both stores (issue 20): counts per status
in the tabs, filters kept in every link (bad values a 400 naming the parameter), bulk
approve / reject / hide with one audit entry each and missing or changed ids reported,
next in queue after acting on one, and the CLI taking several ids
(app/contributions/admin.py, queue_filters.py, bulk.py)."""

from __future__ import annotations

import html
import re

import pytest

from tests.contributions.test_contributions import COMMENT, PROPOSAL, REPORT, post
from tests.contributions.test_photos import b64, camera_jpeg

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

JSON = {"Accept": "application/json"}
PERCENT = PROPOSAL | {"text": "Sconto del 100%_verde per la Città: più alberi", "email": None}


def seed(client) -> dict[str, str]:
    """Four contributions in moderation, each from its own address: {name: id}."""
    sent = {
        "comment": post(client, COMMENT, "192.0.2.1"),
        "report": post(client, REPORT | {"photo": b64(camera_jpeg(400, 300))}, "192.0.2.2"),
        "proposal": post(client, PROPOSAL, "192.0.2.3"),
        "percent": post(client, PERCENT, "192.0.2.4"),
    }
    assert all(r.status_code == 202 for r in sent.values()), [r.get_json() for r in sent.values()]
    return {name: r.get_json()["id"] for name, r in sent.items()}


def listed(moderator, **query) -> list[str]:
    """The ids in the queue's table, in order."""
    r = moderator.get("/admin/contributions/", query_string=query)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return re.findall(r'<tr data-contribution="([^"]+)"', r.get_data(as_text=True))


def counts(page: str) -> dict[str, int]:
    found = re.findall(r'data-status-count="([a-z_]+)">[^<(]*\((\d+)\)', page)
    return {status: int(n) for status, n in found}


def flashes(client) -> str:
    return html.unescape(client.get("/admin/contributions/").get_data(as_text=True))


def test_counts_and_filters(client, moderator, store):
    ids = seed(client)
    h = moderator.csrf_headers
    moderator.post(f"/admin/contributions/{ids['proposal']}/assign", data={"office": "patrimonio"}, headers=h)  # fmt: skip
    moderator.post(f"/admin/contributions/{ids['proposal']}/state", data={"state": "in_carico"}, headers=h)  # fmt: skip
    moderator.post(
        f"/admin/contributions/{ids['percent']}/reject", data={"reason": "doppione"}, headers=h
    )
    page = moderator.get("/admin/contributions/").get_data(as_text=True)
    assert counts(page)["in_moderazione"] == 3 and counts(page)["rifiutato"] == 1
    assert counts(page)["approvato"] == 0 and len(counts(page)) == 6

    oldest = listed(moderator)
    assert oldest == [ids["comment"], ids["report"], ids["proposal"]]
    assert listed(moderator, order="newest") == oldest[::-1]
    assert listed(moderator, kind="segnalazione") == [ids["report"]]
    assert listed(moderator, layer="interventi", target="e1") == [ids["comment"]]
    assert listed(moderator, layer="interventi", target="e2") == []
    assert listed(moderator, photo="yes") == [ids["report"]]
    assert listed(moderator, photo="no") == [ids["comment"], ids["proposal"]]
    assert listed(moderator, office="patrimonio") == [ids["proposal"]]
    assert listed(moderator, state="in_carico") == [ids["proposal"]]
    in_16 = [c.id for c in store.contributions(status="in_moderazione", quartiere=16).items]
    assert ids["report"] in in_16 and listed(moderator, quartiere=16) == sorted(
        in_16, key=oldest.index
    )
    # The text search: any case, and % and _ are characters, not wildcards.
    assert listed(moderator, q="BUCA PROFONDA") == [ids["report"]]
    assert listed(moderator, q="%") == []  # the only text with a % is rejected
    assert listed(moderator, status="rifiutato", q="100%_v") == [ids["percent"]]
    assert listed(moderator, status="rifiutato", q="100%%v") == []
    assert listed(moderator, status="rifiutato", q="0_ver") == []
    assert listed(moderator, status="rifiutato", q="CITTÀ") == [ids["percent"]]

    # The counts follow the filters; the tabs keep them.
    page = moderator.get("/admin/contributions/?kind=proposta").get_data(as_text=True)
    assert counts(page)["in_moderazione"] == 1 and counts(page)["rifiutato"] == 1
    assert (
        "status=rifiutato&amp;kind=proposta" in page or "kind=proposta&amp;status=rifiutato" in page
    )
    detail = re.search(r'href="(/admin/contributions/c[0-9a-f]+\?[^"]*)"', page).group(1)
    assert "kind=proposta" in detail


@pytest.mark.parametrize(
    "query, parameter",
    [
        ({"status": "pubblico"}, "status"),
        ({"kind": "lamentela"}, "kind"),
        ({"quartiere": "sedici"}, "quartiere"),
        ({"layer": "Interventi;drop"}, "layer"),
        ({"target": "e1"}, "target"),
        ({"photo": "forse"}, "photo"),
        ({"office": "ufficio_inesistente"}, "office"),
        ({"state": "perso"}, "state"),
        ({"order": "a_caso"}, "order"),
        ({"offset": "-1"}, "offset"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(moderator, query, parameter):
    r = moderator.get("/admin/contributions/", query_string=query, headers=JSON)
    assert r.status_code == 400 and r.get_json()["parameter"] == parameter
    page = moderator.get("/admin/contributions/", query_string=query)
    assert page.status_code == 400 and "text/html" in page.content_type


def test_the_paging_links_keep_the_filters(client, moderator, monkeypatch):
    from app.contributions import admin

    monkeypatch.setattr(admin, "PAGE", 1)
    ids = seed(client)
    first = moderator.get("/admin/contributions/?photo=no&order=newest").get_data(as_text=True)
    following = html.unescape(re.search(r'href="([^"]*offset=1[^"]*)"', first).group(1))
    assert "photo=no" in following and "order=newest" in following
    second = moderator.get(following).get_data(as_text=True)
    assert ids["proposal"] in second and "offset=0" in second  # Precedenti, filters kept


def test_bulk_actions_each_audited_and_nothing_silently_skipped(client, moderator, store):
    ids = seed(client)
    h = moderator.csrf_headers
    bulk = "/admin/contributions/bulk"
    chosen = [ids["comment"], ids["report"]]
    # A request that cannot be done whole changes nothing and names the field.
    for data, field in (
        ({"action": "reject", "ids": chosen}, "reason"),
        ({"action": "reject", "ids": chosen, "reason": "  "}, "reason"),
        ({"action": "delete", "ids": chosen}, "action"),
        ({"action": "approve"}, "ids"),
    ):
        r = moderator.post(bulk, data=data, headers=h | JSON)
        assert r.status_code == 400 and r.get_json()["parameter"] == field, data
    assert moderator.post(bulk, data={"action": "approve", "ids": chosen}).status_code in (400, 403)
    assert {store.contribution(c).status for c in ids.values()} == {"in_moderazione"}

    r = moderator.post(bulk, data={"action": "approve", "ids": chosen}, headers=h)
    assert r.status_code == 303 and r.headers["Location"].startswith("/admin/contributions/")
    assert "Approvati: 2." in flashes(moderator)
    assert [store.contribution(c).status for c in chosen] == ["approvato", "approvato"]
    approvals = [e for e in store.audit_log(limit=50) if e["action"] == "contribution-approve"]
    assert len(approvals) == 2 and {e["user"] for e in approvals} == {"moderatrice"}
    assert sorted(ids_in(approvals)) == sorted(chosen)

    # One already approved (changed since the page was shown), one that does not exist.
    r = moderator.post(
        bulk,
        data={
            "action": "reject",
            "ids": [ids["comment"], "cnonesiste00", ids["proposal"]],
            "reason": "Fuori tema",
        },
        headers=h,
    )
    assert r.status_code == 303
    said = flashes(moderator)
    assert "Rifiutati: 1." in said
    assert "cnonesiste00" in said and f"{ids['comment']} (approvato)" in said
    assert store.contribution(ids["comment"]).status == "approvato"  # left alone
    assert store.contribution(ids["proposal"]).reason == "Fuori tema"

    # Hiding from the approved queue: the filters come back with the confirmation.
    r = moderator.post(
        f"{bulk}?status=approvato&kind=segnalazione",
        data={"action": "hide", "ids": [ids["report"]], "reason": "Dati personali nel testo"},
        headers=h,
    )
    assert (
        "status=approvato" in r.headers["Location"] and "kind=segnalazione" in r.headers["Location"]
    )
    c = store.contribution(ids["report"])
    assert (c.status, c.reason) == ("nascosto", "Dati personali nel testo")
    hides = [e for e in store.audit_log(limit=50) if e["action"] == "contribution-hide"]
    assert ids_in(hides) == [ids["report"]]


def ids_in(entries) -> list[str]:
    return [re.search(r'"contribution": "([^"]+)"', str(e["detail"])).group(1) for e in entries]


def next_of(page: str) -> str | None:
    found = re.search(r"data-next>Prossimo in coda: <code>([^<]+)</code>", page)
    return found and found.group(1)


def test_next_in_queue_after_acting_on_one(client, moderator, store):
    ids = seed(client)
    h = moderator.csrf_headers
    base = "/admin/contributions"
    # From the queue of segnalazioni: the next one waiting is the one segnalazione.
    query = "status=in_moderazione&kind=segnalazione"
    assert (
        next_of(moderator.get(f"{base}/{ids['comment']}?{query}").get_data(as_text=True))
        == (ids["report"])
    )
    page = moderator.get(f"{base}/{ids['report']}?{query}").get_data(as_text=True)
    assert next_of(page) is None  # it is the only segnalazione
    assert f"{base}/{ids['report']}/approve?{query}" in html.unescape(page)
    # Reached directly: the queue of its own status, oldest first.
    assert (
        next_of(moderator.get(f"{base}/{ids['comment']}").get_data(as_text=True)) == (ids["report"])
    )

    # After acting the page stays, with the same filters, and links the next one waiting.
    r = moderator.post(f"{base}/{ids['comment']}/approve?status=in_moderazione", headers=h)
    assert r.status_code == 303
    assert r.headers["Location"] == f"{base}/{ids['comment']}?status=in_moderazione"
    page = moderator.get(r.headers["Location"]).get_data(as_text=True)
    assert "approvato" in re.search(r"<dd data-status>([^<]*)", page).group(1)
    assert next_of(page) == ids["report"]
    newest = "status=in_moderazione&order=newest"
    r = moderator.post(
        f"{base}/{ids['report']}/reject?{newest}", data={"reason": "Già segnalata"}, headers=h
    )
    assert r.headers["Location"] == f"{base}/{ids['report']}?{newest}"
    assert next_of(moderator.get(r.headers["Location"]).get_data(as_text=True)) == ids["percent"]
    # The last one of a filtered queue: the moderator is told none is left.
    r = moderator.post(f"{base}/{ids['proposal']}/approve?status=in_moderazione&q=fontanella", headers=h)  # fmt: skip
    page = html.unescape(moderator.get(r.headers["Location"]).get_data(as_text=True))
    assert "Nessun altro contributo in coda con questi filtri." in page
    assert next_of(page) is None
    # Answering keeps it in the queue: no such message.
    r = moderator.post(
        f"{base}/{ids['percent']}/answer?{newest}", data={"answer": "Ne terremo conto."}, headers=h
    )
    assert r.headers["Location"] == f"{base}/{ids['percent']}?{newest}"
    assert "Nessun altro" not in moderator.get(r.headers["Location"]).get_data(as_text=True)


def test_the_cli_moderates_several_at_once(client, app, runner_of, store):
    ids = seed(client)
    run = runner_of(app)
    done = run.invoke(args=["contributions", "approve", ids["comment"], ids["report"]])
    assert done.exit_code == 0, done.output
    assert (
        f"{ids['comment']} approvato" in done.output and f"{ids['report']} approvato" in done.output
    )
    done = run.invoke(
        args=["contributions", "hide", ids["report"], "cnonesiste00", "--reason", "spam"]
    )
    assert done.exit_code == 1 and "cnonesiste00" in done.output
    assert store.contribution(ids["report"]).status == "nascosto"  # done all the same
    assert run.invoke(args=["contributions", "reject", ids["proposal"]]).exit_code == 2
    done = run.invoke(
        args=["contributions", "reject", ids["proposal"], ids["percent"], "--reason", "doppi"]
    )
    assert done.exit_code == 0, done.output
    assert {store.contribution(ids[k]).reason for k in ("proposal", "percent")} == {"doppi"}
    rejections = [e for e in store.audit_log(limit=50) if e["action"] == "contribution-reject"]
    assert len(rejections) == 2 and {e["user"] for e in rejections} == {"cli"}


def test_the_expected_status_is_checked_in_the_transaction_of_the_change(client, store):
    """A moderator acts on what the page showed: the store refuses the change, in its own
    transaction, when the contribution has moved on (another moderator approved it), and
    nothing of the refused change is written or audited."""
    from app.errors import ContributionChanged

    cid = post(client, COMMENT).get_json()["id"]
    store.contribution_moderate(cid, "altra", "approve", {"status": "approvato"})
    before = len(store.audit_log(limit=100))
    with pytest.raises(ContributionChanged) as refused:
        store.contribution_moderate(
            cid, "moderatrice", "reject", {"status": "rifiutato", "reason": "No"},
            expect_status="in_moderazione",
        )  # fmt: skip
    assert refused.value.now == "approvato" and refused.value.status == 409
    c = store.contribution(cid)
    assert (c.status, c.reason) == ("approvato", None)
    assert len(store.audit_log(limit=100)) == before
    done = store.contribution_moderate(
        cid, "moderatrice", "hide", {"status": "nascosto", "reason": "Spam"},
        expect_status="approvato",
    )  # fmt: skip
    assert done.status == "nascosto"
