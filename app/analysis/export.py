"""Tables of results as CSV (UTF-8 with BOM, so spreadsheet programs read accents).

Text cells that start like a formula are neutralised (app/csvsafe.py).
"""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import shapely

from app.analysis.layers import plain
from app.csvsafe import safe_cell


def rows_csv(rows: list[dict], columns: list[str]) -> str:
    """CSV of `rows` with the given columns, in that order."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else safe_cell(row.get(k)) for k in columns})
    return buf.getvalue()


def frame_csv(frame: gpd.GeoDataFrame) -> str:
    """CSV of a feature frame: attributes, then lon/lat of a representative point (WGS84)."""
    columns = [c for c in frame.columns if c != "geometry"] + ["lon", "lat"]
    rows = []
    for record, geom in zip(
        frame.drop(columns="geometry").to_dict("records"), frame.geometry.values, strict=True
    ):
        if geom is not None and not geom.is_empty:
            point = shapely.point_on_surface(geom)
            record["lon"], record["lat"] = round(point.x, 6), round(point.y, 6)
        rows.append({k: plain(v) for k, v in record.items()})
    return rows_csv(rows, columns)
