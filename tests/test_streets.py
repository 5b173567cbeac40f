"""app/streets.py: the configured street list, its ranking, and its absence."""

from __future__ import annotations

import pytest

from app import create_app, streets
from app.organisation import OrganisationError, load_organisation
from app.streets import Street, StreetList, StreetListNotConfigured
from tests.conftest import DATA

ALESSANDRIA = DATA / "alessandria" / "organisation.yaml"


def _street(codice, dug, denominazione, nome):
    return Street(codice, "", dug, denominazione, nome)


@pytest.fixture
def small() -> StreetList:
    return StreetList(
        [
            _street("1", "PIAZZA", "DELLA CITTA'", "Piazza della Città"),
            _street("2", "VIA", "CITTADELLA", "Via Cittadella"),
            _street("3", "VIA", "FELICE CITTADINI", "Via Felice Cittadini"),
            _street("4", "VIA", "ANTONIO STRADIVARI", "Via Antonio Stradivari"),
            _street("5", "VIA", "MONTECITTA", "Via Montecitta"),
        ],
        "test",
    )


def names(found):
    return [s["nome"] for s in found]


def test_accents_case_and_apostrophes_do_not_matter(small):
    assert names(small.suggest("citta'"))[0] == "Via Cittadella"
    assert "Piazza della Città" in names(small.suggest("CITTA"))
    assert names(small.suggest("della città")) == ["Piazza della Città"]


def test_name_prefix_then_word_prefix_then_substring(small):
    # "citt": Cittadella starts the name; Città and Cittadini start a word; Montecitta contains it
    assert names(small.suggest("citt")) == [
        "Via Cittadella",
        "Piazza della Città",
        "Via Felice Cittadini",
        "Via Montecitta",
    ]
    assert names(small.suggest("via citt")) == ["Via Cittadella", "Via Felice Cittadini"]
    assert names(small.suggest("ant strad")) == ["Via Antonio Stradivari"]
    assert names(small.suggest("citt", limit=2)) == ["Via Cittadella", "Piazza della Città"]
    assert small.suggest("  ") == [] and small.suggest("zzz") == []


def test_result_shape_and_by_code(small):
    first = small.suggest("stradivari")[0]
    assert first == {
        "codice": "4",
        "nome": "Via Antonio Stradivari",
        "dug": "VIA",
        "denominazione": "ANTONIO STRADIVARI",
        "codice_comunale": "",
    }
    assert small.by_code("4") == first and small.by_code(" 4 ") == first
    assert small.by_code("999") is None


def test_cremona_list_from_the_organisation_file(app):
    with app.app_context():
        assert streets.available()
        assert len(streets.street_list()) == 900
        assert streets.street_list() is streets.street_list()  # read once
        assert streets.suggest("liberta")[0]["nome"] == "Piazza della Libertà"
        assert streets.suggest("stradivari")[0] == streets.by_code("254270")
        assert streets.by_code("254270")["nome"] == "Piazza Antonio Stradivari"
        assert "onData" in streets.attribution() and "CC-BY 4.0" in streets.attribution()
        # "san": names starting with it come before names that merely contain it
        found = names(streets.suggest("san", limit=50))
        starts = [n.split(" ", 1)[1].lower().startswith("san") for n in found]
        assert starts == sorted(starts, reverse=True) and starts[0] and not starts[-1]


def test_bulk_placement_names_streets_from_the_list(app):
    from app.publishing.placement import default_streets

    with app.app_context():
        lookup = default_streets()
        assert lookup("254270") == "Piazza Antonio Stradivari" and lookup("0") is None


def test_absent_when_not_configured():
    from app.publishing.placement import default_streets

    app = create_app({"ORGANISATION": str(ALESSANDRIA), "AUTO_BUILD": False})
    with app.app_context():
        assert default_streets() is None
        assert not streets.available() and streets.street_list() is None
        with pytest.raises(StreetListNotConfigured):
            streets.suggest("via")
        with pytest.raises(StreetListNotConfigured):
            streets.by_code("1")


def test_missing_file_is_named(tmp_path):
    text = ALESSANDRIA.read_text(encoding="utf-8")
    path = tmp_path / "organisation.yaml"
    path.write_text(text + "streets: {path: vie.csv, attribution: test}\n", encoding="utf-8")
    with pytest.raises(OrganisationError, match="streets.path: no file vie.csv"):
        load_organisation(path)
    (tmp_path / "vie.csv").write_text("codice,nome\n1,Via Roma\n", encoding="utf-8")
    assert load_organisation(path).streets.location(path) == tmp_path / "vie.csv"
    with pytest.raises(OrganisationError, match="needs the columns"):
        StreetList.read(tmp_path / "vie.csv", "test")


# -- streets a free text names (the interventions' official street, issue 17 item 6) ------

CREMONA_LIST = DATA.parents[1] / "geodata" / "stradario_anncsu.csv"


@pytest.fixture(scope="module")
def cremona() -> StreetList:
    return StreetList.read(CREMONA_LIST, "test")


def named(found):
    return [(s["codice"], s["nome"]) for s in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the full official name, its little words optional, abbreviations as search has them
        ("Pista ciclabile di via Mantova", [("254777", "Via Mantova")]),
        ("via Vecchia Dogana", [("255067", "Via della Vecchia Dogana")]),
        ("via Vecchia", [("255023", "Via Vecchia")]),  # the longest name written wins
        ("Ex INAM di viale Trento e Trieste", [("255007", "Viale Trento e Trieste")]),
        ("C.so Garibaldi", [("254705", "Corso Giuseppe Garibaldi")]),
        ("via S. Tomaso", [("254943", "Via San Tomaso")]),
        # numbers written any way; an initial; first names left out
        ("ex centro anziani di via XI Febbraio", [("255044", "Via Undici Febbraio")]),
        ("Palestra di Cavatigozzi (via G. Grassi)", [("1113154", "Via Guido Grassi")]),
        ("via Ponchielli", [("254245", "Via Amilcare Ponchielli")]),
        ("via Dante 12", [("254448", "Via Dante")]),  # not Via Dante Ruffini
        # a square's type written loosely, where no street of that type has the name
        ("piazzale Azzurri d'Italia", [("254280", "Piazza Atleti Azzurri d'Italia")]),
        # several streets, in the order named, each once
        (
            "via Brescia e via Bergamo; via Brescia",
            [("254327", "Via Brescia"), ("254302", "Via Bergamo")],
        ),
        # the only cycle path of the list, by its type and name
        (
            "Pista ciclabile Alfo Ferrari e Silvio Pedroni",
            [("254874", "Pista ciclabile Alfo Ferrari e Silvio Pedroni")],
        ),
        (
            "PISTA CICLABILE ALFO FERRARI E SILVIO PEDRONI",  # all capitals: no case to tell
            [("254874", "Pista ciclabile Alfo Ferrari e Silvio Pedroni")],
        ),
    ],
)
def test_streets_a_text_names(cremona, text, expected):
    assert named(cremona.named_in(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Teatro Ponchielli",  # a person, not the street named after him
        "Alfo Ferrari e Silvio Pedroni",  # the cycle path's name without its type
        "per via della crisi",  # "via" as a preposition
        "la via vecchia del paese",  # a name is written with a capital
        "via Roma",  # not Via Trattati di Roma nor Via Giancristoforo da Roma
        "corso del Po",  # the river's course: no Corso of that name
        "piazza Giovanni XXIII",  # no such street in the list
        "via Lodi",  # Piazza Lodi is a square; Via Lodi Mora needs "Mora"
        "",
        None,
    ],
)
def test_texts_naming_no_street(cremona, text):
    assert cremona.named_in(text) == []


def test_a_name_two_streets_share_is_not_guessed():
    two = StreetList(
        [
            _street("1", "VIA", "MARIO ROSSI", "Via Mario Rossi"),
            _street("2", "VIA", "LUIGI ROSSI", "Via Luigi Rossi"),
            _street("3", "PIAZZA", "ROSSI", "Piazza Rossi"),
        ],
        "test",
    )
    assert two.named_in("via Rossi") == []
    assert named(two.named_in("via M. Rossi")) == [("1", "Via Mario Rossi")]
    assert named(two.named_in("Piazza Rossi")) == [("3", "Piazza Rossi")]
