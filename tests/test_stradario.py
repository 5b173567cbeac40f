"""The shipped street list (geodata/stradario_anncsu.csv) and its build from ../shared.

The build is compared with the committed file when the onData extract is in ../shared
(skipped otherwise); the committed file is checked either way.
"""

from __future__ import annotations

import csv
import io

import pytest

from scripts import build_stradario

COMMITTED = build_stradario.OUTPUT


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(COMMITTED.read_text(encoding="utf-8"))))


def test_build_is_byte_identical_to_the_committed_file():
    if not build_stradario.SOURCE.is_file():
        pytest.skip(f"ANNCSU extract not available at {build_stradario.SOURCE} (../shared)")
    assert build_stradario.build() == COMMITTED.read_bytes(), (
        "run python3 scripts/build_stradario.py"
    )


def test_committed_file_is_well_formed(rows):
    data = COMMITTED.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    assert list(rows[0]) == build_stradario.COLUMNS
    assert 850 <= len(rows) <= 950
    codes = [r["codice"] for r in rows]
    assert all(c.isdigit() for c in codes) and len(set(codes)) == len(codes)
    assert codes == sorted(codes, key=int)
    for r in rows:
        assert r["dug"] and r["denominazione"] and r["nome"], r
        assert r["nome"].split()[0].lower() == r["dug"].split()[0].lower()


def test_known_streets(rows):
    by_code = {r["codice"]: r for r in rows}
    assert by_code["254270"]["nome"] == "Piazza Antonio Stradivari"
    assert by_code["254534"]["denominazione"] == "DELLA LIBERTA'"
    assert by_code["254534"]["nome"] == "Piazza della Libertà"


@pytest.mark.parametrize(
    "dug, name, shown",
    [
        ("VIA", "DELL'AQUILA", "Via dell'Aquila"),
        ("VIA", "CA' DEL FERRO", "Via Ca' del Ferro"),
        ("VIA", "GUARNERI DEL GESU'", "Via Guarneri del Gesù"),
        ("VIA", "FRA' GHERARDO DA CREMONA", "Via Fra' Gherardo da Cremona"),
        ("VIA", "CORTE DE' MONACI", "Via Corte de' Monaci"),
        ("PIAZZA", "SANT'ANTONIO MARIA ZACCARIA", "Piazza Sant'Antonio Maria Zaccaria"),
        ("VIA", "SANTA MARIA IN BETLEM", "Via Santa Maria in Betlem"),
        ("VIA", "GIUSEPPE DI VITTORIO", "Via Giuseppe Di Vittorio"),
        ("PISTA CICLABILE", "ALFO FERRARI", "Pista ciclabile Alfo Ferrari"),
        ("AUTOSTRADA", "A21", "Autostrada A21"),
        ("LARGO", "RAGAZZI DEL 99", "Largo Ragazzi del 99"),
    ],
)  # fmt: skip
def test_display_name(dug, name, shown):
    assert build_stradario.display_name(dug, name) == shown
