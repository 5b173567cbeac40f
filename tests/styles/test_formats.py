"""The style encoders: SLD 1.0, QML and MapLibre GL style, from the rule model."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.errors import InvalidParameter
from app.registry import load_registry
from app.styles import mapbox as gl
from app.styles import model, qml, qml_document, sld, sld_document
from tests.styles.conftest import COLOURS, OTHER

SLD = "{http://www.opengis.net/sld}"
OGC = "{http://www.opengis.net/ogc}"
ROOT = Path(__file__).resolve().parents[2]
TILES = "http://x/api/collections/misti/tiles/WebMercatorQuad/{z}/{x}/{y}"


def rules_of(text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(text.encode())
    return {r.findtext(f"{SLD}Name"): r for r in root.iter(f"{SLD}Rule")}


def css(element: ET.Element) -> dict[str, str]:
    return {p.get("name"): p.text for p in element.iter(f"{SLD}CssParameter")}


def test_sld_is_version_1_0_with_a_filtered_rule_per_category(mixed_spec):
    text = sld_document(mixed_spec, "polygon")
    root = ET.fromstring(text.encode())
    assert root.tag == f"{SLD}StyledLayerDescriptor" and root.get("version") == "1.0.0"
    assert "SvgParameter" not in text and "ElseFilter" not in text
    rules = rules_of(text)
    for n, value in enumerate(("a", "b")):
        rule = rules[f"stato_{n}"]
        assert rule.findtext(f"{SLD}Title") == f"Stato {value.upper()}"
        (eq,) = [
            e
            for e in rule.iter(f"{OGC}PropertyIsEqualTo")
            if e.findtext(f"{OGC}PropertyName") == "stato"
        ]
        assert eq.findtext(f"{OGC}Literal") == value
        (symbolizer,) = rule.findall(f"{SLD}PolygonSymbolizer")
        assert css(symbolizer) == {
            "fill": COLOURS[value],
            "fill-opacity": "0.5",
            "stroke": COLOURS[value],
            "stroke-width": "6",
            "stroke-opacity": "1",
        }
    # any other value (or none) in the layer's own colours; area-wide placements faint
    assert css(rules["other"])["fill"] == OTHER
    assert rules["other"].find(f".//{OGC}PropertyIsNull") is not None
    faint = css(rules["stato_1_approx"])
    assert faint["fill-opacity"] == "0.04" and faint["stroke-dasharray"] == "2 6"
    assert faint["stroke-width"] == "1.5"


def test_sld_points_are_the_web_maps_circles_in_english_when_asked(mixed_spec):
    text = sld_document(mixed_spec, "point", "en")
    rules = rules_of(text)
    assert set(rules) == {"stato_0", "stato_1", "other"}  # a point is never drawn faint
    assert rules["stato_0"].findtext(f"{SLD}Title") == "A"
    assert rules["other"].findtext(f"{SLD}Title") == "Other values"
    graphic = rules["stato_1"].find(f"{SLD}PointSymbolizer/{SLD}Graphic")
    assert graphic.findtext(f"{SLD}Mark/{SLD}WellKnownName") == "circle"
    assert graphic.findtext(f"{SLD}Size") == "16"  # diameter of radius 8 px
    assert css(graphic) == {
        "fill": COLOURS["b"],
        "fill-opacity": "0.9",
        "stroke": "#ffffff",
        "stroke-width": "1.5",
        "stroke-opacity": "1",
    }
    assert "LineSymbolizer" not in text and "PolygonSymbolizer" not in text


def test_a_mixed_layer_needs_a_family_for_sld_and_qml(mixed_spec):
    with pytest.raises(InvalidParameter, match="family="):
        sld_document(mixed_spec, None)
    with pytest.raises(InvalidParameter, match="family="):
        qml_document(mixed_spec, None)
    with pytest.raises(InvalidParameter, match="unknown family"):
        model.parse_family("area", mixed_spec)
    assert model.parse_family("poligoni", mixed_spec) == "polygon"  # the download's suffix
    assert model.parse_family(None, mixed_spec) is None


def test_qml_rules_symbols_and_aliases(mixed_spec):
    root = ET.fromstring(qml_document(mixed_spec, "line").encode())
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "RuleRenderer"
    rules = {r.get("label"): r for r in renderer.iter("rule")}
    assert rules["Stato A"].get("filter") == (
        '("stato" = \'a\') AND (("precisione" IS NULL) OR '
        "(NOT ((\"precisione\" = 'quartiere') OR (\"precisione\" = 'comune'))))"
    )
    assert set(rules) == {
        "Stato A",
        "Stato B",
        "Altri valori",
        "Stato A (posizione indicativa)",
        "Stato B (posizione indicativa)",
        "Altri valori (posizione indicativa)",
    }
    symbols = {s.get("name"): s for s in renderer.iter("symbol")}
    line = symbols[rules["Stato B"].get("symbol")]
    assert line.get("type") == "line"
    options = {o.get("name"): o.get("value") for o in line.iter("Option") if o.get("name")}
    assert options["line_color"] == "55,126,184,255"
    assert options["line_width"] == "6" and options["line_width_unit"] == "Pixel"
    faint = symbols[rules["Stato B (posizione indicativa)"].get("symbol")]
    options = {o.get("name"): o.get("value") for o in faint.iter("Option") if o.get("name")}
    assert options["use_custom_dash"] == "1" and options["customdash"] == "2;6"
    aliases = {a.get("field"): a.get("name") for a in root.iter("alias")}
    assert aliases == {"id": "Codice", "stato": "Stato attuale", "precisione": "Precisione"}


def test_qml_expressions_quote_values_and_names():
    term = model.And((model.Eq('a"b', "it's"), model.Not(model.Eq("n", 3))))
    assert qml.expression(term) == '("a""b" = \'it\'\'s\') AND (NOT ("n" = 3))'
    assert "&lt;" in sld.filter_xml(model.Eq("x", "<b>"))


def test_mapbox_style_matches_the_category_property(mixed_spec):
    styles = [model.build(mixed_spec, f) for f in model.FAMILIES]
    doc = gl.encode(styles, TILES, 0, 22, "test")
    assert doc["version"] == 8
    assert doc["sources"] == {
        "misti": {
            "type": "vector",
            "tiles": [TILES],
            "minzoom": 0,
            "maxzoom": 22,
            "attribution": "test",
        }
    }
    layers = {layer["id"]: layer for layer in doc["layers"]}
    assert [layer["type"] for layer in doc["layers"]] == [
        "fill",
        "line",
        "fill",
        "line",
        "line",
        "line",
        "circle",
    ]
    assert all(layer["source-layer"] == "misti" for layer in doc["layers"])
    circle = layers["misti-point"]["paint"]
    assert circle["circle-color"] == [
        "match",
        ["to-string", ["get", "stato"]],
        "a",
        COLOURS["a"],
        "b",
        COLOURS["b"],
        OTHER,
    ]
    assert circle["circle-radius"] == 8 and circle["circle-opacity"] == 0.9
    fill = layers["misti-polygon-fill"]
    assert fill["filter"][1] == [
        "match",
        ["geometry-type"],
        ["Polygon", "MultiPolygon"],
        True,
        False,
    ]
    assert fill["filter"][2][0] == "!"  # not an area-wide placement
    faint = layers["misti-polygon-approx-outline"]["paint"]
    assert faint["line-dasharray"] == [round(2 / 1.5, 4), 4.0] and faint["line-width"] == 1.5
    assert layers["misti-polygon-approx-fill"]["paint"]["fill-opacity"] == 0.04


def test_mapbox_numeric_categories_use_match_or_case():
    style = model.Style("t", "T", "point", "n", "integer", (), None, ())
    symbol = model.Symbol("point", "#ffffff", 1.5, 1.0, "#000000", 0.9, size=4)
    rules = [
        model.Rule("n_0", "uno", None, symbol, 1),
        model.Rule("other", "altro", None, model.Symbol("point", "#ffffff", 1.5, 1.0, "#111111")),
    ]
    assert gl._colour(style, rules, "fill") == ["match", ["get", "n"], 1, "#000000", "#111111"]
    rules[0] = model.Rule("n_0", "uno", None, symbol, 1.5)
    assert gl._colour(style, rules, "fill") == [
        "case",
        ["==", ["get", "n"], 1.5],
        "#000000",
        "#111111",
    ]


def test_every_shipped_layer_has_its_styles():
    """Each layer file of the shipped configuration, each family it may hold, each format."""
    registry = load_registry(ROOT / "layers", ROOT)
    for spec in registry.published:
        for family in model.families_of(spec):
            for lang in ("it", "en"):
                ET.fromstring(sld_document(spec, family, lang).encode())
                ET.fromstring(qml_document(spec, family, lang).encode())
        styles = [model.build(spec, f) for f in model.families_of(spec)]
        doc = gl.encode(styles, TILES, 0, 22)
        assert doc["layers"], spec.id
        for category in spec.style.categories:
            assert category.color in sld_document(spec, model.families_of(spec)[0])
