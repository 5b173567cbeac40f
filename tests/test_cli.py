import shutil

from app import create_app
from tests.conftest import DATA


def test_layers_validate_ok(runner):
    result = runner.invoke(args=["layers", "validate"])
    assert result.exit_code == 0, result.output
    assert "2 layer files valid" in result.output
    assert "punti" in result.output


def test_layers_validate_names_file_and_field(tmp_path):
    shutil.copytree(DATA / "layers", tmp_path / "layers")
    bad = tmp_path / "layers" / "zone.yaml"
    bad.write_text(bad.read_text().replace("geometry_type: MultiPolygon", "geometry_type: Blob"))
    app = create_app(
        {
            "LAYERS_DIR": str(tmp_path / "layers"),
            "DATA_ROOT": str(DATA),
            "STORE": str(tmp_path / "s.gpkg"),
        }
    )
    result = app.test_cli_runner().invoke(args=["layers", "validate"])
    assert result.exit_code == 1
    assert "zone.yaml: geometry_type:" in result.output
    # The app started anyway and explains itself on every request.
    r = app.test_client().get("/api/collections")
    assert r.status_code == 503
    assert "zone.yaml: geometry_type" in r.get_json()["detail"]


def test_geodata_build(runner, app, tmp_path):
    result = runner.invoke(args=["geodata", "build"])
    assert result.exit_code == 0 and "unchanged: zone, punti" in result.output
    result = runner.invoke(args=["geodata", "build", "--force"])
    assert result.exit_code == 0, result.output
    assert "punti" in result.output and "6 features  published" in result.output


def test_geodata_report_on_the_shipped_data():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    app = create_app(
        {"DATA_ROOT": str(root), "STORE": "/nonexistent/never-built.gpkg", "AUTO_BUILD": False}
    )
    result = app.test_cli_runner().invoke(args=["geodata", "report", "--json"])
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(result.output)
    assert {"confine", "quartieri", "interventi", "cultura"} <= set(doc)
    for layer, counts in doc.items():
        assert counts["senza_fonte"] == 0, layer
        assert counts["geometrie_non_valide"] == 0, layer
