"""The organisation file: who publishes the geoportal, and which of its layers play a role.

Cremona is the shipped organisation (`organisation.yaml` at the project root); another
council adopts the geoportal by writing its own file and its layer files, and pointing
`GEOPORTALE_ORGANISATION` at it (docs/organisation.md describes every key). The file is
read once in `create_app` and kept on the app; it is validated like a layer file: unknown
keys are an error, and every error names the file and the field.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from flask import Flask, current_app, has_app_context
from pydantic import Field, ValidationError, field_validator, model_validator

from app.errors import GeoportaleError
from app.i18n import translate
from app.registry.origin import ORIGIN
from app.registry.spec import FIELD_NAME, LAYER_ID, BiText, Strict

KEY = "organisation"
_LAYER = LAYER_ID.pattern
_FIELD = FIELD_NAME.pattern


class OrganisationError(GeoportaleError):
    """The organisation file is missing or invalid; the message names the file and field."""

    code = "invalid-organisation-file"
    title = "Invalid organisation file"


class MapView(Strict):
    """Where the maps open before they know what they show."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    zoom: int = Field(ge=0, le=19, description="zoom of the main map (/)")
    small_zoom: int = Field(ge=0, le=19, description="zoom of the small maps of other pages")


class AreaSpec(Strict):
    """The territory: the comune's boundary layer and the wider area data may cover."""

    boundary_layer: str | None = Field(default=None, pattern=_LAYER)
    population_field: str | None = Field(default=None, pattern=_FIELD)
    extent: tuple[float, float, float, float]
    extent_name: BiText

    @field_validator("extent")
    @classmethod
    def _valid_extent(cls, box):
        x0, y0, x1, y1 = box
        if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
            raise ValueError("write [min lon, min lat, max lon, max lat] in WGS84 degrees")
        return box


class ZonesSpec(Strict):
    """The layer of the zones (quartieri) the citizen pages are organised by."""

    layer: str = Field(pattern=_LAYER)
    number_field: str = Field(pattern=_FIELD)
    name_field: str = Field(pattern=_FIELD)
    label_field: str | None = Field(default=None, pattern=_FIELD)
    feature_field: str | None = Field(default=None, pattern=_FIELD)
    #: in any other layer: where the feature's zone number comes from (a code of
    #: app/registry/origin.py, shown in words)
    origin_field: str | None = Field(default=None, pattern=_FIELD)
    #: in any other layer: a note on the feature's zone (sources that disagree, explained)
    feature_note_field: str | None = Field(default=None, pattern=_FIELD)
    #: in the zones layer: a note shown on the zone's page
    note_field: str | None = Field(default=None, pattern=_FIELD)

    def origin_words(self, value, lang: str = "it") -> str | None:
        """A feature's zone origin in words ('dal testo del documento'), in `lang`; an
        unknown code as it is, None for none."""
        if value is None or value == "":
            return None
        return translate(ORIGIN.get(str(value), str(value)), lang)

    def value_words(self, field_names, lang: str = "it") -> dict[str, dict[str, str]]:
        """{field: {code: words}} for the coded zone fields among `field_names` (popups and
        record pages show the words instead of the code)."""
        if not self.origin_field or self.origin_field not in set(field_names):
            return {}
        return {self.origin_field: {code: self.origin_words(code, lang) for code in ORIGIN}}


class StreetsSpec(Strict):
    """The official street list offered to editors (a CSV; app/streets.py reads it)."""

    path: str = Field(min_length=1, description="relative to the organisation file's folder")
    attribution: str = Field(min_length=1, max_length=400)

    def location(self, organisation_file: str | Path) -> Path:
        """The list's file: `path` as written if absolute, else beside the organisation file."""
        return Path(organisation_file).resolve().parent / self.path


class ProgrammeSpec(Strict):
    """The programme file of /programma (app/programma/config.py reads it)."""

    path: str = Field(min_length=1, description="relative to the organisation file's folder")

    def location(self, organisation_file: str | Path) -> Path:
        return Path(organisation_file).resolve().parent / self.path


_STATE_ID = r"^[a-z][a-z0-9_]{0,39}$"


class ContributionState(Strict):
    """A follow-up state of a citizen's contribution: a fixed type, a translated label."""

    id: str = Field(pattern=_STATE_ID)
    type: Literal["open", "closed", "fixed"]
    label: BiText
    #: "non di competenza": the moderator names the competent office (never a brush-off)
    names_office: bool = False


class Office(Strict):
    """An office a contribution can be assigned to, or named as the competent one."""

    id: str = Field(pattern=_STATE_ID)
    name: BiText
    #: outside the council (another body is competent): only named, never assigned
    external: bool = False


class ParticipationSpec(Strict):
    """Citizens' contributions (app/contributions): their follow-up states and offices, and
    the licence of their open data (the council's decision; None: not stated)."""

    states: list[ContributionState] = Field(min_length=1)
    offices: list[Office] = []
    licence: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _coherent(self):
        for kind, items in (("states", self.states), ("offices", self.offices)):
            ids = [i.id for i in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"{kind}: ids must be unique")
        if self.states[0].type != "open":
            raise ValueError("states: the first state (a new contribution's) must be open")
        if any(s.names_office for s in self.states) and not self.offices:
            raise ValueError("states: names_office needs a list of offices")
        return self

    def state(self, state_id: str) -> ContributionState | None:
        return next((s for s in self.states if s.id == state_id), None)

    def office(self, office_id: str | None) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)


class Organisation(Strict):
    """The council that publishes the geoportal."""

    name: BiText
    short_name: str = Field(min_length=1, max_length=60)
    ipa_code: str = Field(pattern=r"^[a-z0-9_]{2,20}$")
    istat_code: str = Field(pattern=r"^[0-9]{6}$")
    website: str = Field(pattern=r"^https?://[^\s]+$")
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    title: BiText
    search_example: BiText
    area: AreaSpec
    map: MapView
    zones: ZonesSpec | None = None
    interventions_layer: str | None = Field(default=None, pattern=_LAYER)
    streets: StreetsSpec | None = None
    programme: ProgrammeSpec | None = None
    participation: ParticipationSpec | None = None
    #: Runnable example inputs per process (shown on its page), on this council's layers.
    process_examples: dict[Literal["cross-layer-query", "zone-statistics"], dict[str, Any]] = {}

    @model_validator(mode="after")
    def _population_needs_boundary(self):
        if self.area.population_field and not self.area.boundary_layer:
            raise ValueError("area.population_field needs area.boundary_layer")
        return self

    @property
    def slug(self) -> str:
        """The short name for file names: 'Reggio Emilia' -> 'reggio-emilia'."""
        return re.sub(r"[^a-z0-9]+", "-", self.short_name.lower()).strip("-") or "geoportale"

    @property
    def home(self) -> tuple[float, float]:
        """(lon, lat) of the map's centre: data near it is preferred when guessing a CRS."""
        return (self.map.lon, self.map.lat)


def _where(loc: tuple) -> str:
    return ".".join(str(p) for p in loc if p != "[key]") or "(file)"


def load_organisation(path: str | Path) -> Organisation:
    """Read and validate an organisation file; OrganisationError naming file and field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OrganisationError(f"{path}: organisation file not found") from None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise OrganisationError(f"{path}: not a readable YAML file: {exc}") from None
    if not isinstance(raw, dict):
        raise OrganisationError(f"{path}: expected a mapping of keys at the top level")
    try:
        org = Organisation.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise OrganisationError(f"{path}: {problems}") from None
    if org.streets and not org.streets.location(path).is_file():
        raise OrganisationError(f"{path}: streets.path: no file {org.streets.path}")
    if org.programme and not org.programme.location(path).is_file():
        raise OrganisationError(f"{path}: programme.path: no file {org.programme.path}")
    return org


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Organisation:
    return load_organisation(path)


def organisation() -> Organisation:
    """The current app's organisation.

    Outside an app (scripts, library calls) the file the settings name: the
    `GEOPORTALE_ORGANISATION` environment variable, else the shipped default.
    """
    if has_app_context():
        found = current_app.extensions.get(KEY)
        if found is not None:
            return found
    from app.settings import load_settings

    return _load_cached(str(load_settings()["ORGANISATION"]))


def init_app(app: Flask, settings: dict) -> Organisation:
    """Load the organisation named by the settings, keep it on the app, give it to templates.

    An empty TITLE setting means the organisation's title.
    """
    org = load_organisation(settings["ORGANISATION"])
    app.extensions[KEY] = org
    if not settings["TITLE"]:
        settings["TITLE"] = org.title.it

    @app.context_processor
    def _organisation():
        return {"org": org}

    return org


def owner_of(metadata) -> str:
    """A layer's owner: its metadata's `owner`, else the organisation's name."""
    return metadata.owner or organisation().name.it
