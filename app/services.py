"""The services built once in the factory and kept on the app: settings, registry, store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.errors import LayerNotFound, StoreError
from app.registry import LayerSpec, Registry
from app.stores.base import FeatureStore

KEY = "geoportale"


@dataclass
class Services:
    settings: dict[str, Any]
    registry: Registry
    store: FeatureStore

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
