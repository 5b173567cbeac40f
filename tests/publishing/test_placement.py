"""Bulk placement on both stores: a file keyed on the layer's id field, checked in a report
before one all-or-none write of pending edits (app/publishing/placement.py)."""

import geopandas as gpd
import pyogrio
import pytest
import shapely

from app.errors import ImportRefused
from app.publishing.importer import ImportOptions, import_file
from app.publishing.placement import PlacementOptions, apply_placement, plan_placement

STREETS = {"12345": "Via Dante Alighieri", "67890": "Corso Garibaldi"}.get


def plan(store, path, layer="punti", streets=STREETS, **kw):
    return plan_placement(store, path, PlacementOptions(layer, **kw), streets=streets)


def codes(result, level=None):
    return [i.code for i in result.report.issues if level in (None, i.level)]


def issue(result, code):
    return next(i for i in result.report.issues if i.code == code)


def write(tmp_path, text, name="posizioni.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PLACE_3 = (
    "id,lon,lat,precisione,fonte_posizione\n"
    "p1,10.021,45.134,edificio,rilievo 2025\n"
    "p3,10.031,45.141,indirizzo,\n"
    "p6,10.029,45.139,edificio,planimetria\n"
)


def test_unknown_id_blocks_then_the_fixed_file_writes_three_pending_edits(store, spec, tmp_path):
    blocked = plan(store, write(tmp_path, PLACE_3 + "p99,10.02,45.13,via,\n"))
    assert not blocked.ok and codes(blocked, "error") == ["unknown-id"]
    assert issue(blocked, "unknown-id").features == ["p99"]
    assert "row 5" in issue(blocked, "unknown-id").message
    with pytest.raises(ImportRefused):
        apply_placement(store, blocked, "sit")
    assert store.edits("punti") == []  # nothing written

    fixed = plan(store, write(tmp_path, PLACE_3))
    assert fixed.ok and fixed.report.with_geometry == 3
    assert issue(fixed, "will-move").features == ["p1", "p3"]  # p6 had no geometry
    served = store.describe("punti").version
    results = apply_placement(store, fixed, "sit")
    pending = store.edits("punti")
    assert [r.feature_id for r in pending] == ["p1", "p3", "p6"]
    assert {r.op for r in pending} == {"update"} and {r.user for r in pending} == {"sit"}
    assert pending[0].placement == {
        "metodo": "file",
        "precisione": "edificio",
        "fonte_posizione": "rilievo 2025",
    }
    assert pending[1].placement == {"metodo": "file", "precisione": "indirizzo"}
    assert results[2].feature.geometry["coordinates"] == [10.029, 45.139]
    assert store.draft_get(spec("punti"), "p6")[0].properties["nome"] == "Punto senza posizione"
    assert store.describe("punti").version == served  # the public still reads the old one
    assert store.get(spec("punti"), "p6").geometry is None


def test_invalid_polygon_is_an_error_with_its_reason(store, tmp_path):
    bowtie = "POLYGON ((10 45.1, 10.01 45.11, 10.01 45.1, 10 45.11, 10 45.1))"
    square = "POLYGON ((10 45.1, 10.01 45.1, 10.01 45.11, 10 45.11, 10 45.1))"
    path = write(tmp_path, f'codice;wkt\n1;"{bowtie}"\n2;"{square}"\n')
    result = plan(store, path, "zone", crs="EPSG:4326")
    assert not result.ok
    bad = issue(result, "invalid-geometry")
    assert bad.features == ["1"] and "Self-intersection" in bad.message and "row 2" in bad.message
    assert store.edits("zone") == []


def test_wrong_geometry_type_duplicates_and_unknown_columns(store, tmp_path):
    path = write(
        tmp_path,
        "id,wkt,colore\n"
        'p1,"POLYGON ((10 45.1, 10.01 45.1, 10.01 45.11, 10 45.11, 10 45.1))",rosso\n'
        'p2,"POINT (10.02 45.13)",blu\n'
        'p2,"POINT (10.03 45.13)",blu\n',
    )
    result = plan(store, path, crs="EPSG:4326")
    assert set(codes(result, "error")) == {"geometry-type", "duplicate-id"}
    assert issue(result, "geometry-type").features == ["p1"]
    assert issue(result, "duplicate-id").features == ["p2"]
    assert "colore" in issue(result, "unknown-columns").message


def test_outside_comune_and_province_are_warnings(store, tmp_path, write_geojson):
    confine = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "019036"},
                "geometry": shapely.geometry.mapping(shapely.box(10, 45.1, 10.1, 45.2)),
            }
        ],
    }
    opts = ImportOptions("confine", publish=True)
    assert import_file(store, write_geojson(confine, "confine.geojson"), opts, "sit").ok
    path = write(tmp_path, "id,lon,lat\np1,10.02,45.13\np2,9.95,45.13\np3,9.19,45.46\n")
    result = plan(store, path)
    assert result.ok
    assert issue(result, "outside-comune").features == ["p2", "p3"]
    assert issue(result, "outside-province").features == ["p3"]


def test_geopackage_file(store, spec, tmp_path):
    gdf = gpd.GeoDataFrame(
        {"id": ["p2", "p4"], "posti": [99, 7], "precisione": ["edificio", "area"]},
        geometry=[shapely.Point(10.026, 45.137), shapely.Point(9.97, 45.11)],
        crs="EPSG:4326",
    ).to_crs("EPSG:32632")
    path = tmp_path / "posizioni.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="posizioni")
    result = plan(store, path)
    assert result.ok and result.report.source_crs == "EPSG:32632"
    apply_placement(store, result, "sit")
    feature, _ = store.draft_get(spec("punti"), "p2")
    assert feature.properties["posti"] == 99
    assert feature.geometry["coordinates"] == pytest.approx([10.026, 45.137], abs=1e-7)


def test_csv_in_3003_needs_its_crs(store, spec, tmp_path):
    x, y = shapely.transform(
        shapely.Point(10.03, 45.14),
        lambda c: (
            gpd.GeoSeries.from_xy(c[:, 0], c[:, 1], crs="EPSG:4326")
            .to_crs("EPSG:3003")
            .get_coordinates()
            .to_numpy()
        ),
    ).coords[0]
    path = write(tmp_path, f"id;x;y\np6;{x:.2f};{y:.2f}\n")
    with pytest.raises(ImportRefused, match="CRS"):
        plan(store, path)
    result = plan(store, path, crs="EPSG:3003")
    assert result.ok and result.report.source_crs == "EPSG:3003"
    apply_placement(store, result, "sit")
    placed = store.draft_get(spec("punti"), "p6")[0].geometry["coordinates"]
    assert placed == pytest.approx([10.03, 45.14], abs=1e-6)
    wrong = plan(store, path, crs="EPSG:4326")  # projected numbers read as degrees
    assert "crs-implausible" in codes(wrong, "error")


def test_wrong_types_name_the_field_and_the_row(store, tmp_path):
    path = write(tmp_path, "id,posti,data,aperto\np1,molti,2024-01-01,si\np2,4,ieri,true\n")
    result = plan(store, path)
    assert not result.ok
    messages = {i.message.split(":")[0]: i.message for i in result.report.errors}
    assert "row 2 (p1)" in messages["field 'posti'"]
    assert "row 3 (p2)" in messages["field 'data'"]
    assert store.edits("punti") == []


def test_street_codes_are_checked_and_recorded_without_inventing_a_place(store, spec, tmp_path):
    path = write(tmp_path, "id,codice_via,precisione\np6,12345,via\np5,00000,via\n")
    result = plan(store, path)
    assert codes(result, "error") == ["unknown-street"]
    assert "00000" in issue(result, "unknown-street").message
    assert "no-street-list" in codes(plan(store, path, streets=None), "error")
    path = write(tmp_path, "id,codice_via,precisione\np6,12345,via\n")
    result = plan(store, path)
    assert result.ok and "street-only" in codes(result, "warning")
    apply_placement(store, result, "sit")
    record = store.edits("punti")[0]
    assert record.placement == {
        "metodo": "file",
        "precisione": "via",
        "codice_via": "12345",
        "via": "Via Dante Alighieri",
    }
    assert store.draft_get(spec("punti"), "p6")[0].geometry is None  # no made-up location


def test_a_stale_etag_at_apply_writes_nothing(store, spec, tmp_path):
    """All or none: a refused row leaves no other row written."""
    result = plan(store, write(tmp_path, PLACE_3))
    punti = spec("punti")
    _, tag = store.draft_get(punti, "p3")
    from app.stores.edits import FeatureEdit

    store.edit(punti, FeatureEdit("delete", "p3"), user="altro", if_match=tag)
    with pytest.raises(Exception):  # noqa: B017 (the store's FeatureNotFound)
        apply_placement(store, result, "sit")
    assert [r.feature_id for r in store.edits("punti")] == ["p3"]
