"""What the HTTP benchmarks share: servers under gunicorn, throw-away databases, load, data.

- `Server` runs one WSGI app under gunicorn in its own process group, waits until it answers
  and stops it (and only it) on exit.
- `scratch_database` creates a PostGIS database for one run and drops it afterwards.
- `wrk_run` drives a server with Debian's `wrk` (`apt-get install -y wrk`) over a list of
  paths, cycling through them, and returns requests/s and latency percentiles.
- `sequential_latencies` times requests one after the other on one keep-alive connection.
- `synthetic_layer` makes seeded points or polygons spread over the province of Cremona.

Nothing here asserts a figure: the scripts print them (principle 8 of docs/DESIGN.md).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ALESSANDRIA = SHARED / "reference-geodata" / "comune-alessandria-opendata" / "numeri-civici.gpkg"
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The province of Cremona, lon/lat (the synthetic layers are spread over it).
PROVINCE = (9.43, 44.90, 10.52, 45.65)
KINDS = ("museo", "teatro", "biblioteca", "scuola", "parco")


def pct(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); the value itself for a single sample."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(database: str) -> str:
    """The admin URL with another database name."""
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{database}"


@contextlib.contextmanager
def scratch_database(name: str):
    """A fresh PostGIS database `name` for this run (dropped afterwards); yields its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = pg_url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield url
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available() -> str | None:
    """None if the PostGIS server answers, else the reason it cannot be used."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 (any connection problem means: skip)
        return f"PostgreSQL not reachable at {PG_ADMIN} ({type(exc).__name__})"
    return None


def our_env(store: str, **extra: str) -> dict[str, str]:
    """Environment for our app on `store`, never building anything at start."""
    env = dict(os.environ)
    env.update(
        GEOPORTALE_STORE=str(store),
        GEOPORTALE_AUTO_BUILD="false",
        GEOPORTALE_BASEMAP="none",
        **extra,
    )
    return env


def flask_cli(store: str, *args: str) -> float:
    """Run `flask --app app ARGS` on `store` from the repository; returns seconds taken."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=our_env(store),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


_BUILD = """
import sys; sys.path.insert(0, {root!r})
from pathlib import Path
from app.registry.loader import load_registry
from app.stores.build import sync_shipped
root = Path({root!r})
target = {store!r} if {store!r}.startswith("postgresql://") else Path({store!r})
sync_shipped(load_registry(root / "layers", root), root, root / "layers", target)
"""


def build_shipped(store: str) -> float:
    """Load the shipped Cremona layers into `store` (what `flask geodata build` does).

    Called as the function, not the command: at this commit `flask geodata build` turns a
    `postgresql://` STORE into a Path ("postgresql:/...") and writes a GeoPackage of that
    name in the working directory instead of filling the database.
    """
    t0 = time.perf_counter()
    code = _BUILD.format(root=str(ROOT), store=str(store))
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=our_env(store), check=True)
    return time.perf_counter() - t0


class Server:
    """`gunicorn APP` on a free local port, in its own process group; a context manager."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict[str, str],
        workers: int,
        python: str = sys.executable,
        ready_path: str = "/",
        cwd: Path = ROOT,
        log_dir: Path | None = None,
        port: int | None = None,
    ):
        self.name, self.app, self.env, self.workers = name, app, env, workers
        self.python, self.ready_path, self.cwd = python, ready_path, cwd
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (log_dir or Path(tempfile.gettempdir())) / f"bench-{name}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        cmd = [
            self.python, "-m", "gunicorn", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning",
            "--timeout", "120", self.app,
        ]  # fmt: skip
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=self.cwd, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            self.__exit__(None, None, None)
            raise RuntimeError(f"{self.name} did not answer in 90 s; see {self.log}")
        # every worker imports lazily: touch the ready path a few times more
        for _ in range(self.workers * 3):
            urllib.request.urlopen(self.base + self.ready_path, timeout=30).read()
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


_WRK_LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = (i % #paths) + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p95\\": %f, "
    .. "\\"p99\\": %f, \\"non2xx\\": %d, \\"errors\\": %d, \\"bytes\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, e.status,
    e.connect + e.read + e.write + e.timeout, summary.bytes))
end
"""


def wrk_available() -> str | None:
    return None if shutil.which("wrk") else "wrk not installed (apt-get install -y wrk)"


def wrk_run(
    base: str, paths: list[str], seconds: float, connections: int, threads: int = 1
) -> dict:
    """Drive `base` with wrk cycling through `paths`; req/s, p50/p95/p99 ms, errors."""
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(_WRK_LUA)
        listing.write_text("\n".join(paths) + "\n")
        out = subprocess.run(
            [
                "wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
                "-s", str(script), base,
            ],
            env={**os.environ, "BENCH_PATHS": str(listing)},
            capture_output=True, text=True,
        )  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed: {out.stderr.strip() or out.stdout.strip()}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCHJSON "))
    doc = json.loads(line.removeprefix("BENCHJSON "))
    doc["rps"] = doc["requests"] / doc["seconds"]
    return doc


def sequential_latencies(
    base: str, paths: list[str], headers: dict | None = None
) -> list[tuple[float, int, int]]:
    """Each path once, in order, on one keep-alive connection: (ms, status, body bytes)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    out = []
    try:
        for path in paths:
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            body = resp.read()
            out.append(((time.perf_counter() - t0) * 1000, resp.status, len(body)))
    finally:
        conn.close()
    return out


def synthetic_layer(n: int, kind: str = "point", seed: int = 2026, layer_id: str | None = None):
    """A seeded layer of `n` points or small polygons (about 60-200 m across, 5-9 vertices)
    spread uniformly over the province of Cremona; returns (LayerSpec, GeoDataFrame)."""
    import geopandas as gpd
    import shapely

    sys.path.insert(0, str(ROOT))
    from app.registry.spec import LayerSpec

    rng = np.random.default_rng(seed)
    lon = rng.uniform(PROVINCE[0], PROVINCE[2], n)
    lat = rng.uniform(PROVINCE[1], PROVINCE[3], n)
    if kind == "point":
        geoms = gpd.points_from_xy(lon, lat)
        gtype = "Point"
    else:
        verts = 7
        # evenly spaced angles, jittered: star-shaped around the centre, hence simple
        step = 2 * np.pi / verts
        angles = np.arange(verts) * step + rng.uniform(-0.3, 0.3, (n, verts)) * step
        radius = rng.uniform(0.0004, 0.0012, (n, verts))  # degrees: ~30-90 m
        xs = lon[:, None] + radius * np.cos(angles) * 1.4  # about square on the ground
        ys = lat[:, None] + radius * np.sin(angles)
        rings = np.stack([xs, ys], axis=-1)
        rings = np.concatenate([rings, rings[:, :1]], axis=1)  # closed
        geoms = shapely.polygons(rings)
        gtype = "Polygon"
    layer_id = layer_id or f"sint_{kind}"
    spec = LayerSpec.model_validate(
        {
            "id": layer_id,
            "title": f"Sintetico ({kind}, {n:,})",
            "group": "Benchmark",
            "geometry_type": gtype,
            "source": {"path": "synthetic"},
            "id_field": "id",
            "title_field": "nome",
            "fields": [
                {"name": "id", "type": "integer", "label": "Codice"},
                {"name": "nome", "type": "string", "label": "Nome"},
                {"name": "tipo", "type": "string", "label": "Tipo"},
                {"name": "valore", "type": "number", "label": "Valore"},
            ],
            "metadata": {
                "abstract": "Geometrie casuali per i benchmark.",
                "licence": "CC0-1.0",
                "lineage": "Generate da scripts/bench_common.py (seed fisso).",
                "updated": "2026-01-01",
            },
        }
    )
    gdf = gpd.GeoDataFrame(
        {
            "id": np.arange(1, n + 1),
            "nome": [f"Elemento {i}" for i in range(1, n + 1)],
            "tipo": rng.choice(KINDS, n),
            "valore": np.round(rng.uniform(0, 1000, n), 2),
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    return spec, gdf


def bboxes_with_about(
    lon: np.ndarray, lat: np.ndarray, k: int, count: int, seed: int = 7
) -> list[tuple[float, float, float, float]]:
    """`count` square bboxes (in degrees) each holding about `k` of the points, centred on
    random points: the half-side is the k-th smallest Chebyshev distance from the centre."""
    rng = np.random.default_rng(seed)
    out = []
    for i in rng.choice(lon.size, count, replace=False):
        d = np.maximum(np.abs(lon - lon[i]), np.abs(lat - lat[i]))
        half = float(np.partition(d, k - 1)[k - 1])
        out.append((lon[i] - half, lat[i] - half, lon[i] + half, lat[i] + half))
    return out


def fmt_bbox(b) -> str:
    return ",".join(f"{v:.6f}" for v in b)
