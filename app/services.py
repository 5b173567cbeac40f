"""The services built once in the factory and kept on the app: settings, store, registry."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

from app.errors import LayerNotFound, StoreError
from app.registry import LayerSpec, Registry
from app.stores.base import FeatureStore

KEY = "geoportale"


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

    @property
    def registry(self) -> Registry:
        generation = self.store.generation()
        if generation != self._generation:
            with self._lock:
                specs = sorted(self.store.published_specs(), key=lambda s: (s.order, s.id))
                self._registry, self._generation = Registry(tuple(specs)), generation
        return self._registry

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
