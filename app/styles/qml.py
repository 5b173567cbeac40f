"""QGIS layer style (QML) of a style rule model, for QGIS 3.22 and later.

A rule-based renderer (one rule per category, labelled as the legend of the web map, one
for any other value, the faint outlines of area-wide placements), symbol sizes in pixels,
and the fields' labels as QGIS aliases, so the attribute table says "Obiettivo strategico"
rather than `obiettivo_strategico`. A QML holds symbols of one geometry family: the
layer's, or the one asked for on a layer of mixed geometry.
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import quoteattr

from app.styles.model import NO_GEOMETRY_FAMILY, And, Eq, IsNull, Not, Or, Style, Symbol, Term

MEDIA_TYPE = "application/vnd.qgis.qml"
QGIS_VERSION = "3.22.0"
_SYMBOL_TYPE = {"point": "marker", "line": "line", "polygon": "fill"}
_GEOMETRY_TYPE = {"point": 0, "line": 1, "polygon": 2}
_KEYS = uuid.UUID("6d0d2c1e-3f3a-4a5e-9c59-2b1f4c0e7a11")  # a fixed namespace: stable keys


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _value(value) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def expression(term: Term) -> str:
    """The QGIS expression of a filter term."""
    if isinstance(term, Eq):
        return f"{_identifier(term.prop)} = {_value(term.value)}"
    if isinstance(term, IsNull):
        return f"{_identifier(term.prop)} IS NULL"
    if isinstance(term, Not):
        return f"NOT ({expression(term.term)})"
    assert isinstance(term, (And, Or))
    joiner = " AND " if isinstance(term, And) else " OR "
    return joiner.join(f"({expression(t)})" for t in term.terms)


def _rgba(color: str, opacity: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"{r},{g},{b},{round(opacity * 255)}"


def _options(props: dict) -> str:
    items = "".join(
        f'<Option name="{k}" type="QString" value={quoteattr(str(v))}/>' for k, v in props.items()
    )
    return f'<Option type="Map">{items}</Option>'


def _layer(cls: str, props: dict) -> str:
    return f'<layer class="{cls}" enabled="1" locked="0" pass="0">{_options(props)}</layer>'


def _line_props(s: Symbol) -> dict:
    return {
        "line_color": _rgba(s.stroke, s.stroke_opacity),
        "line_width": f"{s.stroke_width:g}",
        "line_width_unit": "Pixel",
        "line_style": "solid",
        "capstyle": "round",
        "joinstyle": "round",
        "use_custom_dash": "1" if s.dash else "0",
        "customdash": ";".join(f"{d:g}" for d in s.dash or (5, 2)),
        "customdash_unit": "Pixel",
    }


def _symbol_layers(s: Symbol) -> str:
    if s.family == "point":
        return _layer(
            "SimpleMarker",
            {
                "name": "circle",
                "color": _rgba(s.fill, s.fill_opacity),
                "outline_color": _rgba(s.stroke, s.stroke_opacity),
                "outline_style": "solid",
                "outline_width": f"{s.stroke_width:g}",
                "outline_width_unit": "Pixel",
                "size": f"{s.size:g}",
                "size_unit": "Pixel",
                "scale_method": "diameter",
            },
        )
    if s.family == "line":
        return _layer("SimpleLine", _line_props(s))
    fill = _layer(
        "SimpleFill",
        {
            "color": _rgba(s.fill, s.fill_opacity),
            "style": "solid" if s.fill_opacity > 0 else "no",
            "outline_style": "no",
        },
    )
    # The outline as a line layer of the fill symbol: SimpleFill's own has no custom dash.
    return fill + _layer("SimpleLine", _line_props(s))


def _symbol(index: int, s: Symbol) -> str:
    return (
        f'<symbol name="{index}" type="{_SYMBOL_TYPE[s.family]}" alpha="1" '
        f'clip_to_extent="1" force_rhr="0">{_symbol_layers(s)}</symbol>'
    )


def _key(style: Style, name: str) -> str:
    return "{" + str(uuid.uuid5(_KEYS, f"{style.layer_id}/{style.family}/{name}")) + "}"


def _aliases(style: Style) -> str:
    return "".join(
        f'<alias field={quoteattr(name)} index="{n}" name={quoteattr(label)}/>'
        for n, (name, label) in enumerate(style.aliases)
    )


def encode(style: Style) -> str:
    """The QML document (the field labels alone for the family "none")."""
    if style.family == NO_GEOMETRY_FAMILY:
        return (
            "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Fields">\n'
            f"<aliases>{_aliases(style)}</aliases>\n</qgis>\n"
        )
    rules, symbols = [], []
    for n, rule in enumerate(style.rules):
        where = "" if rule.filter is None else f" filter={quoteattr(expression(rule.filter))}"
        rules.append(
            f'<rule key="{_key(style, rule.name)}" symbol="{n}" '
            f"label={quoteattr(rule.title)}{where}/>"
        )
        symbols.append(_symbol(n, rule.symbol))
    aliases = _aliases(style)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology|Fields">\n'
        '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">\n'
        f'<rules key="{_key(style, "")}">\n'
        + "\n".join(rules)
        + "\n</rules>\n<symbols>\n"
        + "\n".join(symbols)
        + f"\n</symbols>\n</renderer-v2>\n<aliases>{aliases}</aliases>\n"
        f"<layerGeometryType>{_GEOMETRY_TYPE[style.family]}</layerGeometryType>\n"
        "</qgis>\n"
    )
