"""Reading whole layers from the store, with per-process caches that follow the store.

The citizen pages and the search index are built from a few small layers (plus address
layers of some tens of thousands of points). They are read once and kept in memory; a
cache entry is rebuilt when the version of a layer it was built from changes (a new
publication, a rollback) or when the layer appears or disappears.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import current_app

from app.errors import GeoportaleError
from app.quartieri.areas import QUARTIERI_LAYER, QuartiereAreas, quartiere_from_feature
from app.registry.spec import LayerSpec
from app.services import Services
from app.stores.base import Feature, Query

CACHE_KEY = "geoportale.citizen_cache"
_LOCK = threading.RLock()  # builders nest (the index needs the areas)
#: Read everything: the largest layer expected is an address layer (~10^5 points).
ALL = 10_000_000


def served_spec(svc: Services, layer_id: str) -> LayerSpec | None:
    """The published spec of a layer present in the store, or None (layers may be absent)."""
    spec = svc.registry.get(layer_id)
    if spec is None or not spec.published:
        return None
    try:
        svc.store.describe(layer_id)
    except GeoportaleError:
        return None
    return spec


def served_specs(svc: Services) -> list[LayerSpec]:
    """Every published layer the store holds, in registry order."""
    return [s for s in svc.registry.published if served_spec(svc, s.id) is not None]


def versions(svc: Services, layer_ids) -> tuple:
    """A key that changes when any of these layers changes, appears or disappears.

    The store's generation (when it has one) also catches a changed spec of the same
    version (e.g. a new `search` block published by the SIT office).
    """
    generation = getattr(svc.store, "generation", None)
    key: list = [generation() if callable(generation) else None]
    for layer_id in layer_ids:
        try:
            info = svc.store.describe(layer_id)
            key.append((layer_id, info.version, info.published_at))
        except GeoportaleError:
            key.append((layer_id, None, None))
    return tuple(key)


def read_all(svc: Services, spec: LayerSpec) -> list[Feature]:
    """Every feature of a layer, in store order."""
    return svc.store.query(spec, Query(limit=ALL)).features


def cached(name: str, key: Any, build: Callable[[], Any]) -> Any:
    """The value stored under `name` if it was built for `key`, else `build()` (kept)."""
    cache = current_app.extensions.setdefault(CACHE_KEY, {})
    hit = cache.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    with _LOCK:
        hit = cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = build()
        cache[name] = (key, value)
        return value


def build_areas(svc: Services) -> QuartiereAreas:
    """The quartieri of the store (none when the layer is absent)."""
    spec = served_spec(svc, QUARTIERI_LAYER)
    if spec is None:
        return QuartiereAreas([])
    return QuartiereAreas([quartiere_from_feature(f) for f in read_all(svc, spec)])


def load_areas(svc: Services) -> QuartiereAreas:
    """The quartieri, cached until the quartieri layer changes."""
    return cached("areas", versions(svc, [QUARTIERI_LAYER]), lambda: build_areas(svc))
