"""Reads from a real hot standby, writes to the primary (issue 21), on two clusters made here.

The tests run in order on one pair of clusters: reads and publishes first, then the
standby stopped and restarted under load, the primary stopped, and last the standby
promoted (after which it is no standby any more).
"""

from __future__ import annotations

import threading
import time

import pytest

from app import create_app
from app.admin.auth import ACCOUNTS_KEY
from app.errors import PrimaryUnavailable
from app.services import KEY
from app.stores.postgis import PostgisStore
from scripts.reliability.clusters import wait_for
from tests.admin.conftest import _logged_in
from tests.conftest import DATA, close_app, punti_frame

POLL_MS = 200
MAX_LAG_MS = 3000
# How stale a replica read may be: the poll interval plus the replay lag (milliseconds on
# one machine), with room for a loaded test machine.
BOUND_SECONDS = POLL_MS / 1000 + 2.0


@pytest.fixture
def make_app(pair, tmp_path):
    primary, standby, primary_url, standby_url = pair
    apps = []

    def make(**settings):
        config = {
            "STORE": primary_url,
            "STORE_READ": standby_url,
            "REPLICA_POLL_MS": POLL_MS,
            "REPLICA_MAX_LAG_MS": MAX_LAG_MS,
            "AUTO_BUILD": False,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            "ACCOUNTS": str(tmp_path / "accounts.sqlite"),
            "LOCK_DIR": str(tmp_path / "locks"),
            **settings,
        }
        apps.append(create_app(config))
        return apps[-1]

    yield make
    for app in apps:
        close_app(app)


def _version(client) -> tuple[int, str]:
    """The served version of `punti` as the API says it, and which database said it."""
    r = client.get("/api/collections/punti/items?limit=1")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["numberMatched"], r.headers["Geoportale-Read-From"]


def _publish_elsewhere(primary_url: str, spec, n: int) -> None:
    """A publish made by another process (the CLI, another app host): `n` points."""
    store = PostgisStore(primary_url, max_size=1)
    try:
        geoms = [f"POINT ({10 + i / 1000} 45.1)" for i in range(n)]
        import shapely

        store.write_layer(spec("punti"), punti_frame([shapely.from_wkt(g) for g in geoms]))
    finally:
        store.close()


def test_public_reads_come_from_the_standby(make_app):
    client = make_app().test_client()
    r = client.get("/api/collections/punti/items")
    assert r.status_code == 200
    assert r.headers["Geoportale-Read-From"] == "replica 1"
    assert r.json["numberMatched"] == 6
    tile = client.get("/api/collections/punti/tiles/WebMercatorQuad/8/135/90")
    assert tile.status_code in (200, 204)
    assert tile.headers["Geoportale-Read-From"] == "replica 1"
    # An admin page reads from the primary.
    assert client.get("/admin/login").headers.get("Geoportale-Read-From") in (None, "primary")


def test_a_publish_on_the_primary_is_served_by_the_standby_within_the_bound(pair, make_app, spec):
    primary, standby, primary_url, _ = pair
    client = make_app().test_client()
    before, source = _version(client)
    assert source == "replica 1"
    started = time.monotonic()
    _publish_elsewhere(primary_url, spec, before + 3)
    seen = []

    def served_new():
        count, source = _version(client)
        seen.append(count)
        return count == before + 3 and source == "replica 1"

    wait_for(served_new, BOUND_SECONDS, "the new version served by the standby")
    assert time.monotonic() - started <= BOUND_SECONDS
    # Never the new version and then the old one again.
    first_new = seen.index(before + 3)
    assert all(count == before + 3 for count in seen[first_new:])
    for _ in range(20):
        assert _version(client)[0] == before + 3


def test_the_writer_sees_its_own_publish_at_once(pair, make_app, spec):
    """A publish made through this worker: every read after it (the writer's and anyone's
    on this worker) serves the new version, from the primary until the standby has it."""
    primary, standby, primary_url, _ = pair
    app = make_app()
    client = app.test_client()
    before, _ = _version(client)
    standby.sql("SELECT pg_wal_replay_pause()")  # the standby stays behind meanwhile
    try:
        import shapely

        store = app.extensions[KEY].store
        gdf = punti_frame([shapely.Point(10, 45.1)] * (before + 1))
        store.write_layer(spec("punti"), gdf, origin="import", user="test")
        count, source = _version(client)
        assert (count, source) == (before + 1, "primary")
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    wait_for(lambda: _version(client) == (before + 1, "replica 1"), BOUND_SECONDS, "standby")


def test_a_lagging_standby_leaves_the_rotation_and_comes_back(pair, make_app, spec):
    primary, standby, primary_url, _ = pair
    client = make_app().test_client()
    before, _ = _version(client)
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        _publish_elsewhere(primary_url, spec, before + 1)
        # Within the lag limit the worker may serve the standby's (older, consistent)
        # version; past it, the primary's.
        wait_for(
            lambda: _version(client) == (before + 1, "primary"),
            MAX_LAG_MS / 1000 + BOUND_SECONDS,
            "reads from the primary past the lag limit",
        )
        assert _version(client) == (before + 1, "primary")  # never back to the old one
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    wait_for(lambda: _version(client) == (before + 1, "replica 1"), BOUND_SECONDS, "back")


def _load(client, stop: threading.Event, results: list) -> None:
    while not stop.is_set():
        r = client.get("/api/collections/punti/items?limit=2")
        results.append((r.status_code, r.headers.get("Geoportale-Read-From")))


def test_the_standby_stopped_and_restarted_under_load(pair, make_app):
    primary, standby, _, _ = pair
    app = make_app()
    stop, results = threading.Event(), []
    threads = [
        threading.Thread(target=_load, args=(app.test_client(), stop, results)) for _ in range(4)
    ]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        standby.stop("fast")
        time.sleep(1.5)
        standby.start()
        wait_for(
            lambda: results[-1][1] == "replica 1" and results[-40:].count(results[-1]) == 40,
            15,
            "the standby back in the rotation",
        )
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    statuses = {status for status, _ in results}
    assert statuses == {200}, [r for r in results if r[0] != 200][:5]
    sources = [source for _, source in results]
    assert "primary" in sources  # while the standby was down
    assert sources[-1] == "replica 1"


def test_the_primary_down_reads_go_on_and_writes_get_a_503(pair, make_app, spec):
    primary, standby, _, _ = pair
    app = make_app()
    admin = _logged_in(
        app, app.extensions[ACCOUNTS_KEY], "amministratore", "una-password-lunga-2", "admin"
    )
    client = app.test_client()
    primary.stop("fast")
    try:
        store = app.extensions[KEY].store
        wait_for(lambda: not store.health["primary"].up, 5, "the primary seen down")
        for _ in range(10):
            r = client.get("/api/collections/punti/items")
            assert r.status_code == 200
            assert r.headers["Geoportale-Read-From"] == "replica 1"
        # The admin's pages read from the replica; the admin's writes get a 503 naming why.
        assert admin.get("/admin/layers").status_code == 200
        r = admin.post(
            "/admin/layers/punti/rollback",
            data={"csrf_token": admin.csrf},
            headers={"Accept": "application/json"},
        )
        assert r.status_code == 503
        assert "primary database" in r.get_data(as_text=True)
        with pytest.raises(PrimaryUnavailable, match="cannot be reached"):
            store.rollback("punti", "test")
    finally:
        primary.start()
    store = app.extensions[KEY].store
    wait_for(lambda: store.health["primary"].up, 10, "the primary back")
    wait_for(lambda: store.health["replica 1"].up, 15, "the standby streaming again")


def test_a_promoted_standby_leaves_the_rotation(pair, make_app):
    primary, standby, _, _ = pair
    app = make_app()
    client = app.test_client()
    assert _version(client)[1] == "replica 1"
    standby.promote()
    store = app.extensions[KEY].store
    wait_for(lambda: not store.in_rotation(store.replicas[0]), 5, "promoted standby out")
    for _ in range(10):
        r = client.get("/api/collections/punti/items")
        assert r.status_code == 200
        assert r.headers["Geoportale-Read-From"] == "primary"
