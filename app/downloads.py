"""Downloads of published layers: `/download/<id>.<geojson|gpkg|shp.zip|csv|kml>`.

The same `filter` (CQL2) and `crs` as the API; every declared field is written with its
type; the licence and attribution travel with the data (a LEGGIMI.txt in the shapefile
archive, the layer description in GeoJSON/GeoPackage/KML, a `Link: rel="license"` header
when the licence has a URI). A layer of several geometry families is written as one
GeoPackage table / shapefile per family plus one of the rows without geometry (`parts`).
Files are written in the target CRS's traditional GIS order (easting/longitude first), as
file formats expect. A download holds at most MAX_DOWNLOAD_FEATURES features (counted before
any is read), and one of more than HEAVY_DOWNLOAD_FEATURES takes a heavy-request slot.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import zipfile
from contextlib import nullcontext
from pathlib import Path
from urllib.parse import quote

import geopandas as gpd
import pandas as pd
from flask import Blueprint, Response, request

from app.catalog import licence_uri
from app.errors import InvalidParameter, LimitExceeded, NotFound
from app.fonti import readme_section
from app.fonti.views import catalogue, document_url
from app.geo import io
from app.geo.families import FAMILIES, NO_GEOMETRY, families, family_type
from app.heavy import heavy_slot
from app.ogcapi import params
from app.organisation import organisation, owner_of
from app.registry.spec import LayerSpec
from app.services import services
from app.stores.base import FeatureStore, Query
from app.styles.gpkg import write_layer_styles
from app.styles.shapefile import shapefile_sidecars

bp = Blueprint("downloads", __name__)
#: What may stay as it is in a URI (RFC 3986 reserved and unreserved, and "%"): everything
#: else, CR and LF first, is percent-encoded before the URI goes into a header.
_URI_SAFE = ":/?#[]@!$&'()*+,;=%-._~"
_DTYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "object"}


def features_frame(store: FeatureStore, spec: LayerSpec, tree) -> gpd.GeoDataFrame:
    """Every feature matching `tree`, typed as the layer declares, in CRS84."""
    frame = store.frame(spec, Query(filter=tree))
    for f in spec.fields:
        if f.type == "date":
            frame[f.name] = pd.to_datetime(frame[f.name], format="ISO8601").dt.date
        else:
            frame[f.name] = frame[f.name].astype(_DTYPES[f.type])
    return frame


def licence_text(spec: LayerSpec, crs: str, count: int) -> str:
    m = spec.metadata
    lines = [
        f"{spec.title.it} ({spec.id})",
        f"{m.abstract.it}",
        "",
        f"Titolare / Owner: {owner_of(m)}",
        f"Licenza / Licence: {m.licence}",
        f"Attribuzione / Attribution: {m.attribution or owner_of(m)}",
        f"Genealogia / Lineage: {m.lineage.it}",
        f"Aggiornato / Updated: {m.updated.isoformat()}",
        f"Sistema di riferimento / CRS: {crs}",
        f"Elementi / Features: {count}",
        f"Scaricato il / Downloaded on: {dt.date.today().isoformat()} "
        f"da / from {organisation().title.it}",
    ]
    return "\n".join(lines) + "\n"


def parts(
    spec: LayerSpec, frame: gpd.GeoDataFrame, fmt: str, types: tuple[str, ...]
) -> list[tuple[str, gpd.GeoDataFrame | pd.DataFrame, str | None]]:
    """(table, rows, geometry type) of each table of the download.

    A GeoPackage or shapefile holds one geometry type per table: a layer whose features
    are of several families (`types`, the layer's, so a filtered download has the same
    tables) is written as one table per family, `<id>_punti`, `<id>_linee`,
    `<id>_poligoni`, plus `<id>_senza_geometria` of the rows without one (attributes only).
    Every other download is one table of every row.
    """
    found = families(types)
    if fmt not in ("gpkg", "shp.zip") or len(found) < 2:
        return [(spec.id, frame, None)]
    kinds = frame.geometry.geom_type
    out = []
    for family in found:
        rows = frame[kinds.isin(FAMILIES[family]).to_numpy()]
        out.append((f"{spec.id}_{family}", rows, family_type(family, types)))
    bare = frame[frame.geometry.isna().to_numpy()]
    out.append((f"{spec.id}_{NO_GEOMETRY}", pd.DataFrame(bare.drop(columns="geometry")), None))
    return out


def field_map(spec: LayerSpec, files: list[Path]) -> str:
    """The LEGGIMI.txt lines naming each field as the .dbf files have it, read back from
    what GDAL wrote (it cuts names to 10 characters and numbers the clashes)."""
    written: list[str] | None = None
    for f in files:
        if f.suffix == ".dbf":
            written = io.field_names(f)
            break
    names = written if written and len(written) == len(spec.fields) else spec.field_names
    return "\n".join(
        f"{dbf:<10}  {f.name}  {f.type}  {f.label.it}"
        for dbf, f in zip(names, spec.fields, strict=True)
    )


def export(
    spec: LayerSpec,
    frame: gpd.GeoDataFrame,
    fmt: str,
    crs: str,
    folder: Path,
    types: tuple[str, ...] = (),
) -> Path:
    """The download file for `fmt` inside `folder`; `types` are the layer's geometry types
    (several families: one table each, see `parts`)."""
    if crs != "OGC:CRS84":
        frame = frame.to_crs(crs)
    else:
        frame = frame.set_crs("EPSG:4326", allow_override=True)
    if fmt == "kml":  # each placemark's <name>: the layer's title field (else its id)
        frame = frame.assign(**{io.KML_NAME: frame[spec.title_field or spec.id_field]})
    text = licence_text(spec, crs if crs != "OGC:CRS84" else "EPSG:4326 (lon, lat)", len(frame))
    files: list[Path] = []
    tables = parts(spec, frame, fmt, types)
    for table, rows, geometry_type in tables:
        description = text.replace("\n", " ").strip()
        files += io.write_export(
            rows, folder, spec.id, fmt, description, table=table, geometry_type=geometry_type
        )
    styled = [(table, _style_family(spec, table, types, rows)) for table, rows, _ in tables]
    if fmt == "gpkg":  # QGIS applies a table's default style from layer_styles on open
        for table, family in styled:
            if family is not None:
                write_layer_styles(files[0], table, spec, family or None)
    if fmt != "shp.zip":
        return files[0]
    archive = folder / f"{spec.id}.shp.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f.name)
        for table, family in styled:  # QGIS loads <name>.qml beside <name>.shp by itself
            dbf = folder / f"{table}.dbf"
            if family == NO_GEOMETRY:  # a lone .dbf: QGIS takes the field labels of its .qml
                labels = shapefile_sidecars(spec, family, io.field_names(dbf), "it", table)["qml"]
                zf.writestr(f"{table}.qml", labels)
            elif family is not None and dbf.exists():
                written = io.field_names(dbf)
                sidecars = shapefile_sidecars(spec, family or None, written, "it", table)
                for ext, doc in sidecars.items():
                    zf.writestr(f"{table}.{ext}", doc)
        listing = ""
        if len(tables) > 1:
            listing = (
                "\nFile / Files:\n" + "\n".join(f"{t}  {len(rows)}" for t, rows, _ in tables) + "\n"
            )
        zf.writestr(
            "LEGGIMI.txt",
            text
            + listing
            + "\nCampi (nome nel .dbf, nome completo, tipo, etichetta) / Fields:\n"
            + field_map(spec, files)
            + "\n\nI testi oltre 254 caratteri sono troncati nel .dbf: il testo intero è "
            "nei download GeoJSON e GeoPackage. / Texts longer than 254 characters are cut "
            "in the .dbf: the GeoJSON and GeoPackage downloads hold them whole.\n"
            + _sources_key(spec, frame),
        )
    return archive


def _style_family(spec: LayerSpec, table: str, types: tuple[str, ...], rows) -> str | None:
    """The geometry family whose style a download table gets: its suffix for a table of a
    mixed layer (`<id>_punti`; `senza_geometria`: the field labels alone), else the layer's
    one family ("": its declared type's), "none" where no row has a geometry; None: none."""
    if not isinstance(rows, gpd.GeoDataFrame) or not rows.geometry.notna().any():
        return NO_GEOMETRY
    if table != spec.id:
        return table.removeprefix(f"{spec.id}_")
    found = families(types)
    if len(found) == 1:
        return found[0]
    return None if spec.geometry_type == "Geometry" else ""


def _sources_key(spec: LayerSpec, frame: gpd.GeoDataFrame) -> str:
    """The readme's key to the document references in the layer's text fields."""
    values = (
        v
        for f in spec.fields
        if f.type == "string" and f.name in frame
        for v in frame[f.name].dropna()
        if ".txt riga " in str(v)
    )
    section = readme_section(values, catalogue(), lambda d, _line: document_url(d, None, True))
    return "\n" + section if section else ""


def licence_link(licence: str) -> str | None:
    """`Link` header value of the licence's URI; None when the licence has none.

    The licence is text an admin typed: a header needs a URI, percent-encoded, so a line
    break in it can neither fail the download nor add a header.
    """
    uri = licence_uri(licence)
    if uri is None:
        return None
    return f'<{quote(uri, safe=_URI_SAFE)}>; rel="license"'


def download_limit(count: int, maximum: int) -> LimitExceeded:
    """The problem of a download of `count` features, over `maximum`."""
    return LimitExceeded(
        f"Il download avrebbe {count} elementi, oltre il limite di {maximum}: restringilo "
        f"con filter. / The download would hold {count} features, more than the limit "
        f"(GEOPORTALE_MAX_DOWNLOAD_FEATURES={maximum}): narrow it with filter.",
        "filter",
        "MAX_DOWNLOAD_FEATURES",
        maximum,
    )


def _file_bytes(
    spec: LayerSpec, frame: gpd.GeoDataFrame, fmt: str, crs: str, types: tuple[str, ...]
) -> bytes:
    """The download file's bytes, written in a temporary folder removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="geoportale-download-"))
    try:
        return export(spec, frame, fmt, crs, folder, types).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _split(name: str) -> tuple[str, str]:
    """'punti.shp.zip' -> ('punti', 'shp.zip'); NotFound for other names."""
    for fmt in sorted(io.EXPORT_FORMATS, key=len, reverse=True):
        if name.endswith("." + fmt) and "/" not in name:
            return name[: -len(fmt) - 1], fmt
    raise NotFound(f"no download '{name}': use <layer>.<{'|'.join(io.EXPORT_FORMATS)}>")


@bp.get("/download/<path:name>")
def download(name: str):
    layer_id, fmt = _split(name)
    params.check_known(request.args, {"crs", "filter", "filter-lang", "filter-crs"})
    svc = services()
    spec = svc.layer(layer_id)
    crs = params.parse_crs(request.args)
    if fmt == "kml" and crs not in ("OGC:CRS84", "EPSG:4326"):
        raise InvalidParameter("KML is always WGS84: leave out crs", "crs")
    tree = params.parse_filter(request.args, spec)
    count = svc.store.query(spec, Query(filter=tree, limit=1)).number_matched
    settings = svc.settings
    if count > settings["MAX_DOWNLOAD_FEATURES"]:
        raise download_limit(count, settings["MAX_DOWNLOAD_FEATURES"])
    # small downloads are cheap and never wait; large ones share the heavy-request slots
    slot = heavy_slot() if count > settings["HEAVY_DOWNLOAD_FEATURES"] else nullcontext()
    with slot:
        frame = features_frame(svc.store, spec, tree)
        body = _file_bytes(spec, frame, fmt, crs, svc.geometry_types(spec))
    suffix = "" if crs == "OGC:CRS84" else "_" + crs.replace(":", "").lower()
    name = f"{spec.id}{suffix}.{fmt}"
    # content_type, not mimetype: Flask would add a second charset to text/csv
    response = Response(body, content_type=io.EXPORT_FORMATS[fmt][2])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    link = licence_link(spec.metadata.licence)
    if link:
        response.headers["Link"] = link
    return response
