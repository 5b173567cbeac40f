"""GetMap: the published layers drawn by Mapnik with their styles, images cached per version.

Mapnik reads each layer from a memory datasource built from the store's bulk read
(`FeatureStore.frame`) of the version being drawn, so both stores (GeoPackage and PostGIS)
are drawn the same way and a draft never shows. A layer of up to WHOLE_LAYER_MAX features
is read once per version and kept (only the fields its style filters on); a larger one is
read for the requested area on every render. Mapnik reprojects from CRS84 to the map's CRS.

Styles are the layer style model (app/styles/model.py) written as Mapnik XML by
app/styles/mapnik.py. Encoded images are cached (app/tiles/cache.py's LRU) under a key
holding each layer's store version and style, so a publish, a rollback or a style change
makes the old images unreachable at once.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import mapnik
import numpy as np
import pandas as pd
import shapely

from app.geo.crs import transformer
from app.registry.spec import LayerSpec
from app.stores.base import FeatureStore, Query
from app.styles import model
from app.styles.mapnik import map_xml, style_name
from app.tiles.cache import TileCache
from app.wms.params import IMAGE_FORMATS, WmsCrs

# Bumped when the drawing changes: new keys, new images.
ENCODING = "wms-1"
CACHE_BYTES = 64 * 1024 * 1024
#: Layers up to this many features are kept whole in memory, per version.
WHOLE_LAYER_MAX = 200_000
#: Images above this many pixels take a heavy-request slot (app/heavy.py).
HEAVY_PIXELS = 1024 * 1024
#: Pixels drawn around the map, so markers on its edge are not cut (a marker is ≤ 80 px).
BUFFER = 48
DATA_SRS = "epsg:4326"  # the store's CRS84, longitude first


@dataclass(frozen=True)
class MapRequest:
    layers: tuple[LayerSpec, ...]  # in drawing order, bottom first
    versions: tuple[int, ...]
    crs: WmsCrs
    bbox: tuple[float, float, float, float]  # easting first
    width: int
    height: int
    format: str  # a key of IMAGE_FORMATS
    transparent: bool = False
    bgcolor: str = "#ffffff"


def style_key(spec: LayerSpec) -> str:
    """What a layer's drawing depends on besides its data."""
    text = spec.style.model_dump_json() + spec.geometry_type
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def style_fields(spec: LayerSpec) -> tuple[str, ...]:
    """The fields the layer's style filters on."""
    names = [spec.style.property, model.PRECISION_FIELD]
    return tuple(n for n in dict.fromkeys(names) if n and spec.field(n) is not None)


def _value(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def datasource(frame, fields: tuple[str, ...]) -> mapnik.MemoryDatasource:
    """A Mapnik memory datasource of a CRS84 GeoDataFrame, with `fields` as attributes."""
    ds = mapnik.MemoryDatasource()
    context = mapnik.Context()
    geoms = frame.geometry.values
    wkbs = shapely.to_wkb(np.asarray(geoms, dtype=object))
    columns = {name: frame[name].tolist() for name in fields}
    for i, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        feature = mapnik.Feature(context, i + 1)
        for name in fields:
            value = _value(columns[name][i])
            if value is not None:
                feature[name] = value
        feature.geometry = mapnik.Geometry.from_wkb(wkb)
        ds.add_feature(feature)
    return ds


def crs84_bounds(crs: WmsCrs, bbox) -> tuple[float, float, float, float] | None:
    """The CRS84 bounds of an easting-first box in `crs` (None when it does not transform)."""
    if crs.code in ("CRS:84", "EPSG:4326"):
        return bbox
    t = np.linspace(0.0, 1.0, 9)
    x0, y0, x1, y1 = bbox
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(9, x1), x0 + (x1 - x0) * t, np.full(9, x0)])
    ys = np.concatenate([np.full(9, y0), y0 + (y1 - y0) * t, np.full(9, y1), y0 + (y1 - y0) * t])
    with np.errstate(all="ignore"):
        lon, lat = transformer(crs.pyproj, "OGC:CRS84").transform(xs, ys)
    lon, lat = np.asarray(lon), np.asarray(lat)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    return (
        float(lon[ok].min()),
        float(lat[ok].min()),
        float(lon[ok].max()),
        float(lat[ok].max()),
    )


class Renderer:
    """Draws and caches the WMS images of one store."""

    def __init__(self, store: FeatureStore, cache_bytes: int = CACHE_BYTES):
        self.store = store
        self.cache = TileCache(cache_bytes)
        self._sources: dict[str, tuple[tuple, mapnik.MemoryDatasource]] = {}
        self._styles: dict[tuple, str] = {}  # the Mapnik XML of a set of layers' styles
        self._lock = threading.Lock()

    # -- data and styles ---------------------------------------------------------------------

    def _whole(self, spec: LayerSpec, version: int) -> mapnik.MemoryDatasource | None:
        """The kept datasource of the whole layer at `version`; None for a large layer."""
        fields = style_fields(spec)
        key = (version, fields)
        hit = self._sources.get(spec.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        if self.store.describe(spec.id).feature_count > WHOLE_LAYER_MAX:
            return None
        ds = datasource(self.store.frame(spec, Query(), version), fields)
        with self._lock:
            self._sources[spec.id] = (key, ds)
        return ds

    def _datasource(self, spec: LayerSpec, version: int, req: MapRequest):
        ds = self._whole(spec, version)
        if ds is not None:
            return ds
        pad_x = (req.bbox[2] - req.bbox[0]) * BUFFER / req.width
        pad_y = (req.bbox[3] - req.bbox[1]) * BUFFER / req.height
        box = (req.bbox[0] - pad_x, req.bbox[1] - pad_y, req.bbox[2] + pad_x, req.bbox[3] + pad_y)
        area = crs84_bounds(req.crs, box)
        if area is None:
            return mapnik.MemoryDatasource()
        return datasource(self.store.frame(spec, Query(bbox=area), version), style_fields(spec))

    def _map(self, req: MapRequest) -> mapnik.Map:
        m = mapnik.Map(req.width, req.height)
        mapnik.load_map_from_string(m, self._map_xml(req.layers))
        m.srs = req.crs.mapnik
        m.aspect_fix_mode = mapnik.aspect_fix_mode.RESPECT
        m.buffer_size = BUFFER
        if req.transparent and req.format == "image/png":
            m.background = mapnik.Color(0, 0, 0, 0)
        else:
            m.background = mapnik.Color(req.bgcolor)
        for spec, version in zip(req.layers, req.versions, strict=True):
            layer = mapnik.Layer(spec.id, DATA_SRS)
            layer.datasource = self._datasource(spec, version, req)
            for family in model.families_of(spec):
                layer.styles.append(style_name(spec.id, family))
            m.layers.append(layer)
        m.zoom_to_box(mapnik.Box2d(*req.bbox))
        return m

    def _map_xml(self, layers: tuple[LayerSpec, ...]) -> str:
        key = tuple((s.id, style_key(s)) for s in dict.fromkeys(layers))
        found = self._styles.get(key)
        if found is None:
            specs = list(dict.fromkeys(layers))
            found = map_xml([model.build(s, f) for s in specs for f in model.families_of(s)])
            with self._lock:
                if len(self._styles) > 256:
                    self._styles.clear()
                self._styles[key] = found
        return found

    # -- images ------------------------------------------------------------------------------

    def key(self, req: MapRequest) -> tuple:
        return (
            ENCODING,
            tuple((s.id, v, style_key(s)) for s, v in zip(req.layers, req.versions, strict=True)),
            req.crs.code,
            req.bbox,
            req.width,
            req.height,
            req.format,
            req.transparent,
            req.bgcolor,
        )

    def draw(self, req: MapRequest) -> bytes:
        """The image, encoded, without the cache."""
        m = self._map(req)
        image = mapnik.Image(req.width, req.height)
        mapnik.render(m, image)
        return image.to_string(IMAGE_FORMATS[req.format])

    def image(self, req: MapRequest) -> bytes:
        """The image from the cache, drawn and kept on a miss."""
        key = self.key(req)
        data = self.cache.get(key)
        if data is None:
            data = self.draw(req)
            self.cache.put(key, data)
        return data
