"""The importer bugs the hostile corpus found, one test each (fixed in app/publishing)."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from app.publishing.importer import ImportOptions, import_file
from app.publishing.readers import ImportRefused, open_vector, safe_extract
from app.stores.gpkg import GpkgStore


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_damaged_zip_entry_is_refused_not_a_crash(tmp_path):
    data = bytearray(_zip({"dati.shp": bytes(range(256)) * 400}))
    data[60:64] = bytes(b ^ 0xFF for b in data[60:64])  # inside the compressed data
    path = tmp_path / "dati.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(ImportRefused, match="damaged"):
        safe_extract(path, tmp_path / "out")


def test_json_nested_too_deeply_is_refused(tmp_path):
    path = tmp_path / "dati.geojson"
    path.write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(ImportRefused, match="nested too deeply"):
        open_vector(path, tmp_path)


def test_csv_with_a_huge_header_is_refused_at_once(tmp_path):
    path = tmp_path / "dati.csv"
    path.write_text(",".join(f"c{i}" for i in range(200000)) + "\n")
    started = time.perf_counter()
    with pytest.raises(ImportRefused, match="200000 columns"):
        open_vector(path, tmp_path)
    assert time.perf_counter() - started < 5  # pandas alone took ~25 s on it


def test_unknown_crs_option_is_refused(store_path, tmp_path):
    path = tmp_path / "dati.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(ImportRefused, match="unknown CRS"):
        import_file(GpkgStore(store_path), path, ImportOptions("x", crs="EPSG:99999999"), "t")


def test_a_file_where_no_feature_has_a_geometry_is_refused(store_path, tmp_path):
    store = GpkgStore(store_path)
    before = store.generation()
    feats = [
        {"type": "Feature", "properties": {"codice": i}, "geometry": {"type": "Bogus"}}
        for i in range(3)
    ]
    path = tmp_path / "dati.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    result = import_file(store, path, ImportOptions("x", publish=True), "t")
    assert [i.code for i in result.report.errors] == ["no-geometry-at-all"]
    assert store.generation() == before
