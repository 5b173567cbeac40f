"""Uploads never steer GDAL: each file is what its suffix says before GDAL opens it.

GDAL picks a driver by a file's content, not its name, and some drivers follow what a file
says: a VRT (`<OGRVRTDataSource>`) reads any local file or `/vsicurl/` URL it names, a
GDALG file runs a GDAL pipeline, a GeoJSON `crs` of type `link` is fetched over HTTP. So,
before GDAL sees an upload: its bytes must match its suffix (shapefile header, SQLite
header, a `<kml>` root, a GeoJSON object), no member of an archive may be a virtual file,
and a GeoPackage may hold no virtual table but its R-tree index. After opening, the driver
GDAL chose must be on the suffix's allow-list. GDAL's own options for remote access are
switched off as a second line (`harden_gdal`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pyogrio

from app.errors import ImportRefused

#: The drivers an upload of each suffix may be opened with (CSV is read by pandas, not GDAL).
ALLOWED_DRIVERS: dict[str, frozenset[str]] = {
    ".shp": frozenset({"ESRI Shapefile"}),
    ".gpkg": frozenset({"GPKG"}),
    ".geojson": frozenset({"GeoJSON"}),
    ".json": frozenset({"GeoJSON"}),
    ".kml": frozenset({"LIBKML", "KML"}),
}
#: Contents GDAL would open as a virtual dataset, wherever they sit in an upload (lowercase).
VIRTUAL_SIGNATURES = (b"<ogrvrtdatasource", b"<vrtdataset", b'"gdal_streamed_alg"')
#: Archive members that are virtual datasets by name (GDAL dispatches some on the suffix).
VIRTUAL_SUFFIXES = (".vrt", ".gdalg.json", ".gdalg")
HEAD = 64 * 1024  # GDAL identifies drivers on the first 1 KiB; read more to be sure
SHP_MAGIC = b"\x00\x00\x27\x0a"  # file code 9994, big-endian
SQLITE_MAGIC = b"SQLite format 3\x00"
# GeoJSON `crs` names GDAL resolves without touching a file or the network.
_CRS_NAME = re.compile(
    r"(?i)(urn:ogc:def:crs:[a-z0-9:._-]+|epsg:\d+|https?://www\.opengis\.net/def/crs/[a-z0-9/._-]+)"
)
# Options GDAL reads at open time; none of them is needed to read a local upload.
GDAL_OPTIONS = {
    # /vsicurl/ and the cloud file systems built on it open only files with this extension.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geoportale-no-remote-files",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "5",
    "LIBKML_EXTERNAL_STYLE": "NO",  # do not fetch styles a KML names by URL
    "LIBKML_RESOLVE_STYLE": "NO",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
}


def harden_gdal() -> None:
    """Switch off GDAL's remote access for this process (the app reads no remote data)."""
    pyogrio.set_gdal_config_options(GDAL_OPTIONS)


def _refuse(name: str, what: str) -> ImportRefused:
    return ImportRefused(
        f"{name}: {what}. Il file rimanda ad altri file o indirizzi e non viene aperto. "
        "/ The file points to other files or URLs and is not opened."
    )


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(HEAD)


def check_virtual(path: Path, shown: str) -> None:
    """Refuse a file that is (or, by its name, would be opened as) a virtual dataset."""
    low = path.name.lower()
    if low.endswith(VIRTUAL_SUFFIXES):
        raise _refuse(shown, "a GDAL virtual file (.vrt/.gdalg) is not accepted")
    head = _head(path).lower()
    if any(sig in head for sig in VIRTUAL_SIGNATURES):
        raise _refuse(shown, "its content is a GDAL virtual dataset (VRT/GDALG)")


def check_members(files: list[Path], archive: str) -> None:
    """Every member of an archive, opened or not: no virtual files anywhere."""
    for f in files:
        check_virtual(f, f"{archive}:{f.name}")


def check_content(path: Path, shown: str) -> None:
    """The file's bytes match its suffix, and nothing in it makes GDAL look elsewhere."""
    check_virtual(path, shown)
    suffix = path.suffix.lower()
    head = _head(path)
    if suffix == ".shp" and not head.startswith(SHP_MAGIC):
        raise ImportRefused(f"{shown}: not a shapefile (wrong header)")
    if suffix == ".gpkg":
        if not head.startswith(SQLITE_MAGIC):
            raise ImportRefused(f"{shown}: not a GeoPackage (not an SQLite database)")
        _check_gpkg_schema(path, shown)
    if suffix == ".kml":
        _check_kml(head, shown)


def _check_gpkg_schema(path: Path, shown: str) -> None:
    # A virtual table runs a module inside SQLite; only the R-tree index is a GeoPackage's.
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = con.execute(
                "SELECT name, sql FROM sqlite_master WHERE sql LIKE '%VIRTUAL%TABLE%'"
            ).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ImportRefused(f"{shown}: not a readable GeoPackage ({exc})") from None
    for name, sql in rows:
        if not re.search(r"(?is)\bUSING\s+rtree\s*\(", sql or ""):
            raise _refuse(shown, f"table {name!r} is a virtual table (not allowed)")


def _check_kml(head: bytes, shown: str) -> None:
    text = head.lower()
    if b"<!entity" in text or b"<!doctype" in text:
        raise _refuse(shown, "a KML with a DOCTYPE or entities is not accepted")
    # The first element (after the XML declaration, comments and whitespace) is <kml>.
    body = re.sub(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->)*", b"", text.lstrip(b"\xef\xbb\xbf"), flags=re.S)
    if not re.match(rb"<([a-z0-9_.-]+:)?kml[\s>/]", body + b" "):
        raise ImportRefused(f"{shown}: not a KML document (no <kml> root element)")


def check_geojson(doc: dict, shown: str) -> None:
    """A GeoJSON `crs` GDAL would fetch (a link, a URL, a file) is refused."""
    crs = doc.get("crs")
    if crs is None:
        return
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if crs.get("type") != "name" or not isinstance(name, str) or not _CRS_NAME.fullmatch(name):
        shown_crs = json.dumps(crs)[:80]
        raise _refuse(shown, f"its 'crs' {shown_crs} is a link or not an EPSG/OGC name")


def check_driver(path: Path, shown: str, layer: str | None = None) -> None:
    """The driver GDAL picks for `path` is one its suffix allows."""
    allowed = ALLOWED_DRIVERS.get(path.suffix.lower(), frozenset())
    try:
        driver = pyogrio.read_info(path, layer=layer)["driver"]
    except Exception as exc:
        raise ImportRefused(f"{shown}: cannot be read as vector data: {exc}") from None
    if driver not in allowed:
        raise _refuse(shown, f"GDAL reads it as {driver}, not as a {path.suffix} file")
