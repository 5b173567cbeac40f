"""The default style of a layer in a GeoPackage's `layer_styles` table, as QGIS keeps it.

QGIS looks, when it opens a GeoPackage table, for a row of `layer_styles` naming that
table and its geometry column with `useAsDefault` set, and applies its QML (the SLD is for
other clients). The table is the one QGIS itself creates (same columns and types) and is
registered in `gpkg_contents` as an attributes table, so GDAL and QGIS list it as such.

Plain sqlite3 is enough: `layer_styles` and `gpkg_contents` have no triggers calling
GDAL's SQL functions (feature tables do; those are written by pyogrio).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from app.i18n import translate
from app.registry.spec import LayerSpec
from app.styles import DEFAULT_STYLE, model, qml, sld

TABLE = "layer_styles"
_CREATE = f"""CREATE TABLE IF NOT EXISTS "{TABLE}" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "f_table_catalog" TEXT(256),
  "f_table_schema" TEXT(256),
  "f_table_name" TEXT(256),
  "f_geometry_column" TEXT(256),
  "styleName" TEXT(30),
  "styleQML" TEXT,
  "styleSLD" TEXT,
  "useAsDefault" BOOLEAN,
  "description" TEXT,
  "owner" TEXT(30),
  "ui" TEXT(30),
  "update_time" DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


def write_layer_styles(
    path: str | Path,
    table: str,
    spec: LayerSpec,
    family: str | None = None,
    lang: str = "it",
    geometry_column: str | None = None,
) -> None:
    """Write the layer's default style (QML and SLD) for `table` of the GeoPackage `path`.

    `family`: "point", "line" or "polygon" (or the download tables' suffixes "punti",
    "linee", "poligoni"); None for the layer's declared geometry type. `geometry_column`:
    None reads it from `gpkg_geometry_columns`. A style already there for the table is
    replaced, so writing twice leaves one row.
    """
    chosen = model.parse_family(family, spec)
    if chosen is None:
        raise ValueError(f"layer '{spec.id}' mixes geometry types: name the table's family")
    style = model.build(spec, chosen, lang)
    qml_text = qml.encode(style)
    # an attributes-only style (family "none") has no symbols for an SLD to carry
    sld_text = "" if chosen == model.NO_GEOMETRY_FAMILY else sld.encode(style, table)
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    with sqlite3.connect(path) as conn:
        if geometry_column is None:
            row = conn.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
            ).fetchone()
            if row is None and chosen != model.NO_GEOMETRY_FAMILY:
                raise ValueError(f"'{table}' is not a feature table of {Path(path).name}")
            geometry_column = row[0] if row else ""  # an attribute table has none
        conn.execute(_CREATE)
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
            "description, last_change, srs_id) VALUES (?, 'attributes', ?, '', ?, 0)",
            (TABLE, TABLE, now),
        )
        conn.execute(
            f'DELETE FROM "{TABLE}" WHERE f_table_name = ? AND f_geometry_column = ?',
            (table, geometry_column),
        )
        conn.execute(
            f'INSERT INTO "{TABLE}" (f_table_catalog, f_table_schema, f_table_name, '
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "owner, ui, update_time) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
            (
                table,
                geometry_column,
                DEFAULT_STYLE,
                qml_text,
                sld_text,
                f"{spec.title.get(lang)}: {translate('Stile del layer', lang).lower()}",
                now,
            ),
        )
