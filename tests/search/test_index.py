"""The in-memory index on its own: matching, typos, prefixes, house numbers, ranking."""

from app.search.index import Doc, House, SearchIndex, edit_distance


def doc(label, kind="feature", **kw):
    return Doc(
        label=label,
        kind=kind,
        layer="l",
        layer_title={"it": "L", "en": "L"},
        id=label,
        lon=10.0,
        lat=45.0,
        precisione=None,
        quartiere=None,
        link="/x",
        **kw,
    )


def index():
    dante = doc(
        "Via Dante Alighieri",
        kind="street",
        houses={
            "12": House("Via Dante Alighieri 12", 10.1, 45.1, None),
            "12a": House("Via Dante Alighieri 12/A", 10.2, 45.2, None),
        },
    )
    return SearchIndex(
        [
            dante,
            doc("Corso Garibaldi", kind="street"),
            doc("Via Garibaldi"),
            doc("Museo del Violino"),
            doc("Quartiere 3 Cavatigozzi - Picenengo - San Predengo", kind="quartiere"),
        ]
    )


def labels(results):
    return [r["label"] for r in results]


def test_edit_distance():
    assert edit_distance("violino", "violno", 2) == 1
    assert edit_distance("dante", "dnate", 2) == 1  # a swap counts once
    assert edit_distance("abc", "xyzabc", 1) == 2


def test_exact_typo_prefix():
    ix = index()
    assert labels(ix.search("museo del violino"))[0] == "Museo del Violino"
    assert labels(ix.search("Museo del Violno"))[0] == "Museo del Violino"
    assert labels(ix.search("CAVATIGOZZI"))[0].startswith("Quartiere 3")
    assert labels(ix.search("cavatig"))[0].startswith("Quartiere 3")
    assert ix.search("zzzzzz") == []


def test_house_number_picked():
    ix = index()
    first = ix.search("via Dante 12")[0]
    assert first["label"] == "Via Dante Alighieri 12"
    assert first["kind"] == "address" and first["precisione"] == "indirizzo"
    assert first["location"] == {"lon": 10.1, "lat": 45.1}
    assert ix.search("v. dante 12/a")[0]["label"] == "Via Dante Alighieri 12/A"
    # A number the street does not have: the street itself.
    assert ix.search("via dante 99")[0]["label"] == "Via Dante Alighieri"


def test_street_type_ranks():
    ix = index()
    assert labels(ix.search("corso garibaldi"))[0] == "Corso Garibaldi"
    assert labels(ix.search("via garibaldi"))[0] == "Via Garibaldi"
    assert labels(ix.search("c.so Garibaldi"))[0] == "Corso Garibaldi"


def test_only_soft_words_find_nothing():
    assert index().search("via di") == []
