"""A read that takes seconds, standing in for a costly filter in the time-limit tests."""

from __future__ import annotations

from psycopg import sql

# Far beyond the 50 ms limit of those tests: SQLite counts to 10^8, PostgreSQL sleeps.
SLOW_SQLITE = (
    "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
    "SELECT count(*) FROM c) > 0"
)
SLOW_POSTGRES = sql.SQL("(SELECT pg_sleep(10)) IS NOT NULL")


def slow_where(monkeypatch, backend: str) -> None:
    """Make every filtered read of `backend` run the slow clause."""
    if backend == "gpkg":
        monkeypatch.setattr("app.stores.gpkg.to_sql", lambda node, rtree: (SLOW_SQLITE, []))
    else:
        monkeypatch.setattr("app.stores.postgis.to_sql", lambda node: (SLOW_POSTGRES, []))
