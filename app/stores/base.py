"""The `FeatureStore` interface every back end implements, and its value types."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from app.registry.spec import LayerSpec

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Query:
    """A read request on one layer; coordinates in WGS84 lon/lat."""

    bbox: BBox | None = None
    equals: dict[str, Any] = field(default_factory=dict)
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class Feature:
    """One feature as a GeoJSON-ready mapping (geometry may be None)."""

    id: Any
    geometry: dict | None
    properties: dict[str, Any]

    def as_geojson(self) -> dict:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": self.geometry,
            "properties": self.properties,
        }


@dataclass(frozen=True)
class FeaturePage:
    features: list[Feature]
    number_matched: int


@dataclass(frozen=True)
class LayerInfo:
    """What the store knows of a stored layer (the registry knows the rest)."""

    id: str
    version: int
    feature_count: int
    bbox: BBox | None
    published_at: str


class FeatureStore(ABC):
    """Reads and writes layers. Built once per process and kept on the app."""

    @abstractmethod
    def describe(self, layer_id: str) -> LayerInfo:
        """Version, count and extent of a stored layer; raises LayerNotFound."""

    @abstractmethod
    def query(self, spec: LayerSpec, query: Query) -> FeaturePage:
        """Features matching `query`, in a stable order, with the total matched."""

    @abstractmethod
    def get(self, spec: LayerSpec, feature_id: str) -> Feature:
        """One feature by the value of the layer's `id_field`; raises FeatureNotFound."""

    @abstractmethod
    def write_layer(self, spec: LayerSpec, gdf: gpd.GeoDataFrame) -> LayerInfo:
        """Replace the layer's data atomically: readers see the old or the new, never a mix."""

    @abstractmethod
    def layer_ids(self) -> list[str]:
        """Ids of the layers present in the store."""
