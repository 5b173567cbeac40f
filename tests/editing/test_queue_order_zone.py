"""The georeferencing queue puts features placed in a whole quartiere (no geometry of their
own, by design: issue 17) after those not placed at all."""

from app.editing.queue import importance
from app.registry.spec import LayerSpec


def _spec() -> LayerSpec:
    return LayerSpec.model_validate(
        {
            "id": "x",
            "title": {"it": "X", "en": "X"},
            "group": {"it": "X", "en": "X"},
            "geometry_type": "Point",
            "source": {"path": "x.geojson"},
            "id_field": "id",
            "fields": [
                {"name": "id", "type": "string", "label": {"it": "Id", "en": "Id"}},
                {"name": "precisione", "type": "string", "label": {"it": "P", "en": "P"}},
                {"name": "fonte_posizione", "type": "string", "label": {"it": "F", "en": "F"}},
                {"name": "importo_euro", "type": "number", "label": {"it": "I", "en": "I"}},
            ],
            "editing": {
                "precision_field": "precisione",
                "position_source_field": "fonte_posizione",
            },
            "metadata": {
                "abstract": {"it": "a", "en": "a"},
                "licence": "CC-BY-4.0",
                "lineage": {"it": "l", "en": "l"},
                "updated": "2026-01-01",
            },
        }
    )


def test_whole_quartiere_placements_come_after_the_unplaced():
    spec = _spec()
    rich_but_placed = {"id": "a", "properties": {"precisione": "quartiere", "importo_euro": 9e6}}
    poor_unplaced = {"id": "b", "properties": {"precisione": None, "importo_euro": 1.0}}
    rich_unplaced = {"id": "c", "properties": {"importo_euro": 5e6}}
    order = sorted(
        [rich_but_placed, poor_unplaced, rich_unplaced], key=lambda f: importance(spec, f)
    )
    assert [f["id"] for f in order] == ["c", "b", "a"]
