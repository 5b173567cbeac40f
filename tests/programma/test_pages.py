"""/programma and /api/programma on the citizen fixture (6 interventions), on both stores:
the tree's totals, honest amounts, late ones, the year control, filters, errors, CSV."""

import csv
import html as html_lib
import io
import re

import pytest

BOTH_STORES = True
READ_ONLY_STORE = True


def text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_lib.unescape(page)))


def test_the_totals_equal_those_computed_from_the_features_api(citizen_client):
    """Count, known amount, unknown amounts and states, recomputed from OGC API items."""
    items = citizen_client.get("/api/collections/interventi/items?limit=1000").get_json()
    props = [f["properties"] for f in items["features"]]
    mine = citizen_client.get("/api/programma").get_json()["totali"]
    assert mine["interventi"] == len(props) == 6
    assert mine["importo_noto_euro"] == sum(p["importo_euro"] for p in props
                                            if p["importo_euro"] is not None) == 1675000.5  # fmt: skip
    assert mine["senza_importo"] == sum(p["importo_euro"] is None for p in props) == 2
    states = {}
    for p in props:
        states[p["stato"]] = states.get(p["stato"], 0) + 1
    assert mine["per_stato"] == states


def test_the_dup_tree_and_what_has_no_mission(citizen_client):
    data = citizen_client.get("/api/programma").get_json()
    missions = {m["codice"]: m for m in data["missioni"]}
    assert list(missions) == ["5", "8", "10"]  # by code as a number, not as text
    eight = missions["8"]
    assert eight["nome"] == "Assetto del territorio ed edilizia abitativa"
    assert eight["interventi"] == 2 and eight["importo_noto_euro"] == 125000.5
    assert [p["codice"] for p in eight["figli"]] == ["8.01"]
    assert [i["id"] for i in eight["interventi_elenco"]] == ["int-6"]  # no programme given
    assert eight["figli"][0]["interventi_elenco"][0]["link"] == "/interventi/int-3"
    loose = data["senza_missione"]
    assert loose["interventi"] == 2 and loose["senza_importo"] == 2
    assert loose["importo_noto_euro"] == 0 and loose["per_stato"] == {
        "in_corso": 1,
        "pianificato": 1,
    }


def test_late_is_in_corso_after_the_planned_end(citizen_client):
    data = citizen_client.get("/api/programma").get_json()
    assert data["totali"]["in_ritardo"] == 1  # int-1: in corso, due to end in 2021
    assert {m["codice"]: m["in_ritardo"] for m in data["missioni"]} == {"5": 1, "8": 0, "10": 0}
    # In 2019 it was in corso and not yet due.
    assert citizen_client.get("/api/programma?al=2019").get_json()["totali"]["in_ritardo"] == 0


def test_the_programme_as_it_stood_in_a_year(citizen_client):
    then = citizen_client.get("/api/programma?al=2016").get_json()
    # int-1 was planned in 2016 (its history); int-3 and int-6 were done; the rest came later.
    assert then["totali"]["interventi"] == 3
    assert then["totali"]["per_stato"] == {"pianificato": 1, "concluso": 2}
    assert then["filtri"] == {"al": 2016}
    before = citizen_client.get("/api/programma?al=2010").get_json()["totali"]
    assert before["interventi"] == 0 and before["importo_noto_euro"] == 0
    now = citizen_client.get("/api/programma?al=2030").get_json()["totali"]
    assert now["interventi"] == 6


def test_filters(citizen_client):
    get = lambda q: citizen_client.get("/api/programma?" + q).get_json()["totali"]  # noqa: E731
    assert get("finanziamento=pnrr")["interventi"] == 1
    assert get("finanziamento=comune")["importo_noto_euro"] == 45000.5
    assert get("finanziamento=nd")["interventi"] == 3  # no funding given
    assert get("quartiere=16")["interventi"] == 3
    assert get("stato=concluso&anno=2016")["interventi"] == 2
    funding = get("")["finanziamento"]
    assert funding == {"comune": 1, "nd": 3, "pnrr": 1, "regione": 1}


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("al=abc", "al"),
        ("al=1800", "al"),
        ("quartiere=centro", "quartiere"),
        ("finanziamento=lotteria", "finanziamento"),
        ("anno=20x6", "anno"),
    ],  # fmt: skip
)
def test_bad_filters_are_400_problems_naming_the_parameter(citizen_client, query, parameter):
    r = citizen_client.get("/api/programma?" + query)
    assert r.status_code == 400
    assert r.get_json()["parameter"] == parameter
    assert citizen_client.get("/programma?" + query).status_code == 400


def test_csv_has_a_row_per_node(citizen_client):
    r = citizen_client.get("/api/programma.csv")
    assert r.status_code == 200 and r.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by = {(row["livello"], row["codice"]): row for row in rows}
    assert by[("missione", "8")]["interventi"] == "2"
    assert by[("missione", "8")]["importo_noto_euro"] == "125000.50"
    assert by[("programma", "8.01")]["stato_concluso"] == "1"
    assert by[("senza_dup", "")]["senza_importo"] == "2"


def test_the_page_in_both_languages(citizen_client):
    r = citizen_client.get("/programma")
    assert r.status_code == 200
    body = text(r.text)
    assert "Il programma del Comune" in body
    assert "Assetto del territorio ed edilizia abitativa" in body
    assert "2 senza importo: n.d." in body  # unknown amounts counted apart
    assert "1 in ritardo" in body
    assert 'href="/interventi/int-3"' in r.text
    assert "versione" in body and "dati aggiornati al" in body
    en = text(citizen_client.get("/programma?lang=en").text)
    assert "The council's programme" in en and "Known amount" in en and "late" in en
    assert 'href="/programma"' in citizen_client.get("/quartieri").text  # in the menu


def test_the_timeline_counts_states_at_the_end_of_each_year(citizen_client):
    data = citizen_client.get("/api/programma/andamento").get_json()
    years = {row["anno"]: row for row in data["anni"]}
    assert years[2014]["totale"] == 0 and min(years) == 2014
    assert years[2016]["per_stato"] == {"in_corso": 0, "pianificato": 1, "concluso": 2}
    assert years[2019]["per_stato"] == {"in_corso": 2, "pianificato": 0, "concluso": 2}
    assert years[2024]["totale"] == 6
    # the filters apply, the year ones do not (the timeline shows every year)
    q16 = citizen_client.get("/api/programma/andamento?quartiere=16&al=2016").get_json()
    assert {r["anno"]: r["totale"] for r in q16["anni"]}[2024] == 3
    rows = citizen_client.get("/api/programma/andamento?f=csv").text.splitlines()
    assert rows[0] == "anno,in_corso,pianificato,concluso,totale"
    assert "2016,0,1,2,3" in rows


def test_funding_counts_a_cofunded_item_in_each_category(citizen_client):
    data = citizen_client.get("/api/programma/finanziamento").get_json()
    cats = {c["key"]: c for c in data["categorie"]}
    assert cats["pnrr"] == {"key": "pnrr", "count": 1, "amount": 1200000.0,
                            "unknown_amount": 0, "cofunded": 0}  # fmt: skip
    assert cats["nd"]["count"] == 3 and cats["nd"]["unknown_amount"] == 2
    assert data["per_missione"]["10 - Trasporti e diritto alla mobilità"] == {"regione": 1}
    assert data["per_quartiere"]["Quartiere 16 Centro"] == {"pnrr": 1, "regione": 1, "comune": 1}


def test_the_page_draws_an_accessible_chart_with_its_table(citizen_client):
    page = citizen_client.get("/programma").text
    assert '<svg id="andamento"' in page and 'role="img"' in page
    assert 'aria-labelledby="andamento-title andamento-desc"' in page
    assert "2016: 3;" in page  # the description carries the figures
    assert "Interventi per stato alla fine di ogni anno" in text(page)  # the table's caption
    assert 'href="/programma?al=2016"' in page  # each year opens the programme as it stood
    assert "Da dove vengono i soldi" in text(page)


def test_stated_shares():
    from app.programma.timeline import stated_shares

    assert stated_shares("FESR 84%; FSE+ 6%; altre fonti 10%") == [
        ("FESR", 84.0), ("FSE+", 6.0), ("altre fonti", 10.0)]  # fmt: skip
    assert stated_shares("PNRR") == [] and stated_shares(None) == []


def test_the_programme_is_a_dataset_of_the_dcat_catalogue(citizen_client):
    doc = citizen_client.get("/catalog.jsonld").get_json()
    datasets = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    programme = datasets["c_d150:programma"]
    assert programme["dcat:landingPage"]["@id"].endswith("/programma")
    assert programme["dct:source"]["@id"].endswith("/api/collections/interventi")
    urls = [d["dcat:downloadURL"]["@id"].replace("http://localhost", "")
            for d in programme["dcat:distribution"]]  # fmt: skip
    assert len(urls) == 4
    for url in urls:  # every advertised table answers
        assert citizen_client.get(url).status_code == 200, url
    # the same figures as the page's API
    row = next(
        r for r in citizen_client.get(urls[1]).text.splitlines() if r.startswith("missione,8,")
    )
    assert ",2,125000.50," in row


def test_the_mission_filter_drives_the_timeline_and_the_tree(citizen_client):
    eight = citizen_client.get("/api/programma?missione=8").get_json()
    assert eight["totali"]["interventi"] == 2 and [m["codice"] for m in eight["missioni"]] == ["8"]
    timeline = citizen_client.get("/api/programma/andamento?missione=8").get_json()
    assert {r["anno"]: r["totale"] for r in timeline["anni"]}[2016] == 2
    r = citizen_client.get("/api/programma?missione=otto")
    assert r.status_code == 400 and r.get_json()["parameter"] == "missione"
    page = citizen_client.get("/programma?missione=8").text
    assert '<option value="8" selected>' in page
