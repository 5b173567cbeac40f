"""Uploads that would make GDAL read other files or URLs, and a zip bomb of many entries.

    files = virtual_files(secret_csv, "http://127.0.0.1:PORT")  # name -> (filename, bytes)

`secret_csv` is a CSV holding a canary string (a stand-in for the secret key or the accounts
database); a refused upload must never show it. `url` is a local listener that must never be
called. The same files feed the regression tests and the hostile corpus.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

#: Files that must be refused (the name says what GDAL would have followed).
REFUSED = (
    "vrt-as-kml",
    "vrt-as-gpkg",
    "vrt-as-geojson",
    "vrt-in-kmz",
    "vrt-in-zip",
    "vrt-member-beside-shapefile",
    "vrt-as-shapefile-sidecar",
    "vsicurl-vrt-as-kml",
    "geojson-crs-link",
    "gpkg-virtual-table",
)
#: Files that are plain data and import: a URL in a property is text, a NetworkLink is ignored.
ACCEPTED = ("kml-networklink", "geojson-vsicurl-property")


def vrt(secret_csv: Path | str) -> bytes:
    """An OGR VRT that reads `secret_csv` (any path, or a /vsicurl/ URL) as point data."""
    src = str(secret_csv)
    source = src if src.startswith("/vsi") else f"CSV:{src}"
    layer = Path(src).stem
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{source}</SrcDataSource>'
        f"<SrcLayer>{layer}</SrcLayer><GeometryType>wkbPoint</GeometryType>"
        "<LayerSRS>EPSG:4326</LayerSRS>"
        '<GeometryField encoding="PointFromColumns" x="x" y="y"/></OGRVRTLayer>'
        "</OGRVRTDataSource>"
    ).encode()


def write_secret(folder: Path, canary: str) -> Path:
    """A CSV with coordinates and the canary, as a VRT would want it."""
    path = folder / "segreto.csv"
    path.write_text(f"x,y,secret\n10.02,45.13,{canary}\n", encoding="utf-8")
    return path


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"codice": [1, 2], "nome": ["Duomo", "Torrazzo"]},
        geometry=[shapely.Point(10.0242, 45.1334), shapely.Point(10.0245, 45.1336)],
        crs="EPSG:4326",
    )


def _shapefile_parts() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        pyogrio.write_dataframe(_points(), Path(tmp) / "dati.shp")
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir()}


def _geojson(**extra) -> dict:
    doc = json.loads(_points().to_json())
    doc.update(extra)
    return doc


def _gpkg_virtual_table(secret_csv: Path) -> bytes:
    """A GeoPackage whose schema declares a virtual table over an outside file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dati.gpkg"
        pyogrio.write_dataframe(_points(), path, layer="dati")
        con = sqlite3.connect(path)
        con.execute("PRAGMA writable_schema=ON")  # SQLite cannot create an unknown module
        sql = f"CREATE VIRTUAL TABLE fuori USING VirtualOGR('{secret_csv}')"
        con.execute(
            "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) "
            "VALUES ('table', 'fuori', 'fuori', 0, ?)",
            (sql,),
        )
        con.commit()
        con.close()
        return path.read_bytes()


def kml_networklink(url: str) -> bytes:
    """A KML with one placemark and a NetworkLink (and a remote style) pointing at `url`."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<Placemark><name>Duomo</name><styleUrl>{url}/style.kml#s</styleUrl>"
        "<Point><coordinates>10.0242,45.1334</coordinates></Point></Placemark>"
        f"<NetworkLink><name>altro</name><Link><href>{url}/rete.kml</href></Link></NetworkLink>"
        "</Document></kml>"
    ).encode()


def virtual_files(secret_csv: Path, url: str) -> dict[str, tuple[str, bytes]]:
    """name -> (upload file name, bytes), for every name in REFUSED and ACCEPTED."""
    v = vrt(secret_csv)
    shp = _shapefile_parts()
    return {
        "vrt-as-kml": ("luoghi.kml", v),
        "vrt-as-gpkg": ("luoghi.gpkg", v),
        "vrt-as-geojson": ("luoghi.geojson", v),
        "vrt-in-kmz": ("luoghi.kmz", _zip({"doc.kml": v})),
        "vrt-in-zip": ("luoghi.zip", _zip({"luoghi.kml": v})),
        "vrt-member-beside-shapefile": ("dati.zip", _zip({**shp, "dati.vrt": v})),
        "vrt-as-shapefile-sidecar": ("dati.zip", _zip({**shp, "dati.shp.xml": v})),
        "vsicurl-vrt-as-kml": ("remoto.kml", vrt(f"/vsicurl/{url}/segreto.csv")),
        "geojson-crs-link": (
            "link.geojson",
            json.dumps(
                _geojson(crs={"type": "link", "properties": {"href": f"{url}/crs.prj"}})
            ).encode(),
        ),
        "gpkg-virtual-table": ("fuori.gpkg", _gpkg_virtual_table(secret_csv)),
        "kml-networklink": ("rete.kml", kml_networklink(url)),
        "geojson-vsicurl-property": (
            "testo.geojson",
            json.dumps(
                {
                    **_geojson(),
                    "features": [
                        {**f, "properties": {**f["properties"], "nota": f"/vsicurl/{url}/x"}}
                        for f in _geojson()["features"]
                    ],
                }
            ).encode(),
        ),
    }


def spread_bomb(entries: int = 300, size: int = 1024**2) -> bytes:
    """A zip of `entries` entries of `size` zeros: each under the per-entry ratio floor."""
    buf = io.BytesIO()
    zeros = bytes(size)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for i in range(entries):
            zf.writestr(f"parte{i:04d}.dbf", zeros)
    return buf.getvalue()
