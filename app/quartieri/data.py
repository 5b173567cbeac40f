"""The quartieri of the store, read whole and kept until the store changes."""

from __future__ import annotations

from app.organisation import organisation
from app.quartieri.areas import QuartiereAreas, quartiere_from_feature
from app.services import Services


def build_areas(svc: Services) -> QuartiereAreas:
    """The quartieri of the store: none when the organisation names no zones layer, or
    the store does not serve it."""
    zones = organisation().zones
    spec = svc.served_spec(zones.layer) if zones else None
    if spec is None:
        return QuartiereAreas([])
    return QuartiereAreas(
        [quartiere_from_feature(f, zones) for f in svc.read_all(spec)],
        layer=zones.layer,
        feature_field=zones.feature_field,
    )


def load_areas(svc: Services) -> QuartiereAreas:
    """The quartieri, cached until the store's generation moves."""
    return svc.cached("areas", lambda: build_areas(svc))
