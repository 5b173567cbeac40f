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
from app.stores.base_mail import MailStore

if TYPE_CHECKING:
    from app.stores.consultations import Consultation
    from app.stores.contributions import (
        Contribution,
        ContributionPage,
        NewContribution,
        Photo,
        RateLimits,
    )
    from app.stores.edits import EditRecord, EditResult, FeatureEdit
    from app.stores.mail import Compose

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


class FeatureStore(MailStore, ABC):
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

    # -- citizens' contributions (app/stores/catalog_contributions.py) ------------------

    @abstractmethod
    def contribution_add(
        self,
        new: NewContribution,
        limits: RateLimits,
        photo: Photo | None = None,
        compose: Compose | None = None,
    ) -> Contribution:
        """Store a contribution (status in_moderazione), its personal data apart and its
        photo if any, in one transaction with the rate limits' count; TooManyContributions
        over a limit (and then nothing is stored). `compose`: the acknowledgement, queued
        in the same transaction if the citizen left an e-mail."""

    @abstractmethod
    def contribution_photo(self, contribution_id: str, small: bool = False) -> Photo | None:
        """A contribution's photo (re-encoded bytes and size), whatever its status: the
        caller decides who may see it. `small`: its small version as the content."""

    @abstractmethod
    def contribution_photo_remove(self, contribution_id: str, user: str) -> bool:
        """Delete a contribution's photo, keeping the contribution, audited; whether there
        was one; ContributionNotFound if there is no such contribution."""

    @abstractmethod
    def contribution(self, contribution_id: str) -> Contribution:
        """One contribution (public part); ContributionNotFound if there is none."""

    @abstractmethod
    def contribution_followed(self, follow_digest: str) -> Contribution | None:
        """The contribution whose private follow link has this digest, if any."""

    @abstractmethod
    def contribution_email(self, contribution_id: str) -> str | None:
        """The e-mail left with a contribution (for moderators only), if any."""

    @abstractmethod
    def contributions(
        self,
        *,
        status: str | None = "approvato",
        target_layer: str | None = None,
        target_id: str | None = None,
        quartiere: int | None = None,
        kind: str | None = None,
        limit: int = 20,
        offset: int = 0,
        newest_first: bool = True,
        kinds: tuple[str, ...] | None = None,
        state: str | None = None,
        located: bool = False,
        bbox: tuple[float, float, float, float] | None = None,
        office: str | None = None,
        has_photo: bool | None = None,
        search: str | None = None,
    ) -> ContributionPage:
        """A page of contributions (approved ones unless `status` says otherwise).

        `kinds`: any of these kinds; `state`: this follow-up state; `located`: only those
        with a point; `bbox` (CRS84 minx, miny, maxx, maxy): only points inside it;
        `office`: assigned to it; `has_photo`: with (True) or without a photo; `search`:
        the text contains these characters, in any case (no wildcards)."""

    @abstractmethod
    def contribution_status_counts(self, **filters) -> dict[str, int]:
        """{moderation status: count} under the filters of `contributions` but status."""

    @abstractmethod
    def contribution_counts(self, quartiere: int) -> dict[tuple[str, str], int]:
        """{(kind, state): count} of the approved contributions in a quartiere."""

    @abstractmethod
    def contribution_moderate(
        self,
        contribution_id: str,
        user: str,
        action: str,
        changes: dict,
        compose: Compose | None = None,
    ) -> Contribution:
        """Change the moderated columns of a contribution, with its audit entry; `compose`:
        the message telling the citizen, queued in the same transaction if they left an
        e-mail."""

    @abstractmethod
    def contribution_flag(
        self, contribution_id: str, reason: str, rate_key: str, hide_after: int
    ) -> Contribution:
        """Flag an approved contribution (once per rate key); at `hide_after` flags it is
        hidden for review (status in_revisione)."""

    @abstractmethod
    def contributions_forget(self, email: str, user: str) -> int:
        """Delete an e-mail address everywhere, and the photos of the contributions it was
        left with; how many contributions it was left with."""

    @abstractmethod
    def contributions_purge(self, before: str, user: str) -> int:
        """Delete personal data older than `before` (ISO time), and the photos of the
        contributions of then that are not public; how many rows."""

    # -- consultations (app/stores/catalog_consultations.py) ---------------------------

    @abstractmethod
    def consultation(self, consultation_id: str) -> Consultation:
        """One consultation; ConsultationNotFound if there is none."""

    @abstractmethod
    def consultations(self) -> list[Consultation]:
        """Every consultation, the newest ending first."""

    @abstractmethod
    def consultation_add(self, consultation: Consultation) -> Consultation:
        """Store a new consultation, with its audit entry."""

    @abstractmethod
    def consultation_update(self, consultation_id: str, user: str, changes: dict) -> Consultation:
        """Change a consultation's texts or dates, or close it (`closed_at`), audited."""

    @abstractmethod
    def consultation_comment_add(
        self, consultation_id: str, feature_id: str | None, new: NewContribution, limits
    ) -> Contribution:
        """Store a comment (a contribution) on an open consultation, in one transaction
        with the window's check and the rate limits; ConsultationClosed outside it."""

    @abstractmethod
    def consultation_comment_features(self, consultation_id: str) -> dict[str, str | None]:
        """{contribution id: the feature of the draft it names, or None}."""

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
