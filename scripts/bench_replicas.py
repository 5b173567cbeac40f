"""Read replicas on this machine (issue 21, item 5): throughput, staleness, replay lag.

    python3 scripts/bench_replicas.py                      # 1M-feature publish, 10 s runs
    python3 scripts/bench_replicas.py --features 200000 --seconds 5

A primary and a hot standby are made here (scripts/reliability/clusters.py). Three figures:

1. Read throughput (`wrk`, 4 connections, items pages of 100 of a 50,000-point layer) with
   the app on the primary alone and with GEOPORTALE_STORE_READ = the standby, twice each
   (in the order alone, replica, replica, alone). Both
   databases and gunicorn's 2 workers share this machine's cores, so little gain is to be
   expected here: a replica adds capacity when it runs on its own host.
2. The staleness window: a small layer published again and again on the primary (as the CLI
   or another host would); the time until the app, reading from the standby, serves it.
3. The standby's replay lag while `--features` points are published: the WAL distance
   between the primary's current position and the standby's replayed one, sampled every
   0.25 s, and the time from the publish's commit to the standby serving it.

Nothing is asserted: the figures are printed (docs/production.md keeps a run's).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.bench_common import Server, our_env, synthetic_layer, wrk_available, wrk_run  # noqa: E402
from scripts.reliability.clusters import ClustersUnavailable, make_pair, remove  # noqa: E402

READ_FEATURES = 50_000


def _fill(url: str) -> None:
    from app.stores.postgis import PostgisStore

    store = PostgisStore.open_or_create(url)
    try:
        spec, gdf = synthetic_layer(READ_FEATURES, layer_id="letture")
        store.write_layer(spec, gdf)
        spec, gdf = synthetic_layer(10, layer_id="piccolo")
        store.write_layer(spec, gdf)
    finally:
        store.close()


def _count(base: str, layer: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"{base}/api/collections/{layer}/items?limit=1", timeout=30) as r:
        import json

        return json.loads(r.read())["numberMatched"], r.headers.get("Geoportale-Read-From", "")


def throughput(primary_url: str, standby_url: str, seconds: float, work: Path) -> None:
    paths = [f"/api/collections/letture/items?limit=100&offset={o}" for o in range(0, 5000, 100)]
    print(
        "\n1. read throughput: items pages of 100, wrk 1 thread 4 connections, gunicorn 2 workers"
    )
    print("| reads from | req/s | p50 ms | p95 ms | errors |\n|---|---|---|---|---|")
    alone = ("primary alone", {})
    replica = (
        "primary + 1 replica (reads on the replica)",
        {"GEOPORTALE_STORE_READ": standby_url, "GEOPORTALE_LOCK_DIR": str(work / "locks")},
    )
    for label, extra in (alone, replica, replica, alone):  # interleaved: warm-up is fair
        env = our_env(primary_url, **extra)
        with Server("replicas", "app:create_app()", env, workers=2, log_dir=work) as server:
            _, source = _count(server.base, "letture")
            r = wrk_run(server.base, paths, seconds, connections=4)
        errors = r.get("errors", 0) + r.get("non2xx", 0)
        print(
            f"| {label} ({source}) | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {errors} |"
        )


def staleness(primary_url: str, standby_url: str, rounds: int, work: Path) -> None:
    from app.stores.postgis import PostgisStore

    env = our_env(
        primary_url, GEOPORTALE_STORE_READ=standby_url, GEOPORTALE_LOCK_DIR=str(work / "locks")
    )
    store = PostgisStore(primary_url, max_size=1)
    waits, sources = [], set()
    with Server("replicas-stale", "app:create_app()", env, workers=2, log_dir=work) as server:
        for i in range(rounds):
            n = 11 + i
            spec, gdf = synthetic_layer(n, layer_id="piccolo", seed=i)
            store.write_layer(spec, gdf)
            committed = time.monotonic()
            while True:
                count, source = _count(server.base, "piccolo")
                if count == n:
                    waits.append((time.monotonic() - committed) * 1000)
                    sources.add(source)
                    break
                time.sleep(0.005)
            time.sleep(0.3)
    store.close()
    print(f"\n2. staleness window ({rounds} publishes, REPLICA_POLL_MS 500): commit on the primary")
    print(
        f"   to the app serving it: median {statistics.median(waits):.0f} ms, "
        f"max {max(waits):.0f} ms (served by: {', '.join(sorted(sources))})"
    )


def replay_lag(primary_url: str, standby_url: str, features: int) -> None:
    import psycopg

    from app.stores.postgis import PostgisStore

    spec, gdf = synthetic_layer(features, layer_id="grande")
    store = PostgisStore(primary_url, max_size=2)
    samples, done = [], threading.Event()
    committed: list[float] = []

    def publish():
        t0 = time.monotonic()
        store.write_layer(spec, gdf)
        committed.append(time.monotonic())
        committed.append(time.monotonic() - t0)
        done.set()

    with (
        psycopg.connect(primary_url, autocommit=True) as p,
        psycopg.connect(standby_url, autocommit=True) as s,
    ):
        before = int(
            p.execute("SELECT value FROM geoportale.meta WHERE key='generation'").fetchone()[0]
        )
        writer = threading.Thread(target=publish)
        started = time.monotonic()
        writer.start()
        seen_at = None
        while True:
            lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            replayed, generation = s.execute(
                "SELECT pg_last_wal_replay_lsn(), "
                "(SELECT value::bigint FROM geoportale.meta WHERE key='generation')"
            ).fetchone()
            distance = p.execute("SELECT pg_wal_lsn_diff(%s, %s)", (lsn, replayed)).fetchone()[0]
            samples.append(float(distance))
            if generation > before and seen_at is None:
                seen_at = time.monotonic()
            if done.is_set() and seen_at is not None:
                break
            time.sleep(0.25)
        writer.join()
    store.close()
    mb = [x / 2**20 for x in samples]
    print(f"\n3. replay lag while {features:,} points are published on the primary")
    print(
        f"   publish took {committed[1]:.1f} s; WAL not yet replayed by the standby, sampled "
        f"every 0.25 s: median {statistics.median(mb):.1f} MB, max {max(mb):.1f} MB"
    )
    print(
        f"   the standby had the new generation {(seen_at - committed[0]) * 1000:.0f} ms after "
        f"the commit returned ({seen_at - started:.1f} s after the publish began)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", type=int, default=1_000_000, help="points published (3.)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=20, help="publishes timed (2.)")
    args = parser.parse_args(argv)
    reason = wrk_available()
    if reason:
        print(f"not run: {reason}")
        return 1
    try:
        primary, standby, db, work = make_pair(_fill)
    except ClustersUnavailable as exc:
        print(f"not run: {exc}")
        return 1
    scratch = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    try:
        primary_url, standby_url = primary.url(db), standby.url(db)
        throughput(primary_url, standby_url, args.seconds, scratch)
        staleness(primary_url, standby_url, args.rounds, scratch)
        replay_lag(primary_url, standby_url, args.features)
    finally:
        remove(primary, standby, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
