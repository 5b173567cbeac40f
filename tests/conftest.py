"""Shared fixtures: `app`, `client`, `runner` on the fixture layers, and `store`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import create_app
from app.registry import load_registry
from app.stores.build import sync_shipped
from app.stores.gpkg import GpkgStore

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="session")
def fixture_registry():
    return load_registry(DATA / "layers", DATA)


@pytest.fixture(scope="session")
def built_store(tmp_path_factory, fixture_registry) -> Path:
    """The fixture layers built once per session; tests get copies."""
    path = tmp_path_factory.mktemp("store") / "fixture.gpkg"
    sync_shipped(fixture_registry, DATA, DATA / "layers", path)
    return path


@pytest.fixture
def store_path(tmp_path, built_store) -> Path:
    path = tmp_path / "store.gpkg"
    shutil.copy(built_store, path)
    return path


@pytest.fixture
def app(store_path):
    return create_app(
        {
            "STORE": str(store_path),
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(params=["gpkg"])
def store(request, store_path):
    """Each store test runs on every back end (PostGIS joins in its own issue)."""
    return GpkgStore(store_path)


@pytest.fixture
def spec(fixture_registry):
    return fixture_registry.get


def shared_path(*parts: str) -> Path:
    """A file in ../shared, or a skip naming what is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: {path} (../shared is absent)")
    return path


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(store_path, tmp_path):
    """The app on a real socket, in its own process (GDAL holds the GIL while it fetches).

    Settings go through the environment, as in production; `request.param`-free: tests that
    need other settings write them to `tmp_path / "env"` before asking for this fixture.
    """
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    env = dict(
        os.environ,
        GEOPORTALE_STORE=str(store_path),
        GEOPORTALE_LAYERS_DIR=str(DATA / "layers"),
        GEOPORTALE_DATA_ROOT=str(DATA),
        GEOPORTALE_BASEMAP="none",
    )
    extra = tmp_path / "env"
    if extra.exists():
        env.update(line.split("=", 1) for line in extra.read_text().splitlines() if line)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/api/conformance", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("server did not start: " + proc.stderr.read().decode()) from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(10)
