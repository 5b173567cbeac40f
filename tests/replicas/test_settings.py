"""GEOPORTALE_STORE_READ: replicas of a PostgreSQL primary, refused at start otherwise."""

from __future__ import annotations

import pytest

from app import create_app
from app.settings import SettingsError, load_settings

PG = "postgresql://geoportale@db1/geoportale"


def test_replica_urls_are_read_comma_separated():
    settings = load_settings(
        environ={
            "GEOPORTALE_STORE": PG,
            "GEOPORTALE_STORE_READ": " postgresql://r1/geoportale, postgresql://r2/geoportale ,",
        }
    )
    assert settings["STORE_READ"] == ("postgresql://r1/geoportale", "postgresql://r2/geoportale")
    assert load_settings(environ={})["STORE_READ"] == ()


def test_replicas_without_a_postgresql_primary_stop_the_start(tmp_path):
    with pytest.raises(SettingsError, match="GEOPORTALE_STORE is not a postgresql:// URL"):
        load_settings(environ={"GEOPORTALE_STORE_READ": "postgresql://r1/geoportale"})
    with pytest.raises(SettingsError, match="GEOPORTALE_STORE is not a postgresql:// URL"):
        create_app({"STORE": str(tmp_path / "s.gpkg"), "STORE_READ": "postgresql://r1/g"})


def test_a_replica_must_be_a_postgresql_url():
    with pytest.raises(SettingsError, match="GEOPORTALE_STORE_READ"):
        load_settings(environ={"GEOPORTALE_STORE": PG, "GEOPORTALE_STORE_READ": "/tmp/r.gpkg"})


@pytest.mark.parametrize("name", ["REPLICA_POLL_MS", "REPLICA_MAX_LAG_MS"])
def test_poll_and_lag_are_positive(name):
    with pytest.raises(SettingsError, match=name):
        load_settings(environ={f"GEOPORTALE_{name}": "0"})


def test_a_single_store_names_no_read_source(client):
    r = client.get("/api/collections/punti/items")
    assert r.status_code == 200
    assert "Geoportale-Read-From" not in r.headers
    assert "Cookie" not in r.headers.get("Vary", "")
