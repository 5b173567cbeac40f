"""A synthetic layer of mixed geometry with categories and area-wide placements, and a
GeoPackage of it (one table per geometry family, as the downloads write them)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, box

from app.registry.spec import LayerSpec

COLOURS = {"a": "#e41a1c", "b": "#377eb8"}
OTHER = "#4daf4a"  # the layer's fill_color: what the web map draws for any other value
LINE = "#984ea3"  # the layer's color: strokes of any other value


def mixed_spec_of(prop: str = "stato") -> LayerSpec:
    """The synthetic layer, its category field named `prop`."""
    return LayerSpec.model_validate(
        {
            "id": "misti",
            "title": {"it": "Prova mista", "en": "Mixed test"},
            "group": {"it": "Prove", "en": "Tests"},
            "geometry_type": "Geometry",
            "source": {"path": "none.geojson"},
            "id_field": "id",
            "fields": [
                {"name": "id", "label": {"it": "Codice", "en": "Code"}},
                {"name": prop, "label": {"it": "Stato attuale", "en": "Current status"}},
                {"name": "precisione", "label": {"it": "Precisione", "en": "Precision"}},
            ],
            "style": {
                "property": prop,
                "color": LINE,
                "fill_color": OTHER,
                "weight": 6,
                "fill_opacity": 0.5,
                "radius": 8,
                "categories": [
                    {"value": "a", "color": COLOURS["a"], "label": {"it": "Stato A", "en": "A"}},
                    {"value": "b", "color": COLOURS["b"], "label": {"it": "Stato B", "en": "B"}},
                ],
            },
            "metadata": {
                "abstract": "Prova.",
                "licence": "CC0-1.0",
                "lineage": "Prova.",
                "updated": "2026-01-01",
            },
        }
    )


@pytest.fixture(scope="session")
def mixed_spec() -> LayerSpec:
    return mixed_spec_of()


# (id, stato, precisione, geometry): lon 10.00-10.02, lat 45.00-45.01, EPSG:4326
POINTS = [
    ("pa", "a", "edificio", Point(10.002, 45.005)),
    ("pb", "b", "quartiere", Point(10.006, 45.005)),  # points are never drawn faint
    ("po", "zzz", "edificio", Point(10.010, 45.005)),
    ("pn", None, None, Point(10.014, 45.005)),
]
POLYGONS = [
    ("ga", "a", "edificio", box(10.000, 45.000, 10.004, 45.004)),
    ("gb", "b", "quartiere", box(10.005, 45.000, 10.009, 45.004)),  # faint
    ("gn", "b", None, box(10.010, 45.000, 10.014, 45.004)),  # no precisione: normal
    ("go", "zzz", "edificio", box(10.015, 45.000, 10.019, 45.004)),
]
LINES = [
    ("la", "a", "via", LineString([(10.000, 45.002), (10.008, 45.002)])),
    ("lo", None, "via", LineString([(10.010, 45.002), (10.018, 45.002)])),
]


def frame(rows, prop: str = "stato") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            prop: [r[1] for r in rows],
            "precisione": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs="EPSG:4326",
    )


@pytest.fixture
def mixed_gpkg(tmp_path):
    """misti_punti, misti_linee, misti_poligoni written by pyogrio."""
    path = tmp_path / "misti.gpkg"
    for suffix, rows in (("punti", POINTS), ("linee", LINES), ("poligoni", POLYGONS)):
        frame(rows).to_file(path, layer=f"misti_{suffix}", driver="GPKG", engine="pyogrio")
    return path
