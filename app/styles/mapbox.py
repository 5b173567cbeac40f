"""Mapbox / MapLibre GL style (version 8) of a layer's vector tiles, from the rule model.

One vector source, our tiles (`/api/collections/{id}/tiles/WebMercatorQuad/{z}/{x}/{y}`,
one MVT layer named after the collection), and per geometry family a `fill` + `line`,
`line` or `circle` layer whose colours are a `match` on the category property, as the web
map draws them; the faint outlines of area-wide placements are layers of their own,
filtered on `precisione`. A layer of mixed geometry gets every family, each layer
filtered on its `geometry-type`, since one style document serves the whole tile layer.
"""

from __future__ import annotations

from app.styles.model import GEOMETRY_TYPES, And, Eq, IsNull, Not, Or, Rule, Style, Term

MEDIA_TYPE = "application/vnd.mapbox.style+json"


def expression(term: Term) -> list:
    """The GL expression of a filter term (a missing property reads as null)."""
    if isinstance(term, Eq):
        return ["==", ["get", term.prop], term.value]
    if isinstance(term, IsNull):
        return ["==", ["get", term.prop], None]
    if isinstance(term, Not):
        return ["!", expression(term.term)]
    assert isinstance(term, (And, Or))
    return ["all" if isinstance(term, And) else "any", *(expression(t) for t in term.terms)]


def _colour(style: Style, rules: list[Rule], attr: str):
    """The colour `attr` ("fill" or "stroke") of the rules: a constant, or a `match` on
    the category property with the "other values" colour as fallback."""
    default = next((getattr(r.symbol, attr) for r in rules if r.value is None), None)
    pairs = [(r.value, getattr(r.symbol, attr)) for r in rules if r.value is not None]
    if not pairs:
        return default
    get = ["get", style.property]
    if all(isinstance(v, str) for v, _ in pairs) or all(isinstance(v, bool) for v, _ in pairs):
        labels = [str(v).lower() if isinstance(v, bool) else v for v, _ in pairs]
        out: list = ["match", ["to-string", get]]
    elif all(isinstance(v, int) and not isinstance(v, bool) for v, _ in pairs):
        labels = [v for v, _ in pairs]
        out = ["match", get]
    else:  # match takes integer labels only: other numbers go through `case`
        out = ["case"]
        for v, colour in pairs:
            out += [["==", get, v], colour]
        return [*out, default]
    for label, (_, colour) in zip(labels, pairs, strict=True):
        out += [label, colour]
    return [*out, default]


def _dash(rule: Rule) -> list[float] | None:
    s = rule.symbol
    if not s.dash or not s.stroke_width:
        return None
    return [round(d / s.stroke_width, 4) for d in s.dash]  # GL dashes are in line widths


def _layers(style: Style, source: str, coarse: bool) -> list[dict]:
    rules = [r for r in style.rules if r.coarse is coarse]
    if not rules:
        return []
    first = rules[0]
    is_family = ["match", ["geometry-type"], list(GEOMETRY_TYPES[style.family]), True, False]
    where: list = is_family
    if style.coarse is not None:
        placed = expression(style.coarse)
        where = ["all", is_family, placed if coarse else ["!", placed]]
    base = f"{style.layer_id}-{style.family}" + ("-approx" if coarse else "")
    common = {"source": source, "source-layer": style.layer_id, "filter": where}
    stroke = _colour(style, rules, "stroke")
    if style.family == "point":
        paint = {
            "circle-radius": first.symbol.size / 2,
            "circle-color": _colour(style, rules, "fill"),
            "circle-opacity": first.symbol.fill_opacity,
            "circle-stroke-color": stroke,
            "circle-stroke-width": first.symbol.stroke_width,
            "circle-stroke-opacity": first.symbol.stroke_opacity,
        }
        return [{"id": base, "type": "circle", **common, "paint": paint}]
    line = {
        "line-color": stroke,
        "line-width": first.symbol.stroke_width,
        "line-opacity": first.symbol.stroke_opacity,
    }
    dash = _dash(first)
    if dash:
        line["line-dasharray"] = dash
    out = []
    if style.family == "polygon":
        fill = {
            "fill-color": _colour(style, rules, "fill"),
            "fill-opacity": first.symbol.fill_opacity,
        }
        out.append({"id": f"{base}-fill", "type": "fill", **common, "paint": fill})
    line_id = f"{base}-outline" if style.family == "polygon" else base
    layout = {"line-cap": "round", "line-join": "round"}
    out.append({"id": line_id, "type": "line", **common, "layout": layout, "paint": line})
    return out


def encode(
    styles: list[Style],
    tiles_url: str,
    min_zoom: int,
    max_zoom: int,
    attribution: str | None = None,
) -> dict:
    """The style document of one collection; `styles` are its families, drawn in order."""
    first = styles[0]
    source = {"type": "vector", "tiles": [tiles_url], "minzoom": min_zoom, "maxzoom": max_zoom}
    if attribution:
        source["attribution"] = attribution
    layers = []
    for style in styles:
        layers += _layers(style, first.layer_id, coarse=True)
        layers += _layers(style, first.layer_id, coarse=False)
    return {
        "version": 8,
        "name": first.title,
        "metadata": {"geoportale:families": [s.family for s in styles]},
        "sources": {first.layer_id: source},
        "layers": layers,
    }
