"""Normalisation: case, accents, apostrophes, street-type abbreviations, house numbers."""

import pytest

from app.search.normalize import house_key, tokenize, words


@pytest.mark.parametrize(
    "text, expected",
    [
        ("P.zza Sant'Agata", ["piazza", "san", "agata"]),
        ("piazza S. Agata", ["piazza", "san", "agata"]),
        ("C.so Garibaldi", ["corso", "garibaldi"]),
        ("v.le Po", ["viale", "po"]),
        ("L.go Pagliari", ["largo", "pagliari"]),
        ("v. Dante", ["via", "dante"]),
        ("Città", ["citta"]),
        ("PERCHÉ l’Università", ["perche", "l", "universita"]),
    ],
)
def test_words(text, expected):
    assert words(text) == expected


def test_tokens_split_street_types_and_numbers():
    t = tokenize("via Dante 12/a")
    assert t.words == ("dante",)
    assert t.soft == ("via",)
    assert t.numbers == ("12a",)
    assert tokenize("corso Garibaldi 120").numbers == ("120",)


def test_script_is_just_text():
    t = tokenize("<script>alert(1)</script>")
    assert "<" not in "".join(t.words)


@pytest.mark.parametrize(
    "number, suffix, key",
    [
        (12, None, "12"),
        (12, "A", "12a"),
        ("12", "bis", "12bis"),
        (12.0, None, "12"),
        (None, "A", None),
    ],
)
def test_house_key(number, suffix, key):
    assert house_key(number, suffix) == key
