"""Leaflet-Geoman (the web editor's editing toolkit) is a pinned, licensed copy of its npm
package, served by the vendor route; scripts/refresh_geoman.py --check verifies it offline."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "app" / "static" / "vendor" / "leaflet-geoman"


def _script():
    spec = importlib.util.spec_from_file_location(
        "refresh_geoman", ROOT / "scripts/refresh_geoman.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_copy_matches_its_manifest_and_licence():
    manifest = json.loads((VENDOR / "VERSION.json").read_text())
    assert manifest["package"] == "@geoman-io/leaflet-geoman-free"
    assert _script().check() == []
    assert (VENDOR / "LICENSE").read_text().startswith("MIT License")
    js = (VENDOR / "leaflet-geoman.min.js").read_text()
    assert manifest["version"] in js  # the build names its own version


def test_check_notices_a_changed_file(tmp_path, monkeypatch):
    script = _script()
    for name in ("VERSION.json", "leaflet-geoman.min.js", "leaflet-geoman.css", "LICENSE"):
        (tmp_path / name).write_bytes((VENDOR / name).read_bytes())
    monkeypatch.setattr(script, "TARGET", tmp_path)
    monkeypatch.setattr(script, "MANIFEST", tmp_path / "VERSION.json")
    assert script.check() == []
    (tmp_path / "leaflet-geoman.css").write_text("/* changed */")
    assert script.check() == ["leaflet-geoman.css does not match its sha256 in VERSION.json"]


def test_served_from_the_vendor_route(client):
    js = client.get("/vendor/leaflet-geoman/leaflet-geoman.min.js")
    css = client.get("/vendor/leaflet-geoman/leaflet-geoman.css")
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert client.get("/vendor/leaflet-geoman/../../app.py").status_code == 404
