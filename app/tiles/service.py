"""Vector tiles of the store's layers: read one tile through the spatial index, encode, cache.

`TileService` is built once per app (it holds the tile cache). Every tile is read pinned to
the version the ETag names, so a publish in between can never put new data under an old
tag: by PostGIS itself (`ST_AsMVT`), by the store's bulk `tile_rows` (GeoPackage), or else
in pages through the store's bbox query. Point layers written with the generalisation
columns (`generalise.py`) are read thinned for the tile's zoom.
"""

from __future__ import annotations

import hashlib

from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeatureStore, Query
from app.tiles.cache import EMPTY, TileCache
from app.tiles.encoder import MARGIN, encode_rows, encode_tile
from app.tiles.grid import Tile

# Bumped when the encoding changes (buffer, simplification, thinning): new tags, new tiles.
# mvt-2: points generalised at write time (gp_minzoom), PostGIS tiles thinned too.
ENCODING = "mvt-2"
# Rows fetched per store query; under SQLite's default 32,766 bound variables per statement.
PAGE = 30000
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
            in_database = getattr(self.store, "mvt", None)  # PostGIS: ST_AsMVT
            in_bulk = getattr(self.store, "tile_rows", None)  # GeoPackage
            if in_database is not None:
                data = in_database(spec, tile.z, tile.x, tile.y, version=version) or EMPTY
            elif in_bulk is not None:
                got = in_bulk(spec, tile, version)
                fields = list(spec.field_names)
                thin = not got.generalised
                data = encode_rows(spec.id, fields, got.geoms, got.rows, tile, thin) or EMPTY
            else:
                features = self.features(spec, version, tile)
                data = encode_tile(spec.id, list(spec.field_names), features, tile) or EMPTY
            self.cache.put(key, data)
        return data or None

    def features(self, spec: LayerSpec, version: int, tile: Tile) -> list[Feature]:
        """The features of the tile and its buffer, in pages through the store's bbox query."""
        bbox = tile.lonlat_bounds(MARGIN)
        out: list[Feature] = []
        while True:
            page = self.store.query(spec, Query(bbox=bbox, limit=PAGE, offset=len(out)), version)
            out.extend(page.features)
            if not page.features or len(out) >= page.number_matched:
                return out
