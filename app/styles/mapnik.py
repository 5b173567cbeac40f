"""Mapnik XML styles of a style rule model (model.py), for the WMS renderer (app/wms).

One Mapnik `<Style>` per layer and geometry family, named `{layer}:{family}`, with one
`<Rule>` per model rule in the model's order. Each rule's filter is the model's filter
written as a Mapnik expression, and'ed with the family's geometry type, so a layer of mixed
geometry draws each feature with its own family's symbols. Points are ellipse markers of
`size` px (allowed to overlap, as on the web map); lines are strokes; polygons a fill and
an outline stroke. Widths and sizes are pixels, as in the model.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from app.styles.model import And, Eq, IsNull, Not, Or, Style, Symbol, Term

#: Mapnik's geometry type names of each family.
_GEOMETRY = {"point": "point", "line": "linestring", "polygon": "polygon"}


def style_name(layer_id: str, family: str) -> str:
    return f"{layer_id}:{family}"


def _number(value: float) -> str:
    return f"{value:g}"


def _literal(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value) if isinstance(value, float) else str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _field(name: str) -> str:
    return f"[{name}]"


def expression(term: Term) -> str:
    """The model filter as a Mapnik expression."""
    if isinstance(term, Eq):
        return f"({_field(term.prop)} = {_literal(term.value)})"
    if isinstance(term, IsNull):
        return f"({_field(term.prop)} = null)"
    if isinstance(term, Not):
        return f"(not {expression(term.term)})"
    joiner = " and " if isinstance(term, And) else " or "
    assert isinstance(term, (And, Or))
    return "(" + joiner.join(expression(t) for t in term.terms) + ")"


def _attrs(**values) -> str:
    return " ".join(
        f"{name.replace('_', '-')}={quoteattr(v)}" for name, v in values.items() if v is not None
    )


def _stroke(s: Symbol) -> dict:
    return {
        "stroke": s.stroke,
        "stroke_width": _number(s.stroke_width),
        "stroke_opacity": _number(s.stroke_opacity),
        "stroke_dasharray": ",".join(_number(d) for d in s.dash) if s.dash else None,
        "stroke_linejoin": "round",
        "stroke_linecap": "round" if not s.dash else "butt",
    }


def symbolizers(s: Symbol) -> str:
    """The Mapnik symbolizers drawing one symbol."""
    if s.family == "point":
        size = _number(s.size or 8)
        return (
            "<MarkersSymbolizer "
            + _attrs(
                marker_type="ellipse",
                width=size,
                height=size,
                fill=s.fill,
                fill_opacity=_number(s.fill_opacity),
                stroke=s.stroke,
                stroke_width=_number(s.stroke_width),
                stroke_opacity=_number(s.stroke_opacity),
                placement="point",
                allow_overlap="true",
                ignore_placement="true",
            )
            + "/>"
        )
    line = "<LineSymbolizer " + _attrs(**_stroke(s)) + "/>"
    if s.family == "line":
        return line
    fill = "<PolygonSymbolizer " + _attrs(fill=s.fill, fill_opacity=_number(s.fill_opacity)) + "/>"
    return fill + line


def style_xml(style: Style) -> str:
    """The `<Style>` element of one layer family."""
    kind = f"([mapnik::geometry_type] = {_GEOMETRY[style.family]})"
    rules = []
    for rule in style.rules:
        where = kind if rule.filter is None else f"{kind} and {expression(rule.filter)}"
        rules.append(f"<Rule><Filter>{_escape(where)}</Filter>{symbolizers(rule.symbol)}</Rule>")
    name = quoteattr(style_name(style.layer_id, style.family))
    return f'<Style name={name} filter-mode="first">{"".join(rules)}</Style>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def map_xml(styles: list[Style]) -> str:
    """A Mapnik `<Map>` document holding `styles` (no layers: the renderer adds them)."""
    body = "".join(style_xml(s) for s in styles)
    return f'<?xml version="1.0" encoding="utf-8"?>\n<Map srs="epsg:4326">{body}</Map>'
