"""Shared fixtures: `app`, `client`, `runner` on the fixture layers, and `store`."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
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


def close_app(app) -> None:
    """Close the app's store (PostGIS: its pool and LISTEN connection), if it opened one."""
    from app.services import KEY, Services

    found = app.extensions.get(KEY)
    if isinstance(found, Services):
        found.store.close()


@pytest.fixture
def app(store_location):
    app = create_app(
        {
            "STORE": store_location,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
        }
    )
    yield app
    close_app(app)


@pytest.fixture
def client_factory():
    """client_factory(base, **settings): a test client of a new app with the settings `base`
    overridden by `settings` (e.g. a small limit); every app made is closed after the test."""
    apps = []

    def make(base: dict, **settings):
        apps.append(create_app({**base, **settings}))
        return apps[-1].test_client()

    yield make
    for made in apps:
        close_app(made)


@pytest.fixture
def backend(request):
    """The store the `app` runs on: "gpkg" unless the test module sets BOTH_STORES = True."""
    return getattr(request, "param", "gpkg")


@pytest.fixture
def store_location(backend, store_path, request) -> str:
    if backend == "gpkg":
        return str(store_path)
    return request.getfixturevalue("pg_url")


def pytest_generate_tests(metafunc):
    """Modules with BOTH_STORES = True run every app test on GeoPackage and on PostGIS."""
    if getattr(metafunc.module, "BOTH_STORES", False) and "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", ["gpkg", "postgis"], indirect=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test module (skips where absent)."""
    from tests import chromium

    sync_api = chromium.sync_api()
    with sync_api.sync_playwright() as p:
        b = chromium.launch(p)
        yield b
        b.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PG_ADMIN = os.environ.get("GEOPORTALE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_admin():
    """An autocommit connection to the PostgreSQL server, or a skip saying why."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed")
    try:
        conn = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(
            f"no PostgreSQL server at {PG_ADMIN} ({type(exc).__name__}); "
            ".ci/run installs and starts one"
        )
    if (
        conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
        is None
    ):
        conn.close()
        pytest.skip("PostGIS is not installed (apt-get install postgresql-15-postgis-3)")
    return conn


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{dbname}"


@contextmanager
def pg_template_database(label: str, fill):
    """A session's template database `fill(url)` loads once: yields (admin connection, name)
    for `clone_database`, dropped at the end."""
    conn = _pg_admin()
    name = f"gp_test_{label}_{os.getpid()}"
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        fill(_pg_url(name))
        yield conn, name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def clone_database(template: tuple, request) -> str:
    """A fresh database cloned from a `pg_template_database`, dropped after the test.

    A module that sets `READ_ONLY_STORE = True` gets one clone for all its tests (cloning
    costs more than most read tests); after each test the clone's generation is checked, so
    a test that writes in such a module fails instead of leaking into the next one.
    """
    conn, name = template
    if getattr(request.module, "READ_ONLY_STORE", False):
        shared = request.getfixturevalue("module_databases")
        if name not in shared:
            shared[name] = _create_clone(conn, name)
            _READ_ONLY_GENERATIONS[_pg_url(shared[name])] = _generation(_pg_url(shared[name]))
        url = _pg_url(shared[name])
        request.addfinalizer(lambda: _assert_unwritten(url, request.node.nodeid))
        return url
    clone = _create_clone(conn, name)
    request.addfinalizer(lambda: conn.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)'))
    return _pg_url(clone)


def _create_clone(conn, template_name: str) -> str:
    clone = f"gp_test_{uuid.uuid4().hex[:12]}"
    conn.execute(f'CREATE DATABASE "{clone}" TEMPLATE "{template_name}"')
    return clone


def _generation(url: str) -> int:
    from app.stores.postgis import PostgisStore

    store = PostgisStore(url, max_size=1)
    try:
        return store.generation()
    finally:
        store.close()


#: url -> generation of a READ_ONLY_STORE module's clone when it was made.
_READ_ONLY_GENERATIONS: dict[str, int] = {}


def _assert_unwritten(url: str, test: str) -> None:
    assert _generation(url) == _READ_ONLY_GENERATIONS[url], (
        f"{test} wrote to the shared store of a READ_ONLY_STORE module"
    )


@pytest.fixture(scope="module")
def module_databases(request):
    """Template name -> the clone shared by a READ_ONLY_STORE module; dropped at its end."""
    made: dict[str, str] = {}
    yield made
    if made:
        conn = _pg_admin()
        try:
            for clone in made.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)')
        finally:
            conn.close()


def store_of_backend(backend: str, gpkg_file: Path, tmp_path: Path, request, template: str):
    """The test's store location: a copy of `gpkg_file`, or (PostGIS) a clone of the
    session template fixture named `template`."""
    if backend == "gpkg":
        path = tmp_path / Path(gpkg_file).name
        shutil.copy(gpkg_file, path)
        return str(path)
    return clone_database(request.getfixturevalue(template), request)


@pytest.fixture(scope="session")
def pg_template(fixture_registry):
    """A database holding the fixture layers, cloned for each test (CREATE DATABASE TEMPLATE)."""
    with pg_template_database(
        "tpl", lambda url: sync_shipped(fixture_registry, DATA, DATA / "layers", url)
    ) as template:
        yield template


@pytest.fixture
def pg_url(pg_template, request):
    """A fresh PostGIS store with the fixture layers (dropped after the test)."""
    return clone_database(pg_template, request)


@pytest.fixture(params=["gpkg", "postgis"])
def store(request, store_path):
    """Each store test runs on both back ends (PostGIS skips where no server is reachable)."""
    if request.param == "gpkg":
        yield GpkgStore(store_path)
        return
    from app.stores.postgis import PostgisStore

    pg = PostgisStore(request.getfixturevalue("pg_url"), max_size=4)
    yield pg
    pg.close()


@pytest.fixture
def spec(fixture_registry):
    return fixture_registry.get


def punti_frame(geoms, crs: str = "OGC:CRS84", **columns):
    """Rows for the fixture layer `punti` (ids n1, n2, ...), every field defaulted unless
    given as a list in `columns`."""
    import geopandas as gpd

    n = len(geoms)
    rows = {
        "id": [f"n{i + 1}" for i in range(n)],
        "nome": ["Nuovo"] * n,
        "tipo": ["museo"] * n,
        "posti": [1] * n,
        "punteggio": [1.0] * n,
        "aperto": [True] * n,
        "data": ["2025-01-01"] * n,
        "fonte": ["test"] * n,
    }
    rows.update(columns)
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=crs)


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
def live_server(store_location, tmp_path):
    """The app on a real socket, in its own process (GDAL holds the GIL while it fetches).

    Settings go through the environment, as in production; `request.param`-free: tests that
    need other settings write them to `tmp_path / "env"` before asking for this fixture.
    """
    settings = {
        "GEOPORTALE_STORE": store_location,
        "GEOPORTALE_LAYERS_DIR": str(DATA / "layers"),
        "GEOPORTALE_DATA_ROOT": str(DATA),
    }
    extra = tmp_path / "env"
    if extra.exists():
        settings.update(line.split("=", 1) for line in extra.read_text().splitlines() if line)
    with serve_app(settings, tmp_path) as url:
        yield url


@contextmanager
def serve_app(settings: dict, tmp_path: Path):
    """The app on a real socket in its own process, with `settings` (GEOPORTALE_* environment
    variables) over the test defaults; yields its base URL and stops it afterwards."""
    import collections
    import subprocess
    import sys
    import threading
    import time
    import urllib.request

    port = _free_port()
    env = dict(
        os.environ,
        GEOPORTALE_BASEMAP="none",
        # Its own heavy-request slots: the servers of parallel test processes must not take
        # each other's (the default LOCK_DIR is shared by every server of a checkout, and
        # a print refused as busy never downloads).
        GEOPORTALE_LOCK_DIR=str(tmp_path / "locks"),
    )
    env.update(settings)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # The server logs every request (and any warning) to stderr: read it all the time,
    # keeping the tail for errors. A pipe nobody reads fills up (64 KiB) and then blocks the
    # server mid-request: a print that logged a lot once never answered.
    tail: collections.deque = collections.deque(maxlen=200)

    def drain():
        for line in proc.stderr:
            tail.append(line.decode(errors="replace"))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/api/conformance", timeout=1).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                reader.join(5)
                raise RuntimeError("server did not start: " + "".join(tail)) from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
