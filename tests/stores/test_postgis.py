"""What only the PostGIS store does: plans on the GiST index, ST_AsMVT, one-transaction writes."""

import geopandas as gpd
import pytest
import shapely
from psycopg import sql

from app.errors import DataError, StoreError
from app.stores.base import Query
from app.stores.cql2 import parse_filter
from app.stores.postgis import SCHEMA, PostgisStore
from app.stores.postgis_sql import to_sql
from tests.conftest import punti_frame


@pytest.fixture
def pg(pg_url):
    store = PostgisStore(pg_url, max_size=2)
    yield store
    store.close()


def test_postgis_plans_use_the_gist_index(pg, spec):
    s = spec("punti")
    tree = parse_filter("S_DWITHIN(geometry, POINT(10.02 45.133), 500) AND tipo = 'museo'", None, s)
    with pg.pool.connection() as conn:
        conn.execute("SET LOCAL enable_seqscan = off")  # tiny fixture: force the planner's hand
        table = conn.execute(
            f"SELECT table_name FROM {SCHEMA}.layers l JOIN {SCHEMA}.versions "
            "v ON v.layer_id = l.id AND v.version = l.version WHERE l.id = "
            "'punti'"
        ).fetchone()[0]
        where, params = to_sql(tree)
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                sql.SQL("EXPLAIN SELECT t.fid FROM {} t WHERE {}").format(
                    sql.Identifier(SCHEMA, table), where
                ),
                params,
            ).fetchall()
        )
    assert "geom_idx" in plan and ("Index Scan" in plan or "Bitmap Index Scan" in plan), plan


def test_tiles_of_either_store_hold_their_features(store, spec):
    """`FeatureStore.tile`: ST_AsMVT on PostGIS, a bulk read encoded in Python on GeoPackage."""
    mapbox_vector_tile = pytest.importorskip("mapbox_vector_tile")
    from app.geo.tilegrid import Tile, lonlat_to_tile

    s = spec("punti")
    z = 14
    x, y = lonlat_to_tile(10.02, 45.133, z)  # the tile holding p1
    decoded = mapbox_vector_tile.decode(store.tile(s, Tile(z, x, y)))
    names = {f["properties"]["nome"] for f in decoded["punti"]["features"]}
    assert "Punto uno" in names
    assert store.tile(s, Tile(z, 0, 0)) == b""


def test_write_is_one_transaction(pg, spec):
    s = spec("zone")
    before = pg.describe("zone")
    bad = gpd.GeoDataFrame(
        {"codice": ["x"], "nome": ["a"], "fonte": ["t"]},
        geometry=[shapely.box(10, 45, 10.1, 45.1)],
        crs="EPSG:4326",
    )
    with pytest.raises(DataError):
        pg.stage(s, bad, origin="import", source="bad", user="t")
    assert pg.describe("zone") == before and pg.orphan_tables() == []
    assert [v.version for v in pg.versions("zone")] == [1]


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(StoreError, match="PostGIS store unreachable"):
        PostgisStore("postgresql://nobody@127.0.0.1:1/none", max_size=1)


def test_geodata_build_cli_loads_postgis(pg_template, tmp_path, monkeypatch):
    """`flask geodata build` with a postgresql:// store fills that database (not a folder)."""
    from app import create_app
    from tests.conftest import DATA, _pg_url

    conn, _ = pg_template
    name = "gp_test_cli_build"
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.execute(f'CREATE DATABASE "{name}"')
    monkeypatch.chdir(tmp_path)
    try:
        url = _pg_url(name)
        app = create_app(
            {
                "STORE": url,
                "LAYERS_DIR": str(DATA / "layers"),
                "DATA_ROOT": str(DATA),
                "AUTO_BUILD": False,
            }
        )
        result = app.test_cli_runner().invoke(args=["geodata", "build"])
        assert result.exit_code == 0, result.output
        assert "punti" in result.output and "published" in result.output
        assert list(tmp_path.iterdir()) == []  # no stray "postgresql:" folder
        store = PostgisStore(url, max_size=1)
        assert store.describe("punti").feature_count == 6
        store.close()
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _punti_v2(spec):
    return punti_frame([shapely.Point(10.0, 45.1)])


def test_a_publish_by_another_process_shows_at_the_next_generation_read(pg, pg_url, spec):
    """Reads remember the served table while the generation is unchanged; a publish made
    elsewhere (another worker, the CLI) changes the generation, and the next request sees it."""
    s = spec("punti")
    before = pg.generation()  # what Services.registry does at the start of every request
    assert pg.query(s, Query()).number_matched == 6
    other = PostgisStore(pg_url, max_size=1)
    try:
        other.write_layer(s, _punti_v2(spec))
    finally:
        other.close()
    _wait_for_a_new_generation(pg, before)
    page = pg.query(s, Query())
    assert [f.id for f in page.features] == ["n1"] and page.number_matched == 1
    assert pg.get(s, "n1").properties["nome"] == "Nuovo"


def test_a_write_here_is_seen_at_once(pg, spec):
    s = spec("punti")
    pg.generation()
    assert pg.query(s, Query()).number_matched == 6
    pg.write_layer(s, _punti_v2(spec))
    assert pg.query(s, Query()).number_matched == 1  # no generation() read in between
    pg.rollback("punti", "test")
    assert pg.query(s, Query()).number_matched == 6


def test_every_change_made_here_moves_the_generation_at_once(pg, spec, monkeypatch):
    """A change this process commits (here a metadata edit, as a Part 4 write that publishes
    at once also makes) is seen by its next generation read, not only when its NOTIFY comes
    back through the change watch: the watch is made deaf here, so only that can show it."""
    s = spec("punti")
    pg.write_layer(s, _punti_v2(spec))
    before = pg.generation()
    monkeypatch.setattr(pg._watch, "trusted", lambda: True)  # the NOTIFY never arrives
    assert pg.generation() == before
    changed = pg.published_specs()[0]
    pg.update_spec("punti", changed.model_copy(update={"visible": not changed.visible}), "t")
    assert pg.generation() > before


def test_a_remembered_table_dropped_meanwhile_is_looked_up_again(pg, spec):
    s = spec("punti")
    pg.generation()
    pg.query(s, Query())  # remembers punti's table
    with pg.pool.connection() as conn:  # as if another process had pruned that version
        table = pg._table(conn, "punti", None)[0]
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO gone").format(sql.Identifier(SCHEMA, table)))
        conn.execute(
            sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(
                sql.Identifier(SCHEMA, "punti__v9"), sql.Identifier(SCHEMA, "gone")
            )
        )
        conn.execute(
            f"UPDATE {SCHEMA}.versions SET table_name = 'punti__v9' WHERE table_name = %s",
            (table,),
        )
    # the generation did not move, so the stale pointer is tried first, fails, and is refreshed
    page = pg.query(s, Query())
    assert page.number_matched == 6


def test_fields_are_indexed_and_long_texts_still_import(pg, spec):
    """Every filterable field gets a b-tree; a text longer than a b-tree entry may hold
    (~2.7 KB) must not make the import fail: that field is left unindexed."""
    s = spec("punti")
    data = _punti_v2(spec)
    data.loc[0, "nome"] = "lungo " * 2000  # 12,000 bytes
    pg.write_layer(s, data)
    pg.generation()
    page = pg.query(s, Query(equals={"nome": "lungo " * 2000}))
    assert [f.id for f in page.features] == ["n1"]
    with pg.pool.connection() as conn:
        table = pg._table(conn, "punti", None)[0]
        indexed = {
            r[0]
            for r in conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON "
                "a.attrelid = c.oid AND a.attnum = ANY(i.indkey) WHERE n.nspname = %s "
                "AND c.relname = %s",
                (SCHEMA, table),
            )
        }
    assert {"geom", "id", "tipo", "posti", "punteggio", "data"} <= indexed
    assert "nome" not in indexed and "aperto" not in indexed


def _wait_for_a_new_generation(store, before: int, seconds: float = 10.0) -> int:
    """A change made by another process reaches this one by NOTIFY: milliseconds, not at
    once (the store reads the generation itself until its LISTEN connection is up)."""
    import time

    deadline = time.monotonic() + seconds
    while (now := store.generation()) == before:
        assert time.monotonic() < deadline, "the change was never heard"
        time.sleep(0.02)
    return now


def _listening(store, seconds: float = 10.0) -> None:
    import time

    store.generation()  # starts the watch
    deadline = time.monotonic() + seconds
    while not store._watch.live:
        assert time.monotonic() < deadline, "the LISTEN connection never came up"
        time.sleep(0.02)
    store.generation()  # the read that makes the cached generation trusted


def test_the_generation_is_heard_not_asked(pg, pg_url, spec, monkeypatch):
    """With the LISTEN connection up, reading the generation costs no query; a change
    committed by another process makes the next reads go to the database again."""
    _listening(pg)
    asked = []
    reading = pg._reading

    def counting():
        asked.append(1)
        return reading()

    monkeypatch.setattr(pg, "_reading", counting)
    first = pg.generation()
    for _ in range(20):
        assert pg.generation() == first
    assert asked == []
    other = PostgisStore(pg_url, max_size=1)
    try:
        other.unpublish("zone", "test")
    finally:
        other.close()
    assert _wait_for_a_new_generation(pg, first) > first and asked
    # Without a live watch (closed, dropped, or a forked process) every read asks.
    pg._watch.close()
    asked.clear()
    pg.generation()
    pg.generation()
    assert len(asked) == 2


def test_a_selective_filter_pages_the_same_once_its_count_is_known(pg, spec):
    """Once a filter's count is known to be small, its pages come from its own index and a
    sort instead of the fid order: the same features, in the same order, page by page."""
    s = spec("punti")
    q = {"equals": {"tipo": "museo"}, "limit": 2}
    first = pg.query(s, Query(**q))  # count unknown: fid order, then count(*)
    assert [f.id for f in first.features] == ["p1", "p3"] and first.number_matched == 3
    again = pg.query(s, Query(**q))  # count known (3): index, then sort
    assert [f.id for f in again.features] == ["p1", "p3"] and again.number_matched == 3
    rest = pg.query(s, Query(**q, offset=2))
    assert [f.id for f in rest.features] == ["p6"] and rest.number_matched == 3
    beyond = pg.query(s, Query(**q, offset=5))
    assert beyond.features == [] and beyond.number_matched == 3
