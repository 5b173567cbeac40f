"""The quartieri of the store, read whole and kept until the store changes."""

from __future__ import annotations

from app.quartieri.areas import QUARTIERI_LAYER, QuartiereAreas, quartiere_from_feature
from app.services import Services


def build_areas(svc: Services) -> QuartiereAreas:
    """The quartieri of the store (none when the layer is absent)."""
    spec = svc.served_spec(QUARTIERI_LAYER)
    if spec is None:
        return QuartiereAreas([])
    return QuartiereAreas([quartiere_from_feature(f) for f in svc.read_all(spec)])


def load_areas(svc: Services) -> QuartiereAreas:
    """The quartieri, cached until the store's generation moves."""
    return svc.cached("areas", lambda: build_areas(svc))
