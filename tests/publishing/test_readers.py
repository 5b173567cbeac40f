"""Hostile and broken files: each refused with a clear message, nothing extracted outside."""

import zipfile

import pytest

from app.publishing.readers import ImportRefused, open_vector, safe_extract


def make_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "name", ["../evil.shp", "a/../../evil.shp", "/etc/evil.shp", "C:/evil.shp", "\\evil.shp"]
)
def test_traversal_is_refused(tmp_path, name):
    archive = make_zip(tmp_path / "x.zip", [(name, b"x")])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ImportRefused, match="unsafe path in archive"):
        safe_extract(archive, out)
    assert list(out.iterdir()) == []
    assert not (tmp_path / "evil.shp").exists()


def test_zip_bomb_is_refused(tmp_path):
    archive = make_zip(tmp_path / "bomb.zip", [("big.shp", b"\0" * (50 * 1024 * 1024))])
    assert archive.stat().st_size < 1024 * 1024
    with pytest.raises(ImportRefused, match="expands 200x or more"):
        safe_extract(archive, tmp_path)


def test_symlink_is_refused(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("link.shp")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(ImportRefused, match="links are not allowed"):
        safe_extract(archive, tmp_path)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a readable zip archive"),
        (b"PK\x03\x04garbage", "not a readable zip archive"),
        (b"this is not a zip at all" * 10, "not a readable zip archive"),
    ],
)
def test_garbage_zip(tmp_path, content, message):
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=message):
        open_vector(path, tmp_path / "w")


def test_truncated_zip(tmp_path, make_shapefile):
    from tests.publishing.conftest import zone_gdf

    good = make_shapefile(zone_gdf()).read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImportRefused):
        open_vector(path, tmp_path / "w")


def test_archive_contents(tmp_path):
    empty = make_zip(tmp_path / "empty.zip", [("readme.txt", b"nothing")])
    with pytest.raises(ImportRefused, match="no shapefile or other vector file inside"):
        open_vector(empty, tmp_path / "w1")
    two = make_zip(tmp_path / "two.zip", [("a.shp", b""), ("b.shp", b"")])
    with pytest.raises(ImportRefused, match=r"several layers \(a, b\); choose one"):
        open_vector(two, tmp_path / "w2")
    with pytest.raises(ImportRefused, match="no layer 'c'"):
        open_vector(two, tmp_path / "w3", layer="c")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("x.txt", b"hello", "unsupported file type '.txt'"),
        ("x.geojson", b"\xff\xfe not json", "not valid JSON"),
        ("x.json", b"[1, 2, 3]", "JSON but not GeoJSON"),
        ("x.gpkg", b"SQLite format 3\0 broken", "not a readable GeoPackage"),
        ("x.kml", b"<kml><broken", "KML"),
        ("x.csv", b"a,b\n1,2\n", "no coordinates"),
    ],
)
def test_broken_files(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRefused, match=message):
        open_vector(path, tmp_path / "w")


def test_missing_file(tmp_path):
    with pytest.raises(ImportRefused, match="file not found"):
        open_vector(tmp_path / "nope.gpkg", tmp_path)
