"""Cross-layer matching never holds every (A, B) pair: its memory is bounded by construction."""

import numpy as np
import pytest
import shapely

from app.analysis.crosslayer import CrossQuery, run_cross_query
from app.analysis.pairs import matched
from app.errors import LimitExceeded
from tests.analysis.conftest import lookup

BOTH_STORES = True  # the store tests here run on GeoPackage and on PostGIS


@pytest.fixture
def spy(monkeypatch):
    """The size of every pair array STRtree.query returns (the memory a query holds)."""
    sizes = []
    query = shapely.STRtree.query

    def counting(self, geometry, *args, **kwargs):
        found = query(self, geometry, *args, **kwargs)
        sizes.append(found.shape[-1])
        return found

    monkeypatch.setattr(shapely.STRtree, "query", counting)
    return sizes


def grid(n: int) -> np.ndarray:
    return shapely.points(np.array([(x * 10.0, y * 10.0) for x in range(n) for y in range(n)]))


def test_dwithin_relates_no_pairs(spy):
    # 400 x 400 points all within 1 km of each other: 160,000 pairs if materialised
    geoms = grid(20)
    hit = matched(shapely.STRtree(geoms), geoms, "dwithin", 1000.0, max_pairs=10)
    assert hit.all() and spy == []
    far = matched(shapely.STRtree(geoms[:1]), geoms, "dwithin", 15.0)
    assert far.sum() == 4  # (0,0) itself, (0,10), (10,0) and (10,10) at 14.1 m


@pytest.mark.parametrize("predicate", ["intersects", "within", "contains"])
def test_predicates_in_bounded_chunks(spy, predicate):
    cells = shapely.buffer(grid(12), 6.0)  # overlapping discs: each meets its neighbours
    tree = shapely.STRtree(cells)
    relate = getattr(shapely, predicate)
    expected = np.array([relate(g, cells).any() for g in cells])
    hit = matched(tree, cells, predicate, chunk_pairs=len(cells) * 3)
    assert (hit == expected).all()
    # 3 inputs per chunk: no call holds more than chunk_pairs pairs (all of them: ~670)
    assert len(spy) == len(cells) // 3 and max(spy) <= len(cells) * 3


def test_pair_count_stops_at_the_limit():
    cells = shapely.buffer(grid(10), 6.0)
    tree = shapely.STRtree(cells)
    with pytest.raises(LimitExceeded) as err:
        matched(tree, cells, "intersects", max_pairs=50)
    assert err.value.members() == {"limit": "GEOPORTALE_MAX_PAIRS", "maximum": 50}
    assert "GEOPORTALE_MAX_PAIRS=50" in err.value.detail
    assert matched(tree, cells, "intersects", max_pairs=10_000).all()


def test_cross_query_pairs_limit(planner_store):
    lookup_ = lookup(planner_store)
    # zone z1 contains a and b, z2 contains c: three pairs
    q = CrossQuery(layer="zone_p", reference="punti_p", predicate="contains")
    assert sorted(run_cross_query(planner_store, lookup_, q, max_pairs=3).frame["id"]) == [
        "z1",
        "z2",
    ]
    with pytest.raises(LimitExceeded):
        run_cross_query(planner_store, lookup_, q, max_pairs=2)
    # a self-join within 100 km relates 4 x 4 pairs, but dwithin counts none
    near = CrossQuery(layer="punti_p", reference="punti_p", predicate="dwithin", distance=1e5)
    assert len(run_cross_query(planner_store, lookup_, near, max_pairs=1).frame) == 4
