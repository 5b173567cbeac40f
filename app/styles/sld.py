"""SLD 1.0.0 (StyledLayerDescriptor with `CssParameter`) of a style rule model.

1.0 rather than SE 1.1: QGIS loses the colours of 1.1's `SvgParameter`. One rule per
category (an `ogc:PropertyIsEqualTo`), one for any other value and the faint outlines of
area-wide placements (see model.py for why there is no `ElseFilter`). Sizes and widths are
pixels, as SLD 1.0 means them. One geometry family per document: QGIS turns every
symbolizer of a rule into a symbol of the layer's own type (a PolygonSymbolizer on a point
layer becomes a marker), so a rule carrying all three would draw wrongly there.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from app.styles.model import And, Eq, IsNull, Not, Or, Style, Symbol, Term

MEDIA_TYPE = "application/vnd.ogc.sld+xml;version=1.0"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" '
    'xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.opengis.net/sld '
    'http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">\n'
)


def _number(value: float) -> str:
    return f"{value:g}"


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return escape(str(value))


def filter_xml(term: Term) -> str:
    """An OGC Filter Encoding 1.0 predicate (without the `ogc:Filter` around it)."""
    if isinstance(term, Eq):
        return (
            "<ogc:PropertyIsEqualTo><ogc:PropertyName>"
            f"{escape(term.prop)}</ogc:PropertyName>"
            f"<ogc:Literal>{_literal(term.value)}</ogc:Literal></ogc:PropertyIsEqualTo>"
        )
    if isinstance(term, IsNull):
        return (
            "<ogc:PropertyIsNull><ogc:PropertyName>"
            f"{escape(term.prop)}</ogc:PropertyName></ogc:PropertyIsNull>"
        )
    if isinstance(term, Not):
        return f"<ogc:Not>{filter_xml(term.term)}</ogc:Not>"
    tag = "ogc:And" if isinstance(term, And) else "ogc:Or"
    assert isinstance(term, (And, Or))
    return f"<{tag}>{''.join(filter_xml(t) for t in term.terms)}</{tag}>"


def _css(name: str, value) -> str:
    text = value if isinstance(value, str) else _number(value)
    return f'<CssParameter name="{name}">{escape(text)}</CssParameter>'


def _stroke(s: Symbol) -> str:
    parts = [
        _css("stroke", s.stroke),
        _css("stroke-width", s.stroke_width),
        _css("stroke-opacity", s.stroke_opacity),
    ]
    if s.dash:
        parts.append(_css("stroke-dasharray", " ".join(_number(d) for d in s.dash)))
    return f"<Stroke>{''.join(parts)}</Stroke>"


def _fill(s: Symbol) -> str:
    return f"<Fill>{_css('fill', s.fill)}{_css('fill-opacity', s.fill_opacity)}</Fill>"


def symbolizer(s: Symbol) -> str:
    if s.family == "point":
        return (
            "<PointSymbolizer><Graphic><Mark><WellKnownName>circle</WellKnownName>"
            f"{_fill(s)}{_stroke(s)}</Mark><Size>{_number(s.size)}</Size></Graphic>"
            "</PointSymbolizer>"
        )
    if s.family == "line":
        return f"<LineSymbolizer>{_stroke(s)}</LineSymbolizer>"
    return f"<PolygonSymbolizer>{_fill(s)}{_stroke(s)}</PolygonSymbolizer>"


def encode(style: Style, layer_name: str | None = None) -> str:
    """The SLD document; `layer_name` names the NamedLayer (default: the layer's id)."""
    out = [
        _HEAD,
        f"<NamedLayer><Name>{escape(layer_name or style.layer_id)}</Name>\n",
        f"<UserStyle><Name>default</Name><Title>{escape(style.title)}</Title>",
        "<IsDefault>1</IsDefault>\n<FeatureTypeStyle>\n",
    ]
    for rule in style.rules:
        where = "" if rule.filter is None else f"<ogc:Filter>{filter_xml(rule.filter)}</ogc:Filter>"
        out.append(
            f"<Rule><Name>{escape(rule.name)}</Name><Title>{escape(rule.title)}</Title>"
            f"{where}{symbolizer(rule.symbol)}</Rule>\n"
        )
    out.append("</FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n")
    return "".join(out)
