"""Importing every input kind, the validation report, and what blocks publishing."""

import json
import zipfile

import geopandas as gpd
import pyogrio
import pytest
import shapely

from app.errors import LayerNotFound
from app.publishing.importer import ImportOptions, import_file
from app.publishing.readers import ImportRefused
from app.stores.base import Query
from tests.publishing.conftest import zone_gdf


def run(store, path, layer_id="nuovo", **kw):
    return import_file(store, path, ImportOptions(layer_id, **kw), "tester")


def codes(result, level=None):
    return [i.code for i in result.report.issues if level in (None, i.level)]


def served(store, layer_id):
    spec = next(s for s in store.published_specs() if s.id == layer_id)
    return spec, store.query(spec, Query(limit=1000)).features


def test_zipped_shapefile_3003_is_reprojected_and_published(gstore, make_shapefile):
    path = make_shapefile(zone_gdf("EPSG:3003"))
    result = run(gstore, path, title="Zone", publish=True)
    assert result.ok and result.report.published
    assert result.report.source_crs == "EPSG:3003"
    assert result.report.geometry_types == {"Polygon": 3}
    spec, feats = served(gstore, "nuovo")
    assert spec.geometry_type == "Polygon" and spec.metadata.source_crs == "EPSG:3003"
    assert spec.id_field == "codice" and spec.title.it == "Zone"
    first = shapely.geometry.shape(feats[0].geometry)
    # Monte Mario to WGS84 without grids: within about 1e-4 degrees (a few metres).
    assert first.bounds == pytest.approx((10.00, 45.14, 10.02, 45.16), abs=1e-4)
    assert feats[2].properties["nome"] == "Città est"


def test_shapefile_without_prj_needs_a_crs(gstore, make_shapefile):
    path = make_shapefile(zone_gdf("EPSG:3003"), skip=(".prj",))
    with pytest.raises(ImportRefused, match="declares no CRS; give it"):
        run(gstore, path)
    assert run(gstore, path, crs="EPSG:3003").ok


def test_declared_crs_that_does_not_fit_is_blocking_and_named(gstore, make_shapefile):
    path = make_shapefile(zone_gdf("EPSG:3003"), skip=(".prj",))
    result = run(gstore, path, crs="EPSG:32632")
    assert not result.ok and "crs-implausible" in codes(result, "error")
    assert "they look like EPSG:3003" in result.report.errors[0].message
    with pytest.raises(LayerNotFound):
        gstore.describe("nuovo")


def test_cp1252_dbf_without_cpg(gstore, make_shapefile):
    path = make_shapefile(zone_gdf(), encoding="cp1252", skip=(".cpg",))
    result = run(gstore, path, publish=True)
    assert result.ok
    assert served(gstore, "nuovo")[1][2].properties["nome"] == "Città est"


def test_utf8_dbf_without_cpg_is_detected(gstore, make_shapefile):
    path = make_shapefile(zone_gdf(), encoding="UTF-8", skip=(".cpg",))
    result = run(gstore, path, publish=True)
    assert result.ok, result.report.issues
    assert served(gstore, "nuovo")[1][2].properties["nome"] == "Città est"


def test_shapefile_missing_parts_is_refused(gstore, make_shapefile):
    with pytest.raises(ImportRefused, match=r"lacks its \.shx"):
        run(gstore, make_shapefile(zone_gdf(), skip=(".shx",)))
    with pytest.raises(ImportRefused, match=r"lacks its \.dbf"):
        run(gstore, make_shapefile(zone_gdf(), skip=(".dbf",)))


def test_truncated_field_names_match_the_layer(gstore, make_shapefile, spec):
    # Replace the fixture layer 'punti' from a shapefile: 'punteggio' (9) fits, a long
    # name is cut to 10 characters by the format and matched back.
    gdf = gpd.GeoDataFrame(
        {
            "id": ["a", "b"],
            "nome": ["A", "B"],
            "tipo": ["museo", "teatro"],
            "posti": [1, 2],
            "punteggio": [0.5, 1.5],
            "aperto": [1, 0],
            "data": ["2024-01-01", "2024-02-01"],
            "fonte": ["x", "y"],
            "descrizione_lunga": ["uno", "due"],
        },
        geometry=[shapely.Point(10.02, 45.13), shapely.Point(10.03, 45.14)],
        crs="EPSG:4326",
    )
    result = run(gstore, make_shapefile(gdf), "punti", publish=True)
    assert result.ok, result.report.issues
    spec_, feats = served(gstore, "punti")
    assert "descrizion" in spec_.field_names
    assert feats[0].properties["aperto"] is True
    assert spec_.field("nome").label.get("en") == "Name"  # labels of known fields kept


def test_geopackage_layers(gstore, tmp_path):
    path = tmp_path / "due.gpkg"
    pyogrio.write_dataframe(zone_gdf("EPSG:7791"), path, layer="zone")
    pyogrio.write_dataframe(zone_gdf().assign(geometry=lambda d: d.centroid), path, layer="centri")
    with pytest.raises(ImportRefused, match=r"2 layers \(zone, centri\); choose one"):
        run(gstore, path)
    with pytest.raises(ImportRefused, match="no layer 'altro'"):
        run(gstore, path, layer="altro")
    result = run(gstore, path, layer="zone", publish=True)
    assert result.ok and result.report.source_crs == "EPSG:7791"
    first = shapely.geometry.shape(served(gstore, "nuovo")[1][0].geometry)
    assert first.bounds == pytest.approx((10.00, 45.14, 10.02, 45.16), abs=1e-6)


def test_rdn2008_6707_northing_first_crs(gstore, tmp_path):
    path = tmp_path / "rdn.gpkg"
    pyogrio.write_dataframe(zone_gdf("EPSG:6707"), path, layer="zone")
    result = run(gstore, path, publish=True)
    assert result.ok and result.report.source_crs == "EPSG:6707"
    first = shapely.geometry.shape(served(gstore, "nuovo")[1][0].geometry)
    assert first.bounds == pytest.approx((10.00, 45.14, 10.02, 45.16), abs=1e-6)


@pytest.mark.parametrize(
    "crs",
    ["EPSG:3004", "EPSG:32632", "EPSG:32633", "EPSG:25832", "EPSG:7792", "EPSG:3857", "EPSG:4326"],
)
def test_supported_crs_round_trip(gstore, tmp_path, crs):
    path = tmp_path / "x.gpkg"
    pyogrio.write_dataframe(zone_gdf(crs), path)
    result = run(gstore, path, publish=True)
    assert result.ok, result.report.issues
    first = shapely.geometry.shape(served(gstore, "nuovo")[1][0].geometry)
    assert first.bounds == pytest.approx((10.00, 45.14, 10.02, 45.16), abs=1e-6)


def test_geojson_old_style_crs_member(gstore):
    from tests.conftest import DATA

    result = run(gstore, DATA / "geodata" / "zone_3003.geojson", publish=True)
    assert result.ok and result.report.source_crs == "EPSG:3003"


def test_csv_lonlat_semicolon_decimal_comma(gstore, tmp_path):
    path = tmp_path / "punti.csv"
    path.write_bytes(b"nome;lon;lat\nPiazza;10,0227;45,1335\nTorre;10,024;45,133\n")
    result = run(gstore, path, publish=True)
    assert result.ok and result.report.source_crs == "EPSG:4326"
    feats = served(gstore, "nuovo")[1]
    assert feats[0].geometry["coordinates"] == pytest.approx((10.0227, 45.1335))


def test_csv_xy_needs_crs_and_cp1252(gstore, tmp_path):
    x, y = gpd.GeoSeries([shapely.Point(10.02, 45.13)], crs=4326).to_crs(3003).iloc[0].coords[0]
    path = tmp_path / "xy.csv"
    path.write_bytes(f"nome,x,y\nCittà,{x},{y}\n".encode("cp1252"))
    with pytest.raises(ImportRefused, match="projected coordinates; give their CRS"):
        run(gstore, path)
    result = run(gstore, path, crs="EPSG:3003", publish=True)
    assert result.ok
    assert "not UTF-8, read as Windows-1252" in " ".join(i.message for i in result.report.issues)
    feat = served(gstore, "nuovo")[1][0]
    assert feat.properties["nome"] == "Città"
    assert feat.geometry["coordinates"] == pytest.approx((10.02, 45.13), abs=1e-6)


def test_csv_wkt_and_bad_csvs(gstore, tmp_path):
    good = tmp_path / "wkt.csv"
    good.write_text('id,wkt\n1,"LINESTRING (10 45.1, 10.01 45.11)"\n2,\n')
    result = run(gstore, good, crs="EPSG:4326", publish=True)
    assert result.ok and result.report.with_geometry == 1
    assert "no-geometry" in codes(result, "warning")
    bad = tmp_path / "bad.csv"
    bad.write_text("nome,lon,lat\nA,dieci,45\n")
    with pytest.raises(ImportRefused, match="column 'lon' has non-numeric values, e.g. 'dieci'"):
        run(gstore, bad)
    nocoords = tmp_path / "nocoords.csv"
    nocoords.write_text("nome,via\nA,Roma\n")
    with pytest.raises(ImportRefused, match="no coordinates"):
        run(gstore, nocoords)


def test_kml_and_kmz(gstore, tmp_path):
    kml = tmp_path / "luoghi.kml"
    pts = gpd.GeoDataFrame(
        {"nome": ["Duomo", "Torrazzo"]},
        geometry=[shapely.Point(10.0237, 45.1333), shapely.Point(10.0242, 45.1331)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(pts, kml, driver="KML")
    result = run(gstore, kml, publish=True)
    assert result.ok and result.report.geometry_types == {"Point": 2}
    kmz = tmp_path / "luoghi.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.write(kml, "doc.kml")
    result = run(gstore, kmz, "nuovo_kmz", publish=True)
    assert result.ok
    spec, feats = served(gstore, "nuovo_kmz")
    assert [f.properties["nome"] for f in feats] == ["Duomo", "Torrazzo"]
    assert "timestamp" not in spec.field_names


def test_nested_tags_are_flattened(gstore, write_geojson):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "way/1", "tags": {"highway": "cycleway", "name": "Ciclabile"}},
                "geometry": {"type": "LineString", "coordinates": [[10, 45.1], [10.01, 45.11]]},
            }
        ],
    }
    result = run(gstore, write_geojson(doc), publish=True)
    assert result.ok
    spec, feats = served(gstore, "nuovo")
    assert {"highway", "name"} <= set(spec.field_names)
    assert feats[0].properties["highway"] == "cycleway"


def test_invalid_geometries_are_repaired_and_listed(gstore, write_geojson):
    bowtie = [[[10, 45.1], [10.01, 45.11], [10.01, 45.1], [10, 45.11], [10, 45.1]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": 1},
                "geometry": {"type": "Polygon", "coordinates": bowtie},
            },
            {
                "type": "Feature",
                "properties": {"id": 2},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [[[[10, 45], [10.01, 45], [10.01, 45.01], [10, 45]]]],
                },
            },
        ],
    }
    result = run(gstore, write_geojson(doc), publish=True)
    assert result.ok
    repaired = [i for i in result.report.issues if i.code == "repaired"][0]
    assert repaired.features == ["1"]
    spec, feats = served(gstore, "nuovo")
    assert spec.geometry_type == "MultiPolygon"  # mixed Polygon/MultiPolygon is normal
    assert all(shapely.geometry.shape(f.geometry).is_valid for f in feats)


def test_duplicates_and_outside_and_nan(gstore, write_geojson):
    def feat(i, x, y):
        return {
            "type": "Feature",
            "properties": {"id": i},
            "geometry": {"type": "Point", "coordinates": [x, y]},
        }

    doc = {
        "type": "FeatureCollection",
        "features": [feat(1, 10.02, 45.13), feat(1, 10.03, 45.13), feat(2, 9.2, 45.46)],
    }
    result = run(gstore, write_geojson(doc))
    assert result.ok and "id-not-unique" in codes(result, "warning")
    result = run(gstore, write_geojson(doc), "altro", id_field="id")
    assert "duplicate-id" in codes(result, "error") and not result.ok
    doc["features"][1]["properties"]["id"] = 3
    comune = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "019036"},
                "geometry": shapely.geometry.mapping(shapely.box(10, 45.1, 10.1, 45.2)),
            }
        ],
    }
    assert run(gstore, write_geojson(comune, "confine.geojson"), "confine", publish=True).ok
    result = run(gstore, write_geojson(doc), "terzo")
    assert result.ok
    assert set(codes(result, "warning")) >= {"outside-comune", "outside-province"}
    outside = [i for i in result.report.issues if i.code == "outside-province"][0]
    assert outside.features == ["2"]
    nan = write_geojson(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"id": 1}, "geometry": {"type": "Point", '
        '"coordinates": [NaN, 45.1]}}]}',
        "nan.geojson",
    )
    try:
        result = run(gstore, nan)
    except ImportRefused:
        return  # refused while reading: also a clear error
    assert not result.ok and "non-finite" in codes(result, "error")


def test_required_fields_when_replacing(gstore, tmp_path, fixture_registry):
    # 'zone' is a shipped fixture layer; an office file without its id field and without
    # 'nome' (marked required here) is refused, with the fields named.
    path = tmp_path / "zone.geojson"
    zone_gdf().drop(columns=["nome"]).to_file(path)
    result = run(gstore, path, "zone")
    assert result.ok  # 'nome' is not required in the fixture spec: dropped with a warning
    assert "dropped-fields" in codes(result, "warning")
    spec = fixture_registry.get("zone")
    required = spec.model_copy(
        update={
            "fields": tuple(
                f.model_copy(update={"required": f.name == "nome"}) for f in spec.fields
            )
        }
    )
    gstore.update_spec("zone", required, "tester")
    result = run(gstore, path, "zone")
    assert not result.ok
    assert (
        "fields the layer requires are missing from the file: nome"
        in result.report.errors[0].message
    )


def test_nothing_changes_on_refusal(gstore, write_geojson, spec):
    before = gstore.describe("punti")
    with pytest.raises(ImportRefused):
        run(gstore, write_geojson("{not json", "broken.geojson"), "punti")
    with pytest.raises(ImportRefused, match="JSON but not GeoJSON"):
        run(gstore, write_geojson({"hello": "world"}, "x.geojson"), "punti")
    result = run(gstore, write_geojson({"type": "FeatureCollection", "features": []}), "punti")
    assert not result.ok and codes(result, "error") == ["empty"]
    assert gstore.describe("punti") == before
    assert [v.version for v in gstore.versions("punti")] == [before.version]


def test_report_is_json_serialisable(gstore, make_shapefile):
    result = run(gstore, make_shapefile(zone_gdf()))
    doc = json.loads(json.dumps(result.report.as_dict()))
    assert doc["ok"] is True and doc["features"] == 3 and doc["version"] == 2 - 1
    assert {f["name"] for f in doc["fields"]} >= {"codice", "nome"}
