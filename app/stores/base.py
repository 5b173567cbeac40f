"""The `FeatureStore` interface every back end implements, and its value types.

A layer is a sequence of versions. Each version is written completely (status `draft`)
before a one-row pointer switch makes it the served one (`published`), so readers see the
old version or the new, never a mix. Rollback and unpublish move the same pointer.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from app.geo.tilegrid import Tile
from app.registry.spec import LayerSpec
from app.stores.base_participation import ParticipationStore

if TYPE_CHECKING:
    from app.stores.edits import EditRecord, EditResult, FeatureEdit

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Query:
    """A read request on one layer; coordinates in WGS84 lon/lat."""

    bbox: BBox | None = None
    equals: dict[str, Any] = field(default_factory=dict)
    filter: tuple | None = None  # a CQL2 filter tree (app.stores.cql2), checked against the spec
    limit: int = 100
    offset: int = 0


class Feature:
    """One feature: id, properties, and its geometry as GeoJSON (None where it has none).

    A store may hand over the geometry as GeoJSON text (`geometry_json`), as PostGIS's
    ST_AsGeoJSON or GEOS write it: the API then splices that text into its response
    unparsed, and the mapping (`geometry`) is only built by code that asks for it.
    """

    __slots__ = ("id", "properties", "_geometry", "_geometry_json")

    def __init__(
        self,
        id: Any,  # noqa: A002 (the GeoJSON member's name)
        geometry: dict | None = None,
        properties: dict[str, Any] | None = None,
        *,
        geometry_json: str | None = None,
    ):
        self.id = id
        self.properties = properties if properties is not None else {}
        self._geometry = geometry
        self._geometry_json = geometry_json if geometry is None else None

    @property
    def geometry(self) -> dict | None:
        if self._geometry is None and self._geometry_json is not None:
            self._geometry = json.loads(self._geometry_json)
        return self._geometry

    @property
    def geometry_json(self) -> str | None:
        """The geometry as GeoJSON text (None where the feature has no geometry)."""
        if self._geometry_json is None and self._geometry is not None:
            self._geometry_json = json.dumps(self._geometry, separators=(",", ":"))
        return self._geometry_json

    def as_geojson(self) -> dict:
        return {
            "type": "Feature",
            "id": self.id,
            "geometry": self.geometry,
            "properties": self.properties,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Feature):
            return NotImplemented
        return (self.id, self.geometry, self.properties) == (
            other.id,
            other.geometry,
            other.properties,
        )

    __hash__ = None  # mutable mapping inside, like the dataclass it replaces

    def __repr__(self) -> str:
        return (
            f"Feature(id={self.id!r}, geometry={self.geometry!r}, properties={self.properties!r})"
        )


@dataclass(frozen=True)
class FeaturePage:
    features: list[Feature]
    number_matched: int


@dataclass(frozen=True)
class LayerInfo:
    """What the store knows of the served version of a layer (the spec says the rest)."""

    id: str
    version: int
    feature_count: int
    bbox: BBox | None
    published_at: str
    origin: str = "shipped"


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of a layer, served or not."""

    layer_id: str
    version: int
    status: str  # draft, published (served now), retired (served before), dropped (data pruned)
    origin: str  # shipped (built from geodata/ and layers/) or import (published by the office)
    source: str
    user: str
    created_at: str
    feature_count: int
    bbox: BBox | None
    fingerprint: str | None
    report: dict | None
    spec: LayerSpec


class FeatureStore(ParticipationStore, ABC):
    """Reads and writes layers. Built once per process and kept on the app."""

    # -- reads ---------------------------------------------------------------------

    @abstractmethod
    def describe(self, layer_id: str) -> LayerInfo:
        """Version, count and extent of the served version; raises LayerNotFound."""

    @abstractmethod
    def query(self, spec: LayerSpec, query: Query, version: int | None = None) -> FeaturePage:
        """Features matching `query` (of the served version unless `version` is given)."""

    @abstractmethod
    def get(self, spec: LayerSpec, feature_id: str, version: int | None = None) -> Feature:
        """One feature by the value of the layer's `id_field`; raises FeatureNotFound."""

    def frame(self, spec: LayerSpec, query: Query, version: int | None = None):
        """Every feature matching `query` (its limit and offset ignored) as a GeoDataFrame in
        CRS84, columns typed by the layer's fields. Back ends override this with a bulk read;
        this default pages through `query`."""
        import geopandas as gpd
        import pandas as pd
        import shapely

        rows, geoms, offset, page_size = [], [], 0, 10_000
        while True:
            page = self.query(
                spec,
                Query(
                    bbox=query.bbox,
                    equals=query.equals,
                    filter=query.filter,
                    limit=page_size,
                    offset=offset,
                ),
                version,
            )
            for f in page.features:
                rows.append(f.properties)
                geoms.append(shapely.geometry.shape(f.geometry) if f.geometry else None)
            offset += page_size
            if offset >= page.number_matched or not page.features:
                break
        return gpd.GeoDataFrame(
            pd.DataFrame(rows, columns=list(spec.field_names)),
            geometry=gpd.GeoSeries(geoms, crs="OGC:CRS84"),
        )

    @abstractmethod
    def published_specs(self) -> list[LayerSpec]:
        """The spec of every served layer, as published."""

    @abstractmethod
    def generation(self) -> int:
        """A number that changes whenever what is served changes (for caches)."""

    @abstractmethod
    def tile(self, spec: LayerSpec, tile: Tile, version: int | None = None) -> bytes:
        """The Mapbox Vector Tile of `tile` (its features and a buffer around it), of the
        served version unless `version` is given; b"" when the tile is empty."""

    def close(self) -> None:
        """Release what the store holds open (connection pools, listeners). Idempotent;
        a store holding nothing open between calls (GeoPackage) has nothing to do."""
        return None

    # -- read routing (app/stores/replicas.py) ---------------------------------------

    def route_reads(self, writer: bool) -> None:
        """Where this thread's reads go until `end_reads()` (one request): a writer (an
        admin session, a change, an /admin page) reads from the primary and sees its own
        writes; anyone else may read from a replica. One store per thread of a request, so
        a response never mixes two databases. Nothing to do for a single database."""
        return None

    def end_reads(self) -> None:
        """The request is over: its thread's next reads are routed afresh."""
        return None

    def read_source(self) -> str | None:
        """What served this thread's reads ("primary", "replica 1", ...), None when there
        is a single database."""
        return None

    # -- upkeep --------------------------------------------------------------------

    @abstractmethod
    def shipped_fingerprints(self) -> dict[str, str]:
        """Layer id -> fingerprint of its newest shipped version (the build compares them)."""

    @abstractmethod
    def orphan_tables(self) -> list[str]:
        """Feature tables no version refers to (left by a crash; always empty after a write)."""

    # -- versions ------------------------------------------------------------------

    @abstractmethod
    def stage(
        self,
        spec: LayerSpec,
        gdf: gpd.GeoDataFrame,
        *,
        origin: str,
        source: str,
        user: str,
        report: dict | None = None,
        fingerprint: str | None = None,
    ) -> VersionInfo:
        """Write a complete new version as a draft (not served); raises DataError."""

    @abstractmethod
    def publish(self, layer_id: str, version: int, user: str) -> LayerInfo:
        """Serve `version` from now on (one transaction)."""

    @abstractmethod
    def rollback(self, layer_id: str, user: str) -> LayerInfo:
        """Serve the version published before the current one again."""

    @abstractmethod
    def unpublish(self, layer_id: str, user: str) -> None:
        """Stop serving the layer; its versions stay for a later publish."""

    @abstractmethod
    def layer_ids(self) -> list[str]:
        """Every layer the store has versions of (served, draft-only, unpublished)."""

    @abstractmethod
    def versions(self, layer_id: str) -> list[VersionInfo]:
        """Every version of a layer, newest first; raises LayerNotFound if none."""

    @abstractmethod
    def update_spec(self, layer_id: str, spec: LayerSpec, user: str) -> None:
        """Replace the served version's metadata and style (same fields and data)."""

    @abstractmethod
    def audit_log(self, layer_id: str | None = None, limit: int = 200) -> list[dict]:
        """Every change, newest first: at, user, action, layer_id, version, detail."""

    # -- feature edits (app/stores/edits.py) -----------------------------------------

    @abstractmethod
    def edit(
        self, spec: LayerSpec, change: FeatureEdit, *, user: str, if_match: str | None
    ) -> EditResult:
        """Apply one change to the layer's draft (pending edits over the served version).

        `if_match` is the ETag the writer read: required (PreconditionRequired) for a change
        of an existing feature, refused when stale (PreconditionFailed). Raises
        InvalidFeature naming the field, FeatureNotFound, FeatureExists. Nothing is written
        unless everything is valid. Where the layer's `editing.publish` is `immediate`, the
        edit is published at once."""

    @abstractmethod
    def edit_many(
        self, spec: LayerSpec, changes: list[tuple[FeatureEdit, str | None]], *, user: str
    ) -> list[EditResult]:
        """Several changes (each with its If-Match) in one transaction: all or none."""

    @abstractmethod
    def draft_get(self, spec: LayerSpec, feature_id: str) -> tuple[Feature, str]:
        """The feature as the draft holds it and its ETag; FeatureNotFound if absent or
        deleted in the draft."""

    @abstractmethod
    def edits(
        self,
        layer_id: str,
        *,
        status: str | None = "pending",
        feature_id: str | None = None,
        limit: int | None = None,
    ) -> list[EditRecord]:
        """Stored edits, oldest first (all statuses if `status` is None)."""

    @abstractmethod
    def pending_counts(self) -> dict[str, int]:
        """Layer id -> its number of pending edit records (layers with none left out)."""

    @abstractmethod
    def discard_edits(self, layer_id: str, user: str, feature_ids: list[str] | None = None) -> int:
        """Drop the pending edits (of the given features, or all); how many were dropped."""

    @abstractmethod
    def publish_edits(self, spec: LayerSpec, user: str) -> LayerInfo:
        """Write the draft (served version + pending edits) as a new version (origin `edit`)
        and serve it; EditConflict if the served version changed under edited features."""

    def write_layer(
        self,
        spec: LayerSpec,
        gdf: gpd.GeoDataFrame,
        *,
        origin: str = "shipped",
        source: str = "",
        user: str = "system",
        fingerprint: str | None = None,
    ) -> LayerInfo:
        """Stage and publish in one go (the shipped build, tests)."""
        staged = self.stage(
            spec, gdf, origin=origin, source=source, user=user, fingerprint=fingerprint
        )
        return self.publish(spec.id, staged.version, user)


def typed_id(raw: str, kind: str):
    """The featureId from the URL in the type of the id field; None if it cannot match."""
    try:
        if kind == "integer":
            value = int(raw)
            return value if abs(value) <= 2**63 - 1 else None
        if kind == "number":
            return float(raw)
    except ValueError:
        return None
    return raw
