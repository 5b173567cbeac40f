"""The layer registry: `layers/*.yaml` validated into `LayerSpec` objects."""

from app.registry.loader import Registry, load_layer_file, load_registry
from app.registry.spec import FieldSpec, LayerSpec

__all__ = ["FieldSpec", "LayerSpec", "Registry", "load_layer_file", "load_registry"]
