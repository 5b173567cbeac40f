"""Which features of A relate to some feature of B, in bounded memory and bounded work.

`STRtree.query(geoms, predicate)` returns every matching (A, B) pair at once as two int64
arrays: a dwithin self-join with a large distance made 25 M pairs for 5k x 5k points
(0.8 GB) and grew past 10 GB on a 900k-point layer. A cross-layer query needs only, for each
feature of A, whether some B matches, so pairs are never all kept:

- dwithin (distance > 0): the distance of each feature of A to its nearest B, compared
  with `distance`: one answer per feature of A, no pairs at all, and the same work whatever
  the distance (beyond is its complement);
- intersects, within, contains (and disjoint, the complement of intersects): A is queried in
  chunks small enough that one chunk returns at most max(CHUNK_PAIRS, |B|) pairs; each
  chunk's pairs become marks in a boolean mask and are dropped. The pairs are counted as
  they come, and past `max_pairs` the query stops with a LimitExceeded (400) naming
  GEOPORTALE_MAX_PAIRS: that bounds the predicate work, which memory no longer does.
"""

from __future__ import annotations

import numpy as np
import shapely

from app.errors import LimitExceeded

#: Pairs one chunk may return: 1 M pairs are 16 MB of indices.
CHUNK_PAIRS = 1_000_000


def pairs_limit(max_pairs: int) -> LimitExceeded:
    """The problem of a query relating more than `max_pairs` pairs."""
    return LimitExceeded(
        f"La query mette in relazione più di {max_pairs} coppie di elementi: restringila con "
        f"filter o reference_filter. / The query relates more than {max_pairs} pairs of "
        f"features (limit GEOPORTALE_MAX_PAIRS={max_pairs}): narrow it with filter or "
        "reference_filter.",
        "filter",
        "MAX_PAIRS",
        max_pairs,
    )


def matched(
    tree: shapely.STRtree,
    geoms: np.ndarray,
    predicate: str,
    distance: float = 0.0,
    max_pairs: int | None = None,
    chunk_pairs: int | None = None,
) -> np.ndarray:
    """Mask over `geoms`: True where some geometry of `tree` is in `predicate` relation.

    `predicate` is one of intersects, within, contains, dwithin (with `distance`);
    `chunk_pairs` defaults to CHUNK_PAIRS.
    """
    hit = np.zeros(len(geoms), dtype=bool)
    if len(geoms) == 0 or len(tree) == 0:
        return hit
    if predicate == "dwithin" and distance > 0:
        # unbounded on purpose: a search within max_distance visits every B inside the
        # distance (quadratic again for a large one); the nearest alone is O(log |B|)
        (index, _), nearest = tree.query_nearest(geoms, all_matches=False, return_distance=True)
        hit[index[nearest <= distance]] = True
        return hit
    if predicate == "dwithin":  # within 0 m: touching, and max_distance must be > 0
        predicate = "intersects"
    step = max(1, (chunk_pairs or CHUNK_PAIRS) // len(tree))
    seen = 0
    for start in range(0, len(geoms), step):
        found = tree.query(geoms[start : start + step], predicate=predicate)
        seen += found.shape[1]
        if max_pairs is not None and seen > max_pairs:
            raise pairs_limit(max_pairs)
        hit[start + found[0]] = True
    return hit
