"""Load during change with the reads on a hot standby (issue 21): `--replica`.

A primary and a hot standby are made on this machine (`clusters.py`: initdb, pg_basebackup
-R, streaming replication); the app runs with GEOPORTALE_STORE = the primary and
GEOPORTALE_STORE_READ = the standby. The load check of `load.py` runs unchanged (two
publishes of `carico` by the CLI on the primary, every response checked for mixed
versions and for an older version after a newer one), and meanwhile the standby is
stopped and started again. Passes when no response is wrong, most reads came from the
standby, and the standby served again after its restart.
"""

from __future__ import annotations

import time
from pathlib import Path

from scripts.reliability.clusters import ClustersUnavailable, make_pair, remove, wait_for
from scripts.reliability.common import Workspace, fill_workspace
from scripts.reliability.load import LoadResult, run_load

POLL_MS = 250


def run_replica(
    root: Path, clients: int, seconds: float, workers: int
) -> tuple[LoadResult | None, str]:
    """(the load result, "") or (None, why the check could not run)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, "")

    def fill(url: str) -> None:
        ws.store = url
        fill_workspace(ws)

    try:
        primary, standby, db, work = make_pair(fill)
    except ClustersUnavailable as exc:
        return None, str(exc)
    ws.store = primary.url(db)
    ws.extra = {
        "STORE_READ": standby.url(db),
        "REPLICA_POLL_MS": str(POLL_MS),
        "LOCK_DIR": str(root / "locks"),
    }

    def restart_standby(t0: float, result: LoadResult) -> None:
        time.sleep(max(0.0, t0 + seconds * 0.3 - time.monotonic()))
        standby.stop("fast")
        result.events.append(f"standby stopped at {time.monotonic() - t0:.1f} s")
        time.sleep(max(1.0, seconds * 0.1))
        standby.start()
        wait_for(lambda: standby.sql("SELECT pg_is_in_recovery()")[0][0], 30, "standby up")
        started = time.monotonic()
        result.events.append(f"standby started again at {started - t0:.1f} s")
        mark = result.sources.get("replica 1", 0)
        try:
            wait_for(lambda: result.sources.get("replica 1", 0) > mark, 15, "standby serving")
            back = time.monotonic() - started
            result.events.append(f"standby serving reads again {back:.1f} s after its start")
        except AssertionError:
            result.events.append("standby NOT serving again within 15 s of its start")
            result.errors += 1

    try:
        result = run_load(ws, clients, seconds, workers, during=restart_standby)
    finally:
        remove(primary, standby, work)
    return result, ""


def replica_ok(result: LoadResult) -> bool:
    return result.ok and result.sources.get("replica 1", 0) > result.sources.get("primary", 0)
