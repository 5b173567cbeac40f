"""Run the reliability checks and print the figures (see scripts/reliability/).

    python3 scripts/check_reliability.py                    # everything: 50 clients x 60 s
    python3 scripts/check_reliability.py --clients 8 --seconds 5 --kills 1   # a short run
    python3 scripts/check_reliability.py --only load,hostile
    python3 scripts/check_reliability.py --only login --logins 100   # the login rate limit
    python3 scripts/check_reliability.py --postgis postgresql://postgres@127.0.0.1/postgres
    python3 scripts/check_reliability.py --only none --replica --clients 8 --seconds 20

Exit status 0 when every check passed, 1 otherwise. `--postgis` runs the load, the kills,
the read-API fuzz and the cost check on a fresh PostGIS database made through that (admin)
URL as well; `--replica` adds the load check with the reads on a hot standby of a
primary, both made on this machine, the standby stopped and restarted mid-run. `cost`: costly and malformed reads (backtracking LIKEs, NUL bytes, deep
nesting, bad dates) sent without pause to gunicorn while cheap requests are timed; it
reports the workers gunicorn killed ("stalled workers").
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scripts.reliability.common import make_workspace  # noqa: E402

CHECKS = ("load", "kills", "environment", "hostile", "fuzz", "cost", "login")


def _section(title: str, lines: list[str], ok: bool) -> None:
    print(f"\n== {title}: {'ok' if ok else 'FAILED'}")
    for line in lines:
        print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (load)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load run")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--kills", type=int, default=5, help="kill -9 rounds mid-import")
    parser.add_argument("--logins", type=int, default=100, help="parallel logins (login)")
    parser.add_argument(
        "--cost-seconds", type=float, default=20, help="length of the cost check's run"
    )
    parser.add_argument("--only", default=",".join(CHECKS), help="comma-separated checks")
    parser.add_argument("--postgis", help="admin URL of a PostgreSQL server with PostGIS")
    parser.add_argument(
        "--replica",
        action="store_true",
        help="also the load check with reads on a hot standby made here (a primary and a "
        "standby cluster, stopped and restarted mid-run)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    logging.basicConfig(level=logging.CRITICAL)  # the checks report; the app's logs would drown it
    warnings.simplefilter("ignore")
    work = Path(tempfile.mkdtemp(prefix="geoportale-reliability-"))
    started = time.monotonic()
    figures = {"requests": 0, "errors": 0, "tried": 0, "clean": 0, "lost": 0, "stalled": 0}
    results = []
    stores = [("GeoPackage", None)] + ([("PostGIS", args.postgis)] if args.postgis else [])
    try:
        for label, pg in stores:
            if "load" in only:
                from scripts.reliability.load import run_load

                ws = make_workspace(work / f"load-{label}", pg)
                try:
                    r = run_load(ws, args.clients, args.seconds, args.workers)
                finally:
                    ws.close()
                figures["requests"] += r.requests
                figures["errors"] += r.errors
                results.append(r.ok)
                _section(f"load during change ({label})", r.lines(), r.ok)
            if "kills" in only:
                from scripts.reliability.faults import run_kills

                ws = make_workspace(work / f"kills-{label}", pg)
                try:
                    fresh = lambda label=label, pg=pg: make_workspace(  # noqa: E731
                        work / f"kills-publish-{label}", pg
                    )
                    r = run_kills(ws, fresh, rounds=args.kills)
                finally:
                    ws.close()
                figures["lost"] += r.lost
                results.append(r.ok)
                _section(f"kill -9 mid-change ({label})", r.lines(), r.ok)
            if "fuzz" in only:
                from scripts.reliability.fuzz import run_fuzz

                ws = make_workspace(work / f"fuzz-{label}", pg)
                try:
                    r = run_fuzz(ws)
                finally:
                    ws.close()
                figures["requests"] += r.requests
                figures["errors"] += len(r.server_errors) + len(r.leaks)
                results.append(r.ok)
                _section(f"read API fuzz ({label})", r.lines(), r.ok)
            if "cost" in only:
                from scripts.reliability.cost import run_cost

                ws = make_workspace(work / f"cost-{label}", pg)
                try:
                    r = run_cost(ws, args.cost_seconds, workers=args.workers)
                finally:
                    ws.close()
                figures["requests"] += sum(r.costly.values()) + len(r.cheap)
                figures["errors"] += 0 if r.ok else 1
                figures["stalled"] += r.killed
                results.append(r.ok)
                _section(f"costly requests never stall a worker ({label})", r.lines(), r.ok)
        if args.replica:
            from scripts.reliability.replica import replica_ok, run_replica

            r, why = run_replica(work / "replica", args.clients, args.seconds, args.workers)
            if r is None:
                _section("load during change, reads on a standby", [f"not run: {why}"], False)
                results.append(False)
            else:
                figures["requests"] += r.requests
                figures["errors"] += r.errors
                results.append(replica_ok(r))
                _section("load during change, reads on a standby", r.lines(), replica_ok(r))
        if "environment" in only:
            from scripts.reliability.environment import run_environment

            r = run_environment(work / "environment")
            figures["lost"] += r.lost
            results.append(r.ok)
            _section("disk full, read-only, bad stores at start", r.lines(), r.ok)
        if "hostile" in only:
            from scripts.reliability.hostile import run_hostile

            for label, pg in stores:  # every store: a refused upload must change none
                ws = make_workspace(work / f"hostile-{label}", pg)
                for r in run_hostile(ws, work / "corpus"):
                    figures["tried"] += r.tried
                    figures["clean"] += r.clean
                    figures["lost"] += len(r.lost)
                    results.append(r.ok)
                    _section(f"hostile input ({label})", r.lines(), r.ok)
        if "login" in only:
            from scripts.reliability.login import run_login

            ws = make_workspace(work / "login")
            try:
                r = run_login(ws, args.logins, args.workers)
            finally:
                ws.close()
            figures["requests"] += 2 * args.logins
            figures["errors"] += len(r.errors)
            results.append(r.ok)
            _section("login rate limit and session revocation", r.lines(), r.ok)
    finally:
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    print(
        f"\nrequests: {figures['requests']}, errors: {figures['errors']}, inputs tried: "
        f"{figures['tried']}, inputs rejected cleanly: {figures['clean']}, data lost: "
        f"{figures['lost']}, stalled workers: {figures['stalled']}  "
        f"({time.monotonic() - started:.0f} s)"
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
