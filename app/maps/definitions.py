"""Published maps: a title, a basemap and chosen layers, kept as one JSON file per map.

    maps = MapStore(Path(settings["MAPS_DIR"]))
    maps.save(MapDefinition(slug="cantieri-2024", title="Cantieri 2024", layers=("interventi",)))

The slug is the map's stable public address (`/embed/<slug>`), so it never changes once
made. Files are written whole (temporary file, then rename): a reader never sees half a map.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import DataError, NotFound
from app.registry.spec import LAYER_ID

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class MapNotFound(NotFound):
    code = "map-not-found"
    title = "Map not found"


class MapDefinition(BaseModel):
    """One published map. Layers are drawn in the order given (the first at the bottom)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: str = Field(pattern=SLUG.pattern, description="stable public name: /embed/<slug>")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    layers: tuple[str, ...] = Field(min_length=1)
    basemap: Literal["none", "osm"] = "osm"
    updated_by: str = "system"
    updated_at: str = Field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    @field_validator("layers")
    @classmethod
    def _layer_ids(cls, layers: tuple[str, ...]) -> tuple[str, ...]:
        bad = [name for name in layers if not LAYER_ID.match(name)]
        if bad:
            raise ValueError(f"not layer ids: {', '.join(bad)}")
        if len(set(layers)) != len(layers):
            raise ValueError("a layer is listed twice")
        return layers


def slugify(title: str) -> str:
    """A slug proposed from a title: 'Cantieri 2024!' -> 'cantieri-2024'."""
    import unicodedata

    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:64].strip("-")


class MapStore:
    """The map definitions in a directory: `<slug>.json` each."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _path(self, slug: str) -> Path:
        if not SLUG.match(slug or ""):
            raise MapNotFound(f"nessuna mappa '{slug[:64]}' / no such map")
        return self.directory / f"{slug}.json"

    def list(self) -> list[MapDefinition]:
        """Every map, by title."""
        if not self.directory.is_dir():
            return []
        out = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                out.append(self.get(path.stem))
            except (MapNotFound, DataError):
                continue  # a stray or broken file is skipped here; get() names it
        return sorted(out, key=lambda m: m.title.lower())

    def get(self, slug: str) -> MapDefinition:
        """One map; MapNotFound when absent, DataError when its file is broken."""
        path = self._path(slug)
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MapNotFound(f"nessuna mappa '{slug}' / no such map") from None
        try:
            return MapDefinition.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as exc:
            raise DataError(f"map file {path.name} is invalid: {exc}") from None

    def exists(self, slug: str) -> bool:
        return self._path(slug).is_file()

    def save(self, definition: MapDefinition) -> None:
        """Write the map whole (atomic rename), creating the directory if needed."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self._path(definition.slug)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".map-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(definition.model_dump_json(indent=2))
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def delete(self, slug: str) -> None:
        path = self._path(slug)
        if not path.is_file():
            raise MapNotFound(f"nessuna mappa '{slug}' / no such map")
        path.unlink()
