"""Uploads that would steer GDAL to other files or URLs are refused before GDAL opens them."""

from __future__ import annotations

import pytest

from app.publishing.importer import ImportOptions, import_file
from app.publishing.readers import ImportRefused, open_vector, safe_extract
from scripts.reliability.virtual import ACCEPTED, REFUSED, spread_bomb


def _state(store):
    return store.generation(), len(store.audit_log(None, 10000))


@pytest.mark.parametrize("name", REFUSED)
def test_virtual_files_are_refused_on_both_stores(store, hostile, listener, tmp_path, name):
    filename, data = hostile.files[name]
    path = tmp_path / "upload" / filename
    path.parent.mkdir()
    path.write_bytes(data)
    before = _state(store)
    with pytest.raises(ImportRefused) as info:
        import_file(store, path, ImportOptions("ostile", crs="EPSG:4326"), "tester")
    detail = info.value.detail
    assert hostile.canary not in detail and "REMOTE-CANARY" not in detail
    assert str(tmp_path) not in detail and filename in detail
    assert _state(store) == before
    assert listener.hits == []


@pytest.mark.parametrize("name", ACCEPTED)
def test_data_that_only_mentions_urls_imports_without_fetching(
    gstore, hostile, listener, tmp_path, name
):
    filename, data = hostile.files[name]
    path = tmp_path / filename
    path.write_bytes(data)
    result = import_file(gstore, path, ImportOptions("dati"), "tester")
    assert result.ok and result.report.features >= 1
    assert listener.hits == []


def test_virtual_file_message_is_clear(hostile, tmp_path):
    path = tmp_path / "luoghi.kml"
    path.write_bytes(hostile.files["vrt-as-kml"][1])
    with pytest.raises(ImportRefused, match=r"luoghi\.kml: .*virtual dataset"):
        open_vector(path, tmp_path / "work")


def test_zip_bomb_spread_over_many_entries(tmp_path):
    archive = tmp_path / "bomba.zip"
    archive.write_bytes(spread_bomb(300))
    with pytest.raises(ImportRefused, match=r"bomba\.zip: 300 entries expand to 300 MB.*zip bomb"):
        safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()  # refused before anything is written


def test_errors_name_the_upload_not_the_server_path(tmp_path):
    folder = tmp_path / "geoportale-upload-abcd"
    folder.mkdir()
    path = folder / "rotto.kml"
    path.write_bytes(b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point>')
    with pytest.raises(ImportRefused) as info:
        open_vector(path, tmp_path / "work")
    assert "rotto.kml" in info.value.detail
    assert "/" + folder.name not in info.value.detail and str(tmp_path) not in info.value.detail
