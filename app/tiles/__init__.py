"""Mapbox Vector Tiles of the published layers (WebMercatorQuad): grid, encoder, cache."""

from app.geo.mvt import MIME
from app.geo.tilegrid import Tile, parse_tile
from app.tiles.service import TileService, tile_etag

__all__ = ["MIME", "Tile", "TileService", "parse_tile", "tile_etag"]
