"""The quartieri as areas: slugs, lookup by number or slug, and the quartiere at a point.

Boundaries are indicative (drawn by the project) and some quartieri have none: a
quartiere without geometry is still a quartiere, found by number or name, never by point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely import STRtree

from app.text import fold


def slugify(text: str) -> str:
    """'Borgo Loreto - San Bernardo' -> 'borgo-loreto-san-bernardo'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass(frozen=True)
class Quartiere:
    """One quartiere: its number, official name (may be unknown) and indicative area."""

    id: str
    numero: int | None
    nome: str | None
    label: str
    geometry: Any = field(default=None, compare=False, repr=False)
    properties: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def slug(self) -> str:
        base = str(self.numero) if self.numero is not None else slugify(self.id)
        return f"{base}-{slugify(self.nome)}" if self.nome else base

    @property
    def has_area(self) -> bool:
        return self.geometry is not None

    def ref(self) -> dict:
        """A short JSON reference (for search results and API answers)."""
        return {
            "numero": self.numero,
            "nome": self.nome,
            "label": self.label,
            "slug": self.slug,
            "link": f"/quartieri/{self.slug}",
        }


def text_ref(name: str) -> dict:
    """A quartiere known only by the name a feature gives (not one of ours)."""
    return {"numero": None, "nome": name, "label": name, "slug": None, "link": None}


class QuartiereAreas:
    """All quartieri, with a spatial index over those that have a boundary."""

    def __init__(
        self,
        items: list[Quartiere],
        layer: str | None = None,
        feature_field: str | None = None,
    ):
        """`layer`: the zones layer they come from; `feature_field`: the field, in any
        layer, holding the number of the quartiere a feature belongs to (the organisation's
        `zones`)."""
        self.layer = layer
        self.feature_field = feature_field
        self.items = sorted(items, key=lambda q: (q.numero is None, q.numero or 0, q.label))
        self._drawn = [q for q in self.items if q.has_area]
        geoms = [q.geometry for q in self._drawn]
        for g in geoms:
            shapely.prepare(g)
        self._tree = STRtree(geoms) if geoms else None
        self._geoms = geoms

    def at(self, lon: float, lat: float) -> Quartiere | None:
        """The quartiere whose indicative boundary contains the point, if any."""
        if self._tree is None:
            return None
        point = shapely.Point(lon, lat)
        for i in self._tree.query(point, predicate="intersects"):
            return self._drawn[int(i)]
        return None

    def by_numero(self, numero) -> Quartiere | None:
        try:
            n = int(numero)
        except (TypeError, ValueError):
            return None
        return next((q for q in self.items if q.numero == n), None)

    def by_slug(self, slug: str) -> Quartiere | None:
        """The quartiere by slug; a bare number ('16') or an old name also finds it."""
        for q in self.items:
            if q.slug == slug:
                return q
        head = slug.split("-", 1)[0]
        return self.by_numero(head) if head.isdigit() else None

    def locate(self, own_field, point: tuple[float, float] | None) -> Quartiere | None:
        """A feature's quartiere: its own `quartiere` number first, else the point's area.

        The number in the data was recorded by the build with its origin (the text of a
        source, or the geometry), so it beats a lookup in indicative boundaries.
        """
        found = self.by_numero(own_field) if own_field is not None else None
        if found is None and point is not None:
            found = self.at(*point)
        return found

    def of_feature(self, properties: dict, point: tuple[float, float] | None):
        """A feature's quartiere: by its `feature_field` number, else by its point."""
        own = properties.get(self.feature_field) if self.feature_field else None
        return self.locate(own, point)

    @property
    def extent(self):
        """(minx, miny, maxx, maxy) of the drawn quartieri, or None."""
        if not self._geoms:
            return None
        return tuple(shapely.total_bounds(self._geoms).tolist())


def representative_point(geometry) -> tuple[float, float] | None:
    """A point on the feature (the point itself, or one inside an area), lon/lat."""
    if geometry is None or geometry.is_empty:
        return None
    if geometry.geom_type == "Point":
        return (geometry.x, geometry.y)
    p = shapely.point_on_surface(geometry)
    return (p.x, p.y)


def quartiere_from_feature(feature, zones) -> Quartiere:
    """A Quartiere from a feature of the zones layer, read through the organisation's
    `zones` (its number, name and label fields)."""
    props = feature.properties
    geom = shapely.geometry.shape(feature.geometry) if feature.geometry else None
    numero = props.get(zones.number_field)
    nome = props.get(zones.name_field) or None
    label = (props.get(zones.label_field) if zones.label_field else None) or (
        f"Quartiere {numero} {nome}" if numero is not None and nome else nome or str(feature.id)
    )
    return Quartiere(str(feature.id), numero, nome, label, geom, dict(props))
