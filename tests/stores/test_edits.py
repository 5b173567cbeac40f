"""Feature edits on both stores: a draft of pending edits over the served version, ETags
against lost updates, validation naming the field, publish as a new version, rollback,
conflicts with a republished layer, history (app/stores/catalog_edits.py)."""

import pytest

from app.errors import (
    DataError,
    EditConflict,
    FeatureExists,
    FeatureNotFound,
    InvalidFeature,
    PreconditionFailed,
    PreconditionRequired,
)
from app.stores.base import Query
from app.stores.edits import FeatureEdit, changes, etag_of

POINT = {"type": "Point", "coordinates": [10.03, 45.14]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[10.0, 45.1], [10.01, 45.1], [10.01, 45.11], [10.0, 45.11], [10.0, 45.1]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[10.0, 45.1], [10.01, 45.11], [10.01, 45.1], [10.0, 45.11], [10.0, 45.1]]],
}


def served_ids(store, spec):
    return [f.id for f in store.query(spec, Query(limit=100)).features]


def test_edits_wait_in_the_draft_until_published(store, spec):
    punti = spec("punti")
    before = store.describe("punti")
    _, tag = store.draft_get(punti, "p6")  # p6 has no geometry: place it
    placed = store.edit(
        punti,
        FeatureEdit("update", "p6", geometry=POINT, properties={"nome": "Sei"}),
        user="ufficio",
        if_match=tag,
    )
    assert placed.feature.geometry["coordinates"] == [10.03, 45.14]
    assert placed.feature.properties["nome"] == "Sei" and placed.etag != tag
    assert placed.draft_of == before.version and placed.published is None
    # The public still reads the served version; the draft has the change.
    assert store.get(punti, "p6").geometry is None
    assert store.draft_get(punti, "p6")[0].properties["nome"] == "Sei"
    assert store.describe("punti") == before
    created = store.edit(
        punti,
        FeatureEdit("create", geometry=POINT, properties={"id": "p7", "nome": "Sette"}),
        user="ufficio",
        if_match=None,
    )
    assert created.feature.id == "p7"
    _, tag1 = store.draft_get(punti, "p1")
    store.edit(punti, FeatureEdit("delete", "p1"), user="ufficio", if_match=tag1)
    with pytest.raises(FeatureNotFound):
        store.draft_get(punti, "p1")
    diff = {c.feature_id: c for c in changes(store.edits("punti"))}
    assert {k: v.kind for k, v in diff.items()} == {"p6": "changed", "p7": "added", "p1": "removed"}
    assert diff["p6"].moved and diff["p6"].fields == ("nome",)

    info = store.publish_edits(punti, "capo")
    assert info.version == before.version + 1 and info.feature_count == 6
    assert served_ids(store, punti) == ["p2", "p3", "p4", "p5", "p6", "p7"]
    assert store.get(punti, "p6").geometry["coordinates"] == [10.03, 45.14]
    assert store.versions("punti")[0].origin == "edit"
    assert store.edits("punti") == []
    assert [r.status for r in store.edits("punti", status=None)] == ["published"] * 3
    history = store.edits("punti", status=None, feature_id="p6")
    assert history[0].before["geometry"] is None and history[0].version == info.version
    actions = [e["action"] for e in store.audit_log("punti", limit=6)]
    assert actions[:5] == ["publish", "stage", "feature-delete", "feature-create", "feature-update"]

    store.rollback("punti", "capo")  # the edits go away again
    assert served_ids(store, punti) == ["p1", "p2", "p3", "p4", "p5", "p6"]


def test_lost_updates_are_refused(store, spec):
    punti = spec("punti")
    _, tag = store.draft_get(punti, "p2")
    with pytest.raises(PreconditionRequired):
        store.edit(
            punti, FeatureEdit("update", "p2", properties={"posti": 1}), user="a", if_match=None
        )
    first = store.edit(
        punti, FeatureEdit("update", "p2", properties={"posti": 1}, set_geometry=False),
        user="a", if_match=tag,
    )  # fmt: skip
    with pytest.raises(PreconditionFailed) as stale:
        store.edit(
            punti, FeatureEdit("update", "p2", properties={"posti": 2}, set_geometry=False),
            user="b", if_match=tag,
        )  # fmt: skip
    assert stale.value.current_etag == first.etag
    assert store.draft_get(punti, "p2")[0].properties["posti"] == 1  # nothing overwritten
    assert len(store.edits("punti")) == 1
    with pytest.raises(FeatureExists):
        store.edit(punti, FeatureEdit("create", properties={"id": "p2"}), user="a", if_match=None)
    with pytest.raises(FeatureNotFound):
        store.edit(punti, FeatureEdit("delete", "ghost"), user="a", if_match='"x"')


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (FeatureEdit("create", geometry=BOWTIE, properties={"codice": 99}), "geometry"),
        (FeatureEdit("create", geometry=SQUARE, properties={"id": "p8"}), "geometry"),
        (FeatureEdit("create", geometry=POINT, properties={"id": "p8", "posti": "molti"}), "posti"),
        (FeatureEdit("create", geometry=POINT, properties={"id": "p8", "colore": "x"}), "colore"),
        (
            FeatureEdit(
                "create",
                geometry={"type": "Point", "coordinates": [700000, 5000000]},
                properties={"id": "p8"},
            ),
            "geometry",
        ),  # fmt: skip
        (FeatureEdit("create", geometry={"type": "Point"}, properties={"id": "p8"}), "geometry"),
        (FeatureEdit("create", geometry=POINT, properties={"id": "p8", "data": "ieri"}), "data"),
    ],
)
def test_bad_features_name_the_field_and_write_nothing(store, spec, change, field):
    layer = spec("zone") if "codice" in change.properties else spec("punti")
    with pytest.raises(InvalidFeature) as refused:
        store.edit(layer, change, user="a", if_match=None)
    assert refused.value.parameter == field
    assert store.edits(layer.id) == [] and store.audit_log(layer.id, limit=1)[0]["action"] != (
        "feature-create"
    )


def test_placement_fills_the_layer_fields_and_stays_in_history(store, spec):
    punti = spec("punti").model_copy(
        update={
            "editing": spec("punti").editing.model_copy(update={"position_source_field": "fonte"})
        }
    )
    _, tag = store.draft_get(punti, "p6")
    done = store.edit(
        punti,
        FeatureEdit(
            "update", "p6", geometry=POINT,
            placement={"precisione": "via", "fonte_posizione": "Tavola 3 del PGT",
                       "via": "Via Dante", "codice_via": "123"},
        ),
        user="ufficio", if_match=tag,
    )  # fmt: skip
    assert done.feature.properties["fonte"] == "Tavola 3 del PGT"
    assert done.record.placement["codice_via"] == "123" and done.record.user == "ufficio"
    with pytest.raises(InvalidFeature):
        store.edit(
            punti, FeatureEdit("update", "p6", placement={"quota": 1}), user="u", if_match="*"
        )


def test_discard(store, spec):
    punti = spec("punti")
    _, tag = store.draft_get(punti, "p3")
    store.edit(punti, FeatureEdit("delete", "p3"), user="a", if_match=tag)
    assert store.discard_edits("punti", "a") == 1
    assert store.draft_get(punti, "p3")[1] == tag
    with pytest.raises(DataError):
        store.publish_edits(punti, "a")


def test_a_republish_meanwhile_conflicts_only_where_the_feature_changed(store, spec):
    punti = spec("punti")
    _, tag2 = store.draft_get(punti, "p2")
    _, tag3 = store.draft_get(punti, "p3")
    store.edit(punti, FeatureEdit("update", "p2", properties={"posti": 7}, set_geometry=False),
               user="a", if_match=tag2)  # fmt: skip
    store.edit(punti, FeatureEdit("update", "p3", properties={"posti": 8}, set_geometry=False),
               user="a", if_match=tag3)  # fmt: skip
    frame = store.frame(punti, Query())
    frame.loc[frame["id"] == "p3", "nome"] = "Cambiato da un import"
    store.write_layer(punti, frame, origin="import", source="import.gpkg", user="b")
    with pytest.raises(EditConflict) as conflict:
        store.publish_edits(punti, "a")
    assert conflict.value.features == ["p3"]
    store.discard_edits("punti", "a", ["p3"])
    store.publish_edits(punti, "a")
    assert store.get(punti, "p2").properties["posti"] == 7
    assert store.get(punti, "p3").properties["nome"] == "Cambiato da un import"


def test_etag_ignores_how_the_store_writes_numbers():
    a = {"geometry": {"type": "Point", "coordinates": [10.1, 45.2]}, "properties": {"x": 1}}
    b = {
        "geometry": {"type": "Point", "coordinates": [10.1000000000001, 45.2]},
        "properties": {"x": 1},
    }
    assert etag_of(a) == etag_of(b) != etag_of(a | {"properties": {"x": 2}})


def test_a_batch_is_written_whole_or_not_at_all(store, spec):
    punti = spec("punti")
    _, tag = store.draft_get(punti, "p6")
    batch = [
        (FeatureEdit("update", "p6", geometry=POINT), tag),
        (FeatureEdit("create", geometry=POINT, properties={"id": "p9"}), None),
        (FeatureEdit("update", "p5", properties={"posti": "tanti"}), "*"),
    ]
    with pytest.raises(InvalidFeature):
        store.edit_many(punti, batch, user="a")
    assert store.edits("punti") == []
    done = store.edit_many(punti, batch[:2], user="a")
    assert [r.feature.id for r in done] == ["p6", "p9"] and len(store.edits("punti")) == 2


def test_a_store_made_before_edits_gains_the_table_when_opened(store, spec, request):
    """Stores built by an earlier release have no edits table: opening one adds it."""
    from app.stores.gpkg import GpkgStore

    if isinstance(store, GpkgStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TABLE geoportale_edits")
        reopened = GpkgStore(store.path)
    else:
        import psycopg

        from app.stores.postgis import PostgisStore

        url = request.getfixturevalue("pg_url")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE geoportale.edits")
        reopened = PostgisStore(url, max_size=2)
    try:
        _, tag = reopened.draft_get(spec("punti"), "p2")
        reopened.edit(spec("punti"), FeatureEdit("delete", "p2"), user="a", if_match=tag)
        assert [r.op for r in reopened.edits("punti")] == ["delete"]
    finally:
        reopened.close()


def test_a_precisione_outside_the_vocabulary_is_refused(store, spec):
    punti = spec("punti")
    with pytest.raises(InvalidFeature) as refused:
        store.edit(
            punti,
            FeatureEdit("update", "p6", geometry=POINT, placement={"precisione": "ovunque"}),
            user="a",
            if_match="*",
        )
    assert refused.value.parameter == "placement.precisione" and store.edits("punti") == []


def test_new_integer_ids_follow_the_highest_in_a_batch_too(store, spec):
    zone = spec("zone")
    top = int(store.frame(zone, Query())["codice"].max())
    made = store.edit_many(
        zone,
        [(FeatureEdit("create", geometry=SQUARE, properties={"nome": n}), None) for n in "ab"],
        user="a",
    )
    assert [r.feature.id for r in made] == [top + 1, top + 2]
    again = store.edit(zone, FeatureEdit("create", geometry=SQUARE), user="a", if_match=None)
    assert again.feature.id == top + 3


def test_pending_counts(store, spec):
    assert store.pending_counts() == {}
    _, tag = store.draft_get(spec("punti"), "p2")
    store.edit(spec("punti"), FeatureEdit("delete", "p2"), user="a", if_match=tag)
    store.edit(
        spec("punti"), FeatureEdit("create", properties={"id": "p8"}), user="a", if_match=None
    )
    assert store.pending_counts() == {"punti": 2}
