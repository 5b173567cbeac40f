"""Vector tiles of the store's layers: the store makes a tile (`FeatureStore.tile`), this caches it.

`TileService` is built once per app (it holds the tile cache). Every tile is asked of the
store pinned to the version the ETag names, so a publish in between can never put new data
under an old tag. How a store makes a tile (PostGIS: `ST_AsMVT`; GeoPackage: a bulk read
through its indexes, encoded by `app/geo/mvt.py`) is its own business.
"""

from __future__ import annotations

import hashlib

from app.geo.tilegrid import Tile
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore
from app.tiles.cache import EMPTY, TileCache

# Bumped when the encoding changes (buffer, simplification, thinning): new tags, new tiles.
# mvt-2: points generalised at write time (gp_minzoom), PostGIS tiles thinned too.
ENCODING = "mvt-2"
CACHE_BYTES = 64 * 1024 * 1024


def tile_etag(layer_id: str, version: int, tile: Tile) -> str:
    """A strong validator from what a tile's bytes depend on: layer, store version, address."""
    key = f"{ENCODING}:{layer_id}:{version}:{tile}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class TileService:
    """Renders and caches the tiles of one store."""

    def __init__(self, store: FeatureStore, cache_bytes: int = CACHE_BYTES):
        self.store = store
        self.cache = TileCache(cache_bytes)

    def render(self, spec: LayerSpec, version: int, tile: Tile) -> bytes | None:
        """The MVT bytes of `tile` for `version` of the layer; None for an empty tile."""
        key = (spec.id, version, tile.z, tile.x, tile.y)
        data = self.cache.get(key)
        if data is None:
            data = self.store.tile(spec, tile, version) or EMPTY
            self.cache.put(key, data)
        return data or None
