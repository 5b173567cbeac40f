"""A small synthetic store whose answers are known (CC0, made for these tests).

Zones 1 and 2 are adjacent 0.02° squares south of Cremona's centre; zone 3 has no geometry.
Points a, b (zone 1), c (zone 2), f (outside) are located; d (quartiere 2) and e
(quartiere 3) have none. One line runs from zone 1 into zone 2 along 45.11°N (b and c lie
on it); one rectangle straddles the two zones, half in each.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from app.registry.spec import LayerSpec
from app.stores.gpkg import GpkgStore

META = {
    "abstract": "Synthetic test layer.",
    "licence": "CC0-1.0",
    "lineage": "Made by hand for the tests.",
    "updated": "2026-11-23",
    "attribution": "test fixture",
}


def _spec(id_: str, geometry: str, fields: list[tuple[str, str]], **extra) -> LayerSpec:
    return LayerSpec.model_validate(
        {
            "id": id_,
            "title": id_.title(),
            "group": "Prove",
            "geometry_type": geometry,
            "source": {"path": f"{id_}.geojson"},
            "id_field": "id",
            "title_field": "nome",
            "fields": [{"name": n, "type": t, "label": n} for n, t in fields],
            "metadata": META,
            **extra,
        }
    )


def _box(x0, y0, x1, y1):
    return shapely.box(x0, y0, x1, y1)


ZONES = _spec(
    "zone_p",
    "Polygon",
    [("id", "string"), ("numero", "integer"), ("nome", "string"), ("popolazione", "integer")],
)
PUNTI = _spec(
    "punti_p",
    "Point",
    [
        ("id", "string"),
        ("nome", "string"),
        ("stato", "string"),
        ("importo_euro", "number"),
        ("quartiere", "integer"),
    ],
    style={
        "property": "stato",
        "categories": [
            {"value": "concluso", "color": "#33a02c", "label": "Concluso"},
            {"value": "in_corso", "color": "#ff7f00", "label": "In corso"},
        ],
    },
)
LINEE = _spec("linee_p", "LineString", [("id", "string"), ("nome", "string")])
AREE = _spec("aree_p", "Polygon", [("id", "string"), ("nome", "string")])


def frames() -> dict[str, tuple[LayerSpec, gpd.GeoDataFrame]]:
    zones = gpd.GeoDataFrame(
        {
            "id": ["z1", "z2", "z3"],
            "numero": [1, 2, 3],
            "nome": ["Uno", "Due", "Tre"],
            "popolazione": [1000, 2000, 500],
        },
        geometry=[_box(10.00, 45.10, 10.02, 45.12), _box(10.02, 45.10, 10.04, 45.12), None],
        crs="EPSG:4326",
    )
    punti = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "nome": ["A", "B", "C", "D", "E", "F"],
            "stato": ["concluso", "in_corso", "in_corso", "concluso", "pianificato", "concluso"],
            "importo_euro": [100.0, 50.0, 25.0, 10.0, None, 5.0],
            "quartiere": [1, 1, 2, 2, 3, None],
        },
        geometry=[
            shapely.Point(10.005, 45.105),
            shapely.Point(10.01, 45.11),
            shapely.Point(10.03, 45.11),
            None,
            None,
            shapely.Point(10.10, 45.20),
        ],
        crs="EPSG:4326",
    )
    linee = gpd.GeoDataFrame(
        {"id": ["l1"], "nome": ["Pista"]},
        geometry=[shapely.LineString([(10.01, 45.11), (10.03, 45.11)])],
        crs="EPSG:4326",
    )
    aree = gpd.GeoDataFrame(
        {"id": ["r1"], "nome": ["Area"]},
        geometry=[_box(10.015, 45.10, 10.025, 45.12)],
        crs="EPSG:4326",
    )
    return {
        "zone_p": (ZONES, zones),
        "punti_p": (PUNTI, punti),
        "linee_p": (LINEE, linee),
        "aree_p": (AREE, aree),
    }


def build_planner_store(path: Path) -> GpkgStore:
    store = GpkgStore.create(path)
    for spec, frame in frames().values():
        store.write_layer(spec, frame, source="tests/analysis/planner_data.py")
    return store
