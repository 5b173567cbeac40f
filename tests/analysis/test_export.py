"""The `?f=csv` tables of the processes: formula-like text neutralised, numbers kept."""

import csv
import io

import geopandas as gpd
import shapely

from app.analysis.export import frame_csv, rows_csv
from tests.downloads.test_downloads import HOSTILE_TEXT


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_rows_csv_neutralises_formula_text_but_not_numbers():
    rows = [{"nome": t, "importo": -1250.5, "n": -3} for t in HOSTILE_TEXT]
    out = _rows(rows_csv(rows, ["nome", "importo", "n"]))
    assert [r["nome"] for r in out] == ["'" + t for t in HOSTILE_TEXT[:-1]] + [HOSTILE_TEXT[-1]]
    assert {(r["importo"], r["n"]) for r in out} == {("-1250.5", "-3")}


def test_frame_csv_neutralises_formula_text_but_not_coordinates():
    frame = gpd.GeoDataFrame(
        {"nome": ["=1+1", "ok"], "valore": [-7, 2]},
        geometry=[shapely.Point(-10.5, -45.25), shapely.Point(1, 2)],
        crs="EPSG:4326",
    )
    out = _rows(frame_csv(frame))
    assert [(r["nome"], r["valore"], r["lon"], r["lat"]) for r in out] == [
        ("'=1+1", "-7", "-10.5", "-45.25"),
        ("ok", "2", "1.0", "2.0"),
    ]
