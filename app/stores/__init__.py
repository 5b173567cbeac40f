"""Feature stores: the embedded GeoPackage (default) and PostGIS, behind one interface."""

from __future__ import annotations

from pathlib import Path

from app.stores.base import FeatureStore


def is_postgres(location: str | Path) -> bool:
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path, create: bool = False) -> FeatureStore:
    """The store at `location`: a `postgresql://` URL or a GeoPackage path."""
    if is_postgres(location):
        from app.stores.postgis import PostgisStore

        return PostgisStore(str(location), create=create)
    from app.stores.gpkg import GpkgStore

    return GpkgStore.open_or_create(Path(location)) if create else GpkgStore(Path(location))
