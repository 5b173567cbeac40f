"""QGIS 3.22 (Debian's) loads each style without errors and draws a category's colour where
the feature is: the GeoPackage's default style (layer_styles), the served QML and SLD."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyogrio
import pytest

from app.styles import qml_document, sld_document
from app.styles.gpkg import write_layer_styles
from app.styles.shapefile import shapefile_sidecars
from tests.qgis import run_qgis
from tests.styles.conftest import COLOURS, LINE, LINES, OTHER, POINTS, POLYGONS, mixed_spec_of
from tests.styles.test_shapefile import LONG, write_points

SCRIPT = Path(__file__).with_name("qgis_render.py")
EXTENT = [9.999, 44.999, 10.020, 45.011]
SIZE = [840, 480]


def blend(colour: str, alpha: float) -> tuple[int, int, int]:
    """`colour` at `alpha` over white, as the renderer composes it."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(c * alpha + 255 * (1 - alpha)) for c in rgb)


def close(got, expected, tolerance=6) -> bool:
    return all(abs(g - e) <= tolerance for g, e in zip(got, expected, strict=True))


# (table, family, probes, expected colours): probes at each feature's centre
POINT_PROBES = [g.coords[0] for *_, g in POINTS]
POINT_EXPECTED = [
    blend(COLOURS["a"], 0.9),
    blend(COLOURS["b"], 0.9),  # placed by quartiere, still a full marker
    blend(OTHER, 0.9),
    blend(OTHER, 0.9),  # no stato at all: any other value
]
POLYGON_PROBES = [(g.centroid.x, g.centroid.y) for *_, g in POLYGONS]
POLYGON_EXPECTED = [
    blend(COLOURS["a"], 0.5),
    blend(COLOURS["b"], 0.04),  # area-wide placement: the faint fill
    blend(COLOURS["b"], 0.5),  # no precisione: drawn normally
    blend(OTHER, 0.5),
]
LINE_PROBES = [(g.interpolate(0.5, normalized=True).x, 45.002) for *_, g in LINES]
LINE_EXPECTED = [blend(COLOURS["a"], 1), blend(LINE, 1)]
CASES = [
    ("misti_punti", "point", POINT_PROBES, POINT_EXPECTED),
    ("misti_poligoni", "polygon", POLYGON_PROBES, POLYGON_EXPECTED),
    ("misti_linee", "line", LINE_PROBES, LINE_EXPECTED),
]


def test_qgis_applies_each_style_and_draws_the_category_colours(mixed_spec, mixed_gpkg, tmp_path):
    # QGIS prefers a GeoPackage's own default style to a file given to loadNamedStyle: the
    # QML and SLD files are loaded into a copy without one.
    plain = tmp_path / "plain.gpkg"
    shutil.copy(mixed_gpkg, plain)
    layers = []
    for table, family, probes, _ in CASES:
        write_layer_styles(mixed_gpkg, table, mixed_spec, family)
        uri = f"{mixed_gpkg}|layername={table}"
        plain_uri = f"{plain}|layername={table}"
        qml_path = tmp_path / f"{table}.qml"
        qml_path.write_text(qml_document(mixed_spec, family, "en"), encoding="utf-8")
        sld_path = tmp_path / f"{table}.sld"
        sld_path.write_text(sld_document(mixed_spec, family), encoding="utf-8")
        common = {"extent": EXTENT, "size": SIZE, "probes": probes}
        layers += [
            {"name": f"{table}:gpkg", "uri": uri, "style": "default", **common},
            {"name": f"{table}:qml", "uri": plain_uri, "style": "qml", **common},
            {"name": f"{table}:sld", "uri": plain_uri, "style": "sld", **common},
        ]
        layers[-2]["style_path"], layers[-1]["style_path"] = str(qml_path), str(sld_path)
    results = {r["name"]: r for r in run_qgis(SCRIPT, {"layers": layers}, tmp_path)["results"]}
    for table, _family, _probes, expected in CASES:
        for how in ("gpkg", "qml", "sld"):
            r = results[f"{table}:{how}"]
            assert r["valid"] and r["ok"], (table, how, r["message"])
            assert not r["render_errors"], r["render_errors"]
            assert r["renderer"] == "RuleRenderer", (table, how)
            for n, (got, want) in enumerate(zip(r["pixels"], expected, strict=True)):
                assert close(got, want), (table, how, n, got, want)
        # The legend labels and the field labels, as the layer file words them
        assert "Stato A" in results[f"{table}:gpkg"]["rules"]
        assert "A" in results[f"{table}:qml"]["rules"]  # the English QML
        assert results[f"{table}:gpkg"]["aliases"]["stato"] == "Stato attuale"
        assert results[f"{table}:qml"]["aliases"]["stato"] == "Current status"
    # Faint rules exist for lines and polygons only (a point is never drawn faint)
    assert not any("indicativa" in label for label in results["misti_punti:gpkg"]["rules"])
    assert any("indicativa" in label for label in results["misti_poligoni:gpkg"]["rules"])


@pytest.mark.parametrize("family", ["point", "polygon"])
def test_qgis_reads_elsefilter_as_no_filter(mixed_spec, mixed_gpkg, tmp_path, family):
    """Why the "other values" rule has an explicit filter (app/styles/model.py): with SLD's
    ElseFilter instead, QGIS 3.22 draws that rule over every feature."""
    text = sld_document(mixed_spec, family)
    start = text.index("<Rule><Name>other</Name>")
    head, rule = text[:start], text[start:]
    filter_start, filter_end = rule.index("<ogc:Filter>"), rule.index("</ogc:Filter>")
    else_rule = rule[:filter_start] + "<ElseFilter/>" + rule[filter_end + len("</ogc:Filter>") :]
    path = tmp_path / "else.sld"
    path.write_text(head + else_rule, encoding="utf-8")
    table = "misti_punti" if family == "point" else "misti_poligoni"
    probe = POINT_PROBES[0] if family == "point" else POLYGON_PROBES[0]
    layer = {
        "name": "else",
        "uri": f"{mixed_gpkg}|layername={table}",
        "style": "sld",
        "style_path": str(path),
        "extent": EXTENT,
        "size": SIZE,
        "probes": [probe],
    }
    (result,) = run_qgis(SCRIPT, {"layers": [layer]}, tmp_path)["results"]
    alpha = 0.9 if family == "point" else 0.5
    assert not close(result["pixels"][0], blend(COLOURS["a"], alpha))


def test_qgis_applies_the_qml_beside_a_shapefile(tmp_path):
    """The shapefile download's sidecar: QGIS loads `<name>.qml` with the `.shp`, and the
    style's filters name the truncated .dbf fields."""
    spec = mixed_spec_of(LONG)
    shp = write_points(tmp_path)
    fields = list(pyogrio.read_info(shp)["fields"])
    shp.with_suffix(".qml").write_text(
        shapefile_sidecars(spec, "point", fields)["qml"], encoding="utf-8"
    )
    layer = {
        "name": "shp",
        "uri": str(shp),
        "style": "default",
        "extent": EXTENT,
        "size": SIZE,
        "probes": POINT_PROBES,
    }
    (result,) = run_qgis(SCRIPT, {"layers": [layer]}, tmp_path)["results"]
    assert result["renderer"] == "RuleRenderer" and result["rules"][0] == "Stato A"
    assert result["aliases"]["stato_di_a"] == "Stato attuale"
    for got, want in zip(result["pixels"], POINT_EXPECTED, strict=True):
        assert close(got, want), (got, want)
