"""CQL2 filters evaluated by the store: every operator, NULL semantics, spatial predicates."""

import signal
from contextlib import contextmanager

import pytest

from app.errors import InvalidParameter
from app.stores.base import Query
from app.stores.cql2 import parse_filter


def ids(store, spec, text, lang=None, **kw):
    tree = parse_filter(text, lang, spec, **kw)
    page = store.query(spec, Query(filter=tree, limit=100))
    got = [f.id for f in page.features]
    assert page.number_matched == len(got)
    return got


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tipo = 'museo'", ["p1", "p3", "p6"]),
        ("tipo <> 'museo'", ["p2", "p4", "p5"]),
        ("posti > 80", ["p1", "p5"]),
        ("posti >= 80 AND posti <= 120", ["p1", "p2"]),
        ("80 < posti", ["p1", "p5"]),
        ("punteggio < 1", ["p4", "p6"]),
        ("aperto = TRUE", ["p1", "p4", "p6"]),
        ("aperto = false", ["p2", "p5"]),
        ("nome LIKE 'Punto t%'", ["p3"]),
        ("nome LIKE 'punto%'", []),
        ("CASEI(nome) LIKE CASEI('punto c%')", ["p5"]),
        ("nome LIKE 'Punto _no'", ["p1"]),
        ("nome LIKE 'Punto __no'", []),
        ("nome LIKE 'Punto u_o'", ["p1"]),
        ("tipo IN ('teatro', 'biblioteca')", ["p2", "p4", "p5"]),
        ("tipo NOT IN ('museo')", ["p2", "p4", "p5"]),
        ("posti BETWEEN 10 AND 100", ["p2", "p4"]),
        ("posti NOT BETWEEN 10 AND 100", ["p1", "p5", "p6"]),
        ("posti IS NULL", ["p3"]),
        ("posti IS NOT NULL", ["p1", "p2", "p4", "p5", "p6"]),
        ("data > DATE('2023-01-01')", ["p1", "p2"]),
        ("NOT (posti > 100)", ["p2", "p4", "p6"]),  # p3 (NULL) is unknown: not selected
        ("tipo = 'museo' OR posti > 200", ["p1", "p3", "p5", "p6"]),
        ("nome = 'l''aperto'", []),
    ],
)
def test_attribute_filters(store, spec, text, expected):
    assert ids(store, spec("punti"), text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "S_INTERSECTS(geometry, POLYGON((10.015 45.13, 10.027 45.13, 10.027 45.137, "
            "10.015 45.137, 10.015 45.13)))",
            ["p1", "p2"],
        ),
        ("S_WITHIN(geometry, BBOX(10.0, 45.12, 10.05, 45.15))", ["p1", "p2", "p3"]),
        ("S_INTERSECTS(geometry, ENVELOPE(10.0 45.12 10.05 45.15))", ["p1", "p2", "p3"]),
        ("NOT S_WITHIN(geometry, BBOX(10.0, 45.12, 10.05, 45.15))", ["p4", "p5"]),
        ("S_DISJOINT(geometry, BBOX(10.0, 45.12, 10.05, 45.15))", ["p4", "p5"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 600)", ["p1", "p2"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 500)", ["p1"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 100, meters)", ["p1"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 1.2, km)", ["p1", "p2", "p3"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 600) AND tipo = 'teatro'", ["p2"]),
        ("S_DWITHIN(geometry, POINT(10.02 45.133), 600) OR posti IS NULL", ["p1", "p2", "p3"]),
    ],
)
def test_spatial_filters(store, spec, text, expected):
    assert ids(store, spec("punti"), text) == expected


def test_polygon_predicates(store, spec):
    zone = spec("zone")
    assert ids(store, zone, "S_CONTAINS(geometry, POINT(10.01 45.15))") == [1]
    assert ids(store, zone, "S_INTERSECTS(geometry, LINESTRING(10.01 45.11, 10.07 45.13))") == [
        2,
        3,
    ]
    assert ids(store, zone, "S_CROSSES(geometry, LINESTRING(10.01 45.15, 10.03 45.15))") == [1]


def test_cql2_json(store, spec):
    s = spec("punti")
    doc = (
        '{"op": "and", "args": [{"op": "=", "args": [{"property": "tipo"}, "museo"]}, '
        '{"op": "s_intersects", "args": [{"property": "geometry"}, '
        '{"bbox": [10.0, 45.12, 10.05, 45.15]}]}]}'
    )
    assert ids(store, s, doc, "cql2-json") == ["p1", "p3"]
    dwithin = (
        '{"op": "s_dwithin", "args": [{"property": "geometry"}, '
        '{"type": "Point", "coordinates": [10.02, 45.133]}, 600]}'
    )
    assert ids(store, s, dwithin, "cql2-json") == ["p1", "p2"]
    like = '{"op": "like", "args": [{"property": "nome"}, "Punto d%"]}'
    assert ids(store, s, like, "cql2-json") == ["p2"]


def test_filter_crs_axis_order(store, spec):
    s = spec("punti")
    # EPSG:4326 by URI: latitude first.
    text = "S_INTERSECTS(geometry, BBOX(45.13, 10.015, 45.137, 10.027))"
    assert ids(store, s, text, filter_crs="http://www.opengis.net/def/crs/EPSG/0/4326") == [
        "p1",
        "p2",
    ]
    # EPSG:7791 metres: a 200 m square around p1.
    text = "S_INTERSECTS(geometry, BBOX(580100, 4998100, 580300, 4998300))"
    assert ids(store, s, text, filter_crs="http://www.opengis.net/def/crs/EPSG/0/7791") == ["p1"]


def test_spatial_filter_uses_the_index(store, spec):
    from app.stores.gpkg import GpkgStore

    if not isinstance(store, GpkgStore):
        pytest.skip("GeoPackage-specific (PostGIS: test_postgis_plans_use_the_gist_index)")
    s = spec("punti")
    seen = []
    conn = store._conn()
    conn.set_trace_callback(seen.append)
    ids(store, s, "S_DWITHIN(geometry, POINT(10.02 45.133), 500)")
    conn.set_trace_callback(None)
    candidates = next(q for q in seen if "SELECT t.fid, t.geom" in q)
    assert "rtree_punti__v1_geom" in candidates


@pytest.mark.parametrize(
    "text, message",
    [
        ("ghost = 1", "unknown property 'ghost'; queryables of 'punti'"),
        ("posti = 'many'", "'many' is not a integer"),
        ("nome =", "cannot be parsed as cql2-text"),
        ("S_INTERSECTS(nome, POINT(1 2))", "compare the 'geometry' property"),
        ("S_DWITHIN(geometry, POINT(1 2), -1)", "S_DWITHIN needs a distance"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 1, 1 0, 0 1, 0 0)))", "geometry is not valid"),
        ("nome = 'x'; DROP TABLE punti__v1", "cannot be parsed"),
        ("x" * 20001, "too long"),
    ],
)
def test_bad_filters(spec, text, message):
    with pytest.raises(InvalidParameter, match=message) as err:
        parse_filter(text, None, spec("punti"))
    assert err.value.parameter == "filter"


def test_frame_matches_query(store, spec):
    """The bulk read gives the same features, typed, as paging through query()."""
    s = spec("punti")
    for text in (None, "tipo = 'museo'", "S_DWITHIN(geometry, POINT(10.02 45.133), 600)"):
        tree = parse_filter(text, None, s) if text else None
        frame = store.frame(s, Query(filter=tree))
        page = store.query(s, Query(filter=tree, limit=100))
        assert list(frame["id"]) == [f.id for f in page.features], text
        assert frame.crs.equals("OGC:CRS84")
    frame = store.frame(s, Query())
    p1 = frame[frame["id"] == "p1"].iloc[0]
    assert (p1.geometry.x, p1.geometry.y) == (10.02, 45.133)
    assert bool(p1["aperto"]) and p1["posti"] == 120
    assert frame.geometry.isna().sum() == 1


@contextmanager
def _within(seconds: int):
    """Fail (rather than hang) if the block runs longer than `seconds`: Python's regex
    engine and SQLite both check for signals, so the old exponential LIKE is stopped too.
    The bound is generous; the linear matcher takes milliseconds."""

    def stop(*_):
        raise TimeoutError(f"LIKE still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("%" * 40 + "#", []),  # exponential with `.*` per `%`: 19 s with five, on 250 rows
        ("%" * 30 + "P%u%n%t%o%" + "%" * 30 + "o", ["p1", "p4"]),  # uno, quattro
        ("%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%_%#", []),
        ("P" + "%" * 60 + "_no", ["p1"]),
    ],
)
def test_pathological_like_is_answered_on_both_stores(store, spec, pattern, expected):
    with _within(20):
        assert ids(store, spec("punti"), f"nome LIKE '{pattern}'") == expected
        tree = parse_filter(f"CASEI(nome) LIKE CASEI('{pattern.lower()}')", None, spec("punti"))
        assert tree[0] == "like" and tree[3] is True
        assert ids(store, spec("punti"), f"CASEI(nome) LIKE '{pattern.lower()}'") == expected


def test_the_tree_is_named_nodes(spec):
    """The walkers read fields by name (`node.field`), not by position."""
    from app.stores.filter_tree import And, Cmp, In, Like, Not, Or

    text = "posti > 10 AND NOT (nome LIKE 'A%') OR tipo IN ('museo', 'teatro')"
    tree = parse_filter(text, None, spec("punti"))
    assert isinstance(tree, Or) and tree.rhs == In("tipo", ("museo", "teatro"))
    both = tree.lhs
    assert isinstance(both, And) and both.lhs == Cmp(">", "posti", 10)
    assert isinstance(both.rhs, Not) and isinstance(both.rhs.operand, Like)
    assert both.rhs.operand.field == "nome" and not both.rhs.operand.nocase


def test_every_grammar_extension_applies():
    """Each extension of pygeofilter's grammar is in the parser: S_DWITHIN, '' inside
    strings, one-letter property names."""
    from app.stores.cql2_text import text_parser

    parser = text_parser()
    assert (
        type(parser.parse("S_DWITHIN(geometry, POINT(10 45), 5, m)")).__name__ == "DistanceWithin"
    )
    assert parser.parse("x = 'it''s'").rhs == "it's"


def test_a_changed_upstream_grammar_fails_loudly():
    from app.stores.cql2_text import patch

    assert patch("a: 1\nb: 2\n", "b: 2", "b: 3") == "a: 1\nb: 3\n"
    with pytest.raises(RuntimeError, match="grammar changed: expected 'c: 4' once, found it 0"):
        patch("a: 1\nb: 2\n", "c: 4", "c: 5")
