"""write_layer_styles: the default style in a GeoPackage's layer_styles table, as QGIS keeps it."""

from __future__ import annotations

import sqlite3

import pyogrio
import pytest

from app.styles.gpkg import write_layer_styles

# The columns QGIS 3.22 creates (QgsOgrProvider's saveStyle), in its order
QGIS_COLUMNS = [
    "id",
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
]


def rows(path):
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM layer_styles ORDER BY id")]


def test_the_default_style_of_each_table(mixed_spec, mixed_gpkg):
    write_layer_styles(mixed_gpkg, "misti_punti", mixed_spec, "punti")
    write_layer_styles(mixed_gpkg, "misti_poligoni", mixed_spec, "polygon", lang="en")
    with sqlite3.connect(mixed_gpkg) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(layer_styles)")]
        contents = conn.execute(
            "SELECT data_type, identifier FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchall()
    assert columns == QGIS_COLUMNS
    assert contents == [("attributes", "layer_styles")]
    points, polygons = rows(mixed_gpkg)
    assert points["f_table_name"] == "misti_punti" and points["f_geometry_column"] == "geom"
    assert (points["f_table_catalog"], points["f_table_schema"]) == ("", "")
    assert points["useAsDefault"] == 1 and points["styleName"] == "default"
    assert 'type="marker"' in points["styleQML"] and "<PointSymbolizer>" in points["styleSLD"]
    assert "<Name>misti_punti</Name>" in points["styleSLD"]
    assert 'label="Stato A"' in points["styleQML"]
    assert 'type="fill"' in polygons["styleQML"] and 'label="A"' in polygons["styleQML"]
    assert points["update_time"].endswith("Z")
    # GDAL still reads the file, and lists the styles as a table without geometry
    layers = dict(pyogrio.list_layers(mixed_gpkg))
    assert layers["layer_styles"] is None and layers["misti_punti"] == "Point"
    assert len(pyogrio.read_dataframe(mixed_gpkg, layer="misti_punti")) == 4
    assert len(pyogrio.read_dataframe(mixed_gpkg, layer="layer_styles")) == 2


def test_writing_again_replaces_the_tables_style(mixed_spec, mixed_gpkg):
    for lang in ("it", "en"):
        write_layer_styles(mixed_gpkg, "misti_linee", mixed_spec, "line", lang=lang)
    (only,) = rows(mixed_gpkg)
    assert 'label="A"' in only["styleQML"]


def test_a_mixed_layer_names_the_family_and_the_table_must_exist(mixed_spec, mixed_gpkg):
    with pytest.raises(ValueError, match="family"):
        write_layer_styles(mixed_gpkg, "misti_punti", mixed_spec)
    with pytest.raises(ValueError, match="not a feature table"):
        write_layer_styles(mixed_gpkg, "nessuna", mixed_spec, "point")
