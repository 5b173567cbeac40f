"""Cross-layer matching, every pair at once (before) against bounded matching (now).

    python scripts/bench_pairs.py [N] [DISTANCE_M]

N random points in a 10 km square joined with themselves within DISTANCE_M (default 5000
points, 100 km: every pair matches, the case of issue 14). Each way runs in its own process so
its peak memory (ru_maxrss) is its own; both must find the same features.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(way: str, n: int, distance: float) -> None:
    import numpy as np
    import shapely

    if way == "now":  # imported before measuring: the app's imports are not the matching
        sys.path.insert(0, str(ROOT))
        from app.analysis.pairs import matched
    rng = np.random.default_rng(14)
    geoms = shapely.points(rng.uniform(0, 10_000, size=(n, 2)))
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    tree = shapely.STRtree(geoms)
    if way == "before":  # what crosslayer.py did: one array of every matching pair
        idx, _ = tree.query(geoms, predicate="dwithin", distance=distance)
        hit = np.zeros(n, dtype=bool)
        hit[np.unique(idx)] = True
    else:
        hit = matched(tree, geoms, "dwithin", distance, max_pairs=2_000_000)
    seconds = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024
    print(f"{way:6s}  {n}x{n}  {seconds:6.2f} s  +{peak:7.1f} MB peak  matched {int(hit.sum())}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    distance = float(sys.argv[2]) if len(sys.argv) > 2 else 100_000.0
    for way in ("before", "now"):
        subprocess.run([sys.executable, __file__, "--run", way, str(n), str(distance)], check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        run(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        main()
