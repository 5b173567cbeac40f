"""The services built once in the factory and kept on the app: settings, store, registry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app

from app.errors import GeoportaleError, LayerNotFound, StoreError
from app.registry import LayerSpec, Registry
from app.stores.base import Feature, FeatureStore, Query

KEY = "geoportale"
#: Read everything: the largest layer read whole is an address layer (~10^5 points).
ALL = 10_000_000
T = TypeVar("T")


class Services:
    """Settings, the store, and the registry of what the store serves.

    The registry is read from the store (shipped layers and those the SIT office published)
    and re-read only when the store's generation changes, e.g. after a publish made by the
    CLI in another process.
    """

    def __init__(self, settings: dict[str, Any], store: FeatureStore):
        self.settings = settings
        self.store = store
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._registry = Registry(())
        self._built: dict[str, tuple[int, Any]] = {}
        self._building = threading.RLock()  # builders nest (the search index needs the areas)

    @property
    def registry(self) -> Registry:
        generation = self.store.generation()
        if generation != self._generation:
            with self._lock:
                specs = sorted(self.store.published_specs(), key=lambda s: (s.order, s.id))
                self._registry, self._generation = Registry(tuple(specs)), generation
        return self._registry

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """What `build()` made for the store's current generation, built again after a write.

        Every change of what is served (publish, rollback, unpublish, metadata) moves the
        generation, so one number keys every cache: no per-layer lookups on a warm request.
        A write during a build stores the value under the older generation: the next call
        builds again.
        """
        generation = self.store.generation()
        hit = self._built.get(name)
        if hit is not None and hit[0] == generation:
            return hit[1]
        with self._building:
            hit = self._built.get(name)
            if hit is not None and hit[0] == generation:
                return hit[1]
            value = build()
            self._built[name] = (generation, value)
            return value

    def served_spec(self, layer_id: str) -> LayerSpec | None:
        """The published spec of a layer present in the store, or None (layers may be absent)."""
        spec = self.registry.get(layer_id)
        if spec is None or not spec.published:
            return None
        try:
            self.store.describe(layer_id)
        except GeoportaleError:
            return None
        return spec

    def served_specs(self) -> list[LayerSpec]:
        """Every published layer the store holds, in registry order."""
        return [s for s in self.registry.published if self.served_spec(s.id) is not None]

    def read_all(self, spec: LayerSpec) -> list[Feature]:
        """Every feature of a layer, in store order (for the caches built on whole layers)."""
        return self.store.query(spec, Query(limit=ALL)).features

    def geometry_types(self, spec: LayerSpec) -> tuple[str, ...]:
        """The GeoJSON geometry types of a layer's served version, sorted: the declared one,
        or for a layer declared `Geometry` the types its features really have (read once
        per store generation)."""
        if spec.geometry_type != "Geometry":
            return (spec.geometry_type,)

        def read() -> tuple[str, ...]:
            frame = self.store.frame(spec, Query())
            return tuple(sorted(set(frame.geometry.dropna().geom_type)))

        return self.cached(f"geometry-types:{spec.id}", read)

    def layer(self, layer_id: str) -> LayerSpec:
        """A published layer by id; LayerNotFound otherwise."""
        spec = self.registry.get(layer_id)
        if spec is None or not spec.published:
            raise LayerNotFound(f"no collection '{layer_id}'")
        return spec


def services() -> Services:
    """The current app's services; a clear 503 if they could not be built at start."""
    found = current_app.extensions.get(KEY)
    if found is None:  # a CLI command other than `run`: build on first use
        from app import build_services

        found = current_app.extensions[KEY] = build_services(current_app.config["GEOPORTALE"])
    if isinstance(found, Services):
        return found
    raise StoreError(str(found))
