"""The upload form refuses virtual files with a clear page, shows no secret, changes nothing."""

from __future__ import annotations

import pytest

from scripts.reliability.virtual import REFUSED
from tests.admin.test_publishing import state, upload

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS


@pytest.mark.parametrize("name", REFUSED)
def test_form_refuses_virtual_files(app, admin_client, hostile, listener, name):
    filename, data = hostile.files[name]
    before = state(app)
    r = upload(admin_client, data, filename, layer_id="ostile", crs="EPSG:4326")
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert hostile.canary not in body and "REMOTE-CANARY" not in body
    assert "geoportale-upload-" not in body and "/tmp/" not in body
    assert filename in body
    assert state(app) == before
    assert listener.hits == []


@pytest.mark.parametrize("name", ["vrt-as-kml", "vrt-in-zip", "geojson-crs-link"])
def test_cli_refuses_virtual_files(app, runner, hostile, listener, tmp_path, name):
    filename, data = hostile.files[name]
    path = tmp_path / filename
    path.write_bytes(data)
    before = state(app)
    r = runner.invoke(args=["layers", "import", str(path), "--id", "ostile", "--crs", "EPSG:4326"])
    assert r.exit_code == 1, r.output
    assert hostile.canary not in r.output and "REMOTE-CANARY" not in r.output
    assert "not opened" in r.output
    assert state(app) == before
    assert listener.hits == []
