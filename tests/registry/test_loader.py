from pathlib import Path

import pytest
import yaml

from app.errors import RegistryError
from app.registry import load_layer_file, load_registry

ROOT = Path(__file__).resolve().parents[2]
GOOD = (Path(__file__).parents[1] / "data" / "layers" / "punti.yaml").read_text()


def write(tmp_path, name, data) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data) if isinstance(data, dict) else data)
    return path


def good() -> dict:
    return yaml.safe_load(GOOD)


def test_good_file_loads(tmp_path):
    spec = load_layer_file(write(tmp_path, "punti", good()))
    assert spec.id == "punti"
    assert spec.title.get("en") == "Test points"
    assert spec.field("posti").type == "integer"
    assert spec.style.categories[0].label.get("it") == "Museo"


def test_plain_string_is_italian_text(tmp_path):
    data = good()
    data["title"] = "Solo italiano"
    spec = load_layer_file(write(tmp_path, "punti", data))
    assert spec.title.get("en") == "Solo italiano"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(colour="#ff0000"), "colour: Extra inputs are not permitted"),
        (lambda d: d["style"].update(color="red"), "style.color"),
        (lambda d: d.pop("metadata"), "metadata: Field required"),
        (lambda d: d.update(geometry_type="Blob"), "geometry_type"),
        (lambda d: d.update(id_field="nope"), "id_field 'nope' is not one of the fields"),
        (lambda d: d.update(popup=["nome", "ghost"]), "popup names unknown fields: ghost"),
        (lambda d: d["fields"].append(dict(d["fields"][0])), "field names repeated: id"),
        (lambda d: d["fields"][1].update(type="text"), "fields.1.type"),
        (lambda d: d["style"].pop("property"), "'categories' needs 'property'"),
        (lambda d: d["metadata"].update(updated="yesterday"), "metadata.updated"),
        (lambda d: d.update(id="Punti!"), "id: String should match pattern"),
    ],
)
def test_bad_file_names_file_and_field(tmp_path, change, message):
    data = good()
    change(data)
    with pytest.raises(RegistryError) as err:
        load_layer_file(write(tmp_path, "punti", data))
    assert err.value.detail.startswith("punti.yaml: ")
    assert message in err.value.detail


def test_id_must_match_file_name(tmp_path):
    with pytest.raises(RegistryError, match="must match the file name 'altro'"):
        load_layer_file(write(tmp_path, "altro", good()))


def test_not_yaml_and_not_mapping(tmp_path):
    with pytest.raises(RegistryError, match="bad.yaml: not valid YAML"):
        load_layer_file(write(tmp_path, "bad", "id: [unclosed"))
    with pytest.raises(RegistryError, match="list.yaml: expected a mapping"):
        load_layer_file(write(tmp_path, "list", "- a\n- b\n"))


def test_registry_reports_every_bad_file_and_missing_source(tmp_path):
    write(tmp_path, "punti", good())  # its source does not exist under tmp_path
    data = good()
    data["id"] = "altro"
    data["nope"] = 1
    write(tmp_path, "altro", data)
    with pytest.raises(RegistryError) as err:
        load_registry(tmp_path, tmp_path)
    assert "altro.yaml: nope: Extra inputs are not permitted" in err.value.detail
    assert "punti.yaml: source.path: file not found: geodata/punti.geojson" in err.value.detail


def test_registry_orders_layers(fixture_registry):
    assert [s.id for s in fixture_registry.layers] == ["zone", "punti"]


def test_shipped_layer_files_are_valid():
    registry = load_registry(ROOT / "layers", ROOT)
    assert registry.get("confine") is not None
