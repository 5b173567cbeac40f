"""The neutral rule model of a layer's style, written once from its `LayerSpec`.

The web map (static/geoportale.js) is the reference, and this module says the same thing
as data: points are circles of `style.radius` px filled with the category colour (opacity
0.9) with a white 1.5 px outline; lines and polygon outlines are stroked in the category
colour with `weight`, `opacity` and `dash_array`, polygons filled with `fill_opacity`; lines
and polygons placed only as exactly as a whole area (`precisione` in `style.approximate`,
when the layer has that field) are a faint dashed outline (1.5 px, dash 2 6, fill 0.04).

The encoders (sld.py, qml.py, mapbox.py) only translate rules and symbols into their syntax.
Filters are small terms (Eq, IsNull, Not, And, Or) that each encoder writes in its own
language. Every filter is written so that a missing value never hides a feature: "not one
of the categories" is `prop IS NULL OR NOT (prop = a OR prop = b)`, because in QGIS (as in
SQL) a comparison with NULL is NULL, which neither matches nor fails.

A rule for "any other value" carries an explicit filter rather than SLD's ElseFilter: QGIS
3.22 reads `<ElseFilter/>` as no filter at all and draws that rule over every feature.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.errors import InvalidParameter
from app.geo.families import FAMILIES as GEOMETRY_FAMILIES
from app.i18n import translate
from app.registry.spec import Category, LayerSpec

#: Geometry families, in drawing order (areas under lines under points).
FAMILIES = ("polygon", "line", "point")
NO_GEOMETRY_FAMILY = "none"
#: Names a client may use for a family: ours, and the download tables' Italian suffixes.
FAMILY_NAMES = {
    "point": "point",
    "line": "line",
    "polygon": "polygon",
    "punti": "point",
    "linee": "line",
    "poligoni": "polygon",
    # attributes only: the field labels, for a table or layer without geometries (QGIS
    # refuses a style naming a geometry type there)
    "none": NO_GEOMETRY_FAMILY,
    "senza_geometria": NO_GEOMETRY_FAMILY,
}
#: GeoJSON geometry types of each family (the vector tiles' `geometry-type`s too): the
#: download tables' families (app/geo/families.py) under the styles' English names.
GEOMETRY_TYPES = {FAMILY_NAMES[name]: types for name, types in GEOMETRY_FAMILIES.items()}
_DECLARED = {t: family for family, types in GEOMETRY_TYPES.items() for t in types}
PRECISION_FIELD = "precisione"
# The web map's fixed drawing values (static/geoportale.js).
POINT_OUTLINE = "#ffffff"
POINT_OUTLINE_WIDTH = 1.5
POINT_FILL_OPACITY = 0.9
COARSE_WIDTH = 1.5
COARSE_FILL_OPACITY = 0.04
COARSE_DASH = (2.0, 6.0)


# -- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eq:
    prop: str
    value: str | int | float | bool


@dataclass(frozen=True)
class IsNull:
    prop: str


@dataclass(frozen=True)
class Not:
    term: Term


@dataclass(frozen=True)
class And:
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Term, ...]


Term = Eq | IsNull | Not | And | Or


def any_of(prop: str, values) -> Term:
    """`prop` equals one of `values`."""
    terms = tuple(Eq(prop, v) for v in values)
    return terms[0] if len(terms) == 1 else Or(terms)


def none_of(prop: str, values) -> Term:
    """`prop` is missing or equals none of `values` (true for NULL, see the module doc)."""
    return Or((IsNull(prop), Not(any_of(prop, values))))


def both(first: Term | None, second: Term | None) -> Term | None:
    if first is None or second is None:
        return first if second is None else second
    return And((first, second))


# -- symbols and rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    """How one feature is drawn; widths and sizes in pixels, colours as #rrggbb."""

    family: str
    stroke: str
    stroke_width: float
    stroke_opacity: float
    fill: str | None = None
    fill_opacity: float = 0.0
    dash: tuple[float, ...] | None = None
    size: float | None = None  # point diameter


@dataclass(frozen=True)
class Rule:
    name: str  # machine name, unique in the style
    title: str  # the legend label, in the requested language
    filter: Term | None  # None: every feature
    symbol: Symbol
    value: str | int | float | bool | None = None  # the category's value, if any
    coarse: bool = False  # the faint outline of an area-wide placement


@dataclass(frozen=True)
class Style:
    """The rules of one layer for one geometry family, in drawing order."""

    layer_id: str
    title: str
    family: str
    property: str | None
    property_type: str  # the field type of `property` ("string" without one)
    rules: tuple[Rule, ...]
    coarse: Term | None  # the filter of area-wide placements (None: none drawn apart)
    aliases: tuple[tuple[str, str], ...]  # (field, label) in the requested language


def parse_family(value: str | None, spec: LayerSpec) -> str | None:
    """The family asked for (`family=`), or the layer's declared one; None for a layer of
    mixed geometry (`Geometry`) when none is asked."""
    if value is None:
        return _DECLARED.get(spec.geometry_type)
    found = FAMILY_NAMES.get(value)
    if found is None:
        raise InvalidParameter(
            f"unknown family {value!r}; use one of: {', '.join(FAMILY_NAMES)}", "family"
        )
    return found


def families_of(spec: LayerSpec) -> tuple[str, ...]:
    """The families a layer may hold: its declared one, or all three for `Geometry`."""
    declared = _DECLARED.get(spec.geometry_type)
    return (declared,) if declared else FAMILIES


def _dash(text: str | None) -> tuple[float, ...] | None:
    if not text:
        return None
    parts = tuple(float(p) for p in text.replace(",", " ").split())
    return parts or None


def symbol(spec: LayerSpec, family: str, color: str | None, coarse: bool = False) -> Symbol:
    """The symbol of a feature of `family` whose category colour is `color` (None: the
    layer's own colours), as the web map draws it."""
    st = spec.style
    fill = color or st.fill_color or st.color
    if family == "point":
        return Symbol(
            family,
            POINT_OUTLINE,
            POINT_OUTLINE_WIDTH,
            1.0,
            fill,
            POINT_FILL_OPACITY,
            size=2 * st.radius,
        )
    stroke = color or st.color
    return Symbol(
        family,
        stroke,
        COARSE_WIDTH if coarse else st.weight,
        st.opacity,
        fill if family == "polygon" else None,
        (COARSE_FILL_OPACITY if coarse else st.fill_opacity) if family == "polygon" else 0.0,
        COARSE_DASH if coarse else _dash(st.dash_array),
    )


def coarse_filter(spec: LayerSpec, family: str) -> Term | None:
    """Which features of `family` the web map draws as a faint outline (never points)."""
    st = spec.style
    if family == "point" or not st.approximate or spec.field(PRECISION_FIELD) is None:
        return None
    return any_of(PRECISION_FIELD, st.approximate)


def _typed(spec: LayerSpec, category: Category):
    """A category's value as its field holds it (a layer file may write 3 for "3")."""
    kind = spec.field(spec.style.property).type
    value = category.value
    if kind in ("string", "date"):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "integer" and not isinstance(value, bool):
        return int(value)
    if kind == "number" and not isinstance(value, bool):
        return float(value)
    return value


def renamed(term: Term | None, names: dict[str, str]) -> Term | None:
    """`term` with its field names replaced as `names` says (others unchanged)."""
    if term is None:
        return None
    if isinstance(term, Eq):
        return Eq(names.get(term.prop, term.prop), term.value)
    if isinstance(term, IsNull):
        return IsNull(names.get(term.prop, term.prop))
    if isinstance(term, Not):
        return Not(renamed(term.term, names))
    return type(term)(tuple(renamed(t, names) for t in term.terms))


def with_names(style: Style, names: dict[str, str]) -> Style:
    """The style of a copy of the layer whose fields are stored under other names (a
    shapefile keeps 10 characters of each): filters, property and aliases follow them."""
    return replace(
        style,
        property=names.get(style.property, style.property) if style.property else None,
        rules=tuple(replace(r, filter=renamed(r.filter, names)) for r in style.rules),
        coarse=renamed(style.coarse, names),
        aliases=tuple((names.get(f, f), label) for f, label in style.aliases),
    )


def build(spec: LayerSpec, family: str, lang: str = "it") -> Style:
    """The style of `spec` for `family` ("point", "line", "polygon", or "none": the field
    labels alone) in `lang`."""
    st = spec.style
    aliases = tuple((f.name, f.label.get(lang)) for f in spec.fields)
    if family == NO_GEOMETRY_FAMILY:
        return Style(spec.id, spec.title.get(lang), family, None, "string", (), None, aliases)
    coarse = coarse_filter(spec, family)
    normal = None if coarse is None else none_of(PRECISION_FIELD, st.approximate)
    approx = translate("posizione indicativa", lang)
    rules: list[Rule] = []
    faint: list[Rule] = []
    if st.property and st.categories:
        values = [_typed(spec, c) for c in st.categories]
        for n, (category, value) in enumerate(zip(st.categories, values, strict=True)):
            label = category.label.get(lang)
            is_value = Eq(st.property, value)
            rules.append(
                Rule(
                    f"{st.property}_{n}",
                    label,
                    both(is_value, normal),
                    symbol(spec, family, category.color),
                    value,
                )
            )
            if coarse is not None:
                faint.append(
                    Rule(
                        f"{st.property}_{n}_approx",
                        f"{label} ({approx})",
                        And((is_value, coarse)),
                        symbol(spec, family, category.color, coarse=True),
                        value,
                        coarse=True,
                    )
                )
        other = none_of(st.property, values)
        label = translate("Altri valori", lang)
        rules.append(Rule("other", label, both(other, normal), symbol(spec, family, None)))
        if coarse is not None:
            faint.append(
                Rule(
                    "other_approx",
                    f"{label} ({approx})",
                    And((other, coarse)),
                    symbol(spec, family, None, coarse=True),
                    coarse=True,
                )
            )
    else:
        title = spec.title.get(lang)
        rules.append(Rule("all", title, normal, symbol(spec, family, None)))
        if coarse is not None:
            faint.append(
                Rule(
                    "approx",
                    f"{title} ({approx})",
                    coarse,
                    symbol(spec, family, None, coarse=True),
                    coarse=True,
                )
            )
    prop_type = spec.field(st.property).type if st.property else "string"
    return Style(
        spec.id,
        spec.title.get(lang),
        family,
        st.property,
        prop_type,
        tuple(faint + rules),  # faint outlines first: the sites draw over them
        coarse,
        aliases,
    )
