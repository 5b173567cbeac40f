"""LayerSpec: the schema of one `layers/*.yaml` file.

Layer files are edited by the SIT office, so the schema is closed: unknown keys are an
error, and every error names the file and the field (see `loader.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

LAYER_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
COLOR = r"^#[0-9a-fA-F]{6}$"

GeometryType = Literal[
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "Geometry",
]
FieldType = Literal["string", "integer", "number", "boolean", "date"]
#: EU Publications Office data themes, as DCAT-AP_IT requires for dcat:theme.
EuTheme = Literal[
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
    "OP_DATPRO",
]
Frequency = Literal[
    "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG", "UNKNOWN", "NEVER", "CONT"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value):
    """A bilingual text may be written as a plain string (Italian only)."""
    if isinstance(value, str):
        return {"it": value}
    return value


class Text(Strict):
    """Italian first, English optional (falls back to Italian)."""

    it: str = Field(min_length=1)
    en: str | None = None

    def get(self, lang: str = "it") -> str:
        return (self.en if lang == "en" else None) or self.it


BiText = Annotated[Text, BeforeValidator(_text)]


class SourceSpec(Strict):
    path: str = Field(min_length=1, description="file path relative to the project root")
    layer: str | None = Field(None, description="layer inside a multi-layer file")
    crs: str | None = Field(None, description="CRS to assume when the file declares none")


class FieldSpec(Strict):
    name: str = Field(pattern=FIELD_NAME.pattern)
    type: FieldType = "string"
    label: BiText
    description: BiText | None = None
    required: bool = Field(
        False, description="a new version of the layer must have it (pages and search use it)"
    )


class Category(Strict):
    value: str | int | float | bool
    color: str = Field(pattern=COLOR)
    label: BiText


class StyleSpec(Strict):
    color: str = Field("#1f5fa8", pattern=COLOR)
    fill_color: str | None = Field(None, pattern=COLOR)
    weight: float = Field(2, ge=0, le=20)
    opacity: float = Field(1, ge=0, le=1)
    fill_opacity: float = Field(0.25, ge=0, le=1)
    radius: float = Field(6, gt=0, le=40, description="point marker radius in pixels")
    dash_array: str | None = Field(None, pattern=r"^[0-9 ,]+$")
    property: str | None = Field(None, description="field whose values pick a category")
    categories: tuple[Category, ...] = ()
    approximate: tuple[str, ...] = Field(
        ("quartiere", "comune"),
        description="values of the feature's `precisione` drawn as a faint outline with a "
        "note (placed only as exactly as a whole area); [] to draw every feature normally",
    )

    @model_validator(mode="after")
    def _categories_need_property(self):
        if self.categories and not self.property:
            raise ValueError("'categories' needs 'property' naming the field they classify")
        return self


class MetadataSpec(Strict):
    abstract: BiText
    owner: str | None = None  # None: the organisation's name (organisation.yaml)
    licence: str = Field(min_length=1)
    attribution: str | None = None
    lineage: BiText
    updated: dt.date
    keywords: tuple[str, ...] = ()
    source_crs: str | None = Field(None, description="CRS of the data as delivered")
    themes: tuple[EuTheme, ...] = Field(
        (), description="EU data themes (DCAT-AP_IT dcat:theme), e.g. GOVE, REGI, TRAN"
    )
    frequency: Frequency = Field("IRREG", description="update frequency (EU authority code)")


class AddressSpec(Strict):
    """Fields of an address layer (stradario / numeri civici): one point per house number."""

    street_type: str | None = Field(None, description="field with the street type (Via, Piazza)")
    street_name: str = Field(description="field with the street name")
    house_number: str = Field(description="field with the house number")
    house_number_suffix: str | None = Field(None, description="field with the suffix (A, bis)")
    quartiere: str | None = Field(None, description="field naming the quartiere, if any")

    def names(self) -> list[tuple[str, str | None]]:
        return [
            ("search.address.street_type", self.street_type),
            ("search.address.street_name", self.street_name),
            ("search.address.house_number", self.house_number),
            ("search.address.house_number_suffix", self.house_number_suffix),
            ("search.address.quartiere", self.quartiere),
        ]


class SearchSpec(Strict):
    """How the citizen search box indexes the layer (optional; see app/search)."""

    enabled: bool = True
    fields: tuple[str, ...] = Field(
        (), description="fields searched besides title_field (default: luogo, indirizzo, zone)"
    )
    address: AddressSpec | None = Field(None, description="mark the layer as an address layer")


class EditingSpec(Strict):
    """How the SIT office edits the layer on the web map and through the API."""

    enabled: bool = Field(True, description="editors may change its features")
    publish: Literal["draft", "immediate"] = Field(
        "draft",
        description="draft: edits wait in a draft until published; immediate: each edit is "
        "published at once (a new version per edit)",
    )
    precision_field: str | None = Field(
        None, description="field receiving a placement's precisione (edificio, via, ...)"
    )
    position_source_field: str | None = Field(
        None, description="field receiving a placement's fonte_posizione"
    )


class TimeSpec(Strict):
    """How the map shows the layer as it stood at the end of a past year (the year control).

    A feature's state at the end of year X is the `stato` of the newest entry with
    `anno` <= X of its history (a JSON array of {anno, stato, fonte}); with no such entry
    it was not documented yet and is not shown. A feature without a history has its
    current state from the year in `year_field` on.
    """

    history_field: str = Field(description="field with the state history (JSON array)")
    state_field: str = Field(description="field with the current state (usually style.property)")
    year_field: str | None = Field(
        None, description="field with the year of the current state (features without history)"
    )
    first_year: int | None = Field(
        None, ge=1900, le=2100, description="first year the control offers (default: the data's)"
    )


class LayerSpec(Strict):
    """One published layer: where its data comes from and how it is shown."""

    id: str = Field(pattern=LAYER_ID.pattern)
    title: BiText
    group: BiText
    geometry_type: GeometryType
    source: SourceSpec
    id_field: str = Field(pattern=FIELD_NAME.pattern)
    title_field: str | None = None
    fields: tuple[FieldSpec, ...] = Field(min_length=1)
    popup: tuple[str, ...] = ()
    style: StyleSpec = StyleSpec()
    metadata: MetadataSpec
    published: bool = True
    visible: bool = Field(True, description="shown when the map opens")
    order: int = Field(100, description="drawing and listing order, lower first")
    notice: BiText | None = Field(None, description="warning shown with the layer")
    search: SearchSpec | None = Field(None, description="citizen search settings (optional)")
    editing: EditingSpec = Field(EditingSpec(), description="web and API editing settings")
    time: TimeSpec | None = Field(None, description="state over time: the map's year control")

    @model_validator(mode="after")
    def _fields_exist(self):
        names = [f.name for f in self.fields]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"field names repeated: {', '.join(dupes)}")
        known = set(names)
        if self.id_field not in known:
            raise ValueError(f"id_field '{self.id_field}' is not one of the fields")
        for where, name in [
            ("title_field", self.title_field),
            ("style.property", self.style.property),
            ("editing.precision_field", self.editing.precision_field),
            ("editing.position_source_field", self.editing.position_source_field),
            *self._time_fields(),
        ]:
            if name is not None and name not in known:
                raise ValueError(f"{where} '{name}' is not one of the fields")
        if self.search is not None:
            named = [("search.fields", n) for n in self.search.fields]
            if self.search.address is not None:
                named += self.search.address.names()
            for where, name in named:
                if name is not None and name not in known:
                    raise ValueError(f"{where} '{name}' is not one of the fields")
        missing = [p for p in self.popup if p not in known]
        if missing:
            raise ValueError(f"popup names unknown fields: {', '.join(missing)}")
        return self

    def _time_fields(self) -> list[tuple[str, str | None]]:
        if self.time is None:
            return []
        return [
            ("time.history_field", self.time.history_field),
            ("time.state_field", self.time.state_field),
            ("time.year_field", self.time.year_field),
        ]

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
