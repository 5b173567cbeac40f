"""The .qml/.sld beside a shapefile name the fields as its .dbf does (10 characters)."""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import pyogrio
import pytest

from app.styles.shapefile import shapefile_sidecars, stored_names
from tests.styles.conftest import POINTS, frame, mixed_spec_of

LONG = "stato_di_attuazione"  # 19 characters: the .dbf keeps "stato_di_a"


def write_points(tmp_path):
    path = tmp_path / "misti_punti.shp"
    with warnings.catch_warnings():  # the truncation is the point here
        warnings.simplefilter("ignore")
        frame(POINTS, LONG).to_file(path, engine="pyogrio")
    return path


def test_the_sidecars_follow_the_truncated_field_names(tmp_path):
    spec = mixed_spec_of(LONG)
    fields = list(pyogrio.read_info(write_points(tmp_path))["fields"])
    assert "stato_di_a" in fields
    assert stored_names(spec, fields) == {LONG: "stato_di_a"}
    sidecars = shapefile_sidecars(spec, "punti", fields)
    root = ET.fromstring(sidecars["qml"].encode())
    filters = [r.get("filter") for r in root.iter("rule")]
    assert filters[0] == "\"stato_di_a\" = 'a'"
    assert all(LONG not in f for f in filters)
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases["stato_di_a"] == "Stato attuale"
    assert "<ogc:PropertyName>stato_di_a</ogc:PropertyName>" in sidecars["sld"]
    # without the written names, the layer file's names
    assert f'"{LONG}"' in shapefile_sidecars(spec, "point")["qml"].replace("&quot;", '"')


def test_a_mixed_layers_sidecars_need_the_family():
    with pytest.raises(ValueError, match="family"):
        shapefile_sidecars(mixed_spec_of(), None)
