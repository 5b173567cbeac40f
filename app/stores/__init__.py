"""Feature stores: the embedded GeoPackage (default) and PostGIS, behind one interface."""

from __future__ import annotations

from pathlib import Path

from app.stores.base import FeatureStore


def is_postgres(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(
    location: str | Path,
    create: bool = False,
    query_timeout_ms: int = 0,
    replicas: tuple[str, ...] = (),
    max_lag_ms: int = 10_000,
    poll_ms: int = 500,
    shared_dir: str | Path | None = None,
) -> FeatureStore:
    """The store at `location`: a `postgresql://` URL or a GeoPackage path. Its reads stop
    after `query_timeout_ms` (the web app's QUERY_TIMEOUT_MS; 0, no limit, for the CLI).
    With `replicas` (STORE_READ), the public reads go to those hot standbys of the
    PostgreSQL primary at `location` (app/stores/replicas.py); the worker processes of a
    machine share the highest generation they served in `shared_dir` (LOCK_DIR)."""
    if replicas:
        from app.stores.replicas import RoutedStore

        return RoutedStore(
            str(location),
            tuple(replicas),
            query_timeout_ms=query_timeout_ms,
            max_lag_ms=max_lag_ms,
            poll_ms=poll_ms,
            shared_dir=shared_dir,
        )
    if is_postgres(location):
        from app.stores.postgis import PostgisStore

        return PostgisStore(str(location), create=create, query_timeout_ms=query_timeout_ms)
    from app.stores.gpkg import GpkgStore

    if create:
        GpkgStore.open_or_create(Path(location))
    return GpkgStore(Path(location), query_timeout_ms=query_timeout_ms)
